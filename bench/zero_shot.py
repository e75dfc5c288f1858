"""How much of each fixture style a recognizer reads before any fine-tuning: whole folders, exact (case-sensitive) match.

With `--held_out`, it reads instead the fifth of each folder that the plain `captcha_crnn_train --folder` holds out
with each split seed, the images its printed accuracy is measured on, and records which symbols the misreads confuse.

    python bench/zero_shot.py --models base /tmp/base-half
    python bench/zero_shot.py --held_out 0 1 2 --name zero-shot-held-out
    python bench/zero_shot.py --held_out 0 1 2 --invert_below 0 --name zero-shot-held-out-as-drawn   # no second read of a negative
    python bench/zero_shot.py --styles unseen-cm_overlap unseen-stix_jpeg unseen-stix_arcs --held_out 0 1 2 --name zero-shot-unseen
"""
import argparse, json
from captcha_crnn.folders import dataset_from_folder
from captcha_crnn.metrics import seq_accuracy
from captcha_crnn.core import INVERT_BELOW
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.results import symbol_confusions
from folders import FIXTURE_STYLES, RESULTS
from few_labels import UNSEEN_STYLES, style_folder, style_split
from result_files import parse_new, write_json

def read(rec, ds, invert_below:float=INVERT_BELOW) -> dict:
    "`rec`'s accuracy on `ds`, and the symbol pairs its misreads confuse, most frequent first (`-` for a missed or extra symbol)"
    reads = [text for text,_ in rec.predict(list(ds['image']), invert_below=invert_below)]
    pairs = symbol_confusions(ds['label'], reads).most_common()
    return dict(n=len(ds), seq_acc=round(seq_accuracy(reads, ds['label']), 4), misreads=sum(r != l for r,l in zip(reads, ds['label'])),
                confusions={f"{a or '-'}->{b or '-'}": k for (a,b),k in pairs})

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--models', nargs='+', default=['base'], help='Recognizers: pretrained names or saved folders')
    p.add_argument('--styles', nargs='+', default=FIXTURE_STYLES, choices=FIXTURE_STYLES + UNSEEN_STYLES)
    p.add_argument('--n', type=int, default=1000, help='Images per fixture folder')
    p.add_argument('--held_out', nargs='+', type=int, default=None, help="Split seeds: read each one's held-out fifth instead of the whole folder")
    p.add_argument('--invert_below', type=float, default=INVERT_BELOW, help="Images on a dark ground read less surely than this are read again from their negative (the readers' default); 0 never")
    p.add_argument('--name', default='zero-shot', help='Results go to results/<name>.json')
    args, result_path = parse_new(p, RESULTS)
    if args.held_out is not None and args.n != 1000: p.error('--held_out reads the folders of 1,000 that the plain command was measured on; leave --n out')
    rows, recognizers = [], {m: load_recognizer(m, device='cpu') for m in args.models}
    for style in args.styles:
        sets = {None: dataset_from_folder(style_folder(style, args.n), progress=False)} if args.held_out is None else \
               {seed: style_split(style, seed)[1] for seed in args.held_out}
        for seed,ds in sets.items():
            for model,rec in recognizers.items():
                rows.append(dict(style=style, model=model, **({} if seed is None else dict(split_seed=seed)), invert_below=args.invert_below, **read(rec, ds, args.invert_below)))
                print(json.dumps(rows[-1]), flush=True)
    write_json(result_path, dict(runs=rows))

if __name__ == '__main__': main()
