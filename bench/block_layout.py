"""Training and inference images/s of `small_fullwidth` with and without the cheaper first blocks of `lean`.

`strided_stem` makes the first block one stride-2 convolution; `pool_before_norm` max-pools each block's last
convolution before its batch norm and ReLU. Random inputs, no data pipeline, channels-last weights as in training:
it isolates the model's speed. The layouts are timed in turn, `--rounds` times, because a shared machine drifts;
compare within a round. Writes bench/results/<name>.json.

    python bench/block_layout.py
    python bench/block_layout.py --arch small --name block-layout-small
"""
import argparse, json, time
from pathlib import Path
import torch
from captcha_crnn.model import create_crnn, fuse_batchnorm
from channels_last import train_speed
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'
LAYOUTS = {
    'as is':            dict(strided_stem=False, pool_before_norm=False),
    'pool_before_norm': dict(strided_stem=False, pool_before_norm=True),
    'strided_stem':     dict(strided_stem=True, pool_before_norm=False),
    'both (lean)':      dict(strided_stem=True, pool_before_norm=True),
}

def speeds(arch:str, layout:dict, bs:int, steps:int) -> dict:
    "Training images/s (AdamW steps on CTC loss) and batch-64 reading images/s (batch norms folded) of a fresh model"
    torch.manual_seed(0)
    model = create_crnn(36, arch, **layout).to(memory_format=torch.channels_last)
    train = train_speed(model, bs, steps)
    reader, xi = fuse_batchnorm(model), torch.randn(64, 3, 60, 160)
    with torch.inference_mode():
        reader(xi)
        start = time.perf_counter()
        for _ in range(5): reader(xi)
    return dict(train_img_per_s=round(train, 1), infer_img_per_s=round(5*64/(time.perf_counter() - start), 1))

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--name', default='block-layout')
    p.add_argument('--arch', default='small_fullwidth')
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--steps', type=int, default=8)
    p.add_argument('--rounds', type=int, default=2)
    args, result_path = parse_new(p, RESULTS)
    print(f"{args.arch}, batch {args.bs}, {torch.get_num_threads()} threads")
    rounds = []
    for _ in range(args.rounds):
        rounds.append({name: speeds(args.arch, layout, args.bs, args.steps) for name,layout in LAYOUTS.items()})
        for name,r in rounds[-1].items(): print(f"  {name:17} train {r['train_img_per_s']:6.1f} img/s   reading {r['infer_img_per_s']:7.1f} img/s", flush=True)
    res = dict(args=vars(args), torch_threads=torch.get_num_threads(), layouts=LAYOUTS, rounds=rounds)
    write_json(result_path, res)

if __name__ == '__main__': main()
