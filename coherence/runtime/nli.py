"""NLI cross-encoder used by the contradiction and headline checks.

``NLIModel(path).predict([(premise, hypothesis), ...])`` returns an ``(n, 3)`` array of softmax probabilities in
the order of ``LABELS``: contradiction, entailment, neutral. It runs on ONNX Runtime (``cross_encoder.py``),
loaded on first use, so importing this module is cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from .cross_encoder import CrossEncoder

LABELS = ("contradiction", "entailment", "neutral")


def default_nli_path() -> Path:
    """The shipped model folder: ``models/nli-minilm-l6`` at the repository root."""
    return Path(__file__).resolve().parents[2] / "models" / "nli-minilm-l6"


class NLIModel(CrossEncoder):
    """3-way NLI cross-encoder (contradiction, entailment, neutral), loaded lazily from a local folder."""

    kind = "NLI model"
    num_labels = len(LABELS)

    def __init__(self, path: str | Path | None = None, max_length: int = 256, precision: str = "auto",
                 threads: int | None = None):
        super().__init__(path if path is not None else default_nli_path(), max_length, precision, threads)
        self._order: list[int] | None = None  # model output index for each of LABELS

    def _loaded(self, config: dict) -> None:
        id2label = {int(k): str(v).lower() for k, v in (config.get("id2label") or {}).items()}
        if sorted(id2label.values()) == sorted(LABELS):
            by_name = {v: k for k, v in id2label.items()}
            self._order = [by_name[name] for name in LABELS]
        else:  # generic LABEL_0.. names: assume the training order
            self._order = [0, 1, 2]

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Softmax probabilities, shape ``(len(pairs), 3)``, columns in the order of ``LABELS``."""
        if len(pairs) == 0:
            return np.zeros((0, 3), dtype=np.float32)
        return self.probabilities(pairs)[:, self._order]
