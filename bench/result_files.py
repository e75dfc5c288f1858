"""The one rule of the bench scripts for their result files: a rerun never replaces a committed result unasked.

    from result_files import check_new
    check_new([RESULTS/'x.json'], args.overwrite)   # before any training
"""
import sys
from pathlib import Path

def check_new(paths, overwrite:bool=False):
    "Exit with status 2 and a one-line error naming the first of `paths` that exists, unless `overwrite`"
    if overwrite: return
    for p in map(Path, paths):
        if p.exists():
            print(f"{Path(sys.argv[0]).name}: {p} exists; pass --overwrite to replace it, or choose another name", file=sys.stderr)
            sys.exit(2)
