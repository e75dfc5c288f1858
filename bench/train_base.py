"""Train the pretrained base recognizer that ships in captcha_crnn/pretrained/base.

The small CRNN learns 0-9, A-Z and a-z from CAPTCHAs of lengths 4-8 drawn in a new random style each
(captcha_crnn.styles.random_style, a quarter in the captcha package's own style), all resized to 64x192.
Everything is seeded: the same command gives the same data, and on the same machine the same weights.

    python bench/train_base.py --out captcha_crnn/pretrained/base

`--start` warm-starts from a saved recognizer of the same charset: every weight whose shape matches is copied,
a new shortcut starts at zero, and a convolution the start lacks (`--convs 2 2 2 2` where it has one a block)
starts as the identity, so the first step reads as the start did. That is how a full-width base grows from
the half-resolution one in a fraction of the time (both are the same convolutions and LSTM), and a deeper one
from that.
"""
import argparse, json, sys, time
import numpy as np, torch
from captcha_crnn.core import Charset, recognizer_path
from captcha_crnn.data import captcha_dls, valid_seed, oversample_seed
import datasets
from captcha_crnn.styles import PRETRAIN_SYMBOLS, create_styled_dataset
from captcha_crnn.train import captcha_learner
from captcha_crnn.model import create_crnn
from fastai.layers import ConvLayer
from captcha_crnn.recognizer import load_recognizer, save_recognizer
from fastai.vision.all import set_seed
from result_files import add_overwrite, check_new, write_json

def warm_start(net, path:str, charset:Charset, xb:torch.Tensor) -> dict|None:
    "Copy into `net` every weight of the recognizer at `path` whose shape matches (a new shortcut starts at zero, a new convolution as the identity on `xb`); its provenance"
    start = load_recognizer(path, device='cpu', fuse=False)
    if start.charset != charset: raise SystemExit(f"--start {path}: its charset differs from the base's")
    own, theirs = net.state_dict(), start.model.state_dict()
    net.load_state_dict({k:v for k,v in theirs.items() if k in own and own[k].shape == v.shape}, strict=False)
    if net.shortcut is not None and not any(k.startswith('shortcut.') for k in theirs):
        with torch.no_grad(): net.shortcut.weight.zero_()
    for name,layer in net.named_modules():
        if isinstance(layer, ConvLayer) and f'{name}.0.weight' not in theirs: identity_layer(net, layer, xb)
    return json.loads((recognizer_path(path)/'config.json').read_text()).get('provenance')

@torch.no_grad()
def identity_layer(net, layer:ConvLayer, xb:torch.Tensor):
    "Make `layer` (convolution, batch norm, ReLU; as many channels out as in) pass on what it gets from `xb`: the convolution as the identity, the batch norm undoing its own normalisation"
    conv, bn = layer[0], layer[1]
    if conv.in_channels != conv.out_channels: raise SystemExit(f"--start: a new convolution of {conv.in_channels} to {conv.out_channels} channels cannot start as the identity")
    torch.nn.init.dirac_(conv.weight)
    seen = []
    hook = layer.register_forward_pre_hook(lambda m, inp: seen.append(inp[0]))
    net.eval(); net(xb); hook.remove(); net.train()
    x = seen[0].float()  # non-negative: the ReLU before it
    mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3), unbiased=False)
    bn.running_mean.copy_(mean); bn.running_var.copy_(var)
    bn.weight.copy_((var + bn.eps).sqrt()); bn.bias.copy_(mean)

