"""Other ONNX forms of the shipped cross-encoders, against their float32 form: speed, memory, agreement.

    python benchmarks/cross_encoder_variants.py [--model nli|local-coherence] [--docs 200] [--threads 2]

Needs the training stack (``.[train]``), ``onnx-ir`` (``pip install onnx-ir``: the weight-only quantiser), and
``../shared/eval/dev``. Figures only; nothing is written to ``models/``.

1. The pairs: a seeded sample of dev documents (ContraDoc, typed contradictions, news with
   intruders) is checked with the shipped models, and every pair the model reads is recorded,
   as is the set of one 30-sentence FRANK article (the warm benchmark's article).
2. The variants, built in a temporary folder from the model's torch weights:
   - ``float32``: the float file in ``models/`` (float32 compute, weights stored as float16), the reference;
   - ``smoothed-int8``: the folder's int8 file, where it has one (``coherence/training/smoothing.py``);
   - ``fused``: traced from the eager attention and fused by ONNX Runtime's transformer optimiser
     (one Attention kernel per layer, EmbedLayerNormalization, BiasGelu, SkipLayerNormalization);
   - ``int8``: dynamic quantisation of every matrix, one scale per column, from the shipped trace;
   - ``fused-int8``: the same of the fused graph (QAttention);
   - ``weight8``: weights alone in 8 bits (MatMulNBits, blocks of 32), activations in float32.
3. For each: the time to read the 30-sentence article's pairs (each pair alone, ``--threads`` pairs at
   once, median of 5), the process's memory growth from opening the session to after the reads (a fresh process each), and
   on the recorded dev pairs the largest and mean change of the flagged label's probability, and how
   many pairs cross each of the contradiction rule's cuts (0.01 second reading, 0.5 / 0.9 / 0.992)
   one way or the other.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEV = ROOT.parent / "shared" / "eval" / "dev"
ARTICLES = ROOT.parent / "shared" / "datasets" / "frank_news_articles" / "derived" / "articles.jsonl"
FOLDERS = {"nli": ROOT / "models" / "nli-minilm-l6", "local-coherence": ROOT / "models" / "local-coherence"}
CUTS = (0.01, 0.5, 0.9, 0.992)


def record_pairs(model: str, docs: int, threads: int) -> tuple[list, list]:
    """(pairs of the dev sample, pairs of the 30-sentence article) that ``model`` reads in a check."""
    from coherence.checker import ArticleInput, Checker
    from coherence.runtime import cross_encoder
    from coherence.settings import Settings

    seen: list = []
    original = cross_encoder.CrossEncoder.probabilities

    def recording(self, pairs):
        if Path(self.path).resolve() == FOLDERS[model].resolve():
            seen.extend(tuple(p) for p in pairs)
        return original(self, pairs)

    cross_encoder.CrossEncoder.probabilities = recording
    checker = Checker(Settings(threads=threads))
    rng = random.Random(7)
    rows = []
    for name, share in (("contradoc", 0.35), ("typed_contradictions", 0.2), ("news_intruders", 0.45)):
        lines = [json.loads(line) for line in (DEV / f"{name}.jsonl").open(encoding="utf-8")]
        rng.shuffle(lines)
        rows += lines[: round(docs * share)]
    for row in rows:
        checker.check([ArticleInput(row["id"], row["text"])])
    dev_pairs = list(dict.fromkeys(seen))
    thirty = None
    with ARTICLES.open(encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            if 28 <= len(checker.check([ArticleInput("a", text)])[0].sentences) <= 32:
                thirty = text
                break
    seen.clear()
    checker.check([ArticleInput("thirty", thirty)])
    cross_encoder.CrossEncoder.probabilities = original  # the variants are read without recording
    return dev_pairs, list(seen)


def build_variants(model: str, scratch: Path) -> dict[str, Path]:
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer
    from onnxruntime.transformers import optimizer
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from coherence.training.export import PADDED_SAMPLE, _write_onnx

    logging.disable(logging.WARNING)
    folder = FOLDERS[model]
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    sample = dict(tokenizer(*PADDED_SAMPLE, padding=True, return_tensors="pt"))
    paths = {"float32": folder / "model.onnx"}
    if (folder / "model.int8.onnx").is_file():
        paths["smoothed-int8"] = folder / "model.int8.onnx"
    for name, attention in (("traced", "sdpa"), ("eager", "eager")):
        torch_model = AutoModelForSequenceClassification.from_pretrained(
            str(folder), local_files_only=True, attn_implementation=attention).float().eval()
        with torch.inference_mode():
            _write_onnx(torch_model, sample, "logits", scratch / f"{name}.onnx")
    config = torch_model.config
    fused = optimizer.optimize_model(str(scratch / "eager.onnx"), model_type="bert", opt_level=0,
                                     num_heads=config.num_attention_heads, hidden_size=config.hidden_size)
    fused.save_model_to_file(str(scratch / "fused.onnx"))
    paths["fused"] = scratch / "fused.onnx"
    float_type = {"DefaultTensorType": onnx.TensorProto.FLOAT}
    quantize_dynamic(str(scratch / "traced.onnx"), str(scratch / "int8.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True, extra_options=float_type)
    paths["int8"] = scratch / "int8.onnx"
    quantize_dynamic(str(scratch / "fused.onnx"), str(scratch / "fused-int8.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True, extra_options=float_type)
    paths["fused-int8"] = scratch / "fused-int8.onnx"
    config8 = DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=True, accuracy_level=0, bits=8)
    quantiser = MatMulNBitsQuantizer(onnx.load(str(scratch / "eager.onnx")), bits=8, block_size=32,
                                     is_symmetric=True, accuracy_level=0, algo_config=config8)
    quantiser.process()
    quantiser.model.save_model_to_file(str(scratch / "weight8.onnx"))
    paths["weight8"] = scratch / "weight8.onnx"
    return paths


def variant_folder(name: str, path: Path, model: str, scratch: Path) -> Path:
    """A model folder holding the variant as its only ONNX file, ``model.onnx``, so the check's own
    classes read it with graph optimisations on, as they read the shipped float and int8 files."""
    folder = scratch / f"variant-{name}"
    folder.mkdir()
    for support in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(FOLDERS[model] / support, folder / support)
    shutil.copyfile(path, folder / "model.onnx")
    return folder


def reader(folder: str | Path, model: str, threads: int):
    """The probabilities of the check's own runtime class for the model, loaded from ``folder``."""
    from coherence.belonging.local import LocalCoherenceModel
    from coherence.runtime.nli import NLIModel

    if model == "nli":
        return NLIModel(folder, threads=threads).load().probabilities
    return LocalCoherenceModel(folder, with_stack=False, threads=threads).load().probabilities


