"""A sentence-pair classifier (cross-encoder) in a local folder, loaded lazily, read in length-sorted batches.

The NLI model (``nli.py``) and the local-coherence model (``belonging/local.py``) are both such models:
this is where either is found, checked, loaded in the chosen precision and run. torch and transformers
are imported on first use, so importing this module is cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def check_folder(path: Path, kind: str) -> None:
    """Raise FileNotFoundError naming what is missing, so the user knows where we looked."""
    if not path.is_dir():
        raise FileNotFoundError(f"{kind} folder not found: {path}")
    missing = [name for name in ("config.json",) if not (path / name).is_file()]
    if not any((path / w).is_file() for w in _WEIGHT_FILES):
        missing.append(" or ".join(_WEIGHT_FILES))
    if not any((path / t).is_file() for t in ("tokenizer.json", "vocab.txt")):
        missing.append("tokenizer.json or vocab.txt")
    if missing:
        raise FileNotFoundError(f"{kind} folder {path} is incomplete: missing {', '.join(missing)}")


class CrossEncoder:
    """Softmax probabilities over the model's labels for (text, text) pairs."""

    kind = "cross-encoder"  # how messages name the model
    num_labels: int | None = None  # the labels a model of this kind must have (None: any)

    def __init__(self, path: str | Path, batch_size: int = 32, max_length: int = 256, precision: str = "float32"):
        self.path = Path(path)
        self.batch_size = batch_size
        self.max_length = max_length
        self.precision = precision  # see coherence/precision.py
        self._model = None
        self._tokenizer = None

    def load(self) -> CrossEncoder:
        """Load the model now (it is otherwise loaded on first use); a missing or broken folder raises here."""
        if self._model is not None:
            return self
        check_folder(self.path, self.kind)
        import os

        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from ..precision import torch_dtype

        hf_logging.disable_progress_bar()
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(str(self.path), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise FileNotFoundError(f"{self.kind} folder {self.path} could not be loaded: {exc}") from exc
        if self.num_labels is not None and model.config.num_labels != self.num_labels:
            raise FileNotFoundError(f"{self.kind} in {self.path} has {model.config.num_labels} labels, "
                                    f"expected {self.num_labels}")
        self._tokenizer = tokenizer
        self._model = model.to(torch_dtype(self.precision)).eval()
        self._loaded(model.config)
        return self

    def _loaded(self, config) -> None:
        """Hook for subclasses to read the loaded model's configuration (its label names)."""

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Shape ``(len(pairs), labels)``, columns in the model's own label order."""
        self.load()
        import torch

        labels = self._model.config.num_labels
        out = np.zeros((len(pairs), labels), dtype=np.float32)
        # sort by length so that each batch pads little
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self._tokenizer([pairs[i][0] for i in idx], [pairs[i][1] for i in idx], padding=True,
                                        truncation=True, max_length=self.max_length, return_tensors="pt")
                logits = self._model(**batch).logits.float()
                out[idx] = torch.softmax(logits, dim=-1).cpu().numpy()
        return out
