"""Training and inference images/s of the CRNN sizes with contiguous and with channels-last conv weights.

Random inputs, no data pipeline: it isolates the model's speed. Each setting is timed twice, interleaved,
because a shared machine drifts; compare the pairs.

    python bench/channels_last.py --arch small --bs 64 --steps 8
    python bench/channels_last.py --arch tutorial --bs 8 --steps 3
"""
import argparse, time, torch
from captcha_crnn.model import create_crnn
from captcha_crnn.loss import PaddedCTCLoss

def train_speed(model, bs:int, steps:int, bf16:bool=False) -> float:
    "Training images/s of `model`: `steps` AdamW steps on CTC loss over one random batch of `bs` 3x60x160 inputs, after a warm-up step; `bf16` runs the forward pass under bfloat16 autocast, as `BFloat16CPU` trains"
    loss, x, y = PaddedCTCLoss(), torch.randn(bs, 3, 60, 160), torch.randint(1, 37, (bs, 5))
    opt = torch.optim.AdamW(model.parameters(), 1e-3)
    def step():
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16): out = model(x)
        loss(out.float(), y).backward(); opt.step(); opt.zero_grad()
    step()
    start = time.perf_counter()
    for _ in range(steps): step()
    return steps*bs/(time.perf_counter() - start)

def infer_speed(model, bs:int, reps:int, bf16:bool=False) -> float:
    "Inference images/s of `model` in eval mode: `reps` passes over one random batch of `bs` 3x60x160 inputs, after a warm-up pass; `bf16` under bfloat16 autocast"
    model.eval()
    x = torch.randn(bs, 3, 60, 160)
    with torch.inference_mode(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
        model(x)
        start = time.perf_counter()
        for _ in range(reps): model(x)
    return reps*bs/(time.perf_counter() - start)

def speeds(arch:str, bs:int, steps:int, channels_last:bool) -> tuple[float, float]:
    "Training and batch-64 inference images/s of a fresh `create_crnn(36, arch)` on 3x60x160 inputs"
    torch.manual_seed(0)
    model = create_crnn(36, arch)
    if channels_last: model = model.to(memory_format=torch.channels_last)
    return train_speed(model, bs, steps), infer_speed(model, 64, 3)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--arch', default='small')
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--steps', type=int, default=8)
    args = p.parse_args()
    print(f"{args.arch}, batch {args.bs}, {torch.get_num_threads()} threads")
    for _ in range(2):
        for cl in (False, True):
            train, infer = speeds(args.arch, args.bs, args.steps, cl)
            print(f"  {'channels-last' if cl else 'contiguous   '}  train {train:6.1f} img/s   inference {infer:7.1f} img/s", flush=True)

if __name__ == '__main__': main()
