"""The original tutorial's budget: 1,000 synthetic CAPTCHAs split 80/20, 20 epochs at batch 16, from scratch.

Each variant changes one thing of the recipe, so their rows say what takes a model out of CTC's all-blank
phase on so little data. Writes bench/results/tb-<variant>-<arch>.json with the accuracy after every epoch.

    python bench/tutorial_budget.py --variants recipe --arch small --seeds 0 1 2 --threads 1
    python bench/tutorial_budget.py --variants wd shortcut full-width --arch small --threads 1
    python bench/tutorial_budget.py --variants deep --seeds 0 1 2 --threads 1
    python bench/tutorial_budget.py --variants steps20 --arch tutorial --seeds 0 1 2 [--fp32]   # on a GPU
    python bench/tutorial_budget.py --variants recipe aux aux-all --seeds 0 1 2 --threads 1 --ema 0.99 0.995
    python bench/tutorial_budget.py --variants elastic --seeds 0 1 2 --threads 1
    python bench/tutorial_budget.py --variants recipe splice --seeds 0 1 2 --threads 1
    python bench/tutorial_budget.py --variants deep deep-ls --seeds 0 1 2 --threads 1 --suffix 1206
    python bench/tutorial_budget.py --variants deep-ep60 deep-cnn-only deep-lstm32 deep-wd --threads 1
    python bench/tutorial_budget.py --variants deep-ls05 --seeds 2 0 --threads 1   # and deep-ls-aug, deep-ls2 (--seeds 2)
    python bench/tutorial_budget.py --variants deep-ls-grey --seeds 2 0 --threads 1   # and deep-ls-hue, deep-ls-nowarp, deep-ls-drop4
    python bench/tutorial_budget.py --variants deep-ls-fullres --seeds 2 --threads 1 --suffix s2   # and --seeds 0 --suffix s0
    python bench/tutorial_budget.py --variants steps20-ls --arch tutorial --seeds 0 --threads 2 --suffix cpu-s0   # and --seeds 1 --threads 1 --suffix cpu-s1 (seed 2 beside it)
    python bench/tutorial_budget.py --variants deep-ls-sam --seeds 2 --threads 1 --suffix s2   # and --seeds 0 --suffix s0 beside it
    python bench/tutorial_budget.py --variants deep-ls-steps12 --seeds 2 --threads 1 --suffix s2   # and --seeds 0 --suffix s0 beside it; deep-ls-steps30 the same
    python bench/tutorial_budget.py --variants deep-ls-o0w3 --seeds 2 0 --threads 1   # and deep-ls-erase beside it; deep-ls --suffix rerun-1206-night and deep3-ls; deep-ls-drop0 and deep-ls-lrhalf
    python bench/tutorial_budget.py --variants deep-ls-wp1 --seeds 2 --threads 1 --suffix s2   # and --seeds 0 --suffix s0 beside it
    python bench/tutorial_budget.py --variants deep-ls-rdrop --seeds 2 --threads 1 --suffix s2   # and --seeds 0 --suffix s0 beside it

Each run also records the validation CAPTCHAs it misreads (`misreads`: label, read).
`--ema` also records what the exponential moving averages of the weights (one per decay, updated every step) read at
the end, in the same run: one training gives both the plain and the averaged model's accuracy.
"""
import argparse, json, math, time
from types import MethodType
from pathlib import Path
import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from captcha_crnn.core import PAD_IDX, best_paths, emitted_spans
from captcha_crnn.loss import PaddedCTCLoss, fp32_log_probs, label_lists
from captcha_crnn.data import create_captcha_dataset, captcha_dls, TensorLabel
from captcha_crnn.model import create_crnn
from captcha_crnn.train import RECIPES, captcha_augment
from result_files import add_overwrite, check_new, write_json
from dataclasses import replace
from fastai.vision.all import Callback, RandomErasing, RandTransform, TensorImage, Transform, set_seed
import torch.nn.functional as F

