"""Can a second look at each O or 0 fix what the CRNN reads? (issue 15, exploration)

`o0_context.py` showed that a small CNN told where an O or 0 sits in a finished CAPTCHA tells them apart far more often
than the CRNNs do. This script tries that as a second reader. It trains the same CNN on fixed-width windows of 5-symbol
CAPTCHAs drawn as the package draws them, centred on the O or 0 (moved by up to `--jitter` pixels, since the reader will not
know the centre exactly). Then it reads the 2,000 evaluation CAPTCHAs of `bench.py` with a saved recognizer, greedy, and
for every O or 0 the recognizer reads, centres a window on the time steps where the best path emits it and lets the CNN
decide between O and 0. It reports the recognizer's accuracy before and after, and how far the emitting steps sit from the
glyph's true centre (the evaluation CAPTCHAs are redrawn with their glyph boxes, pixel for pixel).

    python bench/o0_reread.py --model bench/results/lean-bf16-90k-4ep.model
    # both stages within 15 minutes of 2-core training: a shorter CRNN, smaller windows, bfloat16
    python bench/bench.py --name lean-bf16-90k-2ep --mixed_precision 1 --n_train 90000 --epochs 2
    python bench/o0_reread.py --model bench/results/lean-bf16-90k-2ep.model --n 100000 --epochs 4 --size 40 24 --mixed_precision 1 --name o0-reread-bf16-40x24

The window CNN is saved as `results/<name>.window.safetensors`; `--window_net` reads with a saved one instead of training,
and `--eval_seed` reads another set than the evaluation CAPTCHAs, to choose settings (`--shifts`) without them.
`--centre emitted` centres the training windows where the CRNN itself emits each O or 0, instead of on the true glyph boxes.
`total_train_seconds` adds the CRNN's training seconds from the JSON `bench.py` wrote beside the model, when there is one.
The package's own second reader (`Rereader`, `WindowCNN`, `train_rereader`; `bench.py --recipe synthetic_reread`) came from
this script's `--centre emitted`; its window is `glyph_window`, where this script keeps its own `window` so that its
saved results stay reproducible.
"""
import argparse, json, random, time
from pathlib import Path
import numpy as np, torch
from safetensors.torch import load_file, save_file
from PIL import ImageOps
from captcha_crnn.core import best_paths, emitted_spans
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.metrics import seq_accuracy
from captcha_crnn.recognizer import load_recognizer
from o0_glyphs import create_net
from o0_context import SYMBOLS, check_same_as_package, draw_with_boxes, o0_label, pooled, redraw_captcha, train
from bench import EVAL_SEED, error_profile
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def window(img, centre:float, width:int, size:tuple) -> np.ndarray:
    "A `width`-pixel window of `img` centred at x=`centre`, full height, as ink in [0, 1] at `size` (height, width)"
    grey = ImageOps.expand(img.convert('L'), border=width, fill=255)
    x0 = round(centre - width/2) + width
    crop = grey.crop((x0, width, x0 + width, width + img.height))
    return 1 - np.asarray(crop.resize(size[::-1]), dtype=np.float32)/255

def _windows_chunk(args):
    seed, width, jitter, size, idxs = args
    xs, ys = [], []
    for i in idxs:
        rng = random.Random(f"o0-reread:{seed}:{i}")
        label, k, y = o0_label(rng)
        shift = rng.uniform(-jitter, jitter)
        img, boxes = draw_with_boxes(label, rng)
        xs.append(window(img, sum(boxes[k])/2 + shift, width, size)); ys.append(y)
    return np.stack(xs), np.array(ys)

def draw_windows(n:int, seed:int, width:int, jitter:float, size:tuple) -> tuple[np.ndarray, np.ndarray]:
    "Windows on the O or 0 of `n` CAPTCHAs, centred up to `jitter` pixels off the glyph's centre, and their labels (0 for O, 1 for 0)"
    parts = pooled(_windows_chunk, n, seed, width, jitter, size)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

def _captchas_chunk(args):
    seed, idxs = args
    out = []
    for i in idxs:
        rng = random.Random(f"o0-reread:{seed}:{i}")
        label, _, _ = o0_label(rng)
        out.append((draw_with_boxes(label, rng)[0], label))
    return out

