"""Which CAPTCHAs should the package's second reader train on? (issue 15)

Trains the package's `train_rereader` behind a saved CRNN on the windows of 70,000 CAPTCHAs drawn as `o0_reread.py`
draws them (5 symbols of A-Z0-9, one of them set to O or 0 at a random place; seed 0, the pipeline's run-1 training
CAPTCHAs), instead of the CAPTCHAs `Recipe.draw_reread` drew until 2026-11-27, with O and 0 weighted five times (it now
places one O or 0 in each, as here, with its own drawing code). Then it reads the 2,000
evaluation CAPTCHAs with the CRNN and that second reader. Compare with `bench.py`'s result for the same CRNN (the packaged
mix) and with `o0_reread.py --centre emitted` on it (the pipeline's mix and training).

    python bench/reread_mix.py --model bench/results/synthetic-reread-seed2.model --seed 2
"""
import argparse, json, time
from pathlib import Path
import datasets
from captcha_crnn.recognizer import load_recognizer, Recognizer
from captcha_crnn.data import create_captcha_dataset, valid_seed
from captcha_crnn.train import train_rereader
from captcha_crnn.metrics import seq_accuracy
from o0_context import pooled
from o0_reread import _captchas_chunk
from bench import EVAL_SEED, error_profile
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help='A recognizer saved by bench.py: its CRNN is used, any second reader it has is not')
    p.add_argument('--seed', type=int, default=1, help="The training seed of that bench.py run: its validation CAPTCHAs are drawn with valid_seed(seed)")
    p.add_argument('--n', type=int, default=70_000, help='CAPTCHAs drawn with one O or 0 each')
    p.add_argument('--name', default='reread-mix')
    args, result_path = parse_new(p, RESULTS)
    rec = load_recognizer(args.model, device='cpu', fuse=False, freeze=False)
    caps = sum(pooled(_captchas_chunk, args.n, 0), [])
    ds = datasets.Dataset.from_dict({'image': [i for i,_ in caps], 'label': [l for _,l in caps]},
                                    features=datasets.Features({'image': datasets.Image(), 'label': datasets.Value('string')}))
    del caps
    valid = create_captcha_dataset(2000, seed=valid_seed(args.seed), progress=False)
    start = time.perf_counter()
    learn = train_rereader(rec.model, ds, valid, rec.img_size, 'O0', 4, mixed_precision=True)
    seconds = time.perf_counter() - start
    ev = create_captcha_dataset(2000, seed=EVAL_SEED, progress=False)
    images, labels = list(ev['image']), list(ev['label'])
    preds = [s for s,_ in Recognizer(rec.model, rec.charset, rec.img_size, device='cpu', reread=learn.model).predict(images)]
    res = dict(args=vars(args), windows=len(learn.dls.train_ds), reread_train_seconds=round(seconds), reread_valid_accuracy=round(float(learn.validate()[1]), 4),
               greedy_seq_acc=seq_accuracy(preds, labels), greedy_errors=error_profile(preds, labels))
    print(json.dumps(res), flush=True)
    write_json(result_path, res)

if __name__ == '__main__': main()
