"""Reading speed of a saved recognizer on a CPU: batched (preprocessing included) and one image per call, three ways:
the model as trained (`plain`), with the batch norms folded into the convolutions (`fused`, `fuse_batchnorm`), and fused
then frozen by TorchScript (`frozen`, `freeze_for_cpu`: what `Recognizer` reads with on a CPU), and the frozen one without
a second read of the negative of an unsure image (`frozen_no_negatives`, `invert_below=0`), interleaved twice, the second time in
the reverse order, because a shared machine drifts. Also checks that all three read the same strings, and times the decoders alone (greedy and beam
search of width 10) on the model's outputs for the same images.

    python bench/inference.py --model models/captcha_crnn
"""
import argparse, json, time
from pathlib import Path
import torch
from captcha_crnn.core import CTCDecoder, INVERT_BELOW, image_batch, to_read_inverted
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.recognizer import load_recognizer
from bench import EVAL_SEED
from result_files import add_overwrite, check_new, write_json

RESULTS = Path(__file__).parent/'results'

def speeds(rec, images, bs:int=64, n_single:int=200, **kwargs) -> dict:
    "Images/s read in batches of `bs`, and milliseconds per image read one per call (after three warm-up calls each: TorchScript optimises a frozen model over its first calls), with `kwargs` to `predict`"
    for _ in range(3): rec.predict(images[:bs], bs=bs, **kwargs); rec.predict(images[0], **kwargs)
    start = time.perf_counter(); preds = rec.predict(images, bs=bs, **kwargs)
    batched = len(images)/(time.perf_counter() - start)
    start = time.perf_counter()
    for img in images[:n_single]: rec.predict(img, **kwargs)
    return dict(batch_img_per_s=round(batched, 1), single_ms=round(1000*(time.perf_counter() - start)/n_single, 2)), preds

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
    add_overwrite(p)
    args = p.parse_args()
    result_path = RESULTS/f"{args.name}.json"
    check_new([result_path], args.overwrite)
    images = list(create_captcha_dataset(args.n, seed=EVAL_SEED, progress=False)['image'])
    frozen = load_recognizer(args.model, device='cpu')
    readers = dict(plain=(load_recognizer(args.model, device='cpu', fuse=False, freeze=False), {}),
                   fused=(load_recognizer(args.model, device='cpu', freeze=False), {}),
                   frozen=(frozen, {}), frozen_no_negatives=(frozen, dict(invert_below=0)))
    runs, preds = {k: [] for k in readers}, {}
    for r in range(2):  # the second round in the reverse order, so that no reader always runs first
        for name, (rec, kwargs) in (list(readers.items()) if r == 0 else list(readers.items())[::-1]):
            res, preds[name] = speeds(rec, images, **kwargs)
            runs[name].append(res)
    strings = {k: [s for s,_ in v] for k,v in preds.items()}
    res = dict(model=args.model, n=args.n, torch_threads=torch.get_num_threads(), **runs,
               frozen_is_torchscript=isinstance(frozen.frozen, torch.jit.ScriptModule),
               same_strings={k: strings[k] == strings['plain'] for k in ('fused', 'frozen')},
               unsure=sum(c < INVERT_BELOW for _,c in preds['frozen_no_negatives']),
               read_again=len(to_read_inverted(image_batch(images, frozen.img_size, frozen.keep_aspect), [c for _,c in preds['frozen_no_negatives']])),  # from their negative
               changed_by_negatives=sum(a != b for a,b in zip(strings['frozen'], strings['frozen_no_negatives'])),
               decoding=decoding_costs(frozen, images))
    print(json.dumps(res, indent=2))
    write_json(result_path, res)

if __name__ == '__main__': main()