RESULTS = Path(__file__).parent/'results'
RECIPE = replace(RECIPES['tutorial_budget'], smoothing=0.)  # as the variants before 2026-12-06 were measured: 'deep-ls' is the recipe of today (the model comes from --arch and each variant)
OLD = replace(RECIPE, wd=1e-3)  # the weight decay of the first rows, as the original tutorial's recipe had it
# Each variant: (model settings over --arch's, the recipe it trains with). The first five take parts of the first
# recipe away; the next four add the second round's changes one at a time, then together ('recipe'); 'deep' doubles
# the convolutions of 'recipe', which widens what each time step sees; 'pool3' widens it by pooling instead, for less work;
# 'steps40' gives 'recipe' the 40 time steps of the original tutorial's model, which stays in the all-blank phase on this budget;
# 'steps20' gave the tutorial-sized model 20 steps when it had 40 (it has 20 since; 'steps40 --arch tutorial' is the old one).
STEPS20 = dict(input_pool=(2, 1), shortcut=True, seq_len=20)  # 'recipe' with 20 time steps, whatever the arch has
DEEP = dict(input_pool=(2, 1), shortcut=True, convs=(2, 2, 2, 2))  # small_fullwidth with two convolutions a block
VARIANTS = {
    'no-norm':        (dict(image_norm=False), replace(OLD, augment=False, cnn_lr=None)),  # the tutorial's recipe without its Normalize
    'image-norm':     ({}, replace(OLD, augment=False, cnn_lr=None)),
    'augment':        ({}, replace(OLD, cnn_lr=None)),
    'cnn-lr':         ({}, replace(OLD, augment=False)),
    'cnn-lr-augment': ({}, OLD),
    'wd':             ({}, RECIPE),  # weight decay 1e-2, fastai's default
    'shortcut':       (dict(shortcut=True), RECIPE),
    'full-width':     (dict(input_pool=(2, 1)), RECIPE),
    'recipe':         (dict(input_pool=(2, 1), shortcut=True), RECIPE),  # with --arch small: the small_fullwidth arch
    'deep':           (DEEP, RECIPE),
    'pool3':          (dict(input_pool=(2, 1), shortcut=True, width_pools=3), RECIPE),  # small_fullwidth halving the width in three blocks
    'steps40':        (dict(input_pool=(2, 1), shortcut=True, seq_len=40), RECIPE),  # small_fullwidth with the original tutorial's 40 time steps; with --arch tutorial, that model
    'steps20':        (STEPS20, RECIPE),  # as 'recipe' since the tutorial arch has 20 steps; it was measured before
    'deep-aug':       (DEEP, RECIPE),  # 'deep' with stronger augmentation (AUGMENT)
    'deep-aug2':      (DEEP, RECIPE),  # ... and stronger still
    'deep-aug-light': (DEEP, RECIPE),  # ... or milder
    'deep-noaug':     (DEEP, replace(RECIPE, augment=False)),  # ... or none
    'deep-lr2':       (DEEP, replace(RECIPE, lr=2e-3, cnn_lr=2e-2)),  # 'deep' at twice the rates
    'deep-wide':      (dict(DEEP, channels=(48, 96, 144, 192)), RECIPE),  # ... or 1.5 times the channels
    'steps20-aug':    (STEPS20, RECIPE),  # 'steps20' with stronger augmentation (AUGMENT)
    'steps20-aug2':   (STEPS20, RECIPE),  # ... and stronger still
    'steps20-lr2':    (STEPS20, replace(RECIPE, lr=2e-3, cnn_lr=2e-2)),  # 'steps20' at twice the rates
    'steps20-lrhalf': (STEPS20, replace(RECIPE, lr=5e-4, cnn_lr=5e-3)),  # ... or half
    'steps20-ls':     (STEPS20, replace(RECIPE, smoothing=0.1)),  # 'steps20' with label smoothing, as the recipe has it since 2026-12-06
    # 2026-11-27: is the all-blank phase, about a quarter of the 20 epochs, what holds 'recipe' back?
    'aux':            (dict(input_pool=(2, 1), shortcut=True), RECIPE),  # 'recipe' plus `SpreadSymbolLoss`, fading out over the first 30% of the steps (AUX)
    'aux-all':        (dict(input_pool=(2, 1), shortcut=True), RECIPE),  # ... or kept at full weight to the end
    'elastic':        (dict(input_pool=(2, 1), shortcut=True), RECIPE),  # 'recipe' with `ElasticWarp` after `captcha_augment`: new glyph shapes, not just new poses
    # 2026-11-28: new labels from the images themselves, spliced where the model reads between two symbols (`SpliceMix`)
    'splice':         (dict(input_pool=(2, 1), shortcut=True), RECIPE),
    'deep-splice':    (DEEP, RECIPE),
    # 2026-12-06: 800 images are learnt by heart (train loss 0.004 after 60 epochs, held-out 88.0%): penalise certainty
    'deep-ls':        (DEEP, replace(RECIPE, smoothing=0.1)),  # 'deep' with label smoothing (`PaddedCTCLoss(smoothing=0.1)`)
    'deep-ls2':       (DEEP, replace(RECIPE, smoothing=0.2)),  # ... twice as much
    # what 'deep' is short of: steps, the LSTM's context, or regularisation? (one seed each, 2026-12-06)
    'deep-ep60':      (DEEP, replace(RECIPE, epochs=60)),  # three times the epochs: over the budget, to see whether steps are missing
    'deep-cnn-only':  (DEEP, RECIPE),  # scores from the CNN's features alone (the shortcut), the LSTM's output left out (CNN_ONLY)
    'deep-lstm32':    (dict(DEEP, hidden=32, n_layers=1), RECIPE),  # one LSTM layer of 32 a direction instead of two of 128: less context to learn labels by
    'deep-wd':        (DEEP, replace(RECIPE, wd=1e-1)),  # ten times the weight decay
    'deep-ls-aug':    (DEEP, replace(RECIPE, smoothing=0.1)),  # 'deep-ls' with the stronger augmentation of 'deep-aug' (AUGMENT): with smoothing, do more varied copies pay?
    'deep-ls05':      (DEEP, replace(RECIPE, smoothing=0.05)),  # ... or half the smoothing
    'deep-ls-grey':   (DEEP, replace(RECIPE, smoothing=0.1)),  # 'deep-ls' reading greyscale images (GREY): the generator's colours are a nuisance 800 images teach slowly
    'deep-ls-hue':    (DEEP, replace(RECIPE, smoothing=0.1)),  # ... or in colour, with each training image's RGB channels in a random order (HUE)
    'deep-ls-drop4':  (dict(DEEP, dropout=0.4), replace(RECIPE, smoothing=0.1)),  # ... with twice the dropout
    'deep-ls-fullres': (dict(DEEP, input_pool=1), replace(RECIPE, smoothing=0.1)),  # ... reading at full resolution (twice the work): finer glyph outlines for O against 0
    'deep-ls-nowarp': (DEEP, replace(RECIPE, smoothing=0.1)),  # ... with no perspective warp (AUGMENT), which changes a glyph's width against its height: what tells O from 0 in the generator's font
    'deep-ls-steps12': (dict(DEEP, seq_len=12), replace(RECIPE, smoothing=0.1)),  # 'deep-ls' with 12 time steps instead of 20: fewer blanks to emit, and each step pooled from more columns
    'deep-ls-steps30': (dict(DEEP, seq_len=30), replace(RECIPE, smoothing=0.1)),  # ... or 30
    'deep-ls-o0w3':   (DEEP, replace(RECIPE, smoothing=0.1)),  # ... with each training CAPTCHA that holds an O or a 0 weighing 3 times as much in the loss (O0_WEIGHT)
    'deep-ls-erase':  (DEEP, replace(RECIPE, smoothing=0.1)),  # ... with fastai's `RandomErasing` (ERASE): up to two small patches of noise a training image
    'deep-ls-drop0':  (dict(DEEP, dropout=0.), replace(RECIPE, smoothing=0.1)),  # ... with no dropout
    'deep3-ls':       (dict(DEEP, convs=(3, 3, 3, 3)), replace(RECIPE, smoothing=0.1)),  # 'deep-ls' with three convolutions a block: a still wider view for each step
    'deep-ls-lrhalf': (DEEP, replace(RECIPE, smoothing=0.1, lr=5e-4, cnn_lr=5e-3)),  # 'deep-ls' at half the rates
    'deep-ls-wp1':    (dict(DEEP, width_pools=1), replace(RECIPE, smoothing=0.1)),  # 'deep-ls' halving the width once instead of twice: finer columns, a narrower view
    'deep-ls-sam':    (DEEP, replace(RECIPE, smoothing=0.1)),  # 'deep-ls' stepping with sharpness-aware minimisation (SAM): the gradient taken at the worst nearby weights
    'deep-ls-rdrop':  (DEEP, replace(RECIPE, smoothing=0.1)),  # 'deep-ls' with R-Drop (RDROP): two passes of each batch through different dropout masks, held to agree
}
CNN_ONLY = {'deep-cnn-only'}
GREY, HUE = {'deep-ls-grey'}, {'deep-ls-hue'}
SPLICE = {'splice': 0.5, 'deep-splice': 0.5}  # the share of each batch's correctly read images that `SpliceMix` replaces
ELASTIC = {'elastic': 2.}  # `ElasticWarp` magnitude (pixels) of the variants that add it
O0_WEIGHT = {'deep-ls-o0w3': 3.}  # how much more a training CAPTCHA with an O or a 0 weighs in the loss (`SymbolWeightedLoss`)
ERASE = {'deep-ls-erase': dict(p=0.5, sh=0.03, max_count=2)}  # `RandomErasing` settings: each patch at most 3% of the image
SAM_RHO = {'deep-ls-sam': 0.05}  # the radius of SAM's step to the worst nearby weights
RDROP = {'deep-ls-rdrop': 1.}  # the weight of R-Drop's symmetric KL divergence between the two passes
AUX = {'aux': 0.3, 'aux-all': 1.01}  # how much of the training the auxiliary loss lasts (its weight falls linearly from 1 to 0)
# `captcha_augment` settings of the variants that change them; 800 images are few, so more varied copies may pay
AUGMENT = {
    'deep-aug':  dict(max_rotate=6., min_zoom=0.9, max_zoom=1.1, max_warp=0.2, max_lighting=0.4),
    'deep-aug2': dict(max_rotate=10., min_zoom=0.8, max_zoom=1.15, max_warp=0.3, max_lighting=0.5),
    'deep-aug-light': dict(max_rotate=1.5, min_zoom=0.98, max_zoom=1.02, max_warp=0.05, max_lighting=0.2),
}
AUGMENT['steps20-aug'], AUGMENT['steps20-aug2'] = AUGMENT['deep-aug'], AUGMENT['deep-aug2']
AUGMENT['deep-ls-aug'] = AUGMENT['deep-aug']
AUGMENT['deep-ls-nowarp'] = dict(max_warp=0.)

