"""ONNX against torch: do they read the same strings, and how fast is each on a CPU?

Exports the recognizer (`export_onnx`, which checks it first), then reads the 2,000 evaluation CAPTCHAs of bench.py
with the torch `Recognizer` and with onnxruntime on the same preprocessed batches, interleaved twice.

    python bench/onnx_vs_torch.py --model models/captcha_crnn
"""
import argparse, json, time
from pathlib import Path
import numpy as np, onnxruntime as ort, torch
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.loss import CTCDecoder
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.export import export_onnx

RESULTS = Path(__file__).parent/'results'

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', default='models/captcha_crnn')
    p.add_argument('--n', type=int, default=2000)
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--name', default='onnx')
    args = p.parse_args()
    path = export_onnx(args.model)
    rec = load_recognizer(args.model, device='cpu')
    session = ort.InferenceSession(str(path), providers=['CPUExecutionProvider'])
    images = list(create_captcha_dataset(args.n, seed=20_261_125, progress=False)['image'])
    batches = [rec.preprocess(images[i:i+args.bs]) for i in range(0, len(images), args.bs)]
    decode = CTCDecoder(rec.charset)
    def run_torch(x):
        with torch.inference_mode(): return rec.model(x.contiguous(memory_format=torch.channels_last))
    def run_onnx(x): return torch.from_numpy(session.run(None, {'images': x.numpy()})[0])
    times, outs = {'torch': [], 'onnx': []}, {}
    for _ in range(2):
        for name, f in (('torch', run_torch), ('onnx', run_onnx)):
            f(batches[0])
            start = time.perf_counter(); outs[name] = [f(x) for x in batches]; batched = len(images)/(time.perf_counter() - start)
            singles = [b[:1] for b in batches[:4]] * 25
            start = time.perf_counter()
            for x in singles: f(x)
            times[name].append(dict(batch_img_per_s=round(batched, 1), single_model_ms=round(1000*(time.perf_counter() - start)/len(singles), 2)))
    strings = {k: [s for o in v for s in decode(o)[0]] for k,v in outs.items()}
    conf = {k: torch.cat([decode(o)[1] for o in v]) for k,v in outs.items()}
    res = dict(model=args.model, n=args.n, torch_threads=torch.get_num_threads(), speed=times,
               same_strings=sum(a == b for a,b in zip(strings['torch'], strings['onnx'])) / len(images),
               max_confidence_diff=float((conf['torch'] - conf['onnx']).abs().max()),
               note='model only: preprocessing (shared) and decoding excluded')
    print(json.dumps(res, indent=2))
    (RESULTS/f"{args.name}.json").write_text(json.dumps(res, indent=2) + '\n')

if __name__ == '__main__': main()
