"""Measure a training recipe: held-out accuracy and CER, training and inference speed.

Trains on synthetic CAPTCHAs drawn with `--seed`, then evaluates the saved recognizer on
2,000 CAPTCHAs drawn with a seed that no training set of this project uses (EVAL_SEED).
Prints the numbers and writes them to bench/results/<name>.json.

    python bench/bench.py --name small-synthetic --arch small --n_train 30000            # the `synthetic` recipe
    python bench/bench.py --name small-cpu --arch small --n_train 16000 --epochs 8 --lr 3e-3 --augment 1
    python bench/bench.py --name small-cpu-6ep-eval --eval bench/results/small-cpu-6ep.model
    python bench/bench.py --name small-length-4-6 --arch small --length 4-6                               # variable length
    python bench/bench.py --name small-lower-digits --arch small --charset abcdefghijklmnopqrstuvwxyz0123456789
    python bench/bench.py --name small-oversample-O0 --arch small --oversample O0 --oversample_share 0.4       # more O and 0 to learn from
    python bench/bench.py --name fw-stem --arch small_fullwidth --arch_kw '{"strided_stem": true}'  # an arch with settings changed
    python bench/bench.py --name lean-bf16 --mixed_precision 1                                        # bfloat16 on a CPU
    python bench/bench.py --name synthetic-reread --recipe synthetic_reread                           # a shorter CRNN run and a second reader for O and 0
"""
import argparse, json, platform, time
from pathlib import Path
import torch
from fastai.vision.all import Callback, set_seed
from captcha_crnn.data import create_captcha_dataset, captcha_dls
from captcha_crnn.metrics import align, seq_accuracy, char_error_rate
from captcha_crnn.results import symbol_confusions
from captcha_crnn.model import create_crnn
from captcha_crnn.train import RECIPES, SYNTHETIC_RECIPES, train_rereader
from captcha_crnn.recognizer import save_recognizer, load_recognizer
from captcha_crnn.cli import _reread_data, parse_length
from captcha_crnn.core import Charset
from dataclasses import replace
from result_files import parse_new, write_json

EVAL_SEED = 20_261_125  # never used to draw training data
RESULTS = Path(__file__).parent/'results'

class TrainTimer(Callback):
    "Seconds spent in the training phase of each epoch (validation excluded)"
    order = 100
    def before_fit(self): self.seconds = 0.
    def before_train(self):
        if torch.cuda.is_available(): torch.cuda.synchronize()
        self.start = time.perf_counter()
    def after_train(self):
        if torch.cuda.is_available(): torch.cuda.synchronize()
        self.seconds += time.perf_counter() - self.start

def error_profile(preds, labels, top_k=10):
    "Misread CAPTCHAs, how many of them only swap O and 0, and the most frequent symbol confusions"
    wrong = [(l,p) for l,p in zip(labels, preds) if l != p]
    only_o0 = sum(all({a,b} == {'O','0'} for a,b in align(l, p) if a != b) for l,p in wrong)
    confusions = symbol_confusions(*zip(*wrong)) if wrong else {}
    return dict(misread=len(wrong), misread_only_O0=only_o0,
                top_confusions=[[f"{a or '-'}->{b or '-'}", n] for (a,b),n in confusions.most_common(top_k)])

def data_kw(args) -> dict:
    "The CAPTCHAs' length and charset, as `create_captcha_dataset` takes them"
    return dict(length=parse_length(args.length), charset=args.charset)