class ElasticWarp(RandTransform):
    "Bend each training image by a smooth random field: displacements of `magnitude` pixels (SD) on a coarse `cells` grid, upsampled"
    order = 35  # after the affine and warp transforms
    def __init__(self, magnitude:float=2., cells=(3, 8)): super().__init__(p=1.); self.magnitude, self.cells = magnitude, cells
    def encodes(self, x:TensorImage):
        b, _, h, w = x.shape
        flow = F.interpolate(torch.randn(b, 2, *self.cells, device=x.device)*self.magnitude, size=(h, w), mode='bicubic', align_corners=True)
        ys, xs = torch.meshgrid(torch.linspace(-1, 1, h, device=x.device), torch.linspace(-1, 1, w, device=x.device), indexing='ij')
        grid = torch.stack([xs + flow[:, 0]*2/(w - 1), ys + flow[:, 1]*2/(h - 1)], -1).to(x.dtype)
        return TensorImage(F.grid_sample(x.as_subclass(torch.Tensor), grid, padding_mode='border', align_corners=True))

class Greyscale(Transform):
    "Replace each image's channels by their mean, for training and validation alike"
    order = 99  # after the augmentations
    def encodes(self, x:TensorImage): return x.mean(1, keepdim=True).expand_as(x).contiguous()

