"""The off-topic training-data builder (``coherence.training.splices``) on a tiny corpus.

Real spaCy entities; a bag-of-words stand-in for the embedder, so that "similar" is plain word overlap.
"""

from __future__ import annotations

import json
import re
import zlib

import numpy as np
import pytest

from coherence.evaluation.runner import read_eval_file
from coherence.training import splices

CORPUS = [
    {"id": "budget", "date": "2020-01-10", "text": (
        "Mayor Maria Lopez of Springfield presented the city budget on Friday.\n\n"
        "The budget raises spending on schools by four percent. Lopez said the council would vote on it next week. "
        "Opposition councillors said the plan relied on optimistic tax forecasts.\n\n"
        "The council meets in Springfield city hall on Tuesday evening. Residents may speak for three minutes each.")},
    {"id": "flood", "date": "2020-03-01", "text": (
        "Floods closed three roads in Springfield on Sunday after two days of heavy rain.\n\n"
        "Mayor Maria Lopez visited the flooded streets near the river on Sunday afternoon. "
        "She promised emergency funds for the families whose homes were damaged. "
        "Firefighters rescued an elderly couple from their car on the river road.\n\n"
        "The weather service expects more rain in Springfield later this week.")},
    {"id": "budget-next-day", "date": "2020-01-11", "text": (
        "Springfield councillors began reading the budget of Mayor Maria Lopez on Saturday.\n\n"
        "Several councillors asked for more money for road repairs in the budget. "
        "The finance committee will publish its report on the budget on Monday. "
        "Lopez said she was open to small changes before the council vote.\n\n"
        "The vote is expected on Tuesday evening in Springfield city hall.")},
    {"id": "football", "date": "2020-02-02", "text": (
        "Leeds United beat Millwall two goals to one at Elland Road on Saturday.\n\n"
        "Patrick Bamford scored both goals for Leeds in the second half of the match. "
        "The win keeps Leeds at the top of the Championship table this season. "
        "Millwall had taken the lead through a penalty after twenty minutes.\n\n"
        "Leeds play Bristol City away from home next Saturday afternoon.")},
    {"id": "gap", "date": "2020-02-20", "text": (
        "A new bridge over the river in Springfield opened to traffic on Thursday morning.\n\n"
        "has told reporters that the bridge would cut journeys into the city by ten minutes. "
        "The bridge took three years to build and cost twelve million dollars in total. "
        "Cyclists have their own lane on the east side of the new bridge.\n\n"
        "The old ferry across the river will stop running at the end of the month.")},
    {"id": "election", "date": "2019-11-05", "text": (
        "Maria Lopez won the election for mayor of Springfield on Tuesday night.\n\n"
        "Lopez took fifty-five percent of the votes cast in the city election. "
        "Her opponent conceded defeat shortly after midnight in a short speech. "
        "Turnout was the highest the city has seen in twenty years of elections.\n\n"
        "Lopez will be sworn in as mayor of Springfield in January next year.")},
]


def bag_of_words(texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), 64))
    for i, text in enumerate(texts):
        for word in re.findall(r"[a-z]+", text.lower()):
            out[i, zlib.crc32(word.encode()) % 64] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


@pytest.fixture(scope="module")
def stories():
    return splices.read_stories(CORPUS, splices.spacy_analysis)


def build(stories, seed: int = 3, repeats: int = 2) -> list[dict]:
    return list(splices.splice_documents(stories, splices.centroids_of(stories, bag_of_words), seed, repeats, "tiny"))


def test_same_seed_same_documents_another_seed_others(stories):
    assert build(stories) == build(stories)
    assert build(stories, seed=4) != build(stories)


def test_each_host_gives_the_clean_copy_and_every_variant(stories):
    rows = build(stories, repeats=2)
    hosts = {r["host"] for r in rows}
    assert hosts == {"budget", "flood", "budget-next-day", "football", "election"}
    for host in hosts:
        variants = [r["variant"] for r in rows if r["host"] == host]
        assert variants.count("none") == 1
        assert all(variants.count(v) == 2 for v in splices.VARIANTS if v != "none")


def test_a_host_with_a_conversion_gap_is_skipped_and_never_lends_that_sentence(stories):
    gap = next(s for s in stories if s.id == "gap")
    assert gap.gaps == {1}
    rows = build(stories, repeats=3)
    assert not any(r["host"] == "gap" for r in rows)
    assert not any("has told reporters" in r["text"] for r in rows)


