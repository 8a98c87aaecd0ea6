"""Per-sentence evidence that a sentence belongs to its story.

Topical similarity alone cannot tell "Pompeo in Sochi" from "Pompeo in Iran", so each sentence is
described by how it relates to the rest of the article (leave-one-out centroid, nearest
sentences, its neighbours in the running text), to the story's anchor (headline and lead), and by
whether its names and words occur anywhere else in the article. A small trained model
(``model.py``) turns these into a score. Every feature is relative to the article itself, so the
same model serves short and long copy.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .. import entities

FEATURE_NAMES = (
    "loo",
    "loo_z",
    "loo_rank",
    "loo_gap",
    "max_sim",
    "top3",
    "top3_z",
    "neighbours",
    "bridge",
    "lead",
    "anchor",
    "anchor_z",
    "name_novel",
    "name_count",
    "word_novel",
    "word_novel_z",
    "rare_novel",
    "rare_novel_z",
    "rare_shared",
    "lex_max",
    "lex_neighbours",
    "quote",
    "log_words",
    "position",
    "log_n",
    "cohesion",
)


def _z(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / (values.std() + 1e-6)


def _rank(values: np.ndarray) -> np.ndarray:
    order = values.argsort().argsort().astype(np.float64)
    return order / max(len(values) - 1, 1)


def _novelty(items: list[set[str]], others_vocab: list[set[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Share of each sentence's terms found in no other sentence (names also match plain words)."""
    novel = np.zeros(len(items))
    counts = np.zeros(len(items))
    for i, terms in enumerate(items):
        counts[i] = len(terms)
        if terms:
            novel[i] = sum(t not in others_vocab[i] for t in terms) / len(terms)
    return novel, counts


def _vocab_without(sets: list[set[str]]) -> list[set[str]]:
    """For each i, the union of all sets but the i-th (multiset counting keeps this O(n))."""
    from collections import Counter

    total = Counter()
    for s in sets:
        total.update(s)
    return [{t for t, c in total.items() if c - (t in s) > 0} for s in sets]


@lru_cache(maxsize=200_000)
def rarity(word: str) -> float:
    """How surprising a word is in general English (0 for 'the', ~6 for a rare name)."""
    from wordfreq import zipf_frequency

    return max(0.25, 7.0 - zipf_frequency(word, "en"))


def _weighted_overlap(a: dict[str, float], b: dict[str, float]) -> float:
    shared = sum(w for t, w in a.items() if t in b)
    return shared / max(min(sum(a.values()), sum(b.values())), 1e-6)


def _lexical(texts: list[str], vocab_without: list[set[str]]) -> tuple[np.ndarray, ...]:
    """Rarity-weighted word evidence: a rare word that no other sentence uses is a strong cue."""
    n = len(texts)
    bags = [{entities.stem(w): rarity(entities.normalise(w)) for w in entities.raw_content_words(t)} for t in texts]
    rare_novel, rare_shared, lex_max, lex_neigh = (np.zeros(n) for _ in range(4))
    for i, bag in enumerate(bags):
        total = sum(bag.values())
        novel = sum(w for t, w in bag.items() if t not in vocab_without[i])
        rare_novel[i] = novel / total if total else 0.0
        rare_shared[i] = math.log1p(total - novel)
        overlaps = [_weighted_overlap(bag, bags[j]) if bag and bags[j] else 0.0 for j in range(n)]
        overlaps[i] = -1.0
        lex_max[i] = max(overlaps)
        lex_neigh[i] = float(np.mean([overlaps[j] for j in (i - 1, i + 1) if 0 <= j < n]))
    return rare_novel, rare_shared, lex_max, lex_neigh


def document_features(document, embeddings: np.ndarray) -> np.ndarray:
    """``sentence_features`` of a ``Document``'s body, from the embeddings of all its sentences (headline included)."""
    body, headline = document.body, document.headline
    return sentence_features([s.text for s in body], embeddings[[s.index for s in body]],
                             embeddings[headline.index] if headline else None)


def sentence_features(texts: list[str], embeddings: np.ndarray, headline_embedding: np.ndarray | None) -> np.ndarray:
    """Feature matrix (n, len(FEATURE_NAMES)) for the body sentences of one article (n >= 2)."""
    n = len(texts)
    sims = embeddings @ embeddings.T
    np.fill_diagonal(sims, np.nan)
    total = embeddings.sum(axis=0)
    loo_vectors = total[None, :] - embeddings
    loo_vectors /= np.maximum(np.linalg.norm(loo_vectors, axis=1, keepdims=True), 1e-12)
    loo = (embeddings * loo_vectors).sum(axis=1)

    others = np.where(np.isnan(sims), -np.inf, sims)
    max_sim = others.max(axis=1)
    k = min(3, n - 1)
    top3 = np.sort(others, axis=1)[:, -k:].mean(axis=1)

    neighbours = np.zeros(n)
    bridge = np.zeros(n)
    for i in range(n):
        near = [sims[i, j] for j in (i - 1, i + 1) if 0 <= j < n]
        neighbours[i] = float(np.mean(near))
        if 0 < i < n - 1:
            # An inserted sentence separates two sentences that read well together.
            bridge[i] = sims[i - 1, i + 1] - neighbours[i]

    lead = np.array([sims[i, 0] if i > 0 else sims[0, 1] for i in range(n)])
    anchor_vec = embeddings[0] if headline_embedding is None else headline_embedding + embeddings[0]
    anchor_vec = anchor_vec / max(np.linalg.norm(anchor_vec), 1e-12)
    anchor = embeddings @ anchor_vec

    name_sets = [entities.names(t) for t in texts]
    word_sets = [entities.content_words(t) for t in texts]
    vocab = _vocab_without([a | b for a, b in zip(name_sets, word_sets)])
    name_novel, name_count = _novelty(name_sets, vocab)
    word_novel, _ = _novelty(word_sets, vocab)
    rare_novel, rare_shared, lex_max, lex_neigh = _lexical(texts, vocab)

    quote = np.array([float(t.lstrip()[:1] in "\"“'‘" or t.rstrip()[-1:] in "\"”") for t in texts])
    log_words = np.array([math.log1p(len(t.split())) for t in texts])
    position = np.arange(n) / max(n - 1, 1)
    cohesion = float(np.nanmean(sims)) if n > 1 else 0.0

    columns = [
        loo, _z(loo), _rank(loo), loo - np.median(loo), max_sim, top3, _z(top3), neighbours, bridge, lead,
        anchor, _z(anchor), name_novel, np.log1p(name_count), word_novel, _z(word_novel),
        rare_novel, _z(rare_novel), rare_shared, lex_max, lex_neigh, quote, log_words,
        position, np.full(n, math.log(n)), np.full(n, cohesion),
    ]
    return np.stack(columns, axis=1).astype(np.float64)
