"""Training and inference images/s of CRNN sizes in float32 and under bfloat16 autocast on this CPU, interleaved.

`BFloat16CPU` (the `synthetic_reread` recipe's mixed precision on a CPU) runs each forward pass under bfloat16 autocast
and the loss and updates in float32. It pays on a CPU that computes bfloat16 natively, and costs where oneDNN has to
emulate it. This times one training step (AdamW on the CTC loss, random 3x60x160 inputs, no data pipeline) and batched
inference both ways, each setting twice, interleaved because a shared machine drifts, and records what the CPU is.

    python bench/precision.py --name precision-avx2
"""
import argparse, platform, torch
from pathlib import Path
from captcha_crnn.model import create_crnn
from captcha_crnn.train import cpu_has_bf16
from channels_last import infer_speed, train_speed
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def arch_train_speed(arch:str, bs:int, steps:int, bf16:bool) -> float:
    "Training images/s of a fresh channels-last `arch`, timed as `channels_last.train_speed` times a model"
    torch.manual_seed(0)
    return train_speed(create_crnn(36, arch).to(memory_format=torch.channels_last), bs, steps, bf16)

def arch_infer_speed(arch:str, bs:int, reps:int, bf16:bool) -> float:
    "Inference images/s of a fresh channels-last `arch`, timed as `channels_last.infer_speed` times a model"
    torch.manual_seed(0)
    return infer_speed(create_crnn(36, arch).to(memory_format=torch.channels_last), bs, reps, bf16)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--archs', nargs='+', default=['lean', 'deep'])
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--steps', type=int, default=6)
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--name', default='precision')
    args, out = parse_new(p, RESULTS)
    cpu = dict(machine=platform.machine(), processor=platform.processor(), capability=torch.backends.cpu.get_cpu_capability(),
               native_bf16=cpu_has_bf16(), threads=torch.get_num_threads(), torch=torch.__version__)
    print(cpu)
    runs = []
    for arch in args.archs:
        for r in range(args.rounds):
            for bf16 in (False, True):
                run = dict(arch=arch, round=r, precision='bfloat16' if bf16 else 'float32', bs=args.bs,
                           train_img_s=round(arch_train_speed(arch, args.bs, args.steps, bf16), 1),
                           infer_img_s=round(arch_infer_speed(arch, args.bs, 3, bf16), 1))
                print(run, flush=True); runs.append(run)
    write_json(out, dict(cpu=cpu, runs=runs))

if __name__ == '__main__': main()
