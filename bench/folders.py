"""Measure the plain `captcha_crnn_train --folder DIR` on fixture folders of several styles.

Writes each style's folder once (seeded) under bench/.fixtures/, then runs the command exactly as a user
would, once per split seed, and records the held-out accuracy it prints, its wall time and whether it got
stuck. Results go to bench/results/folders-<style>.json.

    python bench/folders.py                                  # every style, split seeds 0 1 2
    python bench/folders.py --styles faint --seeds 0 --args "--from_model scratch"
"""
import argparse, json, re, subprocess, sys, time
from dataclasses import replace
from pathlib import Path
from captcha_crnn.styles import STYLES, write_captcha_folder, write_style_folder
from result_files import add_overwrite, check_new, write_json

HERE = Path(__file__).parent
FIXTURES, RESULTS = HERE/'.fixtures', HERE/'results'
CLASSIC_SIZES = {'classic': (50, 200), 'classic_square': (256, 256), 'classic_3x2': (100, 150), 'classic_2x1': (60, 120)}  # write_captcha_folder at these (height, width): the captcha package's style roughened
RESHAPED = {'faint_square': ('faint', (200, 200))}  # a style of captcha_crnn.styles drawn at another (height, width)
FIXTURE_STYLES = [*CLASSIC_SIZES, *STYLES, *RESHAPED]

def fixture(style:str, n:int, seed:int=2026) -> Path:
    "The folder of `n` CAPTCHAs of `style`, written once"
    path = FIXTURES/f"{style}-{n}-{seed}"
    if not path.exists():
        tmp = path.with_name(path.name + '.tmp')
        if style in CLASSIC_SIZES: write_captcha_folder(tmp, n, width=CLASSIC_SIZES[style][1], height=CLASSIC_SIZES[style][0], seed=seed, progress=False)
        elif style in RESHAPED: write_style_folder(tmp, replace(STYLES[RESHAPED[style][0]], img_size=RESHAPED[style][1]), n, seed=seed)
        else: write_style_folder(tmp, style, n, seed=seed)
        tmp.rename(path)
    return path

def printed_accuracy(stdout:str) -> dict:
    "The held-out sequence accuracy and character error rate `captcha_crnn_train` printed, and what its start read before fine-tuning; empty if it printed none"
    m = re.search(r"sequence accuracy ([\d.]+), character error rate ([\d.]+)", stdout)
    before = re.search(r"before fine-tuning, \S+ reads ([\d.]+) of the", stdout)  # the start, on the same held-out images
    return (dict(seq_acc=float(m.group(1)), cer=float(m.group(2))) if m else {}) | (dict(seq_acc_before=float(before.group(1))) if before else {})

def held_out_reads(model:Path, folder:Path, seed:int) -> dict:
    "The saved recognizer's sequence accuracy on the held-out fifth of `folder` (split `seed`, as the command splits it), read as saved and with `any_length`"
    from captcha_crnn.folders import folder_datasets
    from captcha_crnn.metrics import seq_accuracy
    from captcha_crnn.recognizer import load_recognizer
    rec, (_, valid) = load_recognizer(model), folder_datasets(str(folder), None, 0.2, seed)
    images, labels = list(valid['image']), list(valid['label'])
    read = lambda **kw: round(seq_accuracy([s for s,_ in rec.predict(images, **kw)], labels), 4)
    return dict(lengths=rec.lengths, seq_acc_read=read(), seq_acc_any_length=read(any_length=True))

def run_train(folder:Path, seed:int, extra:list[str], out:Path) -> dict:
    "Run the train command on `folder` with split `seed`; what it printed, parsed"
    cmd = ['captcha_crnn_train', '--folder', str(folder), '--seed', str(seed), '--out', str(out), *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    res = dict(command=' '.join(cmd), seconds=round(time.perf_counter() - start, 1), exit_code=proc.returncode)
    res.update(printed_accuracy(proc.stdout))
    m = re.search(r"sequence accuracy ([\d.]+) on .* with the second reader", proc.stdout)
    if m: res['reread_seq_acc'] = float(m.group(1))  # --reread: the CRNN and its second reader together
    res['stuck'] = "stuck in CTC's all-blank phase" in proc.stderr
    if not proc.returncode and 'seq_acc' in res and '--valid_folder' not in extra: res.update(held_out_reads(out, folder, seed))
    if proc.returncode and not res['stuck']: res['stderr_tail'] = proc.stderr[-2000:]
    return res

def run_style(style:str, folder:Path, n:int, seeds:list[int], extra_args:str, model:Path) -> dict:
    "The train command on `folder` (`n` images) once per split seed in `seeds`, saving to `model`; the runs and their summary, as a result file holds them"
    runs = [run_train(folder, s, extra_args.split(), model) for s in seeds]
    accs = [r.get('seq_acc') for r in runs]
    return dict(style=style, n_images=n, extra_args=extra_args, runs=runs,
                min_seq_acc=min((a for a in accs if a is not None), default=None), any_stuck=any(r['stuck'] for r in runs))

def main(styles:list=FIXTURE_STYLES, fixture_of=fixture, name:str='folders', model_prefix:str='model-', description:str=__doc__):
    "The command line of a script that runs the train command on fixture folders of `styles`, each written by `fixture_of(style, n)`"
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--styles', nargs='+', default=list(styles), choices=list(styles))
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2], help='Split seeds')
    p.add_argument('--n', type=int, default=1000, help='Images per fixture folder')
    p.add_argument('--args', default='', help='Extra arguments for captcha_crnn_train')
    p.add_argument('--name', default=name, help='Result files are <name>-<style>.json')
    p.add_argument('--models_dir', default=str(FIXTURES), help=f'Each run saves its recognizer to <models_dir>/{model_prefix}<style>; runs side by side need their own')
    p.add_argument('--only_draw', action='store_true', help='Write the folders and stop')
    add_overwrite(p)
    args = p.parse_args()
    result_path = lambda style: RESULTS/f"{args.name}-{style}.json"
    if not args.only_draw: check_new(map(result_path, args.styles), args.overwrite)
    for style in args.styles:
        folder = fixture_of(style, args.n)
        if args.only_draw: print(folder); continue
        res = run_style(style, folder, args.n, args.seeds, args.args, Path(args.models_dir)/f"{model_prefix}{style}")
        print(json.dumps(res), flush=True)
        write_json(result_path(style), res)

if __name__ == '__main__': main()
