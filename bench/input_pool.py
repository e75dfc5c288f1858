"""The input pool two ways, each in the runtime that reads with it: `InputPool` (a reshape and a mean) against `nn.AvgPool2d`'s
own kernel, the model alone on a batch of 64 and on one image, in torch (fused and frozen, as `Recognizer` reads on a CPU) and in
onnxruntime (the export of each, as `export_onnx` writes it but for the pool). Rounds alternate the order, because a shared
machine drifts; each figure is the median over `--rounds` rounds of the median milliseconds of a call. Also checks that the two
pools give the same log-probabilities.

    python bench/input_pool.py --model bench/results/synthetic-avx2-seed2.model --name input-pool-avx2
"""
import argparse, io, json, time
from pathlib import Path
import numpy as np, torch
from torch import nn
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.model import InputPool
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.export import _exportable, _to_onnx
from captcha_crnn.reader import _onnxruntime
from bench import EVAL_SEED
from inference import load_with_avgpool
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def median_ms(f, n:int) -> float:
    "Median milliseconds of `n` calls of `f`, after one call to warm up"
    f(); times = []
    for _ in range(n):
        start = time.perf_counter(); f(); times.append(time.perf_counter() - start)
    return 1000*float(np.median(times))

def onnx_session(model, img_size, x, avgpool:bool):
    "An onnxruntime session on two threads of `model`'s export, with its input pool as `nn.AvgPool2d` (`avgpool`) or as `InputPool`"
    net = _exportable(model, img_size)
    if not avgpool: net.backbone[0] = InputPool(net.backbone[0].kernel_size)
    f = io.BytesIO()
    _to_onnx(net, x[:2], f, 'images', 'log_probs')
    ort = _onnxruntime()
    opts = ort.SessionOptions(); opts.intra_op_num_threads = torch.get_num_threads()
    return ort.InferenceSession(f.getvalue(), opts, providers=['CPUExecutionProvider'])

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', default='bench/results/synthetic-avx2-seed2.model')
    p.add_argument('--rounds', type=int, default=8)
    p.add_argument('--name', default='input-pool')
    args, result_path = parse_new(p, RESULTS)
    rec = load_recognizer(args.model, device='cpu')
    if not isinstance(rec.model.backbone[0], InputPool): raise SystemExit(f"{args.model}: its model has no input pool")
    old = load_with_avgpool(args.model)
    images = list(create_captcha_dataset(64, seed=EVAL_SEED, progress=False)['image'])
    xb, x1 = rec.preprocess(images), rec.preprocess(images[:1])
    runs = dict(torch=dict(input_pool=rec.frozen, avgpool=old.frozen),
                onnx={k: onnx_session(rec.model, rec.img_size, xb, avgpool=k == 'avgpool') for k in ('input_pool', 'avgpool')})
    def call(runtime, net, x): return (lambda: net(x)) if runtime == 'torch' else (lambda: net.run(None, {'images': x.numpy()}))
    with torch.inference_mode():
        outs = {(rt, k): torch.as_tensor(call(rt, net, xb)()[0] if rt == 'onnx' else call(rt, net, xb)()) for rt,nets in runs.items() for k,net in nets.items()}
        times = {(rt, k, bs): [] for rt,nets in runs.items() for k in nets for bs in (64, 1)}
        for r in range(args.rounds):
            for rt, nets in runs.items():
                for k in (list(nets) if r % 2 == 0 else list(nets)[::-1]):
                    times[rt, k, 64].append(median_ms(call(rt, nets[k], xb), 10))
                    times[rt, k, 1].append(median_ms(call(rt, nets[k], x1), 40))
    res = dict(model=args.model, torch_threads=torch.get_num_threads(), rounds=args.rounds,
               ms={rt: {k: {f"batch_{bs}": round(float(np.median(times[rt, k, bs])), 3) for bs in (64, 1)} for k in nets} for rt,nets in runs.items()},
               img_per_s_batched={rt: {k: round(64_000/float(np.median(times[rt, k, 64])), 1) for k in nets} for rt,nets in runs.items()},
               largest_difference={rt: float((outs[rt, 'input_pool'] - outs[rt, 'avgpool']).abs().max()) for rt in runs},
               torch_graph_has_avg_pool2d={k: 'aten::avg_pool2d' in str(net.graph) for k,net in runs['torch'].items()})
    print(json.dumps(res, indent=2))
    write_json(result_path, res)

if __name__ == '__main__': main()