class ShuffleChannels(RandTransform):
    "Put each training image's RGB channels in a random order: the same glyphs in other colours"
    order = 99
    def __init__(self): super().__init__(p=1.)
    def encodes(self, x:TensorImage):
        perm = torch.argsort(torch.rand(x.shape[0], x.shape[1], device=x.device), 1)
        return x[torch.arange(x.shape[0], device=x.device)[:, None], perm]

class SpliceMix(Callback):
    """Replace a share `p` of each training batch's images with splices of two: the first k symbols of one and the rest
    of the other, cut between the columns where the model (in eval mode, on the augmented batch) emits symbols k-1 and k,
    and the joined image resized to the batch's width. Only images the model reads right are cut, so every splice's
    label is where its glyphs are: StackMix (Shonenkov et al., 2021) without a separate aligner."""
    order = 5
    def __init__(self, p:float=0.5): self.p = p
    def before_batch(self):
        if not self.training: return
        x, y = self.xb[0], self.yb[0]
        model = self.learn.model
        with torch.no_grad():
            model.eval(); lp = model(x).float(); model.train()
        (reads, _), spans, labels = best_paths(lp), emitted_spans(lp), label_lists(y)
        ok = [i for i in range(len(x)) if len(labels[i]) > 1 and reads[i] == labels[i]]
        ok = [ok[j] for j in torch.randperm(len(ok)).tolist()]
        n_pairs = int(len(ok)*self.p)//2
        if not n_pairs: return
        T, W = lp.shape[1], x.shape[-1]
        xs, ys = list(x.as_subclass(torch.Tensor)), list(labels)
        def cut(i, k): return round(((sum(spans[i][k-1]) + sum(spans[i][k]))/4)*W/T)  # between the centres of symbols k-1 and k
        for a,b in zip(ok[:n_pairs], ok[n_pairs:2*n_pairs]):
            k = int(torch.randint(1, min(len(labels[a]), len(labels[b])), ()))
            ca, cb = cut(a, k), cut(b, k)
            for i,j,ci,cj in ((a, b, ca, cb), (b, a, cb, ca)):
                joined = torch.cat([x[i, :, :, :ci], x[j, :, :, cj:]], -1).as_subclass(torch.Tensor)
                xs[i] = F.interpolate(joined[None], size=x.shape[-2:], mode='bilinear', align_corners=False)[0]
                ys[i] = labels[i][:k] + labels[j][k:]
        n = max(map(len, ys))
        self.learn.xb = (TensorImage(torch.stack(xs)),)
        self.learn.yb = (TensorLabel(torch.tensor([l + [PAD_IDX]*(n - len(l)) for l in ys], device=y.device)),)

