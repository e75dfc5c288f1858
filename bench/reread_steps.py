"""What the second reader's training time buys: how the `WindowCNN` learns with the windows it sees, and what it costs.

Cuts windows once, as `train_rereader` does (`reread_windows`, jitter 2), from CAPTCHAs drawn with one O or 0 placed in
each, behind a saved recognizer's CRNN; then trains a `WindowCNN` on them several ways (bfloat16, one-cycle, seed 0 each)
and records the held-out window accuracy and the seconds of each: `train_rereader`'s settings before its peak rate became
4e-3, and beside them other
batch sizes, channels-last or not, fewer windows for more epochs (`--groups layout`) and other peak learning rates
(`--groups lr`), and other window widths at the same resized size and cost (`--groups window`). It also times the CRNN reading CAPTCHAs in float32 and
in bfloat16 and counts how many windows each read cuts, and how many differ.

    python bench/bench.py --name synthetic-reread-placed-seed2 --recipe synthetic_reread --seed 2   # writes the model read here (results before 2026-11-27 afternoon)
    python bench/reread_steps.py --model bench/results/synthetic-reread-placed-seed2.model
    python bench/reread_steps.py --model bench/results/synthetic-reread-80k-70kx5-lr4e-3-seed2.model --groups window --name reread-window
"""
import argparse, json, time
from pathlib import Path
from result_files import parse_new, write_json
import numpy as np, torch
from torch.utils.data import TensorDataset
from fastai.vision.all import DataLoaders, Learner, CrossEntropyLossFlat, accuracy, set_seed
from fastai.callback.channelslast import ChannelsLast
from captcha_crnn.core import Rereader, image_batch
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.model import WindowCNN, fuse_batchnorm
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.train import BFloat16CPU, reread_windows

RESULTS = Path(__file__).parent/'results'

def fit(xs, ys, vx, vy, n:int, epochs:int, bs:int, lr:float, channels_last:bool, width:int=40,
        size:tuple=(40, 24), channels:tuple=(32, 64, 128)) -> dict:
    "Train a `WindowCNN` of `channels` on the first `n` windows (cut `width` columns wide, resized to `size`); its held-out accuracy and seconds"
    set_seed(0)
    dsets = [TensorDataset(torch.from_numpy(x), torch.from_numpy(y)) for x,y in ((xs[:n], ys[:n]), (vx, vy))]
    learn = Learner(DataLoaders.from_dsets(*dsets, bs=bs, device='cpu'), WindowCNN('O0', width, size, channels), loss_func=CrossEntropyLossFlat(),
                    metrics=accuracy, cbs=[BFloat16CPU()] + ([ChannelsLast()] if channels_last else []))
    start = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, lr)
    return dict(windows=n, epochs=epochs, bs=bs, lr=lr, channels_last=channels_last, width=width, size=list(size),
                channels=list(channels), windows_seen=n*epochs,
                seconds=round(time.perf_counter() - start, 1), valid_accuracy=round(float(learn.validate()[1]), 4))

