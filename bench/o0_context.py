"""How well can O and 0 be told apart inside the `captcha` package's CAPTCHAs, where the model must read them? (issue 15)

`o0_glyphs.py` showed that O and 0 drawn alone are told apart 99.99% of the time. In a CAPTCHA the package pastes each
glyph over its neighbours (each advance is up to a quarter of a glyph short), adds a noise curve and dots, smooths
the image and squeezes it to 160x60. This script draws 5-symbol CAPTCHAs (A-Z, 0-9) exactly as the package does, with
one symbol at a random place set to O or 0, and records where that symbol's glyph was pasted. It then crops the glyph's
own box out of the finished CAPTCHA (widened by `--margin` of its width on each side), and trains the six-convolution CNN
of `o0_glyphs.py` on O against 0. The CNN is told exactly where the glyph is, which a CRNN is not, so its error is a
generous estimate of how often the finished image leaves O and 0 undecidable.

    python bench/o0_context.py                    # margins 0 and 0.5, 40,000 training CAPTCHAs, 10,000 held out
"""
import argparse, io, json, random, time
from multiprocessing import Pool
from pathlib import Path
import numpy as np, torch
from torch import nn
from PIL import Image, ImageDraw, ImageOps
import captcha.image
from captcha.image import ImageCaptcha
from captcha_crnn.core import Charset
from captcha_crnn.data import _SeededSecrets, render_captcha
from o0_glyphs import create_net, accuracy
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'
SYMBOLS = 'O0'

def _compose(gen:ImageCaptcha, chars:str, color, background, boxes:list):
    "The package's `create_captcha_image` (captcha 0.7.1), step for step, appending each symbol's pasted x-range to `boxes`"
    secrets = captcha.image.secrets
    image = Image.new('RGB', (gen._width, gen._height), background)
    draw = ImageDraw.Draw(image)
    tiles = []
    for c in chars:
        if secrets.randbits(32) / (2**32) > gen.word_space_probability: tiles.append((False, gen._draw_character(" ", draw, color)))
        tiles.append((True, gen._draw_character(c, draw, color)))
    text_width = sum(t.size[0] for _,t in tiles)
    width = max(text_width, gen._width)
    image = image.resize((width, gen._height))
    average = int(text_width / len(chars))
    rand, offset = int(gen.word_offset_dx * average), int(average * 0.1)
    for is_symbol,t in tiles:
        w, h = t.size
        image.paste(t, (offset, int((gen._height - h) / 2)), t.convert('L').point(gen.lookup_table))
        if is_symbol: boxes.append((offset, offset + w))
        offset = offset + w + (-secrets.randbelow(rand + 1))
    if width > gen._width: image = image.resize((gen._width, gen._height))
    scale = gen._width / width
    boxes[:] = [(a*scale, b*scale) for a,b in boxes]
    return image

def draw_with_boxes(label:str, rng:random.Random) -> tuple[Image.Image, list]:
    "A 160x60 CAPTCHA of `label` drawn as `render_captcha` draws it from `rng`, and the x-range of each symbol's glyph"
    gen, boxes = ImageCaptcha(width=160, height=60), []
    gen.create_captcha_image = lambda chars, color, background: _compose(gen, chars, color, background, boxes)
    real, captcha.image.secrets = captcha.image.secrets, _SeededSecrets(rng)
    try: img = gen.generate_image(label)
    finally: captcha.image.secrets = real
    return img, boxes

def crop_glyph(img:Image.Image, box:tuple, margin:float, size:tuple) -> np.ndarray:
    "The glyph in `box`, widened by `margin` of its width on each side, as ink in [0, 1] at `size` (height, width)"
    x0, x1 = box
    pad = margin*(x1 - x0)
    grey = ImageOps.expand(img.convert('L'), border=40, fill=255)
    crop = grey.crop((round(x0 - pad) + 40, 40, round(x1 + pad) + 40, 40 + img.height))
    return 1 - np.asarray(crop.resize(size[::-1], Image.BILINEAR), dtype=np.float32)/255

def o0_label(rng:random.Random) -> tuple[str, int, int]:
    "5 symbols of A-Z0-9 drawn from `rng`, one of them, at a random place `k`, set to O (`y`=0) or 0 (`y`=1): label, k, y"
    label = [rng.choice(Charset().symbols) for _ in range(5)]
    k, y = rng.randrange(5), rng.randrange(2)
    label[k] = SYMBOLS[y]
    return ''.join(label), k, y

def redraw_captcha(key:str, length:int=5) -> tuple[Image.Image, str, list]:
    "The CAPTCHA `render_captcha(key, length)` draws (A-Z0-9), its label, and the x-range of each symbol's glyph"
    rng = random.Random(key)
    label = ''.join(rng.choice(Charset().symbols) for _ in range(length))
    img, boxes = draw_with_boxes(label, rng)
    return img, label, boxes

