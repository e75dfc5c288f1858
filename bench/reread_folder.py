"""A second reader behind a CRNN fine-tuned on a folder of a user's own labelled images: does it help? (issue 12)

`captcha_crnn_train --folder DIR --reread o0` cuts the second reader's windows from the folder's own training images, a few
hundred of them where the synthetic recipe has tens of thousands. This script loads a recognizer that the plain command saved
(`bench/folders.py` keeps the last split seed's), splits the folder again with that seed, trains `train_rereader` on the
training part for each of `--epochs`, and reads the held-out part with the CRNN alone and with each second reader.

    python bench/folders.py --styles classic --n 2000 --name n2000-reread-o0 --args "--reread o0" --models_dir bench/.fixtures/rr
    python bench/reread_folder.py --model bench/.fixtures/rr/model-classic --folder bench/.fixtures/classic-2000-2026 --seed 2 --symbols o0
"""
import argparse, json, time
from pathlib import Path
from fastai.learner import defaults
from fastai.callback.progress import ProgressCallback
from fastai.torch_core import set_seed
from captcha_crnn.folders import folder_datasets
from captcha_crnn.recognizer import load_recognizer, reread_accuracy
from captcha_crnn.train import train_rereader
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help="A recognizer trained with `captcha_crnn_train --folder FOLDER --seed SEED`")
    p.add_argument('--folder', required=True)
    p.add_argument('--seed', type=int, required=True, help='The split seed the model was trained with')
    p.add_argument('--symbols', default='o0', help='What the second reader tells apart')
    p.add_argument('--epochs', type=int, nargs='+', default=[4, 20, 60], help="Second readers' epochs (the command's recipes: 4)")
    p.add_argument('--name', default=None, help='Result file results/<name>.json; default reread-folder-<folder>-seed<seed>-<symbols>')
    args, out = parse_new(p, RESULTS, lambda a: a.name or f'reread-folder-{Path(a.folder).name}-seed{a.seed}-{a.symbols}')
    defaults.callbacks = [c for c in defaults.callbacks if c is not ProgressCallback]
    rec = load_recognizer(args.model, freeze=False)
    train_ds, valid_ds = folder_datasets(args.folder, seed=args.seed)
    model, size = rec.model, rec.img_size
    res = dict(model=args.model, folder=args.folder, seed=args.seed, symbols=args.symbols, img_size=list(size), n_valid=len(valid_ds), runs=[])
    for epochs in args.epochs:
        set_seed(0); start = time.perf_counter()
        learn = train_rereader(model, train_ds, valid_ds, size, args.symbols, epochs)
        seconds = time.perf_counter() - start
        res['crnn_alone'], with_reader = reread_accuracy(model, rec.charset, size, learn.model, valid_ds['image'], valid_ds['label'])
        run = dict(epochs=epochs, train_windows=len(learn.dls.train_ds), valid_windows=len(learn.dls.valid_ds),
                   window_acc=round(float(learn.validate()[1]), 4), with_reader=with_reader, seconds=round(seconds, 1))
        print(json.dumps(dict(crnn_alone=res['crnn_alone'], **run)), flush=True); res['runs'].append(run)
    write_json(out, res)

if __name__ == '__main__': main()