class SpreadSymbolLoss(PaddedCTCLoss):
    """CTC plus `weight` times an auxiliary loss with no all-blank optimum: the k-th of a label's L symbols must be likely at
    some step of the k-th L-th of the time steps (minus the log of its mean probability there). CAPTCHAs spread their
    symbols over the width, so this gives the CNN a classifier's gradient from the first step."""
    weight = 1.
    def __call__(self, inp, targ):
        loss = super().__call__(inp, targ)
        if self.weight <= 0: return loss
        lp, targ = fp32_log_probs(inp), torch.as_tensor(targ).as_subclass(torch.Tensor).long()
        T, terms = lp.shape[1], []
        for b in range(len(lp)):
            label = targ[b][targ[b] != PAD_IDX]
            for k,sym in enumerate(label):
                s, e = k*T//len(label), max((k + 1)*T//len(label), k*T//len(label) + 1)
                terms.append(math.log(e - s) - torch.logsumexp(lp[b, s:e, sym], 0))
        return loss + self.weight*torch.stack(terms).mean()

class SymbolWeightedLoss(PaddedCTCLoss):
    """`PaddedCTCLoss(smoothing=prior)` (mean reduction) with each CAPTCHA whose label holds one of `symbols` (encoded)
    weighing `weight` times as much as the others; the weights are scaled to a mean of 1 in each batch, so the loss keeps its size"""
    def __init__(self, symbols:list, weight:float, prior:float=0.): super().__init__(reduction='none'); self.symbols, self.weight, self.prior = symbols, weight, prior
    def __call__(self, inp, targ):
        labels = torch.as_tensor(targ).as_subclass(torch.Tensor)
        per_captcha = super().__call__(inp, targ)/(labels != PAD_IDX).sum(1) - self.prior*fp32_log_probs(inp).mean((1, 2))  # as the mean reduction and smoothing weigh each one
        w = 1 + (self.weight - 1)*torch.isin(labels, torch.tensor(self.symbols, device=labels.device)).any(1).float()
        return ((w/w.mean())*per_captcha).mean()

class FadeAux(Callback):
    "Set `SpreadSymbolLoss.weight` to fall linearly from 1 to 0 over the first `until` of training; 0 when validating"
    def __init__(self, until:float): self.until = until
    def before_batch(self): self.learn.loss_func.weight = max(0., 1 - self.pct_train/self.until) if self.training else 0.