def draw_windows_where_emitted(rec, n:int, seed:int, width:int, jitter:float, size:tuple, block:int=10_000) -> tuple:
    """Windows on each O and 0 of `n` CAPTCHAs (the same CAPTCHAs `draw_windows` draws), centred where `rec`'s best path
    emits that symbol, moved by up to `jitter` pixels, for the CAPTCHAs it reads at the right length; their labels (0 for O,
    1 for 0), and the seconds `rec` spent reading (drawing excluded)"""
    xs, ys, seconds = [], [], 0.
    for a in range(0, n, block):
        caps = sum(pooled(_captchas_chunk, min(a + block, n), seed, start=a), [])
        start = time.perf_counter()
        lp = read_log_probs(rec, [img for img,_ in caps])
        rng = np.random.default_rng([seed, a])
        for (img, label),sp,xs_i in zip(caps, *emitted_places(lp, caps[0][0].width)):
            if len(sp) != len(label): continue
            for c,x in zip(label, xs_i):
                if c not in SYMBOLS: continue
                xs.append(window(img, x + rng.uniform(-jitter, jitter), width, size)); ys.append(SYMBOLS.index(c))
        seconds += time.perf_counter() - start
    return np.stack(xs), np.array(ys), seconds

def read_log_probs(rec, images, bs:int=64) -> np.ndarray:
    "`rec`'s log-probabilities [B, T, C] for `images`, in batches of `bs`"
    with torch.inference_mode(): return torch.cat([rec.model(rec.preprocess(images[i:i+bs])) for i in range(0, len(images), bs)]).float().numpy()

def emitted_places(lp:np.ndarray, img_width:int) -> tuple[list, list]:
    "The `emitted_spans` of `lp` and the x (in image pixels) of the middle of each span"
    spans = emitted_spans(lp)
    return spans, [[(a + b)/2 * img_width/lp.shape[1] for a,b in sp] for sp in spans]

