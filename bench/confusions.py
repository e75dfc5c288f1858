"""Which symbols a fine-tuned recognizer confuses on fresh CAPTCHAs of a fixture style, and how alike the style draws them.

Reads `--n` CAPTCHAs of the style drawn with a seed that no fixture folder uses, counts the symbol confusions of
the misread ones, and for a style of `captcha_crnn.styles.STYLES` measures the ink box of every confused symbol
in each of the style's fonts (at the middle of its font sizes, before rotation). Writes results/confusions-<style>.json.

    python bench/folders.py --n 2000 --name folders-n2000 --styles classic mixed_case   # leaves bench/.fixtures/model-<style> (split seed 2)
    python bench/confusions.py --style mixed_case --model bench/.fixtures/model-mixed_case
    python bench/confusions.py --style classic --model bench/.fixtures/model-classic
    python bench/confusions.py --style mixed_case --model base --name confusions-mixed_case-base   # before any fine-tuning
"""
import argparse, json, random, tempfile
from collections import Counter
from pathlib import Path
from PIL import Image, ImageDraw
from captcha_crnn.folders import dataset_from_folder
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.results import symbol_confusions
from captcha_crnn.styles import FONTS, STYLES, _background, _font, _pick, create_styled_dataset, write_captcha_folder
from bench import error_profile
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'
SEED = 777  # the fixtures are drawn with 2026

def fresh(style:str, n:int) -> tuple[list, list[str]]:
    "`n` images of `style` and their labels"
    if style != 'classic':
        ds = create_styled_dataset(n, style=style, seed=SEED)
        return list(ds['image']), list(ds['label'])
    ds = dataset_from_folder(write_captcha_folder(Path(tempfile.mkdtemp())/'classic', n, seed=SEED, progress=False), progress=False)
    return list(ds['image']), list(ds['label'])

def fonts_of(style:str, labels:list[str]) -> list[str]:
    "The font each image of `style` drawn with SEED was drawn in, replaying the random choices of `_styled_item` and `render_styled` up to the font"
    st, names = STYLES[style], []
    for i, label in enumerate(labels):
        rng = random.Random(f"{SEED}:{i}")
        replayed = ''.join(rng.choice(st.charset) for _ in range(_pick(st.length, rng)))
        if replayed != label: raise RuntimeError(f"Replaying image {i} drew the label {replayed!r}, not {label!r}: the renderer has changed")
        _background(st, rng)
        names.append(Path(FONTS[rng.choice(st.fonts)]).stem)
    return names

def ink_boxes(style:str, symbols:str) -> dict:
    "Width x height in pixels of the ink of each of `symbols` in each font of `style`, at its middle font size, before rotation"
    s = STYLES[style]
    size = int(s.img_size[0]*sum(s.font_size)/2)
    def box(font, c):
        img = Image.new('L', (3*size, 3*size)); ImageDraw.Draw(img).text((size, size), c, font=font, fill=255)
        x0, y0, x1, y1 = img.getbbox()
        return f"{x1-x0}x{y1-y0}"
    return dict(font_size=size, boxes={Path(FONTS[i]).stem: {c: box(_font(FONTS[i], size), c) for c in symbols} for i in s.fonts})

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--style', required=True, choices=['classic', *STYLES])
    p.add_argument('--model', required=True, help='A recognizer fine-tuned on the style')
    p.add_argument('--n', type=int, default=1000)
    p.add_argument('--name', default=None, help='Result file name; default confusions-<style>')
    args, out = parse_new(p, RESULTS, lambda a: a.name or 'confusions-' + a.style)
    images, labels = fresh(args.style, args.n)
    preds = [s for s,_ in load_recognizer(args.model).predict(images)]
    profile = error_profile(preds, labels, top_k=12)
    res = dict(style=args.style, model=args.model, n=args.n, seed=SEED, seq_acc=round(1 - profile['misread']/len(labels), 4),
               misread=profile['misread'], top_confusions=profile['top_confusions'])
    if args.style != 'classic':
        confused = ''.join(sorted({c for pair, k in profile['top_confusions'][:4] for c in pair.split('->') if c != '-'}))
        res['ink'] = ink_boxes(args.style, confused)
        fonts = fonts_of(args.style, labels)
        by_font, misread = {f: Counter() for f in sorted(set(fonts))}, Counter()
        for f, l, q in zip(fonts, labels, preds):
            if l != q: by_font[f].update(symbol_confusions([l], [q])); misread[f] += 1
        res['images_by_font'] = dict(Counter(fonts))
        res['top_confusions_by_font'] = {f: [[f"{a or '-'}->{b or '-'}", k] for (a, b), k in c.most_common(4)] for f, c in by_font.items()}
        res['misread_by_font'] = {f: misread[f] for f in by_font}
    print(json.dumps(res))
    write_json(out, res)

if __name__ == '__main__': main()
