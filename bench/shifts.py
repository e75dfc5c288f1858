"""How much a recognizer's accuracy depends on where the text sits: the same images moved by a few pixels.

Reads a set of labelled images as they are, then moved up, down, left or right by `--px` pixels (the edge
row or column repeated into the gap), with the recognizer's own `predict`, and records the sequence accuracy
of each. A model that learned where the generator puts its symbols, rather than the symbols, loses
accuracy on moved images. Cases: bench.py's 2,000 evaluation CAPTCHAs, and fixture folders
(bench/folders.py writes them) read with a second recognizer. Writes bench/results/<name>.json.

    python bench/shifts.py --model models/captcha_crnn --folder_model base --styles classic faint
"""
import argparse, json
from pathlib import Path
from result_files import parse_new, write_json
import numpy as np
from PIL import Image
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.metrics import seq_accuracy
from captcha_crnn.folders import folder_datasets
from bench import EVAL_SEED
from folders import fixture

RESULTS = Path(__file__).parent/'results'
MOVES = {'as is': (0, 0), 'up': (-1, 0), 'down': (1, 0), 'left': (0, -1), 'right': (0, 1)}

def moved(img:Image.Image, dy:int, dx:int) -> Image.Image:
    "`img` moved by (`dy`, `dx`) pixels, its edge rows and columns repeated into the gap"
    a = np.asarray(img.convert('RGB'))
    h, w = a.shape[:2]
    a = np.pad(a, ((max(dy, 0), max(-dy, 0)), (max(dx, 0), max(-dx, 0)), (0, 0)), mode='edge')
    return Image.fromarray(a[max(-dy, 0):max(-dy, 0)+h, max(-dx, 0):max(-dx, 0)+w])

def accuracies(model:str, images:list, labels:list, px:int) -> dict:
    "Sequence accuracy of `model` on `images`, as they are and moved by `px` pixels each way"
    rec = load_recognizer(model)
    return {name: round(seq_accuracy([s for s,_ in rec.predict([moved(im, dy*px, dx*px) for im in images])], labels), 4)
            for name,(dy,dx) in MOVES.items()}

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', default='models/captcha_crnn', help='recognizer for the evaluation CAPTCHAs')
    p.add_argument('--folder_model', default='base', help='recognizer for the fixture folders')
    p.add_argument('--styles', nargs='*', default=['classic', 'faint'])
    p.add_argument('--px', type=int, default=2)
    p.add_argument('--n', type=int, default=2000)
    p.add_argument('--name', default='shifts')
    args, result_path = parse_new(p, RESULTS)
    ds = create_captcha_dataset(args.n, seed=EVAL_SEED, progress=False)
    cases = [dict(case='evaluation CAPTCHAs', model=args.model, **accuracies(args.model, list(ds['image']), list(ds['label']), args.px))]
    for style in args.styles:
        parts = folder_datasets(fixture(style, 1000), valid_pct=0.2, seed=0)  # the whole folder of 1,000: base has seen none of it
        images, labels = [im for d in parts for im in d['image']], [l for d in parts for l in d['label']]
        cases.append(dict(case=f"{style} fixture folder", model=args.folder_model, **accuracies(args.folder_model, images, labels, args.px)))
    res = dict(args=vars(args), cases=cases)
    print(json.dumps(res, indent=2))
    write_json(result_path, res)

if __name__ == '__main__': main()
