"""How a recognizer reads O, 0 and o in each font, before any fine-tuning.

For every font of `captcha_crnn.styles.FONTS`, draws CAPTCHAs of six symbols from 0-9, A-Z and a-z in the
`mixed_case` style with only that font, each holding at least one O, 0 or o, and counts how often each of
the three is read as another of them (greedy decoding, exact match of the position). The same seeded
images for every model, so the models compare on the same glyphs.

    python bench/o0_fonts.py --models base /tmp/x/b/base-o0 --name o0-fonts
"""
import argparse, json, random, string
from collections import Counter
from dataclasses import replace
from pathlib import Path
from result_files import parse_new, write_json
from captcha_crnn.styles import FONTS, STYLES, render_styled
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.results import symbol_confusions

RESULTS = Path(__file__).parent/'results'
OVALS = 'O0o'

def labels_with_ovals(n:int, seed:int) -> list[str]:
    "`n` labels of 6 symbols from 0-9, A-Z and a-z, each with one of O, 0, o at a random place"
    rng, symbols = random.Random(seed), string.digits + string.ascii_letters
    labels = []
    for _ in range(n):
        label = [rng.choice(symbols) for _ in range(5)]
        label.insert(rng.randrange(6), rng.choice(OVALS))
        labels.append(''.join(label))
    return labels

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--models', nargs='+', default=['base'], help='Recognizers: pretrained names or saved folders')
    p.add_argument('--n', type=int, default=300, help='CAPTCHAs per font')
    p.add_argument('--seed', type=int, default=7)
    p.add_argument('--name', default='o0-fonts', help='Results go to results/<name>.json')
    args, result_path = parse_new(p, RESULTS)
    recognizers = {m: load_recognizer(m, device='cpu') for m in args.models}
    rows = []
    for f,font in enumerate(FONTS):
        style = replace(STYLES['mixed_case'], fonts=(f,))
        labels = labels_with_ovals(args.n, args.seed + f)
        images = [render_styled(label, style, random.Random(f"{args.seed}:{f}:{i}")) for i,label in enumerate(labels)]
        n_ovals = Counter(c for label in labels for c in label if c in OVALS)
        for model,rec in recognizers.items():
            reads = [text for text,_ in rec.predict(images)]
            conf = symbol_confusions(labels, reads)
            swaps = dict(sorted((f"{a}->{b}", k) for (a,b),k in conf.items() if {a, b} <= set(OVALS)))
            rows.append(dict(font=Path(font).stem, model=model, n=len(labels), ovals=sum(n_ovals.values()),
                             oval_swaps=sum(swaps.values()), swaps=swaps,
                             seq_acc=round(sum(r == l for r,l in zip(reads, labels))/len(labels), 4)))
            print(json.dumps(rows[-1]), flush=True)
    totals = {m: sum(r['oval_swaps'] for r in rows if r['model'] == m) for m in recognizers}
    write_json(result_path, dict(args=vars(args), oval_swaps_total=totals, runs=rows))
    print(json.dumps(totals))

if __name__ == '__main__': main()
