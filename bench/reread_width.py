"""The second reader's window width (or its resized size and channels) behind a CRNN that `bench.py` already trained (issue 15).

`bench.py --recipe synthetic_reread --seed S` trains the same CRNN every time it runs on this CPU (it seeds the data, the
weights and the batch order), so a question about the second reader alone need not train that CRNN again. This script
loads the recognizer such a run saved, draws the second reader's CAPTCHAs as that run did (`Recipe.draw_reread` with the
same seed and number), trains `train_rereader` with windows `--width` columns wide (resized to `--size` and read by a
`WindowCNN` of `--channels`, `WindowCNN`'s defaults unless given; before 2026-11-28, late morning, the size was 40x24), and reads the 2,000 evaluation CAPTCHAs with the CRNN and that second reader. Training seconds
are the CRNN's, read from the run's JSON, plus all of `train_rereader`, as `bench.py` counts them.

    python bench/bench.py --name synthetic-reread-80k-70kx5-lr4e-3-seed2 --recipe synthetic_reread --seed 2 --n_train 80000 --reread_n 70000 --reread_epochs 5
    python bench/reread_width.py --run synthetic-reread-80k-70kx5-lr4e-3-seed2 --width 28 --size 40 24
    python bench/reread_width.py --run synthetic-reread-80k-70kx5-lr4e-3-seed2 --width 24 --size 32 24 --channels 24 48 96
"""
import argparse, json, time
from dataclasses import replace
from pathlib import Path
from fastai.vision.all import set_seed
from captcha_crnn.data import create_captcha_dataset, valid_seed
from captcha_crnn.recognizer import load_recognizer, Recognizer
from captcha_crnn.train import RECIPES, train_rereader
from captcha_crnn.metrics import seq_accuracy
from bench import EVAL_SEED, error_profile
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--run', required=True, help="A bench.py run of synthetic_reread: its <name>.model and <name>.json in bench/results")
    p.add_argument('--width', type=int, required=True, help='Window width, in columns of the 160-column image')
    p.add_argument('--size', type=int, nargs=2, help="(height, width) each window is resized to; default WindowCNN's")
    p.add_argument('--channels', type=int, nargs=3, help="The WindowCNN's channels; default WindowCNN's")
    p.add_argument('--name', default=None, help='Result file; default <run>-width<W>')
    args, out = parse_new(p, RESULTS, lambda a: a.name or a.run + f'-width{a.width}')
    run = json.loads((RESULTS/f"{args.run}.json").read_text())
    a = run['args']
    if a['recipe'] != 'synthetic_reread' or a['length'] != '5' or a['charset'] is not None: raise SystemExit(f"{args.run}: not a synthetic_reread run on the default CAPTCHAs")
    if a['reread_n'] is None or a['reread_epochs'] is None: raise SystemExit(f"{args.run}: its JSON does not say how many CAPTCHAs and epochs its second reader had (bench.py records them since 2026-11-28)")
    recipe = replace(RECIPES['synthetic_reread'], reread_n=a['reread_n'], reread_epochs=a['reread_epochs'])
    rec = load_recognizer(RESULTS/f"{args.run}.model", device='cpu', fuse=False, freeze=False)
    valid_ds = create_captcha_dataset(a['n_valid'], seed=valid_seed(a['seed']))  # the run's validation CAPTCHAs, as `Recipe.draw` draws them
    reread_ds = recipe.draw_reread(a['seed'])
    set_seed(a['seed'])  # the second reader's initial weights and batch order (bench.py goes on from the CRNN's random state instead)
    start = time.perf_counter()
    learn = train_rereader(rec.model, reread_ds, valid_ds, rec.img_size, 'O0', recipe.reread_epochs, width=args.width, mixed_precision=True,
                           **{k: tuple(v) for k,v in (('size', args.size), ('channels', args.channels)) if v is not None},
                           **({} if a['reread_lr'] is None else dict(lr=a['reread_lr'])))
    seconds = round(time.perf_counter() - start, 1)
    ev = create_captcha_dataset(2000, seed=EVAL_SEED, progress=False)
    images, labels = list(ev['image']), list(ev['label'])
    preds = [s for s,_ in Recognizer(rec.model, rec.charset, rec.img_size, device='cpu', reread=learn.model).predict(images)]
    res = dict(args=vars(args), run_args=a, width=args.width, size=learn.model.config['size'], channels=learn.model.config['channels'], reread_n=recipe.reread_n, reread_epochs=recipe.reread_epochs,
               reread_windows=len(learn.dls.train_ds), reread_valid_accuracy=round(float(learn.validate()[1]), 4),
               crnn_train_seconds=run['crnn_train_seconds'], reread_train_seconds=seconds, train_seconds=round(run['crnn_train_seconds'] + seconds, 1),
               greedy_seq_acc=seq_accuracy(preds, labels), greedy_errors=error_profile(preds, labels),
               run_greedy_seq_acc=run['greedy_seq_acc'], run_reread_train_seconds=run['reread_train_seconds'], run_reread_valid_accuracy=run['reread_valid_accuracy'])
    print(json.dumps(res), flush=True)
    write_json(out, res)

if __name__ == '__main__': main()