class WeightEMA(Callback):
    "An exponential moving average of the model's weights and buffers, updated after every optimiser step"
    order = 90
    def __init__(self, decay:float): self.decay = decay
    def before_fit(self): self.avg = AveragedModel(self.learn.model, multi_avg_fn=get_ema_multi_avg_fn(self.decay), use_buffers=True)
    def after_step(self): self.avg.update_parameters(self.learn.model)

class SharpnessAware(Callback):
    """Sharpness-aware minimisation (Foret et al., 2021): before each optimiser step, move the weights `rho` along the
    normalised gradient, take the gradient there instead, and move them back. Two forward and backward passes a step;
    the same images and epochs, so the budget is unchanged. Flat minima are said to generalise better from few examples."""
    order = 95  # after the other callbacks' `before_step`
    def __init__(self, rho:float=0.05): self.rho = rho
    def before_step(self):
        params = [p for p in self.learn.model.parameters() if p.grad is not None]
        norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params]))
        with torch.no_grad():
            eps = [p.grad*(self.rho/(norm + 1e-12)) for p in params]
            for p,e in zip(params, eps): p.add_(e)
        self.learn.opt.zero_grad()
        self.learn.loss_func(self.learn.model(*self.xb), *self.yb).backward()
        with torch.no_grad():
            for p,e in zip(params, eps): p.sub_(e)

class RDrop(Callback):
    """R-Drop (Liang et al., 2021): each training batch goes through the model a second time, under other dropout masks.
    The loss becomes the mean of the two passes' losses plus `alpha` times the symmetric KL divergence between their
    distributions at each time step, so that what the model reads does not hang on which features dropout keeps. The same
    images and epochs, at about twice the work a step."""
    def __init__(self, alpha:float=1.): self.alpha = alpha
    def after_loss(self):
        if not self.training: return
        lp1, lp2 = self.learn.pred, self.learn.model(*self.xb)
        kl = ((lp1.exp() - lp2.exp())*(lp1 - lp2)).sum(-1).mean()/2  # (KL(p1||p2) + KL(p2||p1))/2, a time step's sum over the classes
        self.learn.loss_grad = (self.learn.loss_grad + self.learn.loss_func(lp2, *self.yb))/2 + self.alpha*kl
        self.learn.loss = self.learn.loss_grad.clone()

def cnn_only_forward(self, x):
    "`CRNN.forward` without the LSTM: each step scored from its CNN features by the shortcut alone"
    return self.shortcut(self.drop(self.features(x))).log_softmax(-1)

def ema_accuracy(learn, emas:list) -> dict:
    "Sequence accuracy of each `WeightEMA`'s average on the validation set; the model's own weights are put back"
    learn.remove_cbs(emas)  # `validate` calls `before_fit`, which would restart the averages from the weights just loaded
    own, out = {k: v.clone() for k,v in learn.model.state_dict().items()}, {}
    for e in emas:
        learn.model.load_state_dict(e.avg.module.state_dict())
        out[str(e.decay)] = round(float(learn.validate()[1]), 4)
    learn.model.load_state_dict(own)
    return out

def misreads(learn) -> list:
    "(label, read) of every validation CAPTCHA the last epoch's `seq_acc` counted wrong (reads held to the labels' lengths, as it holds them)"
    m, cs = learn.metrics[0], learn.dls.charset
    return [(cs.decode(l), cs.decode(r)) for r,l in zip(m.preds, m.labels) if r != l]