def test_intruders_are_donor_sentences_and_the_host_keeps_its_order(stories):
    by_id = {s.id: s for s in stories}
    for row in build(stories):
        host = by_id[row["host"]]
        taken = [row["text"][a:b] for a, b in row["intruders"]]
        donors = [by_id[d] for d in row["donors"]]
        assert len(taken) == len(donors)
        for sentence in taken:  # each intruder from a named donor, never its lead
            assert any(sentence in donor.donor_sentences() for donor in donors)
        assert row["text"].startswith(host.sentences[0])  # the lead is never touched
        rest = row["text"]
        for a, b in reversed(row["intruders"]):
            rest = rest[:a] + rest[b:]
        kept = [s for s in host.sentences if s in rest]
        positions = [rest.index(s) for s in kept]
        assert positions == sorted(positions)
        if row["variant"].startswith("insert") or row["variant"] == "patchwork":
            assert kept == host.sentences
        if row["variant"].startswith("replace"):
            assert len(kept) == len(host.sentences) - 1


def test_similar_donors_are_the_hard_kind_first(stories):
    by_id = {s.id: s for s in stories}
    lists = splices.donor_lists(stories, splices.centroids_of(stories, bag_of_words), 4)
    budget = [(stories[j].id, kind) for j, kind in lists[[s.id for s in stories].index("budget")]]
    # the flood, the bridge and the election name Springfield (and the mayor) weeks apart: other events;
    # the next day's budget story is the nearest by words, but the same event, so it only fills the list
    assert {d for d, kind in budget if kind == "hard"} == {"flood", "gap", "election"}
    assert budget[3] == ("budget-next-day", "near")
    assert splices.is_hard(by_id["budget"], by_id["flood"])
    assert not splices.is_hard(by_id["budget"], by_id["budget-next-day"])
    assert not splices.is_hard(by_id["budget"], by_id["football"])


def test_each_row_says_what_kind_of_donor_it_took(stories):
    kinds = {(r["host"], r["variant"]): r["donor_kind"] for r in build(stories)}
    assert kinds[("budget", "insert_similar")] == "hard"  # three hard donors: flood, bridge, election
    assert kinds[("football", "insert_similar")] == "near"  # no other article names Leeds or Millwall
    assert kinds[("budget", "insert_random")] == "random" and kinds[("budget", "none")] is None


def test_rows_are_the_eval_format(stories, tmp_path):
    path = tmp_path / "splices.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in build(stories)), encoding="utf-8")
    rows = read_eval_file(path)
    assert rows and all(r["has_intruder"] == bool(r["intruders"]) for r in rows)
    assert {r["split"] for r in rows} <= {"train", "validate"}


def test_command_line_refuses_a_missing_or_malformed_articles_file(tmp_path, capsys):
    assert splices.main(["--articles", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o.jsonl")]) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "fine."}\n{not json\n', encoding="utf-8")
    assert splices.main(["--articles", str(bad), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert "bad.jsonl:2: not a JSON line" in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()


def test_the_belonging_trainer_reads_the_built_documents(stories):
    from coherence.belonging.features import FEATURE_NAMES
    from coherence.training.train_belonging import training_set_from_splices

    rows = build(stories)
    features, labels, groups = training_set_from_splices(rows, bag_of_words)
    assert len(features) == len(labels) == len(rows)
    assert [int(y.sum()) for y in labels] == [len(r["intruders"]) for r in rows]
    assert all(f.shape == (len(y), len(FEATURE_NAMES)) for f, y in zip(features, labels))
    assert len(set(groups.tolist())) == len({r["host"] for r in rows})


def test_cross_encoder_examples_are_every_intruder_and_one_own_sentence_in_the_spliced_text(stories):
    from coherence.training.train_local import splice_examples

    rows = build(stories)
    examples = splice_examples(rows, 100_000, seed=0, reads_lead=True)
    intruders = {row["text"][a:b] for row in rows for a, b in row["intruders"]}
    leads = {s.sentences[0] for s in stories}
    assert sum(label for *_, label in examples) == sum(len(row["intruders"]) for row in rows)
    assert sum(1 - label for *_, label in examples) == len(rows)  # one own sentence a document
    for sentence, context, label in examples:
        assert sentence not in leads and (sentence in intruders if label else True)
        assert context.split(" [SEP] ")[0] in leads  # the lead first, then the neighbours
    assert len(splice_examples(rows, 10, seed=0, reads_lead=False)) == 10


def test_articles_marked_unusable_for_splicing_are_left_out(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "One."}) + "\n"
                    + json.dumps({"id": "b", "text": "Two.", "usable_for_splicing": False}) + "\n", encoding="utf-8")
    assert [row["id"] for row in splices.read_rows(path)] == ["a"]


def test_the_cross_encoder_trainer_refuses_splices_without_a_validate_split(stories, tmp_path, capsys):
    pytest.importorskip("torch")
    from coherence.training import train_local

    path = tmp_path / "splices.jsonl"
    path.write_text("".join(json.dumps({**r, "split": "train"}) + "\n" for r in build(stories)), encoding="utf-8")
    assert train_local.main(["train", "--splices", str(path), "--out", str(tmp_path / "model"), "--threads", "1"]) == 2
    assert "needs documents of both splits" in capsys.readouterr().err
    assert not (tmp_path / "model").exists()
