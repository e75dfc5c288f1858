"""Run the notebooks' fast cells and save their outputs, keeping the saved outputs of `slow` cells.

nbdev_test runs the same cells but keeps no outputs; jupyter would also rerun the slow cells (real
training, many minutes). Use this after changing a page, so the docs show what the code now does:

    python tools/run_notebooks.py                      # every notebook
    python tools/run_notebooks.py nbs/02a_metrics.ipynb
    python tools/run_notebooks.py --slow nbs/05_folders.ipynb   # also rerun the slow cells (real training)
    python tools/run_notebooks.py --slow=rr_ nbs/03_train.ipynb  # ... only the slow cells whose source matches a regular expression
    python tools/run_notebooks.py --slow='\blearn\b' nbs/03_train.ipynb  # (`learn` as a whole name, not `rr_learn`)
    nbdev_clean
"""
import ast, os, re, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory

SKIP, SLOW = re.compile(r'^#\|\s*cuda\b|^#\|\s*eval:\s*false', re.M), re.compile(r'^#\|\s*slow\b', re.M)

def skip(cell, slow:bool|str=False) -> bool:
    "Cells nbdev_test skips: markdown, the export call, `eval: false`, and `slow` or `cuda` cells (their saved outputs are kept); `slow` reruns the slow cells, or if a string those whose source matches it as a regular expression"
    if cell.cell_type != 'code' or 'nbdev_export(' in cell.source or SKIP.search(cell.source): return True
    if not SLOW.search(cell.source): return False
    return not slow or (isinstance(slow, str) and not re.search(slow, cell.source))

BAR = re.compile(r'^\s*(Epoch \d+/\d+ :)?\s*(\|[█-]*\| [\d.]+% \[[^\]]*\])?\s*$')  # a fastprogress bar, a cleared one, or nothing

def terminal_text(text:str) -> str:
    "`text` as a terminal leaves it: each line's last carriage-return segment that is not a progress bar or fastprogress's lone block mark"
    lines = []
    for line in text.split('\n'):
        last = next((o.rstrip() for o in reversed(line.split('\r')) if not BAR.match(o) and o.strip() != '█'), None)
        if last is not None: lines.append(last)
    return '\n'.join(lines) + ('\n' if lines else '')

def clean_streams(nb):
    "Replace each stream output of `nb` by its `terminal_text`, dropping those left empty"
    for cell in nb.cells:
        if cell.cell_type != 'code': continue
        for o in cell.outputs:
            if o.get('output_type') == 'stream': o['text'] = terminal_text(''.join(o['text'])).splitlines(keepends=True)
        cell.outputs = [o for o in cell.outputs if o.get('output_type') != 'stream' or o['text']]

class _Names(ast.NodeVisitor):
    "The global names a cell's code reads and binds as it runs (not inside the functions and classes it defines)"
    def __init__(self): self.reads, self.binds = set(), set()
    def visit_Name(self, node): (self.reads if isinstance(node.ctx, ast.Load) else self.binds).add(node.id)
    def visit_FunctionDef(self, node): self.binds.add(node.name)
    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef
    def visit_Lambda(self, node): pass
    def visit_alias(self, node): self.binds.add((node.asname or node.name).split('.')[0])

def names(source:str) -> _Names:
    "What `source` reads and binds; IPython's `!` and `%` lines are left out"
    v = _Names()
    try: v.visit(ast.parse('\n'.join(l for l in source.splitlines() if not l.lstrip().startswith(('!', '%')))))
    except SyntaxError: pass
    return v

def kept_after_slow(cells, slow:bool|str=False) -> list:
    "Cells that run but read what a skipped slow cell made, directly or through another such cell: their saved outputs show the slow state, so they are kept too"
    made, kept = set(), []
    for cell in cells:
        if cell.cell_type != 'code': continue
        n = names(cell.source)
        if SLOW.search(cell.source) and skip(cell, slow): made |= n.binds
        elif not skip(cell, slow) and n.reads & made: kept.append(cell); made |= n.binds
    return kept

def run(path:Path, slow:bool|str=False):
    nb = read_nb(path)
    kept = {id(c) for c in kept_after_slow(nb.cells, slow)}
    def skipped(cell): return id(cell) in kept or skip(cell, slow)
    for cell in nb.cells:  # execnb keeps a cell's old outputs when its new run prints nothing
        if not skipped(cell): cell.outputs = []
    with working_directory(path.parent): CaptureShell(path).run_all(nb, exc_stop=True, preproc=skipped)
    clean_streams(nb)
    write_nb(nb, path)
    print(f"ran {path}" + (f"; kept the saved outputs of {len(kept)} cells that read what a slow cell made (--slow reruns them)" if kept else ''))

if __name__ == '__main__':
    os.environ['IN_TEST'] = '1'
    flags = [a for a in sys.argv[1:] if a.startswith('--slow')]
    slow = bool(flags) and (flags[-1].partition('=')[2] or True)
    paths = [Path(p) for p in sys.argv[1:] if not p.startswith('--slow')] or sorted(Path(__file__).parent.parent.glob('nbs/*.ipynb'))
    for p in paths: run(p, slow)
