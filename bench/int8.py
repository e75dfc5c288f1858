"""Reading with 8-bit integer convolutions: does post-training static quantization make the readers faster on a CPU,
and do they read the same? An exploration for issue 15's reading speed; not in the package.

Quantizes the convolutional backbone of a saved recognizer's fused model with PyTorch's FX graph mode (`prepare_fx`,
`convert_fx`, the `x86` engine's default settings: per-channel weights, activations from histograms), calibrated on
`--calib` CAPTCHAs drawn with a seed no other run uses. The LSTM and the linear layers stay in float32 (dynamic int8 LSTMs
read more slowly in a quick check). Freezes it with TorchScript as `Recognizer` freezes its float model, then reads the
2,000 evaluation CAPTCHAs with both, through `Recognizer.predict`, second reader and all, timed as `inference.py` times
its readers (batched with preprocessing, and one image per call), interleaved twice. The same for the ONNX reader
(`OnnxRecognizer`), on a copy of the model folder that `export_onnx` writes, with onnxruntime's own `quantize_static` (QDQ
format, per-channel int8 weights, uint8 activations, convolutions only) calibrated on the same CAPTCHAs.

    python bench/int8.py --model bench/results/synthetic-reread-held-seed4.model
    python bench/int8.py --model bench/results/synthetic-avx2-seed2.model --name int8-avx2-reduce-range --reduce_range   # 7-bit weights: x86 without VNNI
"""
import argparse, copy, json, shutil, tempfile, warnings
from pathlib import Path
import torch
from torch import nn
from captcha_crnn.data import create_captcha_dataset
from captcha_crnn.metrics import seq_accuracy
from captcha_crnn.recognizer import load_recognizer
from captcha_crnn.core import image_batch
from bench import EVAL_SEED
from inference import speeds
from result_files import parse_new, write_json

RESULTS = Path(__file__).parent/'results'
CALIB_SEED = 424242

class QuantizedBackbone(nn.Module):
    "A quantized backbone (an FX `GraphModule`) in the place of `CNNBackbone`, giving the `min_size` that `CRNN`'s input check asks of it"
    def __init__(self, quantized, backbone): super().__init__(); self.quantized, self.min_size = quantized, backbone.min_size
    def forward(self, x): return self.quantized(x)

def int8_reader(rec, calib_images, bs:int=64) -> nn.Module:
    "`rec`'s fused model with its backbone quantized to int8, calibrated on `calib_images`, frozen by TorchScript"
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = 'x86'
    fused = rec.model
    with torch.no_grad():
        normed = [fused.norm(rec.preprocess(calib_images[i:i+bs])) for i in range(0, len(calib_images), bs)]
        prepared = prepare_fx(copy.deepcopy(fused.backbone).eval(), get_default_qconfig_mapping('x86'), (normed[0],))
        for x in normed: prepared(x)
        net = copy.deepcopy(fused).eval()
        net.backbone = QuantizedBackbone(convert_fx(prepared), fused.backbone)  # read by `CRNN.forward` itself
        return torch.jit.freeze(torch.jit.trace(net, rec.preprocess(calib_images[:2])))

def onnx_readers(model:str, calib_images, bs:int=64, reduce_range:bool=False) -> tuple:
    "`OnnxRecognizer`s of a copy of `model` exported to ONNX, as exported and with its convolutions quantized to int8 by onnxruntime (`reduce_range`: 7-bit weights, which CPUs without VNNI need to keep from saturating)"
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quant_pre_process, quantize_static
    from captcha_crnn.export import export_onnx
    from captcha_crnn.reader import OnnxRecognizer
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(model, tmp/'float', ignore=shutil.ignore_patterns('*.onnx'))
    export_onnx(tmp/'float')
    shutil.copytree(tmp/'float', tmp/'int8')
    rec = OnnxRecognizer(tmp/'float')
    batches = [{rec.input_name: image_batch(calib_images[i:i+bs], rec.img_size, rec.keep_aspect)} for i in range(0, len(calib_images), bs)]
    class Calibration(CalibrationDataReader):
        def __init__(self): self.batches = iter(batches)
        def get_next(self): return next(self.batches, None)
    quant_pre_process(str(tmp/'float'/'model.onnx'), str(tmp/'pre.onnx'))
    quantize_static(str(tmp/'pre.onnx'), str(tmp/'int8'/'model.onnx'), Calibration(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, op_types_to_quantize=['Conv'], reduce_range=reduce_range)
    return rec, OnnxRecognizer(tmp/'int8')

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True)
    p.add_argument('--n', type=int, default=2000, help='CAPTCHAs to read (drawn with the evaluation seed of bench.py)')
    p.add_argument('--calib', type=int, default=512, help='CAPTCHAs to calibrate the activations on')
    p.add_argument('--name', default='int8')
    p.add_argument('--reduce_range', action='store_true', help="onnxruntime's quantize_static with 7-bit weights, for x86 CPUs without VNNI")
    args, result_path = parse_new(p, RESULTS)
    warnings.filterwarnings('ignore', category=DeprecationWarning)  # torch.ao.quantization says it is deprecated (see the results)
    warnings.filterwarnings('ignore', category=UserWarning)
    ev = create_captcha_dataset(args.n, seed=EVAL_SEED, progress=False)
    images, labels = list(ev['image']), list(ev['label'])
    calib = list(create_captcha_dataset(args.calib, seed=CALIB_SEED, progress=False)['image'])
    float_rec = load_recognizer(args.model, device='cpu')
    int8_rec = load_recognizer(args.model, device='cpu')
    int8_rec.frozen = int8_reader(int8_rec, calib)  # what `predict` reads with
    onnx_float, onnx_int8 = onnx_readers(args.model, calib, reduce_range=args.reduce_range)
    readers = dict(frozen=float_rec, int8=int8_rec, onnx=onnx_float, onnx_int8=onnx_int8)
    runs, preds = {k: [] for k in readers}, {}
    for r in range(2):  # the second round in the reverse order
        for name, rec in (list(readers.items()) if r == 0 else list(readers.items())[::-1]):
            res, preds[name] = speeds(rec, images)
            runs[name].append(res)
    strings = {k: [s for s,_ in v] for k,v in preds.items()}
    res = dict(model=args.model, n=args.n, calib=args.calib, reduce_range=args.reduce_range, torch=torch.__version__, torch_threads=torch.get_num_threads(), **runs,
               seq_acc={k: round(seq_accuracy(v, labels), 4) for k,v in strings.items()},
               strings_differing={k: sum(a != b for a,b in zip(strings[ref], strings[k])) for ref,k in (('frozen', 'int8'), ('onnx', 'onnx_int8'), ('frozen', 'onnx'))})
    print(json.dumps(res, indent=2))
    write_json(result_path, res)

if __name__ == '__main__': main()
