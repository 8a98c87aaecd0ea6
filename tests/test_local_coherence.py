"""The local-coherence model, the off-topic stack and the making of their training data (no shipped model needed)."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from coherence.belonging.local import (
    STACK_FILE,
    LocalCoherenceModel,
    OffTopicStack,
    candidates,
    load_stack,
    local_pairs,
    neighbour_context,
)
from coherence.belonging.features import sentence_features
from coherence.training.train_local import belonging_trained_on, calibrated_cuts, make_examples, split_articles
from coherence.errors import ModelError

from .conftest import build_tiny_export

STACK = OffTopicStack(w_belonging=1.0, w_local=2.0, bias=0.0, local_default=0.5,
                      thresholds={"suggestion": 0.4, "warning": 0.6, "error": 0.9}, metadata={})


def test_sentences_are_read_with_their_neighbours():
    texts = ["Lead.", "Second.", "Third."]
    assert local_pairs(texts, [1, 2]) == [("Second.", "Lead. [SEP] Third."), ("Third.", "Second. [SEP] (end)")]
    assert local_pairs(texts, [0]) == [("Lead.", "(start) [SEP] Second.")]
    assert neighbour_context(None, "Next.") == "(start) [SEP] Next."
    # a model trained with the lead reads it first
    assert local_pairs(texts, [2], reads_lead=True) == [("Third.", "Lead. [SEP] Second. [SEP] (end)")]


def test_the_cross_encoder_reads_the_belonging_models_top_candidates_never_the_lead():
    belonging = np.array([0.99, 0.1, 0.7, 0.2, 0.9, 0.05, 0.3, 0.4])
    assert candidates(belonging, 3) == [2, 4, 7]
    assert candidates(np.array([0.9, 0.1]), 5) == [1]


def test_stack_raises_a_sentence_that_breaks_the_thread_and_unread_ones_keep_the_default():
    belonging = np.array([0.2, 0.2, 0.2])
    local = np.array([np.nan, 0.05, 0.95])
    combined = STACK.combine(belonging, local)
    assert combined[0] == pytest.approx(0.2)  # unread: the default 0.5 adds nothing here
    assert combined[2] > 0.5 > combined[1]
    alone = OffTopicStack(1.0, 0.0, 0.0, 0.5, STACK.thresholds, {}).combine(belonging, local)
    assert alone == pytest.approx(belonging)


def test_stack_round_trips_and_a_broken_one_is_a_clear_error(tmp_path):
    (tmp_path / STACK_FILE).write_text(json.dumps(STACK.to_json()), encoding="utf-8")
    assert load_stack(tmp_path) == STACK
    with pytest.raises(ModelError, match="not found"):
        load_stack(tmp_path / "missing")
    (tmp_path / STACK_FILE).write_text('{"w_belonging": 1}', encoding="utf-8")
    with pytest.raises(ModelError, match="unreadable"):
        load_stack(tmp_path)


def test_local_model_scores_the_positions_it_is_given(tmp_path):
    pytest.importorskip("torch")
    path = build_tiny_export(tmp_path / "local", {0: "fits", 1: "breaks"}, "local-coherence")
    (path / STACK_FILE).write_text(json.dumps(STACK.to_json()), encoding="utf-8")
    model = LocalCoherenceModel(path)
    scores = model.predict(["the police said", "men were arrested in london", "storm hit the coast"], [2])
    assert np.isnan(scores[:2]).all() and 0 < scores[2] < 1
    assert model.stack == STACK
    nli_shaped = build_tiny_export(tmp_path / "nli", {0: "contradiction", 1: "entailment", 2: "neutral"}, "nli")
    (nli_shaped / STACK_FILE).write_text(json.dumps(STACK.to_json()), encoding="utf-8")
    with pytest.raises(ModelError, match="3 labels, expected 2"):
        LocalCoherenceModel(nli_shaped).predict(["a", "b"], [1])


def test_a_model_whose_config_says_it_reads_the_lead_is_given_the_lead(tmp_path):
    pytest.importorskip("torch")
    from coherence.belonging.local import LEAD_MAX_LENGTH, READS_LEAD

    path = build_tiny_export(tmp_path / "local", {0: "fits", 1: "breaks"}, "local-coherence")
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    (path / "config.json").write_text(json.dumps({**config, READS_LEAD: True}), encoding="utf-8")
    model = LocalCoherenceModel(path, with_stack=False)
    seen = []
    model.probabilities = lambda pairs: seen.extend(pairs) or np.full((len(pairs), 2), 0.5)
    model.predict(["the police said", "men were arrested", "storm hit the coast"], [2])
    assert model.reads_lead and model.max_length == LEAD_MAX_LENGTH
    assert seen == [("storm hit the coast", "the police said [SEP] men were arrested [SEP] (end)")]


ARTICLES = [(f"art{k}", [f"Story {k} sentence {i}." for i in range(6)]) for k in range(10)]


def test_training_examples_are_real_neighbours_or_sentences_of_another_article():
    near = [[(k + 1) % 10, (k + 2) % 10] for k in range(10)]
    examples = make_examples(ARTICLES, near, 400, seed=3)
    assert examples == make_examples(ARTICLES, near, 400, seed=3)  # deterministic
    labels = [y for *_, y in examples]
    assert 0.4 < np.mean(labels) < 0.6
    for sentence, context, label in examples:
        story = sentence.split()[1]
        neighbours = context.split(" [SEP] ")
        real = [n for n in neighbours if n != "(end)"]
        if label == 0:  # in place: at most one neighbour is foreign (as next to an intruder)
            assert sum(n.split()[1] != story for n in real) <= 1
            assert any(n.split()[1] == story for n in real) or len(real) == 1
        else:  # the intruder's neighbours are its host's, never its own story's
            assert not any(n.split()[1:2] == [story] for n in neighbours)
        assert not sentence.endswith("sentence 0.")  # leads are never used as intruders or judged


def test_article_split_is_fixed_and_disjoint():
    a, b = split_articles(ARTICLES)
    ids = lambda part: sorted(x for x, _ in part)  # noqa: E731
    assert (ids(a), ids(b)) == tuple(map(ids, split_articles(list(reversed(ARTICLES)))))
    assert len(a) == 7 and len(b) == 3 and not {x for x, _ in a} & {x for x, _ in b}


def test_cuts_come_from_best_f1_and_the_clean_documents():
    documents = [{"stacked": np.array([0.1, 0.8]), "label": np.array([False, True])} for _ in range(20)]
    documents += [{"stacked": np.array([0.1, 0.3]), "label": np.array([False, False])} for _ in range(20)]
    cuts = calibrated_cuts(documents, "stacked")
    assert 0.3 < cuts["suggestion"] <= 0.8
    assert cuts["error"] == pytest.approx(0.3, abs=1e-3) or cuts["error"] == cuts["suggestion"]
    assert cuts["suggestion"] <= cuts["warning"] <= cuts["error"]


class StoryEmbedder:
    """Sentences of one story share a direction (plus a little per-sentence noise): intruders are plain to see."""

    stories = np.random.default_rng(0).normal(size=(10, 16))

    def encode(self, texts):
        noise = [np.random.default_rng(zlib.crc32(t.encode())).normal(size=16) for t in texts]
        vectors = np.stack([self.stories[int(t.split()[1])] + 0.3 * e for t, e in zip(texts, noise)])
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_a_belonging_model_trained_on_split_a_finds_an_intruder_in_an_article_of_split_b():
    train, held_out = split_articles(ARTICLES)
    embedder = StoryEmbedder()
    model = belonging_trained_on(train, embedder)
    host, intruder = held_out[0][1], train[0][1][2]  # a host the model never saw
    spliced = host[:3] + [intruder] + host[3:]
    scores = model.predict(sentence_features(spliced, embedder.encode(spliced), None))
    assert scores.shape == (len(spliced),) and ((0 <= scores) & (scores <= 1)).all()
    assert scores.argmax() == 3
