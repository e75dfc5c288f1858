"""Install footprint: the torch-free reader against the full install, in MB on disk.

Walks the installed distributions' requirement closures (importlib.metadata; extras and environment markers that do not
apply are skipped) and adds up the files each distribution installed. The torch-free reader is captcha_crnn installed
with `--no-deps` plus onnxruntime, numpy, pillow and fastcore (for the command) and what they require; the full install is captcha_crnn with its
requirements (also given without the CUDA libraries that PyPI's default Linux torch wheel pulls in). The package itself (its pretrained recognizers included) is counted from its folder.

    python bench/footprint.py [--overwrite]
"""
import argparse, json, re
from importlib import metadata
from pathlib import Path
from packaging.requirements import Requirement
import captcha_crnn
from result_files import add_overwrite, check_new, write_json

RESULTS = Path(__file__).parent/'results'

def closure(names) -> set[str]:
    "Normalised names of the distributions `names` and everything they require, as installed here"
    seen, todo = set(), list(names)
    while todo:
        name = re.sub(r'[-_.]+', '-', todo.pop()).lower()
        if name in seen: continue
        try: dist = metadata.distribution(name)
        except metadata.PackageNotFoundError: continue
        seen.add(name)
        for r in map(Requirement, dist.requires or []):
            if r.marker is None or r.marker.evaluate({'extra': ''}): todo.append(r.name)
    return seen

def size_mb(name:str) -> float:
    "MB of the files the distribution `name` installed"
    files = metadata.distribution(name).files or []
    return sum(p.stat().st_size for p in (f.locate() for f in files) if p.is_file()) / 2**20

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_overwrite(p)
    result_path = RESULTS/'footprint.json'
    check_new([result_path], p.parse_args().overwrite)
    package = sum(p.stat().st_size for p in Path(captcha_crnn.__file__).parent.rglob('*') if p.is_file()) / 2**20
    sets = {'torch-free reader': closure(['onnxruntime', 'numpy', 'pillow', 'fastcore']), 'full install': closure(metadata.requires('captcha_crnn') and
            [Requirement(r).name for r in metadata.requires('captcha_crnn') if Requirement(r).marker is None])}
    res = {k: dict(mb=round(package + sum(size_mb(n) for n in v), 1), distributions={n: round(size_mb(n), 1) for n in sorted(v, key=size_mb, reverse=True)})
           for k,v in sets.items()}
    gpu = [n for n in sets['full install'] if n.startswith('nvidia-') or n == 'triton']
    res['full install without CUDA libraries'] = dict(mb=round(res['full install']['mb'] - sum(size_mb(n) for n in gpu), 1), left_out=gpu,
        note="what PyPI's default Linux torch wheel pulls in for GPUs; a CPU-only torch wheel leaves these out (and is itself smaller)")
    res['captcha_crnn package MB'] = round(package, 1)
    print(json.dumps({k: v['mb'] if isinstance(v, dict) else v for k,v in res.items()}))
    write_json(result_path, res)

if __name__ == '__main__': main()