def speed_and_memory(folder: Path, model: str, pairs_file: Path, threads: int) -> dict:
    """In a fresh process: memory growth from before the session to after five reads; their median time."""
    code = f"""
import json, statistics, sys, time
sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(Path(__file__).parent)!r})
import onnxruntime, tokenizers
from cross_encoder_variants import reader
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024
pairs = [tuple(p) for p in json.load(open({str(pairs_file)!r}))]
before = rss()
read = reader({str(folder)!r}, {model!r}, {threads})
times = []
for _ in range(5):
    start = time.perf_counter()
    read(pairs)
    times.append(time.perf_counter() - start)
print(json.dumps({{"seconds": statistics.median(times), "memory_mib": rss() - before}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"timing {folder.name} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=tuple(FOLDERS), default="nli")
    parser.add_argument("--docs", type=int, default=200, help="dev documents whose pairs are compared")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if not DEV.is_dir():
        sys.exit(f"needs {DEV} (the shared data beside the clone)")
    column = 0 if args.model == "nli" else 1  # contradiction / "breaks the thread"
    recorded = Path(tempfile.gettempdir()) / f"coherence-variant-pairs-{args.model}-{args.docs}.json"
    if recorded.is_file():  # recording takes minutes: a re-run reuses this run's own recording
        dev_pairs, thirty = ([tuple(p) for p in part] for part in json.loads(recorded.read_text()))
    else:
        dev_pairs, thirty = record_pairs(args.model, args.docs, args.threads)
        recorded.write_text(json.dumps([dev_pairs, thirty]))
    print(f"{args.model}: {len(dev_pairs)} distinct dev pairs; the 30-sentence article: {len(thirty)} pairs")
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        pairs_file = scratch / "thirty.json"
        pairs_file.write_text(json.dumps(thirty))
        paths = build_variants(args.model, scratch)
        sizes = {name: path.stat().st_size for name, path in paths.items()}
        folders = {name: variant_folder(name, path, args.model, scratch) for name, path in paths.items()}
        reference = reader(folders["float32"], args.model, args.threads)(dev_pairs)[:, column]
        for name, folder in folders.items():
            figures = speed_and_memory(folder, args.model, pairs_file, args.threads)
            got = reader(folder, args.model, args.threads)(dev_pairs)[:, column]
            change = np.abs(got - reference)
            crossings = " ".join(f"{cut}: +{int(((got >= cut) & (reference < cut)).sum())}"
                                 f"/-{int(((got < cut) & (reference >= cut)).sum())}" for cut in CUTS)
            print(f"{name:11} {sizes[name] / 2**20:5.0f} MiB file  {figures['seconds']:.3f} s  "
                  f"+{figures['memory_mib']:.0f} MiB  change max {change.max():.3f} mean {change.mean():.4f}  "
                  f"crossings {crossings}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