def train(variant:str, arch:str, seed:int, fp32:bool=False, ema:list=(), init_seed:int|None=None):
    "A learner of `variant` trained on the budget's CAPTCHAs of `seed` (weights and batch order from `init_seed`, default `seed`), its `WeightEMA`s, its training seconds and its model settings"
    model_kw, recipe = VARIANTS[variant]
    if arch == 'tutorial': model_kw = {k:v for k,v in model_kw.items() if k != 'input_pool'}  # it reads at full resolution already
    set_seed(seed if init_seed is None else init_seed)
    dls = captcha_dls(create_captcha_dataset(1000, seed=seed, progress=False), bs=recipe.bs, seed=seed,
                      batch_tfms=(captcha_augment(**AUGMENT.get(variant, {})) if recipe.augment else []) + ([ElasticWarp(ELASTIC[variant])] if variant in ELASTIC else [])
                                + ([Greyscale()] if variant in GREY else []) + ([ShuffleChannels()] if variant in HUE else [])
                                + ([RandomErasing(**ERASE[variant])] if variant in ERASE else []) or None)
    learn = recipe.learner(dls, create_crnn(len(dls.charset), arch, **model_kw), guard=False, mixed_precision=False if fp32 else None)
    if variant in CNN_ONLY: learn.model.forward = MethodType(cnn_only_forward, learn.model)
    if variant in AUX: learn.loss_func = SpreadSymbolLoss(); learn.add_cb(FadeAux(AUX[variant]))
    if variant in SPLICE: learn.add_cb(SpliceMix(SPLICE[variant]))
    if variant in SAM_RHO: learn.add_cb(SharpnessAware(SAM_RHO[variant]))
    if variant in RDROP: learn.add_cb(RDrop(RDROP[variant]))
    if variant in O0_WEIGHT: learn.loss_func = SymbolWeightedLoss(dls.charset.encode('O0'), O0_WEIGHT[variant], recipe.smoothing)
    emas = [WeightEMA(d) for d in ema]
    for e in emas: learn.add_cb(e)
    start = time.perf_counter()
    with learn.no_bar(): recipe.fit(learn)
    return learn, emas, round(time.perf_counter() - start), model_kw

def run(variant:str, arch:str, seed:int, fp32:bool=False, ema:list=()) -> dict:
    learn, emas, train_seconds, model_kw = train(variant, arch, seed, fp32, ema)
    recipe, dls = VARIANTS[variant][1], learn.dls
    curve, cer = [round(float(r[2]), 4) for r in learn.recorder.values], round(float(learn.recorder.values[-1][3]), 4)
    wrong = misreads(learn)  # before `ema_accuracy` validates again
    with learn.no_bar(), learn.no_logging(): ema_acc = ema_accuracy(learn, emas)  # after the curve: validating restarts the recorder's values
    return dict(variant=variant, arch=arch, seed=seed, fp32=fp32, device=str(dls.device), model=model_kw, recipe=vars(recipe), augment=AUGMENT.get(variant), elastic=ELASTIC.get(variant), sam_rho=SAM_RHO.get(variant), rdrop_alpha=RDROP.get(variant), o0_weight=O0_WEIGHT.get(variant), erase=ERASE.get(variant), train_seconds=train_seconds,
                seq_acc=curve[-1], cer=cer, seq_acc_by_epoch=curve,
                first_epoch_reading=next((i for i,a in enumerate(curve) if a > 0), None), misreads=wrong, **(dict(ema_seq_acc=ema_acc) if emas else {}))

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument('--arch', default='small')
    p.add_argument('--seeds', nargs='+', type=int, default=[0])
    p.add_argument('--fp32', action='store_true', help='Train in float32 on a GPU too (the default there is mixed precision); the result file ends in -fp32')
    p.add_argument('--threads', type=int, default=0, help='torch threads; 0 keeps the default')
    p.add_argument('--ema', nargs='*', type=float, default=[], help='also read with moving averages of the weights of these decays (the result file ends in -ema)')
    p.add_argument('--suffix', default='', help='added to the result file names (before .json), so that a rerun keeps the earlier results')
    add_overwrite(p)
    args = p.parse_args()
    result_path = lambda variant: RESULTS/f"tb-{variant}-{args.arch}{'-fp32' if args.fp32 else ''}{'-ema' if args.ema else ''}{'-' + args.suffix if args.suffix else ''}.json"
    check_new(map(result_path, args.variants), args.overwrite)
    if args.threads: torch.set_num_threads(args.threads)
    for variant in args.variants:
        runs = [run(variant, args.arch, s, args.fp32, args.ema) for s in args.seeds]
        res = dict(variant=variant, arch=args.arch, runs=runs, min_seq_acc=min(r['seq_acc'] for r in runs), mean_seq_acc=round(sum(r['seq_acc'] for r in runs)/len(runs), 4))
        print(json.dumps(res), flush=True)
        write_json(result_path(variant), res)

if __name__ == '__main__': main()
