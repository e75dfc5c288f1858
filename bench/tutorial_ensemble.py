"""Several models of the original tutorial's budget, read together: is what one misreads its own, or the budget's?

Each member trains a variant of `tutorial_budget.py` (default `deep-ls`, the `tutorial_budget` recipe) on the same
1,000 CAPTCHAs of `--seed`, split 80/20 the same way, for the budget's 20 epochs; only their starting weights and batch
order differ (member m starts from seed `--seed` + 1000 m, so member 0 is `tutorial_budget.py`'s run of that seed).
The members then read the 200 held-out CAPTCHAs together, two ways: the mean of their per-step probabilities, decoded
greedily, and a vote over their reads (where no read has the most votes, the mean's read). Reads are held to the
labels' lengths, as the metrics hold them. K members cost K budgets of training, so this is not a recipe for the
budget: it measures how much of what one model misses changes from model to model.
Writes bench/results/tb-ensemble-<variant>-<arch>-seed<seed>-m<members>.json.

    python bench/tutorial_ensemble.py --seed 2 --threads 1   # and --seed 0 beside it
"""
import argparse, json, math
from collections import Counter
from pathlib import Path
import torch
from captcha_crnn.core import CTCDecoder
from captcha_crnn.data import get_label
from captcha_crnn.metrics import seq_accuracy
from bench import error_profile
from tutorial_budget import VARIANTS, train
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def held_out(learn) -> tuple[torch.Tensor, list[str]]:
    "`[B, T, C]` log-probabilities of `learn` on its validation set, and that set's labels, in order"
    dl = learn.dls.valid.new(shuffle=False, drop_last=False)
    with learn.no_bar(), learn.no_logging(): log_probs,_ = learn.get_preds(dl=dl)
    return log_probs.float(), [get_label(row) for row in dl.items]

def vote(reads:list[str], fallback:str) -> str:
    "The read most members agree on; `fallback` where two or more reads tie for the most votes"
    counts = Counter(reads).most_common(2)
    return counts[0][0] if len(counts) == 1 or counts[0][1] > counts[1][1] else fallback

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--seed', type=int, default=0, help="the budget's CAPTCHAs and split, as `tutorial_budget.py --seeds`")
    p.add_argument('--members', type=int, default=3)
    p.add_argument('--variant', default='deep-ls', choices=list(VARIANTS))
    p.add_argument('--arch', default='small')
    p.add_argument('--threads', type=int, default=0, help='torch threads; 0 keeps the default')
    args, path = parse_new(p, RESULTS, lambda a: f"tb-ensemble-{a.variant}-{a.arch}-seed{a.seed}-m{a.members}")
    if args.threads: torch.set_num_threads(args.threads)
    members, log_probs = [], []
    for m in range(args.members):
        learn, _, seconds, _ = train(args.variant, args.arch, args.seed, init_seed=args.seed + 1000*m)
        lp, labels = held_out(learn)
        decode = CTCDecoder(learn.dls.charset, lengths=learn.dls.lengths)
        reads = decode(lp)[0]
        log_probs.append(lp)
        members.append(dict(init_seed=args.seed + 1000*m, train_seconds=seconds, seq_acc=round(seq_accuracy(reads, labels), 4), reads=reads))
        print(f"member {m}: {members[-1]['seq_acc']:.4f} in {seconds} s", flush=True)
    mean_reads = decode(torch.logsumexp(torch.stack(log_probs), 0) - math.log(len(log_probs)))[0]
    voted = [vote(list(rs), f) for rs,f in zip(zip(*[m['reads'] for m in members]), mean_reads)]
    wrong = lambda reads: [(l, r) for l,r in zip(labels, reads) if l != r]
    res = dict(variant=args.variant, arch=args.arch, seed=args.seed, threads=torch.get_num_threads(), members=members,
               member_mean_seq_acc=round(sum(m['seq_acc'] for m in members)/len(members), 4),
               read_by_no_member=sum(all(m['reads'][i] != l for m in members) for i,l in enumerate(labels)),
               mean_probs_seq_acc=round(seq_accuracy(mean_reads, labels), 4), vote_seq_acc=round(seq_accuracy(voted, labels), 4),
               mean_probs_misreads=wrong(mean_reads), mean_probs_misreads_only_O0=error_profile(mean_reads, labels)['misread_only_O0'],
               member_misreads_only_O0=[error_profile(m['reads'], labels)['misread_only_O0'] for m in members], labels=labels)
    print(json.dumps({k: v for k,v in res.items() if k not in ('members', 'labels', 'mean_probs_misreads')}), flush=True)
    write_json(path, res)

if __name__ == '__main__': main()
