"""The ONNX reader against the torch reader: the same strings? how fast is each on a CPU, preprocessing and decoding included?

Exports each recognizer (`export_onnx`, which checks it first), then reads the same images with the torch `Recognizer` and with
the torch-free `OnnxRecognizer`, through their public `predict`, batched (64 at a time) and one image per call, interleaved
twice because a shared machine drifts. Cases: the 2,000 evaluation CAPTCHAs of bench.py with the Train page's model, and
fixture folders of real-style CAPTCHAs (bench/folders.py writes them) read from their files.

    python bench/onnx_vs_torch.py
    python bench/onnx_vs_torch.py --model models/captcha_crnn --folder_model base --styles faint classic
    python bench/onnx_vs_torch.py --name onnx-lean --model bench/results/small-oversample-O0-share20.model models/captcha_crnn --styles
"""
import argparse, json, shutil, tempfile, time
from pathlib import Path
import numpy as np, torch
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.core import recognizer_path
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.reader import OnnxRecognizer
from captcha_crnn.export import export_onnx
from bench import EVAL_SEED
from folders import fixture
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def timed(f, *args):
    start = time.perf_counter(); out = f(*args); return out, time.perf_counter() - start

def compare(model:str, images:list, label:str, n_single:int=100) -> dict:
    "Read `images` with both readers of `model`; agreement and speed"
    with tempfile.TemporaryDirectory() as d:
        path = Path(d)/'rec'
        shutil.copytree(recognizer_path(model), path)  # a copy: pretrained recognizers live inside the package
        export_onnx(path)
        readers = {'torch': load_recognizer(path, device='cpu'), 'onnx': OnnxRecognizer(path)}
        reads, speed = {}, {k: [] for k in readers}
        for _ in range(2):
            for name, rec in readers.items():
                rec.predict(images[:64])  # warm-up
                reads[name], secs = timed(rec.predict, images)
                _, single = timed(lambda: [rec.predict(o) for o in images[:n_single]])
                speed[name].append(dict(batch_img_per_s=round(len(images)/secs, 1), single_ms=round(1000*single/n_single, 2)))
    strings = {k: [s for s,_ in v] for k,v in reads.items()}
    conf = {k: np.array([c for _,c in v]) for k,v in reads.items()}
    return dict(case=label, model=model, n=len(images), same_strings=float(np.mean([a == b for a,b in zip(strings['torch'], strings['onnx'])])),
                max_confidence_diff=float(np.abs(conf['torch'] - conf['onnx']).max()), speed=speed)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', nargs='+', default=['models/captcha_crnn'], help='recognizers for the evaluation CAPTCHAs (several are compared in one run)')
    p.add_argument('--folder_model', default='base', help='recognizer for the fixture folders')
    p.add_argument('--styles', nargs='*', default=['faint', 'classic'])
    p.add_argument('--n', type=int, default=2000)
    p.add_argument('--name', default='onnx')
    args, result_path = parse_new(p, RESULTS)
    images = list(create_captcha_dataset(args.n, seed=EVAL_SEED, progress=False)['image'])
    cases = [compare(model, images, 'evaluation CAPTCHAs') for model in args.model]
    for style in args.styles:
        files = sorted(str(f) for f in fixture(style, 1000).glob('*.png'))
        cases.append(compare(args.folder_model, files, f"{style} fixture folder, read from files"))
    res = dict(torch_threads=torch.get_num_threads(), cases=cases,
               note='whole predict: image reading (from files for folders), preprocessing, model, decoding')
    print(json.dumps(res, indent=2))
    write_json(result_path, res)

if __name__ == '__main__': main()
