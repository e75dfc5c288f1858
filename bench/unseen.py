"""The plain `captcha_crnn_train --folder DIR` on CAPTCHA styles the project never draws: fonts outside `captcha_crnn.styles.FONTS`
(matplotlib's STIX and Computer Modern families, which `base` never saw), drawn by this script's own small renderer rather
than the package's, so that nothing in them was tuned for. A check that the command learns styles it was not built around.

Writes each style's folder once (seeded) under bench/.fixtures/, then runs the command as `folders.py` does, once per split
seed. Results go to bench/results/unseen-<style>.json.

    python bench/unseen.py                       # every style, split seeds 0 1 2
    python bench/unseen.py --styles stix_arcs --seeds 0
"""
import io, math, random, string
from pathlib import Path
import numpy as np
from PIL import Image, ImageDraw, ImageFont
import matplotlib
from folders import FIXTURES, main as folders_main

TTF = Path(matplotlib.get_data_path())/'fonts'/'ttf'
UNSEEN = {  # fonts, charset, label lengths, (height, width), and what is drawn over and around the glyphs
    'stix_arcs': dict(fonts=('STIXGeneral.ttf', 'STIXGeneralItalic.ttf', 'STIXGeneralBol.ttf'), charset=string.ascii_lowercase + string.digits,
                      length=(5, 5), size=(60, 200), arcs=3, jpeg=None, colour=False, spacing=(-0.05, 0.1)),
    'cm_overlap': dict(fonts=('cmr10.ttf', 'cmss10.ttf', 'cmtt10.ttf'), charset=string.ascii_uppercase + string.digits,
                       length=(6, 6), size=(50, 180), arcs=1, jpeg=None, colour=False, spacing=(-0.25, -0.1)),
    'stix_jpeg': dict(fonts=('STIXGeneralBolIta.ttf', 'STIXGeneralBol.ttf'), charset='ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
                      length=(4, 6), size=(50, 150), arcs=2, jpeg=30, colour=True, spacing=(-0.05, 0.05)),
}

def draw(label:str, style:dict, rng:random.Random) -> Image.Image:
    "One CAPTCHA of `label` in `style`: glyphs rotated one by one and pasted left to right, arcs across, noise, maybe JPEG"
    h, w = style['size']
    bg = tuple(rng.randint(170, 255) for _ in range(3)) if style['colour'] else (rng.randint(215, 255),)*3
    img = Image.new('RGB', (w, h), bg)
    glyphs = []
    for ch in label:
        font = ImageFont.truetype(str(TTF/rng.choice(style['fonts'])), int(h*rng.uniform(0.6, 0.8)))
        ink = tuple(rng.randint(0, 110) for _ in range(3)) if style['colour'] else (rng.randint(0, 90),)*3
        box = font.getbbox(ch)
        g = Image.new('RGBA', (box[2] - box[0] + 4, box[3] - box[1] + 4), (0, 0, 0, 0))
        ImageDraw.Draw(g).text((2 - box[0], 2 - box[1]), ch, font=font, fill=ink + (255,))
        glyphs.append(g.rotate(rng.uniform(-20, 20), Image.BICUBIC, expand=True))
    gaps = [int(g.width*rng.uniform(*style['spacing'])) for g in glyphs]
    total = sum(g.width for g in glyphs) + sum(gaps[:-1])
    scale = min(1., (w - 8)/max(total, 1))
    x = rng.randint(4, max(4, int(w - total*scale) - 4))
    for g, gap in zip(glyphs, gaps):
        if scale < 1: g = g.resize((max(1, int(g.width*scale)), max(1, int(g.height*scale))), Image.BICUBIC)
        g = g.resize((g.width, min(g.height, h)), Image.BICUBIC)
        img.paste(g, (x, rng.randint(0, max(0, h - g.height))), g)
        x += g.width + int(gap*scale)
    d = ImageDraw.Draw(img)
    for _ in range(style['arcs']):  # a sine arc across the image
        amp, phase, y0, k = rng.uniform(3, h/4), rng.uniform(0, 2*math.pi), rng.uniform(h/4, 3*h/4), rng.uniform(0.5, 2)
        pts = [(x, y0 + amp*math.sin(phase + k*2*math.pi*x/w)) for x in range(0, w, 4)]
        d.line(pts, fill=tuple(rng.randint(0, 120) for _ in range(3)), width=rng.randint(1, 3))
    a = np.asarray(img).astype(np.float32) + np.random.default_rng(rng.randrange(2**32)).normal(0, 12, (h, w, 3))
    img = Image.fromarray(a.clip(0, 255).astype(np.uint8))
    if style['jpeg']:
        buf = io.BytesIO(); img.save(buf, 'JPEG', quality=style['jpeg']); img = Image.open(io.BytesIO(buf.getvalue())).convert('RGB')
    return img

def fixture(name:str, n:int, seed:int=2026) -> Path:
    "The folder of `n` CAPTCHAs of the unseen style `name`, written once; files are `<label>_<i>.png`"
    path = FIXTURES/f"unseen-{name}-{n}-{seed}"
    if not path.exists():
        tmp, style, rng = path.with_name(path.name + '.tmp'), UNSEEN[name], random.Random(f"{name}-{seed}")
        tmp.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            label = ''.join(rng.choice(style['charset']) for _ in range(rng.randint(*style['length'])))
            draw(label, style, rng).save(tmp/f"{label}_{i}.png")
        tmp.rename(path)
    return path

if __name__ == '__main__': folders_main(list(UNSEEN), fixture, 'unseen', 'model-unseen-', __doc__)