def styled_containing(symbols:str, n:int, seed:int, img_size:tuple) -> datasets.Dataset:
    "`n` random-style CAPTCHAs that each hold one of `symbols`: the first such in a pool drawn with `seed`"
    cases = {s.isupper() for s in symbols if s.isalpha()}
    # Symbols of one case: the pool draws from 0-9 and that case only, so that more of it holds them; else from the usual case sets
    charset = None if len(cases) == 2 else ''.join(c for c in PRETRAIN_SYMBOLS if c.isdigit() or (c.isupper() in cases))
    pool_n = 8*n
    while True:
        pool = create_styled_dataset(pool_n, None, seed=seed, img_size=img_size, charset=charset)
        picked = [i for i,label in enumerate(pool['label']) if set(symbols) & set(label)][:n]
        if len(picked) == n: return pool.select(picked)
        pool_n *= 2

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--n', type=int, default=50_000, help='Training CAPTCHAs')
    p.add_argument('--n_valid', type=int, default=1_000, help='Validation CAPTCHAs (drawn with valid_seed)')
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--lr', type=float, default=3e-3, help='Peak learning rate of the LSTM and head')
    p.add_argument('--cnn_lr', type=float, default=8e-3, help='Peak learning rate of the CNN')
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--arch', default='small', help='CRNN_ARCHS size')
    p.add_argument('--convs', type=int, nargs='+', default=None, help="Convolutions in each block, instead of the arch's (2 2 2 2: the `deep` CNN of tutorial_budget.py)")
    p.add_argument('--start', default=None, help='Warm-start from this saved recognizer (same charset)')
    p.add_argument('--threads', type=int, default=0, help='torch threads; 0 keeps the default')
    p.add_argument('--oversample', default='', help='Symbols to train on more often: a share of the training CAPTCHAs is drawn to hold one of them')
    p.add_argument('--oversample_share', type=float, default=0.2)
    p.add_argument('--mixed_precision', type=int, default=0, help='1: mixed precision, bfloat16 on a CPU (float16 on a GPU); 0: float32 on a CPU, float16 on a GPU')
    p.add_argument('--num_workers', type=int, default=0, help='DataLoader worker processes (on a GPU the data pipeline is the bottleneck)')
    p.add_argument('--out', default='captcha_crnn/pretrained/base')
    add_overwrite(p)
    args = p.parse_args()
    check_new([args.out], args.overwrite)  # by default the shipped base
    if args.threads: torch.set_num_threads(args.threads)
    set_seed(args.seed)
    img_size = (64, 192)
    start = time.perf_counter()
    n_extra = round(args.n*args.oversample_share) if args.oversample else 0
    train_ds = create_styled_dataset(args.n - n_extra, None, seed=args.seed, img_size=img_size)
    if n_extra: train_ds = datasets.concatenate_datasets([train_ds, styled_containing(args.oversample, n_extra, oversample_seed(args.seed), img_size)])
    valid_ds = create_styled_dataset(args.n_valid, None, seed=valid_seed(args.seed), img_size=img_size)
    print(f"drew {args.n} + {args.n_valid} CAPTCHAs in {time.perf_counter() - start:.0f} s", flush=True)
    dls = captcha_dls(train_ds, valid_ds=valid_ds, charset=Charset(PRETRAIN_SYMBOLS), bs=args.bs, num_workers=args.num_workers)
    net = create_crnn(len(dls.charset), args.arch, **(dict(convs=tuple(args.convs)) if args.convs else {}))
    start_provenance = warm_start(net, args.start, dls.charset, dls.valid.one_batch()[0].cpu()) if args.start else None
    learn = captcha_learner(dls, net, mixed_precision=bool(args.mixed_precision) or None)
    start = time.perf_counter()
    learn.fit_one_cycle(args.epochs, np.array([args.cnn_lr, args.lr, args.lr]))
    _, seq_acc, cer = learn.validate()
    path = save_recognizer(learn, args.out)
    cfg = json.loads((path/'config.json').read_text())
    cfg['provenance'] = dict(command='python bench/train_base.py ' + ' '.join(sys.argv[1:]), args=vars(args),
                             train_seconds=round(time.perf_counter() - start), valid_seq_acc=round(seq_acc, 4), valid_cer=round(cer, 4))
    if args.start: cfg['provenance']['start'] = start_provenance
    write_json(path/'config.json', cfg)
    print(f"sequence accuracy {seq_acc:.4f}, CER {cer:.4f} on {args.n_valid} held-out CAPTCHAs; saved to {path}")

if __name__ == '__main__': main()
