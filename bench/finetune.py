"""Fine-tune the pretrained base on a fixture style with the `finetune` recipe, or with some of its settings changed.

Trains on the seeded 80% of a fixture folder (bench/folders.py writes them) and reports the held-out 20%.

    python bench/finetune.py --style faint                     # the recipe as it is
    python bench/finetune.py --style faint --lr_mult 100       # fastai's default: the CNN at a hundredth of the head's rate
    python bench/finetune.py --style classic --seq_len 40      # pool the base's features to 40 time steps instead of 20
    python bench/finetune.py --style classic --rehearse 800    # add 800 CAPTCHAs of base's pretraining mix, in the folder's charset and size
    python bench/finetune.py --style classic --smoothing 0.1   # label smoothing of the CTC loss
    python bench/finetune.py --style classic --ema 0.98 0.99   # also read with moving averages of the weights (one per decay)
    python bench/finetune.py --style classic --splice 800      # add 800 images spliced from two training images each, cut between symbols where base reads them

Results go to bench/results/<--name>.json; when that file exists the script stops before training, unless --overwrite.
"""
import argparse, json, time, datasets
from dataclasses import replace
from captcha_crnn.data import captcha_dls, common_size, image_sizes
from captcha_crnn.folders import dataset_from_folder, infer_charset, split_dataset
from captcha_crnn.train import RECIPES
from captcha_crnn.recognizer import longest_label, starting_model
from captcha_crnn.styles import create_styled_dataset
from fastai.vision.all import set_seed, nn, Callback, torch, np
from PIL import Image
from captcha_crnn.core import emitted_spans, image_batch
from captcha_crnn.recognizer import load_recognizer
from folders import FIXTURE_STYLES, RESULTS, fixture
from result_files import parse_new, write_json

def spliced(train_ds, n:int, seed:int) -> datasets.Dataset:
    "`n` images each spliced from two training images of one label length: the left of one up to a cut between its symbols k and k+1, the right of the other from its cut there; cuts where `base` emits each symbol, in the images it reads right"
    rec = load_recognizer('base', device='cpu')
    T, rng, cuts = rec.model.config['seq_len'], np.random.default_rng(seed), {}
    for i in range(0, len(train_ds), 64):
        rows = train_ds[i:i+64]
        with torch.inference_mode(): lp = rec.model(torch.from_numpy(image_batch(rows['image'], rec.img_size, rec.keep_aspect))).numpy()
        for j,(spans, img, label) in enumerate(zip(emitted_spans(lp), rows['image'], rows['label'])):
            if rec.charset.decode([lp[j, s].argmax() for s,_ in spans]) != label: continue  # a read that is wrong places no cut
            w = img.size[0]
            cuts[i+j] = [round((spans[k][1] + spans[k+1][0])/2 * w/T) for k in range(len(spans)-1)]
    by_len, all_labels = {}, train_ds['label']  # the labels alone, without decoding every image again
    for i in cuts: by_len.setdefault(len(all_labels[i]), []).append(i)
    print(f"base reads {len(cuts)} of {len(train_ds)} training images right: the cuts come from those")
    images, labels = [], []
    lens = [L for L,v in by_len.items() if len(v) > 1 and L > 1]
    for _ in range(n):
        L = lens[rng.integers(len(lens))]; a, b = rng.choice(by_len[L], 2, replace=False); k = rng.integers(L-1)
        A, B = train_ds[int(a)], train_ds[int(b)]
        ia, ib = A['image'].convert('RGB'), B['image'].convert('RGB').resize(A['image'].size)
        ca, cb = cuts[a][k], round(cuts[b][k] * ia.size[0]/B['image'].size[0])
        out = Image.new('RGB', (ca + ia.size[0] - cb, ia.size[1]))
        out.paste(ia.crop((0, 0, ca, ia.size[1])), (0, 0)); out.paste(ib.crop((cb, 0, ib.size[0], ib.size[1])), (ca, 0))
        images.append(out.resize(ia.size)); labels.append(A['label'][:k+1] + B['label'][k+1:])
    return datasets.Dataset.from_dict(dict(image=images, label=labels, file=[f"splice:{i}" for i in range(n)])).cast(train_ds.features)

