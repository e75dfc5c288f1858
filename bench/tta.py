"""Test-time augmentation: does averaging a fine-tuned recognizer's outputs over shifted copies of each image read more?

For each fixture style, reads 1,000 fresh CAPTCHAs of the style (drawn as `confusions.py` draws them, seed 777) with the
recognizer that `folders.py` last saved for it, once as they are and once averaging the per-step probabilities over the
image and four copies moved 2 pixels up, down, left and right (edges repeated), then decodes greedily. Writes
bench/results/tta.json.

    python bench/folders.py --styles faint classic mixed_case --seeds 0   # saves bench/.fixtures/model-<style>
    python bench/tta.py
"""
import argparse, json
import torch
import torch.nn.functional as F
from confusions import fresh
from folders import FIXTURES, RESULTS
from result_files import parse_new, write_json
from captcha_crnn.core import read_images
from captcha_crnn.metrics import seq_accuracy
from captcha_crnn.recognizer import load_recognizer

SHIFTS = [(0, 0), (0, -2), (0, 2), (-2, 0), (2, 0)]  # (down, right) in pixels

def shifted(x:torch.Tensor, dy:int, dx:int, pad:int=2) -> torch.Tensor:
    "`x` moved by `dy`, `dx` pixels (at most `pad`), its edges repeated"
    H, W = x.shape[-2:]
    x = F.pad(x, (pad,)*4, mode='replicate')
    return x[..., pad-dy:pad-dy+H, pad-dx:pad-dx+W]

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--styles', nargs='+', default=['faint', 'classic', 'mixed_case'])
    p.add_argument('--n', type=int, default=1000)
    p.add_argument('--name', default='tta', help='Results go to results/<name>.json')
    args, result_path = parse_new(p, RESULTS)
    rows = []
    for style in args.styles:
        images, labels = fresh(style, args.n)
        rec = load_recognizer(FIXTURES/f"model-{style}", freeze=False)
        def plain(x): return rec.model(torch.from_numpy(x))
        def averaged(x):
            x = torch.from_numpy(x)
            return torch.stack([rec.model(shifted(x, dy, dx)).exp() for dy,dx in SHIFTS]).mean(0).log()
        row = dict(style=style, model=str(FIXTURES/f"model-{style}"), n=args.n)
        for name, log_probs_of in (('plain', plain), ('shifts5', averaged)):
            with torch.inference_mode(): preds = read_images(images, log_probs_of, rec.charset, rec.img_size, rec.keep_aspect)
            row[f"{name}_seq_acc"] = round(seq_accuracy([p for p,_ in preds], labels), 4)
        print(json.dumps(row), flush=True)
        rows.append(row)
    write_json(result_path, dict(shifts=SHIFTS, runs=rows))

if __name__ == '__main__': main()
