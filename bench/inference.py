"""Reading speed of a saved recognizer on a CPU: batched (preprocessing included) and one image per call, by five readers:
the model as trained (`plain`), with the batch norms folded into the convolutions (`fused`, `fuse_batchnorm`), and fused
then frozen by TorchScript (`frozen`, `freeze_for_cpu`: what `Recognizer` reads with on a CPU), the frozen one without
a second read of the negative of an unsure image (`frozen_no_negatives`, `invert_below=0`), and the frozen one with its input
pool run by `nn.AvgPool2d`'s own kernel (`frozen_avgpool`: the reader until 2026-12-07, before `InputPool`); for a model with a
second reader, also the frozen one with that second reader as it read until 2026-12-07, unfolded and not frozen
(`frozen_eager_reread`). Interleaved over `--rounds` rounds (two by default), every other one in
the reverse order, because a shared machine drifts; `median` gives each reader's median over the rounds. Also checks that they all read the same strings, and times the decoders alone (greedy and beam
search of width 10) on the model's outputs for the same images.

    python bench/inference.py --model models/captcha_crnn
"""
import argparse, json, statistics, time
from pathlib import Path
from unittest import mock
import torch
from torch import nn
from captcha_crnn.core import CTCDecoder, INVERT_BELOW, image_batch, to_read_inverted
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.model import InputPool
from bench import EVAL_SEED
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def speeds(rec, images, bs:int=64, n_single:int=200, **kwargs) -> dict:
    "Images/s read in batches of `bs`, and milliseconds per image read one per call (after three warm-up calls each: TorchScript optimises a frozen model over its first calls), with `kwargs` to `predict`"
    for _ in range(3): rec.predict(images[:bs], bs=bs, **kwargs); rec.predict(images[0], **kwargs)
    start = time.perf_counter(); preds = rec.predict(images, bs=bs, **kwargs)
    batched = len(images)/(time.perf_counter() - start)
    start = time.perf_counter()
    for img in images[:n_single]: rec.predict(img, **kwargs)
    return dict(batch_img_per_s=round(batched, 1), single_ms=round(1000*(time.perf_counter() - start)/n_single, 2)), preds

def load_with_avgpool(path) -> object:
    "The frozen reader of `path` as it was until 2026-12-07: TorchScript traces its input pool while `nn.AvgPool2d`'s own kernel runs it"
    with mock.patch.object(InputPool, 'forward', nn.AvgPool2d.forward): return load_recognizer(path, device='cpu')

def load_with_eager_reread(path) -> object:
    "The frozen reader of `path` with its second reader as it read until 2026-12-07: batch norms unfolded, not frozen"
    rec = load_recognizer(path, device='cpu')
    rec.reread_net, rec.reread_frozen = load_recognizer(path, device='cpu', fuse=False, freeze=False).reread_net, None
    return rec

def decoding_costs(rec, images, bs:int=64, beam_width:int=10) -> dict:
    "Milliseconds per image that greedy and beam-search decoding take on the model's outputs for `images`"
    with torch.inference_mode(): lps = [rec.model(rec.preprocess(images[i:i+bs])) for i in range(0, len(images), bs)]
    res = {}
    for method in ('greedy', 'beam'):
        decode = CTCDecoder(rec.charset, method, beam_width)
        start = time.perf_counter()
        for lp in lps: decode(lp)
        res[method] = dict(ms_per_image=round(1000*(time.perf_counter() - start)/len(images), 3))
    return res

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', default='models/captcha_crnn')
    p.add_argument('--n', type=int, default=2000, help='CAPTCHAs to read (drawn with the evaluation seed of bench.py)')
    p.add_argument('--name', default='inference')
    p.add_argument('--rounds', type=int, default=2, help='rounds of reading by every reader, every other one in the reverse order')
    args, result_path = parse_new(p, RESULTS)
    images = list(create_captcha_dataset(args.n, seed=EVAL_SEED, progress=False)['image'])
    frozen, frozen_avgpool = load_recognizer(args.model, device='cpu'), load_with_avgpool(args.model)
    readers = dict(plain=(load_recognizer(args.model, device='cpu', fuse=False, freeze=False), {}),
                   fused=(load_recognizer(args.model, device='cpu', freeze=False), {}),
                   frozen=(frozen, {}), frozen_no_negatives=(frozen, dict(invert_below=0)),
                   frozen_avgpool=(frozen_avgpool, {}))
    if frozen.rereader is not None: readers['frozen_eager_reread'] = (load_with_eager_reread(args.model), {})
    runs, preds = {k: [] for k in readers}, {}
    for r in range(args.rounds):  # every other round in the reverse order, so that no reader always runs first
        for name, (rec, kwargs) in (list(readers.items()) if r % 2 == 0 else list(readers.items())[::-1]):
            res, preds[name] = speeds(rec, images, **kwargs)
            runs[name].append(res)
    strings = {k: [s for s,_ in v] for k,v in preds.items()}
    median = {k: {m: round(statistics.median(o[m] for o in v), 2) for m in v[0]} for k,v in runs.items()}
    res = dict(model=args.model, n=args.n, torch_threads=torch.get_num_threads(), rounds=args.rounds, **runs, median=median,
               frozen_is_torchscript=isinstance(frozen.frozen, torch.jit.ScriptModule),
               avg_pool2d_in_graph={k: 'aten::avg_pool2d' in str(rec.frozen.graph) for k,rec in (('frozen', frozen), ('frozen_avgpool', frozen_avgpool))},
               same_strings={k: strings[k] == strings['plain'] for k in readers if k not in ('plain', 'frozen_no_negatives')},
               unsure=sum(c < INVERT_BELOW for _,c in preds['frozen_no_negatives']),
               read_again=len(to_read_inverted(image_batch(images, frozen.img_size, frozen.keep_aspect), [c for _,c in preds['frozen_no_negatives']])),  # from their negative
               changed_by_negatives=sum(a != b for a,b in zip(strings['frozen'], strings['frozen_no_negatives'])),
               decoding=decoding_costs(frozen, images))
    print(json.dumps(res, indent=2))
    write_json(result_path, res)

if __name__ == '__main__': main()
