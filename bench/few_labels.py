"""Held-out accuracy against the number of labelled images, from scratch and from the pretrained base.

For each fixture style (bench/folders.py writes them), the first N images of a seeded shuffle of 800 are the
training set and a fixed 200 are held out. Both starts train for the same number of samples (the `finetune`
recipe's), so the rows compare what a start is worth at equal training time.

    python bench/few_labels.py --styles classic faint tiny_digits --n_labels 50 100 200 400 800
    python bench/few_labels.py --styles mixed_case classic --n_labels 200 --starts base --smoothing 0.1 --name few-labels-ls
    python bench/few_labels.py --styles classic --n_labels 800 --starts scratch --samples 64000 --smoothing 0.1 --name few-labels-scratch-64k-ls
    python bench/few_labels.py --styles unseen-cm_overlap unseen-stix_jpeg unseen-stix_arcs --n_labels 200 --starts base --name few-labels-unseen
    python bench/few_labels.py --styles mixed_case faint --n_labels 200 --starts base --lr 2e-3 --name few-labels-lr2e-3
    python bench/few_labels.py --styles mixed_case classic faint --n_labels 200 --starts base --toward_start 10 --name few-labels-toward-start
"""
import argparse, json, time
from dataclasses import replace
from pathlib import Path
from captcha_crnn.data import captcha_dls, common_size, image_sizes
from captcha_crnn.folders import dataset_from_folder, infer_charset, split_dataset
from captcha_crnn.metrics import CTCAccuracy
from captcha_crnn.train import RECIPES, captcha_augment
from captcha_crnn.recognizer import longest_label, starting_model
from fastai.vision.all import Callback, ifnone, set_seed
from folders import FIXTURE_STYLES, RESULTS, fixture
import unseen
from result_files import write_json  # no check_new: runs are added to the file by design

UNSEEN_STYLES = [f"unseen-{s}" for s in unseen.UNSEEN]  # unseen.py's styles, drawn by its own renderer in fonts `base` never saw

def style_folder(style:str, n:int=1000):
    "The fixture folder of `n` images of `style`: one of `FIXTURE_STYLES` (folders.py), or of `UNSEEN_STYLES` (unseen.py)"
    return unseen.fixture(style.removeprefix('unseen-'), n) if style in UNSEEN_STYLES else fixture(style, n)

def style_split(style:str, seed:int) -> tuple:
    "The 800 training and 200 held-out images of a fixture style's split `seed` (or of an `UNSEEN_STYLES` one), and the charset of all 1,000"
    train_all, valid_ds = split_dataset(dataset_from_folder(style_folder(style), progress=False), 0.2, seed=seed)
    return train_all, valid_ds, infer_charset(train_all['label'], valid_ds['label'])

def n_epochs(n_labels:int, samples:int|None=None) -> int:
    "Epochs over `n_labels` images: the `finetune` recipe's for both starts, or about `samples` images seen"
    return replace(RECIPES['finetune'], samples=ifnone(samples, RECIPES['finetune'].samples)).n_epochs(n_labels)  # `Recipe.n_epochs`' rule

class TowardStart(Callback):
    "After each optimiser step, move every weight toward its value when fitting began by `wd` times the step's rate of the difference: weight decay toward the pretrained start instead of zero (L2-SP, Li et al., 2018, decoupled as AdamW's)"
    order = 100
    def __init__(self, wd:float): self.wd = wd
    def before_fit(self): self.start = {id(p): p.detach().clone() for p in self.model.parameters()}
    def after_step(self):
        for ps,h in zip(self.opt.param_lists, self.opt.hypers):
            for p in ps: p.data.add_(p.data - self.start[id(p)], alpha=-h['lr']*self.wd)

