"""Activation smoothing before int8 (coherence/training/smoothing.py): the same function, flatter inputs."""

from __future__ import annotations

import numpy as np
import pytest

from coherence.training import smoothing

from .conftest import build_tiny_bert, write_calibration_articles


@pytest.mark.parametrize("name, kept", [
    ("bert.encoder.layer.0.output.dense", True),                    # feed-forward down-projection
    ("/model/bert/encoder/layer.3/output/dense/MatMul", True),      # the same, as an ONNX node
    ("bert.encoder.layer.0.attention.output.dense", False),
    ("/model/bert/encoder/layer.0/attention/self/query/MatMul", False),
    ("bert.encoder.layer.2.intermediate.dense", False),
    ("bert.pooler.dense", True),
    ("classifier", True),
])
def test_which_matrices_stay_float(name, kept):
    assert smoothing.kept_float(name) is kept


@pytest.mark.parametrize("name, kept", [
    ("bert.encoder.layer.1.output.dense", True),                    # an early layer's down-projection
    ("/model/bert/encoder/layer.1/output/dense/MatMul", True),
    ("bert.encoder.layer.2.output.dense", False),                   # a later layer's: int8
    ("/model/bert/encoder/layer.5/output/dense/MatMul", False),
    ("bert.encoder.layer.5.attention.output.dense", False),
    ("bert.pooler.dense", True),
])
def test_the_nli_model_quantises_the_later_layers_down_projections(name, kept):
    assert smoothing.INT8_DOWN_PROJECTIONS["nli"] == (2, 3, 4, 5)
    assert smoothing.kept_float(name, smoothing.INT8_DOWN_PROJECTIONS["nli"]) is kept


def test_calibration_text_is_seeded_and_pairs_come_from_one_article(tmp_path):
    path = write_calibration_articles(tmp_path / "articles.jsonl")
    pairs = smoothing.calibration_texts(path, pairs=True)
    assert pairs and pairs == smoothing.calibration_texts(path, pairs=True)
    assert all(isinstance(p, tuple) and p[0] != p[1] for p in pairs)
    sentences = smoothing.calibration_texts(path, pairs=False)
    assert sentences and all(isinstance(s, str) for s in sentences)


def test_smoothing_keeps_the_model_function_and_flattens_the_inputs_of_what_is_quantised(tmp_path):
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = build_tiny_bert(tmp_path / "nli", {0: "contradiction", 1: "entailment", 2: "neutral"})
    model = AutoModelForSequenceClassification.from_pretrained(str(folder)).float().eval()
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    pairs = smoothing.calibration_texts(write_calibration_articles(tmp_path / "a.jsonl"), pairs=True)
    with torch.no_grad():  # one channel of the layer-norm output made 50 times larger: an outlier
        model.bert.embeddings.LayerNorm.weight[3] *= 50.0
    maxima = smoothing.input_maxima(model, tokenizer, pairs, 64)
    query = "bert.encoder.layer.0.attention.self.query"
    spread = float(maxima[query].max() / maxima[query].median())
    encoded = tokenizer([a for a, _ in pairs], [b for _, b in pairs], padding=True, return_tensors="pt")
    with torch.no_grad():
        before = model(**encoded).logits.numpy()
        linear_layers = sum(isinstance(m, torch.nn.Linear) for m in model.modules())
        replaced = smoothing.smooth(model, maxima)
        after = model(**encoded).logits.numpy()
    kept = sum(smoothing.kept_float(n) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear))
    assert replaced == linear_layers - kept and replaced > 0
    np.testing.assert_allclose(after, before, atol=1e-5)
    smoothed = smoothing.input_maxima(model, tokenizer, pairs, 64)[query + ".linear"]
    smoothed_inputs = maxima[query] * model.bert.encoder.layer[0].attention.self.query.inverse.flatten()
    assert torch.allclose(smoothed, smoothed_inputs, rtol=1e-4)
    assert float(smoothed.max() / smoothed.median()) < spread / 2
