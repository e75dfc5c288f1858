"""Reading one CAPTCHA from the command line, as a whole process: wall time and peak memory, torch against onnx.

Runs `captcha_crnn_predict MODEL IMAGE --backend B` for each backend in turn, `--runs` times (interleaved, because a shared
machine drifts), and records each process's wall time and peak resident memory (its `ru_maxrss`, from `os.wait4`).
This script imports nothing heavy itself: Linux counts a child's memory from before its exec, so a parent holding
torch would inflate every figure. The CAPTCHA is drawn by a separate process.
Most of a torch run is importing torch and fastai; the onnx backend imports neither.

    python bench/process.py
    python bench/process.py --model models/captcha_crnn --runs 5
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'

def run_once(cmd:list[str]) -> dict:
    "Wall seconds and peak memory (MB) of the process `cmd`, which must succeed"
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0: raise SystemExit(f"{' '.join(cmd)} failed: {err}")
    return dict(wall_s=round(wall, 3), peak_mb=round(usage.ru_maxrss/1024, 1), out=out.strip())

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', default='base', help='a recognizer with model.onnx (base ships with one)')
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--name', default='process')
    args, result_path = parse_new(p, RESULTS)
    exe = shutil.which('captcha_crnn_predict')
    with tempfile.TemporaryDirectory() as d:
        img = Path(d)/'captcha.png'
        draw = f"from bench import EVAL_SEED; from captcha_crnn.data import create_captcha_dataset; create_captcha_dataset(1, seed=EVAL_SEED, progress=False)[0]['image'].save({str(img)!r})"
        subprocess.run([sys.executable, '-c', draw], cwd=Path(__file__).parent, check=True, capture_output=True)
        runs = {b: [] for b in ('torch', 'onnx')}
        for _ in range(args.runs):
            for backend in runs: runs[backend].append(run_once([exe, args.model, str(img), '--backend', backend]))
    same = len({r['out'].split('\t')[1] for rs in runs.values() for r in rs}) == 1
    res = dict(model=args.model, runs=args.runs, same_text=same, cpu_count=os.cpu_count(),
               median={b: dict(wall_s=statistics.median(r['wall_s'] for r in rs), peak_mb=statistics.median(r['peak_mb'] for r in rs)) for b,rs in runs.items()},
               all=runs)
    print(json.dumps(res['median']), 'same text:', same)
    write_json(result_path, res)

if __name__ == '__main__': main()
