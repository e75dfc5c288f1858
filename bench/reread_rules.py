"""How a saved recognizer's second reader should decide: on its own (as `Rereader` does), averaged over shifted windows,
or together with the CRNN's own scores for the same symbols.

Reads the 2,000 eval CAPTCHAs of `bench.py` (EVAL_SEED) once per model, greedy, and for every symbol the second reader
looks at again, scores its window as it is and moved by 1 and 2 columns each way, and the CRNN's log-probabilities of
those symbols at the steps that emit it (the highest over those steps). Every rule then picks a symbol from these scores,
so the rules are compared on the same reads. No training.

    python bench/reread_rules.py --models bench/results/synthetic-reread-60k-ep5.model bench/results/synthetic-reread-60k-ep5-seed3.model
"""
import argparse, json
from pathlib import Path
import numpy as np, torch
from captcha_crnn.core import CTCDecoder, emitted_spans, image_batch
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.recognizer import load_recognizer
from bench import EVAL_SEED, RESULTS
from result_files import parse_new, write_json

SHIFTS = (-2, -1, 0, 1, 2)  # columns

def _log_softmax(x): return x - np.logaddexp.reduce(x, axis=-1, keepdims=True)

def shifted(batch:np.ndarray, d:int) -> np.ndarray:
    "`batch` moved left by `d` columns (right when negative), white coming in, so that a window cut at column c is centred on c + d"
    out = np.ones_like(batch)
    if d >= 0: out[..., :batch.shape[-1]-d] = batch[..., d:]
    else: out[..., -d:] = batch[..., :d]
    return out

def scores(rec, images, bs:int=200):
    "Greedy reads of `images`, and for each symbol the second reader looks at: (image, position, window log-scores per shift [S, k], CRNN log-probs [k])"
    rr, net = rec.rereader, rec.frozen or rec.model
    ids = [i + 1 for i in map(rec.charset.symbols.index, rr.symbols)]  # symbol i is class i + 1 (class 0 is the blank)
    decode, texts, found = CTCDecoder(rec.charset, 'greedy'), [], []
    with torch.inference_mode():
        for start in range(0, len(images), bs):
            batch = image_batch(images[start:start+bs], rec.img_size, rec.keep_aspect)
            lp = net(torch.from_numpy(batch)).float().numpy()
            strings, _ = decode(lp)
            cuts = [rr.windows(shifted(batch, d), strings, lp) for d in SHIFTS]  # the same symbols each time, their windows moved
            where = cuts[0][0]
            wins = np.stack([_log_softmax(rr.classify(w)) for _,w in cuts], 1) if where else []
            spans = emitted_spans(lp)
            for (i,j),w in zip(where, wins):
                s, e = spans[i][j]
                found.append((start + i, j, w, _log_softmax(lp[i, s:e][:, ids].max(0))))
            texts += strings
    return texts, found

RULES = {  # window log-scores per shift [S, k], CRNN log-probs [k] -> scores [k]
    'crnn alone': lambda w, c: c,
    'second reader (as today)': lambda w, c: w[SHIFTS.index(0)],
    'second reader, 3 shifts averaged': lambda w, c: w[1:4].mean(0),
    'second reader, 5 shifts averaged': lambda w, c: w.mean(0),
    'second reader + 0.25 x CRNN': lambda w, c: w[SHIFTS.index(0)] + 0.25*c,
    'second reader + 0.5 x CRNN': lambda w, c: w[SHIFTS.index(0)] + 0.5*c,
    'second reader + 1 x CRNN': lambda w, c: w[SHIFTS.index(0)] + c,
    'second reader, 5 shifts, + 0.5 x CRNN': lambda w, c: w.mean(0) + 0.5*c,
}

def accuracy(texts, found, labels, symbols, rule) -> float:
    out = [list(t) for t in texts]
    for i, j, w, c in found: out[i][j] = symbols[int(np.argmax(rule(w, c)))]
    return float(np.mean([''.join(o) == l for o,l in zip(out, labels)]))

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--models', nargs='+', required=True, help='Saved recognizers with a second reader')
    p.add_argument('--n_eval', type=int, default=2000)
    p.add_argument('--name', default='reread-rules')
    args, result_path = parse_new(p, RESULTS)
    ds = create_captcha_dataset(args.n_eval, seed=EVAL_SEED)
    images, labels, rows = list(ds['image']), list(ds['label']), []
    for m in args.models:
        rec = load_recognizer(m)
        if rec.rereader is None: raise SystemExit(f"error: {m} has no second reader")
        texts, found = scores(rec, images)
        rows.append(dict(model=m, symbols_looked_at=len(found),
                         seq_acc={name: round(accuracy(texts, found, labels, rec.rereader.symbols, rule), 4) for name, rule in RULES.items()}))
        print(json.dumps(rows[-1]), flush=True)
    write_json(result_path, dict(n_eval=args.n_eval, eval_seed=EVAL_SEED, shifts=SHIFTS, runs=rows))

if __name__ == '__main__': main()