def reread(net, images, texts, spans, positions, lp, charset, width:int, size:tuple, shifts=(0,)) -> tuple[dict, int, float]:
    """Each O or 0 of `texts` decided again from a window centred at its `positions` x (the middle of the `spans` of steps
    that emit it), all windows in one batch:
    by the window CNN alone (`replace`), and by the CNN's and the CRNN's evidence added (`combine`: the CNN's log-odds of
    0 against O plus the CRNN's, each step's probabilities summed over the emitting steps; no weight is tuned). With several
    `shifts` (pixels), the CNN reads a window at each and its log-probabilities are averaged. Returns the reads by rule,
    the number of windows reread and the seconds that took"""
    where = [(i, j) for i,text in enumerate(texts) for j,c in enumerate(text) if c in SYMBOLS]
    start = time.perf_counter()
    wins = np.stack([window(images[i], positions[i][j] + d, width, size) for i,j in where for d in shifts]) if where else np.zeros((0, *size), np.float32)
    with torch.inference_mode(): cnn = net(torch.from_numpy(wins)[:, None]).float().log_softmax(1).numpy() if where else np.zeros((0, 2))
    cnn = cnn.reshape(len(where), len(shifts), 2).mean(1)
    seconds = time.perf_counter() - start
    o, z = charset.encode(SYMBOLS)
    out = {rule: [list(t) for t in texts] for rule in ('replace', 'combine')}
    for (i, j),c in zip(where, cnn):
        s, t = spans[i][j]
        crnn = np.logaddexp.reduce(lp[i, s:t, z]) - np.logaddexp.reduce(lp[i, s:t, o])
        out['replace'][i][j] = SYMBOLS[int(c[1] > c[0])]
        out['combine'][i][j] = SYMBOLS[int(c[1] - c[0] + crnn > 0)]
    return {rule: [''.join(t) for t in v] for rule,v in out.items()}, len(where), seconds

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help='A saved recognizer of A-Z0-9 at 60x160')
    p.add_argument('--n', type=int, default=40_000, help='Training windows')
    p.add_argument('--n_test', type=int, default=5_000, help='Held-out windows')
    p.add_argument('--epochs', type=int, default=6)
    p.add_argument('--width', type=int, default=40, help='Window width in pixels')
    p.add_argument('--jitter', type=float, default=6., help='Largest shift of a training window from the glyph centre, in pixels')
    p.add_argument('--size', type=int, nargs=2, default=[48, 32])
    p.add_argument('--n_eval', type=int, default=2000)
    p.add_argument('--mixed_precision', type=int, choices=[0, 1], default=0, help='1: train the window CNN in bfloat16 autocast')
    p.add_argument('--threads', type=int, default=0, help='torch threads; 0 keeps the default')
    p.add_argument('--shifts', type=float, nargs='+', default=[0.], help='Read each O or 0 from windows moved by these pixels and average (1 shift: no averaging)')
    p.add_argument('--eval_seed', type=int, default=EVAL_SEED, help="The CAPTCHAs read: bench.py's evaluation set by default; another seed gives a set to choose settings on")
    p.add_argument('--seed', type=int, default=0, help='Draws the training windows with seed 2*seed and the held-out ones with 2*seed + 1')
    p.add_argument('--channels', type=int, nargs=3, default=[32, 64, 128], help="The window CNN's channels in its three blocks")
    p.add_argument('--centre', choices=['box', 'emitted'], default='box', help="Centre training windows on each glyph's true box, or where the CRNN emits it (its reading counted as training)")
    p.add_argument('--window_net', help='Read with this saved window CNN (`<name>.window.safetensors`) instead of training one')
    p.add_argument('--name', default='o0-reread')
    args, result_path = parse_new(p, RESULTS)
    if args.threads: torch.set_num_threads(args.threads)
    check_same_as_package()
    if args.window_net:
        net, curve, train_seconds, centring_seconds = create_net(args.channels), [None], None, None  # trained elsewhere: its seconds are in that run's JSON
        net.load_state_dict(load_file(args.window_net))
    else:
        start, centring_seconds = time.perf_counter(), 0.
        if args.centre == 'box':
            xs, ys = draw_windows(args.n, 2*args.seed, args.width, args.jitter, args.size)
            test_x, test_y = draw_windows(args.n_test, 2*args.seed + 1, args.width, args.jitter, args.size)
        else:
            rec = load_recognizer(args.model, device='cpu', freeze=False)
            xs, ys, centring_seconds = draw_windows_where_emitted(rec, args.n, 2*args.seed, args.width, args.jitter, args.size)
            test_x, test_y, _ = draw_windows_where_emitted(rec, args.n_test, 2*args.seed + 1, args.width, args.jitter, args.size)
        print(f"drew {len(xs)} + {len(test_x)} windows in {time.perf_counter() - start:.0f} s", flush=True)
        start = time.perf_counter()
        net, curve = train(xs, ys, test_x, test_y, args.epochs, bf16=bool(args.mixed_precision), channels=args.channels)
        train_seconds = time.perf_counter() - start + centring_seconds  # the CRNN's reading of the training CAPTCHAs counts as training
        save_file(net.state_dict(), RESULTS/f"{args.name}.window.safetensors")  # ignored by git, like the .model folders
    net.eval()

    rec = load_recognizer(args.model, device='cpu', freeze=False)
    eval_ds = create_captcha_dataset(args.n_eval, seed=args.eval_seed, progress=False)
    images, labels = list(eval_ds['image']), list(eval_ds['label'])
    lp = read_log_probs(rec, images)
    paths, _ = best_paths(lp)
    before = [rec.charset.decode(p) for p in paths]
    spans, positions = emitted_places(lp, images[0].width)
    reads, n_reread, seconds = reread(net, images, before, spans, positions, lp, rec.charset, args.width, args.size, args.shifts)
    after, reread_ms = reads['replace'], seconds/max(1, n_reread)*1000
    offsets = []  # where each O or 0 truly is, for the reads of the right length: each such CAPTCHA redrawn once with its boxes
    for i,(text,xs_i) in enumerate(zip(before, positions)):
        if len(text) != len(labels[i]) or not set(text) & set(SYMBOLS): continue
        _, _, boxes = redraw_captcha(f"{args.eval_seed}:{i}")
        offsets += [x - sum(box)/2 for c,x,box in zip(text, xs_i, boxes) if c in SYMBOLS]
    acc = lambda preds: round(seq_accuracy(preds, labels), 4)
    crnn_json = Path(args.model).with_suffix('.json')  # what bench.py wrote beside the model it saved, if it did
    crnn_seconds = json.loads(crnn_json.read_text()).get('train_seconds') if crnn_json.exists() else None
    res = dict(args=vars(args), window_test_accuracy=curve[-1], accuracy_by_epoch=curve, train_seconds=train_seconds and round(train_seconds),
               centring_seconds=centring_seconds and round(centring_seconds, 1), crnn_train_seconds=crnn_seconds, total_train_seconds=None if None in (crnn_seconds, train_seconds) else round(crnn_seconds + train_seconds),
               eval_before=acc(before), eval_after=acc(after), eval_combined=acc(reads['combine']),
               errors_before=error_profile(before, labels), errors_after=error_profile(after, labels), errors_combined=error_profile(reads['combine'], labels),
               n_reread=n_reread, ms_per_reread_batched=round(reread_ms, 3),
               emit_offset_px=dict(mean=round(float(np.mean(offsets)), 2), sd=round(float(np.std(offsets)), 2), n=len(offsets)))
    print(json.dumps(res), flush=True)
    write_json(result_path, res)

if __name__ == '__main__': main()