def train(args) -> tuple[Path, dict]:
    "Train the recipe in `args` and save it to RESULTS/<name>.model; the saved path and the training numbers"
    recipe = replace(RECIPES[args.recipe], **{k: v for k in ('lr', 'bs', 'epochs', 'augment', 'n_train', 'n_valid', 'oversample', 'oversample_share', 'shift', 'reread_n', 'reread_epochs') if (v := getattr(args, k)) is not None})
    args.n_train, args.n_valid, args.oversample = recipe.n_train, recipe.n_valid, recipe.oversample_for(args.charset)
    args.reread_n, args.reread_epochs = recipe.reread_n, recipe.reread_epochs  # recorded as used, as the sizes above, so that the JSON says what ran
    args.arch = args.arch or recipe.arch
    args.smoothing = recipe.smoothing  # recorded as used
    args.oversample_share = recipe.oversample_share if args.oversample else 0
    train_ds, valid_ds = recipe.draw(args.seed, weights=args.weights, **data_kw(args))
    args.epochs = recipe.n_epochs(args.n_train)
    set_seed(args.seed)  # as captcha_crnn_train --seed: the initial weights and the batch order (results before 2026-11-27 were not seeded)
    dls = captcha_dls(train_ds, valid_ds=valid_ds, charset=args.charset, bs=recipe.bs,
                      batch_tfms=recipe.batch_tfms(), num_workers=args.num_workers)
    mixed = recipe.precision_on() if args.mixed_precision is None else bool(args.mixed_precision)  # the recipe's, where it pays (`Recipe.precision_on`)
    args.mixed_precision = mixed  # recorded as used (None: `captcha_learner`'s default, on a GPU only)
    # as `captcha_crnn_train` checks and draws them, before training (drawing is not training); a recipe without `reread_n` cuts the windows from its training CAPTCHAs
    args.reread, reread_ds = _reread_data(recipe, args.reread, Charset.create(args.charset), args.seed, train_ds, valid_ds, data_kw(args))
    learn = recipe.learner(dls, create_crnn(len(dls.charset), args.arch, **(args.arch_kw or {})), mixed_precision=mixed)
    timer = TrainTimer()
    learn.add_cb(timer)
    recipe.fit(learn)
    numbers = dict(params=sum(p.numel() for p in learn.model.parameters()), crnn_train_seconds=round(timer.seconds, 1),
                   train_img_per_s=round(args.n_train*args.epochs/timer.seconds, 1))
    second = None
    if args.reread:  # all of train_rereader counts as training: the CRNN reading the CAPTCHAs, the windows cut, the CNN trained
        start = time.perf_counter()
        rr_learn = train_rereader(learn.model, reread_ds, valid_ds, learn.dls.img_size, args.reread, recipe.reread_epochs, mixed_precision=mixed,
                                  **({} if args.reread_lr is None else dict(lr=args.reread_lr)))
        second = rr_learn.model
        numbers.update(reread_train_seconds=round(time.perf_counter() - start, 1), reread_windows=len(rr_learn.dls.train_ds),
                       reread_valid_accuracy=round(float(rr_learn.validate()[1]), 4), reread_config=second.config)
    numbers['train_seconds'] = round(numbers['crnn_train_seconds'] + numbers.get('reread_train_seconds', 0), 1)
    path = save_recognizer(learn, RESULTS/f"{args.name}.model", reread=second)
    return path, numbers

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--name', required=True, help='Name of the result file')
    p.add_argument('--arch', default=None, help="CRNN arch: a name in captcha_crnn.model.CRNN_ARCHS; default the recipe's")
    p.add_argument('--arch_kw', type=json.loads, default=None, help='Settings that override the arch\'s, as JSON: \'{"strided_stem": true}\'')
    p.add_argument('--recipe', default='synthetic', choices=SYNTHETIC_RECIPES, help='Training recipe (one that draws synthetic CAPTCHAs); the options below override its settings')
    p.add_argument('--n_train', type=int, default=None, help="Synthetic CAPTCHAs to train on; default from the recipe")
    p.add_argument('--n_valid', type=int, default=None, help='Validation set watched during training (drawn with valid_seed); default from the recipe')
    p.add_argument('--n_eval', type=int, default=2_000, help='Held-out CAPTCHAs for the final numbers')
    p.add_argument('--epochs', type=int, default=None)
    p.add_argument('--lr', type=float, default=None)
    p.add_argument('--bs', type=int, default=None)
    p.add_argument('--augment', type=int, default=None)
    p.add_argument('--shift', type=int, default=None, help='Move each training image by up to this many pixels each way; default from the recipe')
    p.add_argument('--seed', type=int, default=1, help='Seeds the data (as captcha_crnn_train --seed) and, since 2026-11-27, the initial weights and the batch order')
    p.add_argument('--num_workers', type=int, default=0, help='DataLoader worker processes (on a GPU the data pipeline is the bottleneck)')
    p.add_argument('--length', default='5', help='Symbols per CAPTCHA, or a range such as 4-6 (training and evaluation alike)')
    p.add_argument('--charset', default=None, help='Symbols to draw from; default A-Z and 0-9')
    p.add_argument('--oversample', default=None, help="Symbols to learn from more often: a share of the training CAPTCHAs is drawn to contain one of them; default from the recipe, '' for none")
    p.add_argument('--oversample_share', type=float, default=None, help='That share; default from the recipe')
    p.add_argument('--weights', type=json.loads, default=None, help='How often to draw each training symbol relative to the others, as JSON: \'{"O": 2, "0": 2}\'')
    p.add_argument('--mixed_precision', type=int, choices=[0, 1], default=None, help="1: train in mixed precision (bfloat16 on a CPU), 0: in float32; default `captcha_learner`'s")
    p.add_argument('--reread_n', type=int, default=None, help="CAPTCHAs holding one of those symbols drawn for the second reader's windows; default the recipe's")
    p.add_argument('--reread_epochs', type=int, default=None, help="Epochs of the second reader over its windows; default the recipe's")
    p.add_argument('--reread_lr', type=float, default=None, help="Peak learning rate of the second reader; default `train_rereader`'s")
    p.add_argument('--reread', default=None, help="Symbols a second reader looks at again after the CRNN (train_rereader); default the recipe's, '' for none")
    p.add_argument('--eval', help='Measure this saved recognizer instead of training one (the training options are ignored)')
    args, result_path = parse_new(p, RESULTS)

    model_path, trained = (Path(args.eval), {}) if args.eval else train(args)
    rec = load_recognizer(model_path)
    eval_ds = create_captcha_dataset(args.n_eval, seed=EVAL_SEED, **data_kw(args))
    images, labels = list(eval_ds['image']), list(eval_ds['label'])
    run = {k: vars(args)[k] for k in ('name', 'eval', 'n_eval')} if args.eval else vars(args)
    res = dict(args=run, device=str(rec.device), gpu=torch.cuda.get_device_name() if torch.cuda.is_available() else None,
               cpu=platform.processor() or platform.machine(), cpu_capability=torch.backends.cpu.get_cpu_capability(),
               torch_threads=torch.get_num_threads(), **trained)
    for method in ('greedy', 'beam'):
        start = time.perf_counter()
        preds = [s for s,_ in rec.predict(images, bs=64, method=method)]
        res[f'{method}_seconds'] = round(time.perf_counter() - start, 2)
        res[f'{method}_seq_acc'], res[f'{method}_cer'] = [round(f(preds, labels), 4) for f in (seq_accuracy, char_error_rate)]
        if method == 'greedy': res['greedy_errors'] = error_profile(preds, labels)
    if rec.lengths is not None:  # the same CAPTCHAs read without holding reads to the training labels' lengths
        preds = [s for s,_ in rec.predict(images, bs=64, any_length=True)]
        res['greedy_seq_acc_any_length'], res['greedy_errors_any_length'] = round(seq_accuracy(preds, labels), 4), error_profile(preds, labels)
    if rec.rereader is not None:  # the same CAPTCHAs read by the CRNN alone
        second, rec.rereader = rec.rereader, None
        preds = [s for s,_ in rec.predict(images, bs=64)]
        rec.rereader = second
        res['greedy_seq_acc_crnn_alone'], res['greedy_errors_crnn_alone'] = round(seq_accuracy(preds, labels), 4), error_profile(preds, labels)
    res['infer_batch_img_per_s'] = round(len(images)/res['greedy_seconds'], 1)
    start = time.perf_counter()
    for img in images[:100]: rec.predict(img)
    res['infer_single_img_per_s'] = round(100/(time.perf_counter() - start), 1)
    print(json.dumps(res, indent=2))
    write_json(result_path, res)

if __name__ == '__main__': main()