def read_times(rec, ds, rereader, bs:int=128) -> dict:
    "Seconds of network time for the CRNN reading `ds` in float32 and in bfloat16, and the windows each read cuts"
    net, out = fuse_batchnorm(rec.model), {}
    batches = [(image_batch(ds[i:i+bs]['image'], rec.img_size), ds[i:i+bs]['label']) for i in range(0, len(ds), bs)]
    for name, bf16 in (('float32', False), ('bfloat16', True)):
        seconds, wins = 0., []
        for batch, labels in batches:
            start = time.perf_counter()
            with torch.inference_mode(), torch.autocast('cpu', torch.bfloat16, enabled=bf16): lp = net(torch.from_numpy(batch)).float()
            seconds += time.perf_counter() - start
            wins.append(rereader.windows(batch, labels, lp)[1])
        out[name] = dict(seconds=round(seconds, 2), windows=sum(map(len, wins)))
        out[name+'_wins'] = np.concatenate(wins)
    a, b = out.pop('float32_wins'), out.pop('bfloat16_wins')
    out['windows_differing'] = int((np.abs(a - b).reshape(len(a), -1).max(1) > 0).sum()) if len(a) == len(b) else None
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help='A saved recognizer whose CRNN cuts the windows')
    p.add_argument('--n_train', type=int, default=30_000, help='CAPTCHAs to cut training windows from')
    p.add_argument('--n_valid', type=int, default=6_000, help='CAPTCHAs to cut held-out windows from')
    p.add_argument('--n_read', type=int, default=3_072, help='CAPTCHAs read in both precisions')
    p.add_argument('--name', default='reread-steps')
    p.add_argument('--groups', nargs='*', default=['layout', 'lr'], choices=['layout', 'lr', 'window', 'cnn'], help='Which fits beside the recipe\'s: batch size and channels-last and windows x epochs (layout), peak learning rate (lr), window width at 4e-3 (window), the window CNN\'s resized size and channels at --cnn_width (cnn)')
    p.add_argument('--widths', type=int, nargs='+', default=[40, 36, 32, 28], help='Window widths for --groups window, each resized to 40x24, `train_rereader`\'s size until 2026-11-28, late morning (32x24 since)')
    p.add_argument('--cnn_width', type=int, default=24, help='Window width for --groups cnn')
    p.add_argument('--cnns', nargs='+', default=['40x24:32,64,128', '32x24:32,64,128', '40x24:24,48,96', '32x24:24,48,96'],
                   help='For --groups cnn: HxW:C1,C2,C3, each the size windows are resized to and the WindowCNN\'s channels')
    args, result_path = parse_new(p, RESULTS)
    torch.set_num_threads(2)
    rec, rereader = load_recognizer(args.model, device='cpu', fuse=False, freeze=False), Rereader('O0', 40, (40, 24))
    train_ds = create_captcha_dataset(args.n_train, seed=11, place='O0')
    valid_ds = create_captcha_dataset(args.n_valid, seed=12, place='O0')
    xs, ys = reread_windows(rec.model, train_ds, rec.img_size, rereader, jitter=2.)
    vx, vy = reread_windows(rec.model, valid_ds, rec.img_size, rereader)
    n, runs = len(xs), []
    settings = [(n, 4, 64, 2e-3, True)] if {'layout', 'lr'} & set(args.groups) else []  # the reference: `train_rereader`'s settings when this was first run (its peak rate is 4e-3 since), at `--n_train`
    if 'layout' in args.groups: settings += [(n, 4, 64, 2e-3, False),                          # channels-last or not
                                             (n, 4, 128, 2e-3, True), (n, 4, 128, 4e-3, True),  # twice the batch
                                             (n*3//4, 4, 64, 2e-3, True), (n, 3, 64, 2e-3, True), (n//2, 6, 64, 2e-3, True)]  # the same windows seen: fewer ones more often
    if 'lr' in args.groups: settings += [(n, 4, 64, lr, True) for lr in (1e-3, 4e-3, 8e-3)]    # the peak learning rate
    for setting in settings:
        runs.append(fit(xs, ys, vx, vy, *setting))
        print(runs[-1], flush=True)
    if 'window' in args.groups:  # the same CAPTCHAs, windows cut anew at each width; the number of windows is the same up to the jitter's draw
        for width in args.widths:
            cut = Rereader('O0', width, (40, 24))
            wx, wy = (xs, ys) if width == rereader.width else reread_windows(rec.model, train_ds, rec.img_size, cut, jitter=2.)
            wvx, wvy = (vx, vy) if width == rereader.width else reread_windows(rec.model, valid_ds, rec.img_size, cut)
            runs.append(fit(wx, wy, wvx, wvy, len(wx), 4, 64, 4e-3, True, width))
            print(runs[-1], flush=True)
    if 'cnn' in args.groups:  # the same windows at --cnn_width, cut once for each resized size; what a cheaper window CNN costs in accuracy
        cuts = {}
        for spec in args.cnns:
            size, channels = spec.split(':')
            size, channels = tuple(map(int, size.split('x'))), tuple(map(int, channels.split(',')))
            if size not in cuts:
                cut = Rereader('O0', args.cnn_width, size)
                cuts[size] = (*reread_windows(rec.model, train_ds, rec.img_size, cut, jitter=2.), *reread_windows(rec.model, valid_ds, rec.img_size, cut))
            wx, wy, wvx, wvy = cuts[size]
            runs.append(fit(wx, wy, wvx, wvy, len(wx), 4, 64, 4e-3, True, args.cnn_width, size, channels))
            print(runs[-1], flush=True)
    reading = read_times(rec, create_captcha_dataset(args.n_read, seed=5, place='O0'), rereader)
    print(reading)
    res = dict(args=vars(args), train_windows=n, valid_windows=len(vx), runs=runs, reading=reading)
    write_json(result_path, res)

if __name__ == '__main__': main()
