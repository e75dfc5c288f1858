"""How well can O and 0 be told apart at all in the `captcha` package's CAPTCHAs? (issue 15)

The package draws each symbol on its own, crops it to its ink, rotates and warps it, and then stretches it to
fill the font's whole advance-by-line box, which is the same for every symbol of DroidSansMono. So O (26 pixels
wide at size 50) and 0 (24 pixels) come out the same size, and only the shape of their sides differs.

This script draws isolated O and 0 glyphs with the package's own per-symbol drawing (fresh ones for every epoch),
trains a small CNN on that one question, and measures it on held-out glyphs. Its error rate shows what can be
reached on glyphs seen alone. A CAPTCHA adds nothing that tells O from 0 (the label's other symbols are drawn
independently) and takes something away: its neighbours overlap a glyph's sides, where O and 0 differ.

    python bench/o0_glyphs.py --threads 1                   # glyphs at 48x28, about their size in the image
    python bench/o0_glyphs.py --threads 1 --size 28 20      # about what small_fullwidth sees: half the height, the width squeezed
"""
import argparse, json, random, time
from pathlib import Path
import numpy as np, torch
from torch import nn
from PIL import Image, ImageDraw
from captcha.image import ImageCaptcha
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'
SYMBOLS = 'O0'

def draw_glyphs(n:int, seed:int, size:tuple=(48, 28)) -> tuple[np.ndarray, np.ndarray]:
    "`n` glyphs drawn by the package's per-symbol drawing, as ink in [0, 1] at `size` (height, width), and their labels (0 for O, 1 for 0)"
    random.seed(seed)  # the package draws with `secrets`, which cannot be seeded: the labels are seeded, the glyphs are not
    gen, canvas = ImageCaptcha(), ImageDraw.Draw(Image.new('RGB', (1, 1)))
    ys = np.array([random.randrange(2) for _ in range(n)])
    xs = np.stack([np.asarray(gen._draw_character(SYMBOLS[y], canvas, (0, 0, 0, 255)).getchannel('A').resize(size[::-1], Image.BILINEAR))
                   for y in ys]).astype(np.float32)/255
    return xs, ys

def create_net(channels=(32, 64, 128)) -> nn.Module:
    def block(ni, nf): return nn.Sequential(nn.Conv2d(ni, nf, 3, padding=1), nn.BatchNorm2d(nf), nn.ReLU(), nn.Conv2d(nf, nf, 3, padding=1), nn.BatchNorm2d(nf), nn.ReLU(), nn.MaxPool2d(2))
    a, b, c = channels
    return nn.Sequential(block(1, a), block(a, b), block(b, c), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 2))

def accuracy(net, xs, ys) -> float:
    net.eval()
    with torch.no_grad(): preds = torch.cat([net(torch.from_numpy(xs[i:i+512])[:, None]).argmax(1) for i in range(0, len(xs), 512)])
    return float((preds.numpy() == ys).mean())

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--n', type=int, default=20_000, help='Fresh training glyphs per epoch')
    p.add_argument('--epochs', type=int, default=8)
    p.add_argument('--n_test', type=int, default=10_000)
    p.add_argument('--size', type=int, nargs=2, default=[48, 28], help='Height and width the glyphs are resized to; every DroidSansMono glyph box is about 0.57 as wide as it is high')
    p.add_argument('--threads', type=int, default=0, help='torch threads; 0 keeps the default')
    args, result_path = parse_new(p, RESULTS, lambda a: f"o0-glyphs-{a.size[0]}x{a.size[1]}")
    if args.threads: torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    test_x, test_y = draw_glyphs(args.n_test, seed=12345, size=args.size)
    net = create_net()
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=args.epochs*(args.n//64))
    start, curve = time.perf_counter(), []
    for epoch in range(args.epochs):
        xs, ys = draw_glyphs(args.n, seed=epoch, size=args.size)
        net.train()
        for i in range(args.n//64):
            xb, yb = torch.from_numpy(xs[i*64:(i+1)*64])[:, None], torch.from_numpy(ys[i*64:(i+1)*64])
            loss = nn.functional.cross_entropy(net(xb), yb)
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
        curve.append(round(accuracy(net, test_x, test_y), 4))
        print(f"epoch {epoch}: held-out accuracy {curve[-1]}", flush=True)
    err = 1 - curve[-1]
    # each of a CAPTCHA's 5 symbols, drawn from A-Z0-9, is O or 0 with probability 2/36
    res = dict(args=vars(args), train_seconds=round(time.perf_counter() - start), test_accuracy=curve[-1], accuracy_by_epoch=curve,
               o0_error_per_glyph=round(err, 4), captchas_with_an_o0_misread=round(1 - (1 - err*2/36)**5, 5))
    print(json.dumps(res), flush=True)
    write_json(result_path, res)

if __name__ == '__main__': main()
