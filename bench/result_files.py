"""The one rule of the bench scripts for their result files: a rerun never replaces a result unasked, and a result
file is written whole or not at all.

    from result_files import add_overwrite, check_new, write_json
    add_overwrite(parser)                       # the --overwrite flag, with one help text
    check_new([RESULTS/'x.json'], args.overwrite)   # after parsing, before any work
    write_json(RESULTS/'x.json', res)           # atomically

`few_labels.py` and `time_steps.py` are the two exceptions to `check_new`: they add their runs to the file of the
same name by design (a rerun skips or replaces only the runs it repeats); they still write with `write_json`.
"""
import json, os, sys
from pathlib import Path

def add_overwrite(parser):
    "Add `--overwrite` to `parser`"
    parser.add_argument('--overwrite', action='store_true', help='Replace result files that exist (by default the script stops before any work)')

def check_new(paths, overwrite:bool=False):
    "Exit with status 2 and a one-line error naming the first of `paths` that exists, unless `overwrite`"
    if overwrite: return
    for p in map(Path, paths):
        if p.exists():
            print(f"{Path(sys.argv[0]).name}: {p} exists; pass --overwrite to replace it, or choose another name", file=sys.stderr)
            sys.exit(2)

def write_json(path, obj, indent:int=2):
    "Write `obj` to `path` as JSON and a newline, atomically: a reader finds the old file or the new one, never part of one"
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=indent) + '\n')
    os.replace(tmp, path)
