"""The one rule of the bench scripts for their result files: a rerun never replaces a result unasked, and a result
file is written whole or not at all.

    from result_files import add_overwrite, check_new, parse_new, write_json
    args, path = parse_new(parser, RESULTS)     # --overwrite added, the arguments parsed, RESULTS/<args.name>.json checked
    args, path = parse_new(parser, RESULTS, lambda args: f"...-{args.seed}")   # ... or a name made from the arguments
    write_json(path, res)                       # atomically
    # a script that writes other files too: add_overwrite(parser), then check_new([...], args.overwrite) after parsing, before any work

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

def parse_new(parser, results, name=None) -> tuple:
    "Add `--overwrite` to `parser`, parse the command line, and check that `results/<name>.json` is new, `name(args)` or by default `--name`: `(args, that path)`"
    add_overwrite(parser)
    args = parser.parse_args()
    path = Path(results)/f"{name(args) if name else args.name}.json"
    check_new([path], args.overwrite)
    return args, path

def write_json(path, obj, indent:int=2):
    "Write `obj` to `path` as JSON and a newline, atomically: a reader finds the old file or the new one, never part of one"
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(obj, indent=indent) + '\n')
    os.replace(tmp, path)