def train(train_ds, valid_ds, charset, start:str, seed:int=0, aug:dict|None=None, smoothing:float|None=None, samples:int|None=None, lr:float|None=None, toward_start:float|None=None) -> tuple:
    "A `Learner` trained on `train_ds` from `start` (`scratch`, or fine-tuning a pretrained model), and its training seconds"
    recipe = RECIPES['finetune'] if start != 'scratch' else RECIPES['folder']
    if smoothing is not None: recipe = replace(recipe, smoothing=smoothing)
    if lr is not None: recipe = replace(recipe, lr=lr)
    set_seed(seed)
    net, size, _ = starting_model(charset, common_size(image_sizes(train_ds['image'])), start, max_len=longest_label(train_ds, valid_ds))  # steps and width as the command chooses them
    # validate on a few images after each epoch (hundreds of epochs for the smallest sets), on all 200 at the end
    dls = captcha_dls(train_ds, valid_ds=valid_ds.select(range(16)), charset=charset, bs=min(recipe.bs, len(train_ds)), img_size=size,
                      batch_tfms=captcha_augment(**(aug or {})) if recipe.augment else None)
    learn = recipe.learner(dls, net, guard=False)
    if toward_start: learn.add_cb(TowardStart(toward_start))
    t = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): recipe.fit(learn, n_epochs(len(train_ds), samples))  # the same number of samples for both starts
    return learn, time.perf_counter() - t

def run(style:str, n_labels:int, start:str, seed:int=0, aug:dict|None=None, smoothing:float|None=None, samples:int|None=None, lr:float|None=None, toward_start:float|None=None) -> dict:
    train_all, valid_ds, charset = style_split(style, seed)
    learn, seconds = train(train_all.select(range(n_labels)), valid_ds, charset, start, seed, aug, smoothing, samples, lr, toward_start)
    dl = learn.dls.test_dl(list(valid_ds), with_labels=True)
    _, seq_acc, cer = learn.validate(dl=dl)  # reads held to the training labels' lengths, as the saved recognizer reads
    learn.metrics = [CTCAccuracy()]
    _, seq_acc_any_length = learn.validate(dl=dl)  # the same model, reads of any length
    return dict(style=style, n_labels=n_labels, start=start, epochs=n_epochs(n_labels, samples), train_seconds=round(seconds, 1),
                seq_acc=round(seq_acc, 4), cer=round(cer, 4), lengths=learn.dls.lengths, seq_acc_any_length=round(seq_acc_any_length, 4), **(dict(augment=aug) if aug else {}), **(dict(smoothing=smoothing) if smoothing is not None else {}), **(dict(samples=samples) if samples else {}), **(dict(lr=lr) if lr is not None else {}), **(dict(toward_start=toward_start) if toward_start else {}))

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--styles', nargs='+', default=['classic', 'faint', 'tiny_digits'], choices=FIXTURE_STYLES + UNSEEN_STYLES)
    p.add_argument('--n_labels', nargs='+', type=int, default=[50, 100, 200, 400, 800])
    p.add_argument('--starts', nargs='+', default=['base', 'scratch'])
    p.add_argument('--name', default='few-labels')
    p.add_argument('--augment', type=json.loads, default=None, help='`captcha_augment` settings as JSON, e.g. \'{"max_rotate": 8}\'')
    p.add_argument('--smoothing', type=float, default=None, help="Label smoothing of the CTC loss instead of the recipe's")
    p.add_argument('--lr', type=float, default=None, help="Peak learning rate instead of the recipe's")
    p.add_argument('--toward_start', type=float, default=None, help="Decay each weight toward the pretrained start by this times the rate a step (`TowardStart`), instead of toward zero only")
    p.add_argument('--samples', type=int, default=None, help="About this many images seen in training by both starts, instead of the `finetune` recipe's 8,000 (the `folder` recipe's: 64,000)")
    args = p.parse_args()
    out = RESULTS/f"{args.name}.json"
    rows = json.loads(out.read_text())['runs'] if out.exists() else []
    for style in args.styles:
        for n in args.n_labels:
            for start in args.starts:
                if any(r['style'] == style and r['n_labels'] == n and r['start'] == start and r.get('augment') == args.augment and r.get('smoothing') == args.smoothing and r.get('samples') == args.samples and r.get('lr') == args.lr and r.get('toward_start') == args.toward_start for r in rows): continue
                rows.append(run(style, n, start, aug=args.augment, smoothing=args.smoothing, samples=args.samples, lr=args.lr, toward_start=args.toward_start))
                print(json.dumps(rows[-1]), flush=True)
                write_json(out, dict(runs=rows))  # the runs of earlier calls, kept, and this one's

if __name__ == '__main__': main()