def check_same_as_package(n:int=5):
    "`redraw_captcha` draws the very image `render_captcha` draws from the same key"
    for i in range(n):
        png, label = render_captcha(f"check:{i}")
        img, same_label, _ = redraw_captcha(f"check:{i}")
        if same_label != label or not np.array_equal(np.asarray(img), np.asarray(Image.open(io.BytesIO(png)))):
            raise SystemExit("draw_with_boxes no longer draws what the captcha package draws: compare _compose with its create_captcha_image")

def pooled(chunk_fn, n:int, *args, workers:int=2, chunk_size:int=500, start:int=0) -> list:
    "`chunk_fn((*args, idxs))` over chunks of `range(start, n)` in `workers` processes, in order"
    with Pool(workers) as pool: return pool.map(chunk_fn, [(*args, range(i, min(i + chunk_size, n))) for i in range(start, n, chunk_size)])

def _crops_chunk(args) -> tuple:
    seed, margins, size, idxs = args
    xs, ys = {m: [] for m in margins}, []
    for i in idxs:
        rng = random.Random(f"o0-context:{seed}:{i}")
        label, k, y = o0_label(rng)
        img, boxes = draw_with_boxes(label, rng)
        for m in margins: xs[m].append(crop_glyph(img, boxes[k], m, size))
        ys.append(y)
    return {m: np.stack(v) for m,v in xs.items()}, np.array(ys)

def draw_crops(n:int, seed:int, margins:list, size:tuple) -> tuple[dict, np.ndarray]:
    "Crops of the O or 0 in `n` CAPTCHAs, one array per margin, and their labels (0 for O, 1 for 0)"
    parts = pooled(_crops_chunk, n, seed, margins, size)
    return {m: np.concatenate([p[0][m] for p in parts]) for m in margins}, np.concatenate([p[1] for p in parts])

def train(xs, ys, test_x, test_y, epochs:int, bs:int=64, bf16:bool=False, channels=(32, 64, 128)) -> tuple:
    "The CNN of `o0_glyphs.py` trained on `xs`, `ys` with a one-cycle schedule (in bfloat16 autocast with `bf16`), and its held-out accuracy after each epoch"
    torch.manual_seed(0)
    net = create_net(channels)
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-2)
    steps = len(xs)//bs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=epochs*steps)
    curve = []
    for epoch in range(epochs):
        net.train()
        order = np.random.default_rng(epoch).permutation(len(xs))
        for i in range(steps):
            idx = order[i*bs:(i+1)*bs]
            with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
                loss = nn.functional.cross_entropy(net(torch.from_numpy(xs[idx])[:, None]), torch.from_numpy(ys[idx]))
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
        curve.append(round(accuracy(net, test_x, test_y), 4))
        print(f"epoch {epoch}: held-out accuracy {curve[-1]}", flush=True)
    return net, curve

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--n', type=int, default=40_000, help='Training CAPTCHAs (one O or 0 crop each)')
    p.add_argument('--n_test', type=int, default=10_000)
    p.add_argument('--epochs', type=int, default=6)
    p.add_argument('--margins', type=float, nargs='+', default=[0., 0.5])
    p.add_argument('--size', type=int, nargs=2, default=[48, 28], help='Height and width each crop is resized to')
    p.add_argument('--threads', type=int, default=0, help='torch threads; 0 keeps the default')
    p.add_argument('--name', default='o0-context')
    args, result_path = parse_new(p, RESULTS)
    if args.threads: torch.set_num_threads(args.threads)
    check_same_as_package()
    start = time.perf_counter()
    xs, ys = draw_crops(args.n, 0, args.margins, args.size)
    test_xs, test_ys = draw_crops(args.n_test, 1, args.margins, args.size)
    print(f"drew {args.n} + {args.n_test} CAPTCHAs in {time.perf_counter() - start:.0f} s", flush=True)
    runs = []
    for m in args.margins:
        start = time.perf_counter()
        _, curve = train(xs[m], ys, test_xs[m], test_ys, args.epochs)
        err = 1 - curve[-1]
        # each of a CAPTCHA's 5 symbols, drawn from A-Z0-9, is O or 0 with probability 2/36
        runs.append(dict(margin=m, train_seconds=round(time.perf_counter() - start), test_accuracy=curve[-1], accuracy_by_epoch=curve,
                         o0_error_per_glyph=round(err, 4), captchas_with_an_o0_misread=round(1 - (1 - err*2/36)**5, 5)))
        print(json.dumps(runs[-1]), flush=True)
        write_json(result_path, dict(args=vars(args), runs=runs))  # after each margin

if __name__ == '__main__': main()
