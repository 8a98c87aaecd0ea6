"""A sentence-pair classifier (cross-encoder) exported to ONNX, loaded lazily, each pair read on its own.

The NLI model (``nli.py``) and the local-coherence model (``belonging/local.py``) are both such models:
this is where either is found, checked, loaded and run. onnxruntime and tokenizers are imported on
first use, so importing this module is cheap.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ModelError
from .onnx_model import OnnxEncoder


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


class CrossEncoder:
    """Softmax probabilities over the model's labels for (text, text) pairs."""

    kind = "cross-encoder"  # how messages name the model
    export_kind = "nli"  # the `coherence.training.export` command that makes this kind of folder
    num_labels: int | None = None  # the labels a model of this kind must have (None: any)

    def __init__(self, path: str | Path, max_length: int = 256, precision: str = "auto", threads: int | None = None):
        self.path = Path(path)
        self.max_length = max_length
        self.precision = precision  # which exported file: see coherence/precision.py
        self.threads = threads
        self._encoder: OnnxEncoder | None = None

    def load(self) -> CrossEncoder:
        """Load the model now (it is otherwise loaded on first use); a missing, old or broken folder raises here."""
        if self._encoder is not None:
            return self
        try:
            config = json.loads((self.path / "config.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            if not self.path.is_dir():
                raise ModelError(f"{self.kind} folder not found: '{self.path}'") from None
            raise ModelError(f"{self.kind} folder '{self.path}' is incomplete: missing config.json") from None
        except (OSError, ValueError) as exc:
            raise ModelError(f"{self.kind} folder '{self.path}': config.json is unreadable: {exc}") from exc
        self._loaded(config)
        encoder = OnnxEncoder(self.path, self.kind, self.export_kind, self.max_length, self.precision, self.threads)
        if self.num_labels is not None and encoder.output_width != self.num_labels:
            raise ModelError(f"{self.kind} in '{self.path}' has {encoder.output_width} labels, "
                             f"expected {self.num_labels}")
        self._encoder = encoder
        return self

    def _loaded(self, config: dict) -> None:
        """Hook for subclasses to read the model's config.json (its label names, what it reads) before it loads."""

    @property
    def file(self) -> Path:
        """The ONNX file that runs."""
        return self.load()._encoder.file

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Shape ``(len(pairs), labels)``, columns in the model's own label order."""
        self.load()
        if len(pairs) == 0:
            return np.zeros((0, self._encoder.output_width), dtype=np.float32)
        return np.stack(self._encoder.map(pairs, lambda logits: softmax(logits.astype(np.float32))))
