"""O versus 0 (issue 15): the synthetic recipe with a backbone variant, its validation accuracy and how many misreads only swap O and 0.

The CAPTCHAs are drawn as the recipe drew them before it oversampled O and 0, so the results stay reproducible.

    python bench/o0_variants.py hpool    # halve only the height of the input, keeping every column of the width
    python bench/o0_variants.py small    # the small model as it is
"""
import sys, json, time, torch, warnings
warnings.filterwarnings('ignore')
from torch import nn
from captcha_crnn.data import create_captcha_dataset, captcha_dls, valid_seed
from captcha_crnn.model import create_crnn
from captcha_crnn.train import RECIPES
from captcha_crnn.results import predict_strings
from captcha_crnn.metrics import align
from fastai.vision.all import set_seed
variant = sys.argv[1]
recipe = RECIPES['synthetic']
set_seed(0)
dls = captcha_dls(create_captcha_dataset(recipe.n_train, seed=1, progress=False), valid_ds=create_captcha_dataset(recipe.n_valid, seed=valid_seed(1), progress=False), bs=recipe.bs)
model = create_crnn(36, 'small')
if variant == 'hpool': model.backbone[0] = nn.AvgPool2d((2, 1))  # halve the height only: keep every column of the width
learn = recipe.learner(dls, model)
t = time.perf_counter()
with learn.no_bar(): recipe.fit(learn)
secs = time.perf_counter() - t
labels, preds, _ = predict_strings(learn)
wrong = [(l,p) for l,p in zip(labels, preds) if l != p]
o0 = sum(all({a,b} == {'O','0'} for a,b in align(l,p) if a != b) for l,p in wrong)
print(json.dumps(dict(variant=variant, secs=round(secs), acc=sum(l==p for l,p in zip(labels,preds))/len(labels), wrong=len(wrong), only_O0=o0, curve=[round(float(r[2]),4) for r in learn.recorder.values])), flush=True)
