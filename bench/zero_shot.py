"""How much of each fixture style a recognizer reads before any fine-tuning: whole folders, exact (case-sensitive) match.

    python bench/zero_shot.py --models base /tmp/base-half
"""
import argparse, json
from captcha_crnn.folders import dataset_from_folder
from captcha_crnn.metrics import seq_accuracy
from captcha_crnn.recognizer import load_recognizer
from folders import FIXTURE_STYLES, RESULTS, fixture

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--models', nargs='+', default=['base'], help='Recognizers: pretrained names or saved folders')
    p.add_argument('--styles', nargs='+', default=FIXTURE_STYLES, choices=FIXTURE_STYLES)
    p.add_argument('--n', type=int, default=1000, help='Images per fixture folder')
    p.add_argument('--name', default='zero-shot', help='Results go to results/<name>.json')
    args = p.parse_args()
    rows, recognizers = [], {m: load_recognizer(m, device='cpu') for m in args.models}
    for style in args.styles:
        ds = dataset_from_folder(fixture(style, args.n), progress=False)
        for model,rec in recognizers.items():
            reads = [text for text,_ in rec.predict(list(ds['image']))]
            rows.append(dict(style=style, model=model, n=len(ds), seq_acc=round(seq_accuracy(reads, ds['label']), 4)))
            print(json.dumps(rows[-1]), flush=True)
    (RESULTS/f"{args.name}.json").write_text(json.dumps(dict(runs=rows), indent=2) + '\n')

if __name__ == '__main__': main()
