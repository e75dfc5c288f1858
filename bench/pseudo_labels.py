"""Few labels and many unlabelled images: fine-tune `base` on the labelled ones, read the rest, and fine-tune `base` again
on the labelled images and the readings it is sure of (self-training). An exploration for issue 12's "95% from 200 labels";
not in the package.

For each fixture style (bench/folders.py writes them) and split seed, the first `--n_labels` images of the training split
keep their labels, the other 600 lose them, and the same 200 held-out images as `few_labels.py` measure both models. Each
fine-tuning is the `finetune` recipe, as `few_labels.py` runs it; the second starts from `base` again, not from the first.

    python bench/pseudo_labels.py --styles faint --seeds 0 1 --threads 1
"""
import argparse, json, time
import datasets, torch
from captcha_crnn.metrics import seq_accuracy
from captcha_crnn.recognizer import Recognizer
from few_labels import style_split, train
from folders import FIXTURE_STYLES, RESULTS
from result_files import add_overwrite, check_new, write_json

def finetune(train_ds, valid_ds, charset, seed:int) -> Recognizer:
    "`base` fine-tuned on `train_ds` as `few_labels.py` does it, as a `Recognizer` of the model as trained"
    learn, _ = train(train_ds, valid_ds, charset, 'base', seed)
    return Recognizer(learn.model, charset, learn.dls.img_size, device='cpu', fuse=False, freeze=False)

def accuracy(rec:Recognizer, ds) -> float:
    return round(seq_accuracy([text for text,_ in rec.predict(ds['image'])], ds['label']), 4)

def run(style:str, n_labels:int, seed:int, min_conf:float) -> dict:
    train_all, valid_ds, charset = style_split(style, seed)
    labelled, unlabelled = train_all.select(range(n_labels)), train_all.select(range(n_labels, len(train_all)))
    start = time.perf_counter()
    first = finetune(labelled, valid_ds, charset, seed)
    first_seconds = time.perf_counter() - start
    reads = first.predict(unlabelled['image'])  # the labels of `unlabelled` are used only to count how many readings are right
    sure = [i for i,(_, conf) in enumerate(reads) if conf >= min_conf]
    pseudo = unlabelled.select(sure).map(lambda row, i: {'label': reads[sure[i]][0]}, with_indices=True)
    second = finetune(datasets.concatenate_datasets([labelled, pseudo]), valid_ds, charset, seed)
    return dict(style=style, n_labels=n_labels, seed=seed, min_conf=min_conf, first_seq_acc=accuracy(first, valid_ds),
                first_seconds=round(first_seconds), n_unlabelled=len(unlabelled), n_pseudo=len(sure),
                n_pseudo_right=sum(reads[i][0] == unlabelled[i]['label'] for i in sure), seq_acc=accuracy(second, valid_ds),
                seconds=round(time.perf_counter() - start))

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--styles', nargs='+', default=['faint'], choices=FIXTURE_STYLES)
    p.add_argument('--seeds', nargs='+', type=int, default=[0])
    p.add_argument('--n_labels', type=int, default=200)
    p.add_argument('--min_conf', type=float, default=0.9, help="keep the first model's readings at least this sure (best-path probability)")
    p.add_argument('--threads', type=int, default=0, help='torch threads; 0 keeps the default')
    add_overwrite(p)
    args = p.parse_args()
    out = lambda style, seed: RESULTS/f"pseudo-labels-{style}-{args.n_labels}-seed{seed}.json"
    check_new([out(style, seed) for style in args.styles for seed in args.seeds], args.overwrite)
    if args.threads: torch.set_num_threads(args.threads)
    for style in args.styles:
        for seed in args.seeds:
            res = run(style, args.n_labels, seed, args.min_conf)
            print(json.dumps(res), flush=True)
            write_json(out(style, seed), res)

if __name__ == '__main__': main()
