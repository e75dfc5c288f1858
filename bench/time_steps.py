"""The plain `captcha_crnn_train --folder DIR` on a fixture style with the CRNN's time steps set by hand.

`starting_model` gives the longest label `STEPS_PER_SYMBOL` steps a symbol (30 for labels of 10, where `base` has 20).
This script overrides that choice to see how the held-out accuracy depends on it: the steps are only the size the
features are pooled to (`CRNN.set_seq_len`), so every run starts from the same weights. Results go to
bench/results/time-steps-<style>.json, with the runs of other steps and seeds that file already holds.

    python bench/time_steps.py --style long_labels --steps 24 32 --seeds 0 1
    python bench/time_steps.py --style classic --steps 30
    python bench/time_steps.py --style long_labels --steps 30 --width 240   # and the width read at, set by hand too
"""
import argparse, io, json, time
from contextlib import redirect_stdout
from pathlib import Path
import captcha_crnn.recognizer as recognizer
from captcha_crnn.cli import train_main
from folders import FIXTURES, FIXTURE_STYLES, RESULTS, fixture, printed_accuracy
from result_files import write_json  # no check_new: runs are added to the file by design

def run(folder:Path, seed:int, steps:int, out:Path, width:int|None=None) -> dict:
    "Train on `folder` with split `seed`, `steps` time steps and images read `width` pixels wide (`None`: as chosen), as the plain command does otherwise"
    chosen = recognizer.starting_model
    def with_steps(*args, **kwargs):
        net, size, said = chosen(*args, **kwargs)
        size = size if width is None else (size[0], width)
        return net.set_seq_len(steps), size, f"{said}; {steps} time steps at {size[0]}x{size[1]}, set by bench/time_steps.py"
    recognizer.starting_model, start = with_steps, time.perf_counter()
    try:
        with io.StringIO() as buf, redirect_stdout(buf): train_main(folder=str(folder), seed=seed, out=str(out)); printed = buf.getvalue()
    finally: recognizer.starting_model = chosen
    return dict(steps=steps, seed=seed, **(dict(width=width) if width else {}), seconds=round(time.perf_counter() - start, 1), **printed_accuracy(printed))

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--style', default='long_labels', choices=FIXTURE_STYLES)
    p.add_argument('--steps', nargs='+', type=int, required=True)
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2], help='Split seeds')
    p.add_argument('--n', type=int, default=1000, help='Images per fixture folder')
    p.add_argument('--width', type=int, default=None, help="Width to read the images at; default the plain command's choice (base's 192)")
    args = p.parse_args()
    folder, runs = fixture(args.style, args.n), []
    for steps in args.steps:
        for seed in args.seeds:
            runs.append(run(folder, seed, steps, FIXTURES/'steps'/f'model-{args.style}', args.width))
            print(json.dumps(runs[-1]), flush=True)
    out = RESULTS/f'time-steps-{args.style}.json'  # earlier runs of other steps or seeds are kept
    key = lambda r: (r['steps'], r.get('width', 0), r['seed'])
    done = {key(r) for r in runs}
    kept = [r for r in (json.loads(out.read_text())['runs'] if out.exists() else []) if key(r) not in done]
    write_json(out, dict(style=args.style, n_images=args.n, runs=sorted(kept + runs, key=key)))

if __name__ == '__main__': main()
