"""NLI cross-encoder used by the contradiction checks.

``NLIModel(path).predict([(premise, hypothesis), ...])`` returns an ``(n, 3)`` array of softmax probabilities in
the order of ``LABELS``: contradiction, entailment, neutral. torch and transformers are imported lazily, on first
use, so importing this module is cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

LABELS = ("contradiction", "entailment", "neutral")

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def default_nli_path() -> Path:
    """The shipped model folder: ``models/nli-minilm-l6`` at the repository root."""
    return Path(__file__).resolve().parent.parent / "models" / "nli-minilm-l6"


def _check_folder(path: Path) -> None:
    if not path.is_dir():
        raise FileNotFoundError(f"NLI model folder not found: {path}")
    missing = [name for name in ("config.json",) if not (path / name).is_file()]
    if not any((path / w).is_file() for w in _WEIGHT_FILES):
        missing.append(" or ".join(_WEIGHT_FILES))
    if not any((path / t).is_file() for t in ("tokenizer.json", "vocab.txt")):
        missing.append("tokenizer.json or vocab.txt")
    if missing:
        raise FileNotFoundError(f"NLI model folder {path} is incomplete: missing {', '.join(missing)}")


class NLIModel:
    """3-way NLI cross-encoder (contradiction, entailment, neutral), loaded lazily from a local folder."""

    def __init__(self, path: str | Path | None = None, batch_size: int = 32, max_length: int = 256,
                 precision: str = "float32"):
        self.path = Path(path) if path is not None else default_nli_path()
        self.precision = precision  # see coherence/precision.py
        self.batch_size = batch_size
        self.max_length = max_length
        self._model = None
        self._tokenizer = None
        self._order: list[int] | None = None  # model output index for each of LABELS

    def _load(self) -> None:
        if self._model is not None:
            return
        _check_folder(self.path)
        import os

        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(str(self.path), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise FileNotFoundError(f"NLI model folder {self.path} could not be loaded: {exc}") from exc
        if model.config.num_labels != 3:
            raise FileNotFoundError(
                f"NLI model in {self.path} has {model.config.num_labels} labels, expected 3 ({', '.join(LABELS)})")
        from .precision import torch_dtype

        model = model.to(torch_dtype(self.precision)).eval()
        id2label = {int(k): str(v).lower() for k, v in (model.config.id2label or {}).items()}
        if sorted(id2label.values()) == sorted(LABELS):
            by_name = {v: k for k, v in id2label.items()}
            self._order = [by_name[name] for name in LABELS]
        else:  # generic LABEL_0.. names: assume the training order
            self._order = [0, 1, 2]
        self._tokenizer = tokenizer
        self._model = model

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Softmax probabilities, shape ``(len(pairs), 3)``, columns in the order of ``LABELS``."""
        if len(pairs) == 0:
            return np.zeros((0, 3), dtype=np.float32)
        self._load()
        import torch

        # sort by length so that each batch pads little
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        out = np.zeros((len(pairs), 3), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self._tokenizer([pairs[i][0] for i in idx], [pairs[i][1] for i in idx], padding=True,
                                        truncation=True, max_length=self.max_length, return_tensors="pt")
                logits = self._model(**batch).logits.float()
                probs = torch.softmax(logits, dim=-1)[:, self._order].cpu().numpy()
                out[idx] = probs
        return out