class WeightAverages(Callback):
    "Moving averages of the model's weights and batch-norm statistics, one per decay in `decays`, updated after every training step from the start of fitting"
    order = 90
    def __init__(self, decays): self.decays = decays
    def before_fit(self):  # `fine_tune` fits twice: the averages run on through both
        if not hasattr(self, 'avgs'): self.avgs = {d: {k: v.detach().clone() for k,v in self.learn.model.state_dict().items()} for d in self.decays}
    @torch.no_grad()
    def after_step(self):
        state = self.learn.model.state_dict()
        for d, avg in self.avgs.items():
            for k, v in state.items():
                if v.is_floating_point(): avg[k].mul_(d).add_(v, alpha=1-d)
                else: avg[k].copy_(v)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--style', required=True, choices=FIXTURE_STYLES)
    p.add_argument('--seed', type=int, default=0, help='Split seed')
    for k in ('lr', 'lr_mult', 'smoothing'): p.add_argument(f'--{k}', type=float)
    p.add_argument('--samples', type=int)
    p.add_argument('--seq_len', type=int, help="Time steps the base's features are pooled to (it has no weights that depend on them)")
    p.add_argument('--full_height', action='store_true', help="Read the images at full height: drop the base's input pool, which halves the height")
    p.add_argument('--rehearse', type=int, help="Add this many CAPTCHAs of base's pretraining mix (random styles), drawn in the folder's charset at its image size, to the training images")
    p.add_argument('--splice', type=int, help="Add this many images spliced from two training images each (`spliced`)")
    p.add_argument('--ema', nargs='+', type=float, help="Also read the held-out images with moving averages of the weights, one per decay (such as 0.99)")
    p.add_argument('--name', help="Results file name (default: finetune-<style>-<what was changed>[-seedN])")
    def name(args):
        tag = '-'.join(f"{k}{getattr(args, k)}" for k in ('lr', 'lr_mult', 'samples', 'smoothing', 'seq_len', 'rehearse', 'splice') if getattr(args, k) is not None) + ('full_height' if args.full_height else '') + (f"ema{'-'.join(map(str, args.ema))}" if args.ema else '') or 'recipe'
        return args.name or f'finetune-{args.style}-{tag}' + (f'-seed{args.seed}' if args.seed else '')  # seed 0 keeps the names of the first runs
    args, out = parse_new(p, RESULTS, name)
    recipe = replace(RECIPES['finetune'], **{k: v for k in ('lr', 'lr_mult', 'samples', 'smoothing') if (v := getattr(args, k)) is not None})
    train_ds, valid_ds = split_dataset(dataset_from_folder(fixture(args.style, 1000), progress=False), 0.2, seed=args.seed)
    charset = infer_charset(train_ds['label'], valid_ds['label'])
    if args.rehearse:  # the mix base learned from, limited to what this folder can hold
        (w, h), start = train_ds[0]['image'].size, time.perf_counter()
        mix = create_styled_dataset(args.rehearse, None, seed=1000 + args.seed, charset=charset.symbols, img_size=(h, w))
        print(f"drew {args.rehearse} CAPTCHAs of the mix in {time.perf_counter() - start:.0f} s")
        mix = mix.add_column('file', [f"mix:{i}" for i in range(len(mix))])
        train_ds = datasets.concatenate_datasets([train_ds, mix.cast(train_ds.features)])
    if args.splice:
        start = time.perf_counter()
        train_ds = datasets.concatenate_datasets([train_ds, spliced(train_ds, args.splice, seed=args.seed)])
        print(f"spliced {args.splice} images in {time.perf_counter() - start:.0f} s")
    set_seed(args.seed)
    net, size, _ = starting_model(charset, common_size(image_sizes(train_ds['image'])), 'base', max_len=longest_label(train_ds, valid_ds))  # width and steps as the command chooses them
    if args.seq_len: net.pool, net.config['seq_len'] = nn.AdaptiveAvgPool2d((1, args.seq_len)), args.seq_len
    if args.full_height:  # the convolutions then see the glyphs twice as tall as in pretraining
        if not isinstance(net.backbone[0], nn.AvgPool2d): raise SystemExit("--full_height: the base has no input pool")
        del net.backbone[0]
        net.backbone.input_pool = net.config['input_pool'] = 1
    dls = captcha_dls(train_ds, valid_ds=valid_ds, charset=charset, bs=recipe.bs, img_size=size, batch_tfms=recipe.batch_tfms())
    learn = recipe.learner(dls, net, cbs=WeightAverages(args.ema) if args.ema else None)
    start = time.perf_counter()
    with learn.no_bar(): recipe.fit(learn)
    train_seconds = round(time.perf_counter() - start)
    _, seq_acc, cer = learn.validate()
    averaged = {}
    for d, avg in (learn.weight_averages.avgs.items() if args.ema else []):
        learn.model.load_state_dict(avg)
        averaged[f"ema{d}"] = dict(zip(('seq_acc', 'cer'), (round(float(o), 4) for o in learn.validate()[1:])))
    res = dict(style=args.style, seed=args.seed, rehearse=args.rehearse, splice=args.splice, seq_len=net.config['seq_len'], input_pool=net.config['input_pool'], recipe=vars(recipe), train_seconds=train_seconds,
               seq_acc=round(seq_acc, 4), cer=round(cer, 4), **({'weight_averages': averaged} if averaged else {}))
    print(json.dumps(res))
    write_json(out, res)
    print(f"wrote {out}")

if __name__ == '__main__': main()
