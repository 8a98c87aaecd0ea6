"""Fast tests for the generated NLI pairs and the NLI wrapper (tiny random BERT, no shipped model needed)."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from coherence.errors import ModelError
from coherence.runtime.nli import LABELS, NLIModel, default_nli_path
from coherence.training.news_pairs import (
    Article,
    change_date,
    change_number,
    change_number_word,
    change_place,
    change_year,
    generate_pairs,
    negate,
    reduce_sentence,
    swap_roles,
    unrelated_pairs,
)

from .conftest import build_tiny_export


def _tokens(s: str) -> list[str]:
    return re.findall(r"[\w,.]+|[^\w\s]", s)


def _diff(a: str, b: str) -> list[tuple[str, str]]:
    ta, tb = _tokens(a), _tokens(b)
    assert len(ta) == len(tb), (a, b)
    return [(x, y) for x, y in zip(ta, tb) if x != y]


def test_number_change_only_changes_that_number():
    s = "The charity raised 180,000 pounds for the 54-year-old teacher's school."
    for seed in range(20):
        out = change_number(s, random.Random(seed))
        assert out is not None and out != s
        diff = _diff(s, out)
        assert len(diff) == 1
        old, new = diff[0]
        assert re.fullmatch(r"[\d,]+(-year-old)?", old) and re.fullmatch(r"[\d,]+(-year-old)?", new)
        assert old != new


def test_number_keeps_thousands_format():
    out = change_number("Police said 180,000 people marched.", random.Random(1))
    assert re.search(r"\b\d{1,3}(,\d{3})+\b", out)
    assert "180,000" not in out


def test_year_date_place_and_number_word_changes():
    rng = random.Random(3)
    y = change_year("The bridge opened in 1998 after a long delay.", rng)
    assert y is not None and "1998" not in y and re.search(r"\b(19|20)\d\d\b", y)
    d = change_date("The vote took place on Monday in March.", rng)
    assert d is not None and d != "The vote took place on Monday in March."
    p = change_place("The team flew to London on Friday.", rng)
    assert p is not None and "London" not in p and len(_diff("The team flew to London on Friday.", p)) >= 1
    w = change_number_word("Three men were arrested at the scene.", rng)
    assert w is not None and not w.startswith("Three") and w[0].isupper()


def test_negation_and_antonyms():
    rng = random.Random(0)
    assert negate("The company did not confirm the deal.", rng) in {
        "The company did confirm the deal.", "The company did not deny the deal."}
    assert negate("Chelsea won the match on Sunday.", rng) == "Chelsea lost the match on Sunday."
    out = negate("The minister was aware of the report.", rng)
    assert out == "The minister was not aware of the report."


def test_swap_roles():
    assert swap_roles("Chelsea beat Arsenal at the Emirates.", random.Random(0)) == \
        "Arsenal beat Chelsea at the Emirates."


def test_reduce_sentence_entailments():
    kind, out = reduce_sentence("On Monday, the council approved the new budget for the city.", random.Random(0))
    assert kind == "reduce_leading" and out == "The council approved the new budget for the city."
    kind, out = reduce_sentence("The mayor opened the new library in the town centre, which cost 3 million pounds.",
                                random.Random(0))
    assert kind == "reduce_clause" and out == "The mayor opened the new library in the town centre."


ARTICLES = [
    Article("a1", ["The council approved a budget of 180,000 pounds on Monday.",
                   "Police said three men were arrested in London after the match.",
                   "The mayor, who took office in 2019, did not attend the meeting.",
                   "Chelsea beat Arsenal at the Emirates, ending a run of five defeats."]),
    Article("a2", ["The storm hit the coast of Florida on Tuesday, leaving 2,000 homes without power.",
                   "Officials said the damage was not as bad as feared.",
                   "Schools will reopen in March, the governor said.",
                   "The 54-year-old fisherman was rescued by a passing boat."]),
    Article("a3", ["Prices rose by 4.5 per cent in the year to April.",
                   "The bank confirmed that rates would stay at 0.5 per cent.",
                   "Economists had expected a larger increase in the spring.",
                   "The figures were published in Paris on Thursday."]),
]


def test_generate_pairs_deterministic_and_labelled():
    a = generate_pairs(ARTICLES, 60, seed=5, split="all")
    b = generate_pairs(ARTICLES, 60, seed=5, split="all")
    assert a == b
    assert {p.label for p in a} == {"contradiction", "entailment", "neutral"}
    for p in a:
        if p.label == "contradiction":
            assert p.hypothesis not in p.premise  # a changed fact, never a copy
        if p.kind.startswith("context_"):
            assert p.hypothesis in p.premise and p.hypothesis != p.premise
        if p.kind == "number":
            assert len(_diff(p.premise, p.hypothesis)) == 1
        if p.kind == "neutral_unrelated":
            assert p.hypothesis not in " ".join(next(x for x in ARTICLES if x.id == p.article).sentences)
    c = generate_pairs(ARTICLES, 60, seed=6, split="all")
    assert a != c


def test_unrelated_pairs_come_from_two_articles():
    pairs = unrelated_pairs(ARTICLES, 10, seed=1, split="all")
    where = {s: a.id for a in ARTICLES for s in a.sentences}
    assert len(pairs) == 10 and all(where[x] != where[y] for x, y in pairs)


# ---------------------------------------------------------------------------------------------------------------
# NLIModel with a tiny random BERT
# ---------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    pytest.importorskip("torch")
    return build_tiny_export(tmp_path_factory.mktemp("tiny_nli"), {0: "contradiction", 1: "entailment", 2: "neutral"},
                             "nli")


def test_nli_model_probabilities(tiny_model):
    nli = NLIModel(str(tiny_model), max_length=32)
    pairs = [("the police said", "men were arrested"), ("storm hit the coast", "the storm did not hit"),
             ("a", "b"), ("the council said men were arrested in london", "not")]
    probs = nli.predict(pairs)
    assert probs.shape == (4, 3)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert (probs >= 0).all()
    # a pair's probabilities do not depend on the pairs read with it, or on how many workers read them
    single = NLIModel(str(tiny_model), threads=1).predict([pairs[2]])
    assert np.array_equal(single[0], probs[2])
    assert nli.predict([]).shape == (0, 3)
    assert LABELS == ("contradiction", "entailment", "neutral")


def test_nli_model_missing_path(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelError, match=re.escape(str(missing))):
        NLIModel(str(missing)).predict([("a", "b")])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ModelError, match=re.escape(str(empty))):
        NLIModel(str(empty)).predict([("a", "b")])


def test_default_nli_path():
    p = default_nli_path()
    assert p.parts[-2:] == ("models", "nli-minilm-l6")
    assert (p.parent.parent / "coherence" / "runtime" / "nli.py").is_file()


def test_extra_nli_sets_keep_three_way_rows_and_sample_by_seed(tmp_path, monkeypatch):
    import json

    from coherence.training import train_nli

    rows = [{"premise": f"p{i}", "hypothesis": f"h{i}", "label": label, "genre": genre}
            for i, (label, genre) in enumerate([("entailment", ""), ("contradiction", ""), ("neutral", ""),
                                                ("not_entailment", ""), ("entailment", "paper:Smith 1999")] * 4)]
    (tmp_path / "mixed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(train_nli, "NLI_EXTRA", tmp_path)
    every = train_nli.read_extra("mixed", seed=1)
    assert len(every) == 12  # two-way rows and a publisher's examples are left out
    assert {y for _, _, y in every} == {0, 1, 2}
    sample = train_nli.read_extra("mixed:5", seed=1)
    assert len(sample) == 5 and set(sample) <= set(every)
    assert sample == train_nli.read_extra("mixed:5", seed=1)


def test_an_unknown_extra_set_or_count_is_refused_before_training(tmp_path, monkeypatch, capsys):
    from coherence.training import __main__ as cli
    from coherence.training import train_nli

    (tmp_path / "cad_snli.jsonl").write_text("", encoding="utf-8")
    monkeypatch.setattr(train_nli, "NLI_EXTRA", tmp_path)
    assert train_nli.extra_set("cad_snli:200") == "cad_snli:200"
    for spec, said in (("nosuch", "no set 'nosuch'"), ("cad_snli:x", "positive whole number"),
                       ("cad_snli:0", "positive whole number")):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["train", "--extra", spec, "--out", str(tmp_path / "out")])
        assert exit_info.value.code == 2
        assert said in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # refused before anything was written
