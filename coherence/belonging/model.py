"""The belonging model: a small MLP over ``features.FEATURE_NAMES``, shipped as plain JSON.

JSON rather than a pickle: it loads without executing code and reads the same under any
scikit-learn version. Inference is a few numpy matrix products.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .features import FEATURE_NAMES

DEFAULT_PATH = Path(__file__).resolve().parent.parent.parent / "models" / "belonging" / "belonging-mlp.json"


@dataclass(frozen=True)
class BelongingModel:
    mean: np.ndarray
    scale: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    metadata: dict

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Probability that each row's sentence does not belong to its article."""
        h = (features - self.mean) / self.scale
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w + b
            if layer < len(self.weights) - 1:
                h = np.maximum(h, 0.0)
        return 1.0 / (1.0 + np.exp(-h[:, 0]))

    def to_json(self) -> dict:
        return {
            "format": "coherence-belonging-mlp/1",
            "features": list(FEATURE_NAMES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "layers": [{"weight": w.tolist(), "bias": b.tolist()} for w, b in zip(self.weights, self.biases)],
            "metadata": self.metadata,
        }

    @classmethod
    def from_json(cls, data: dict) -> "BelongingModel":
        if data.get("features") != list(FEATURE_NAMES):
            raise ModelError("belonging model was trained on other features than this version computes; retrain it")
        return cls(
            mean=np.asarray(data["mean"]),
            scale=np.asarray(data["scale"]),
            weights=tuple(np.asarray(layer["weight"]) for layer in data["layers"]),
            biases=tuple(np.asarray(layer["bias"]) for layer in data["layers"]),
            metadata=data.get("metadata", {}),
        )


def load_belonging_model(path: Path | str = DEFAULT_PATH) -> BelongingModel:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"belonging model not found at '{path}'") from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"belonging model at '{path}' is unreadable: {exc}") from exc
    return BelongingModel.from_json(data)
