"""Run the notebooks' fast cells and save their outputs, keeping the saved outputs of `slow` cells.

nbdev_test runs the same cells but keeps no outputs; jupyter would also rerun the slow cells (real
training, many minutes). Use this after changing a page, so the docs show what the code now does:

    python tools/run_notebooks.py                      # every notebook
    python tools/run_notebooks.py nbs/02a_metrics.ipynb
    python tools/run_notebooks.py --slow nbs/05_folders.ipynb   # also rerun the slow cells (real training)
    python tools/run_notebooks.py --slow=rr_ nbs/03_train.ipynb  # ... only the slow cells whose source holds `rr_`
    nbdev_clean
"""
import os, re, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory

SKIP, SLOW = re.compile(r'^#\|\s*cuda\b|^#\|\s*eval:\s*false', re.M), re.compile(r'^#\|\s*slow\b', re.M)

def skip(cell, slow:bool|str=False) -> bool:
    "Cells nbdev_test skips: markdown, the export call, `eval: false`, and `slow` or `cuda` cells (their saved outputs are kept); `slow` reruns the slow cells, or if a string those whose source holds it"
    if cell.cell_type != 'code' or 'nbdev_export(' in cell.source or SKIP.search(cell.source): return True
    if not SLOW.search(cell.source): return False
    return not slow or (isinstance(slow, str) and slow not in cell.source)

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

def run(path:Path, slow:bool|str=False):
    nb = read_nb(path)
    for cell in nb.cells:  # execnb keeps a cell's old outputs when its new run prints nothing
        if not skip(cell, slow): cell.outputs = []
    with working_directory(path.parent): CaptureShell(path).run_all(nb, exc_stop=True, preproc=lambda c: skip(c, slow))
    clean_streams(nb)
    write_nb(nb, path)
    print(f"ran {path}")

if __name__ == '__main__':
    os.environ['IN_TEST'] = '1'
    flags = [a for a in sys.argv[1:] if a.startswith('--slow')]
    slow = bool(flags) and (flags[-1].partition('=')[2] or True)
    paths = [Path(p) for p in sys.argv[1:] if not p.startswith('--slow')] or sorted(Path(__file__).parent.parent.glob('nbs/*.ipynb'))
    for p in paths: run(p, slow)
