"""Hand-made checks of coherence.evaluation.metrics (no models, no data files)."""

import math

import pytest

from coherence.evaluation.metrics import (
    auroc,
    breakdown,
    format_table,
    score_documents,
    span_hits,
)

# Every toy article has four 10-character sentences: [0,10) [10,20) [20,30) [30,40).
SENTS = [(0, 10), (10, 20), (20, 30), (30, 40)]


def doc(id, variant="none", intruders=(), contradictions=(), has_contradiction=None,
        is_news=True, source="cnndm", **extra):
    d = {
        "id": id, "source": source, "variant": variant, "is_news": is_news, "text": "x" * 40,
        "intruders": [list(s) for s in intruders],
        "contradictions": [list(s) for s in contradictions],
        "has_intruder": bool(intruders),
        "has_contradiction": bool(contradictions) if has_contradiction is None else has_contradiction,
    }
    d.update(extra)
    return d


def report(off=(0, 0, 0, 0), con=(0, 0, 0, 0), findings=()):
    return {
        "path": "a.txt", "score": 0.0, "error": None,
        "sentences": [
            {"index": i, "start": s, "end": e, "line": 1, "column": s + 1,
             "scores": {"off_topic": off[i], "contradiction": con[i]}}
            for i, (s, e) in enumerate(SENTS)
        ],
        "findings": list(findings),
    }


def finding(rule, start, end, severity="error", related=(), kind=None):
    return {"rule": rule, "severity": severity, "start": start, "end": end, "score": 0.9, "kind": kind,
            "message": "", "related": [{"sentence": None, "start": s, "end": e} for s, e in related]}


INTRUDER_DOC = doc("d1", variant="replace_random", intruders=[(20, 30)])
CLEAN_DOC = doc("d0", variant="none")


# ------------------------------------------------------------------ span_hits


def test_span_hits_half_of_shorter_boundary():
    assert span_hits((0, 10), (5, 20)) is True      # overlap 5 = half of 10
    assert span_hits((0, 10), (6, 20)) is False     # overlap 4 < 5
    assert span_hits((0, 11), (5, 20)) is True      # overlap 6 >= 5.5
    assert span_hits((0, 11), (6, 20)) is False     # overlap 5 < 5.5
    assert span_hits((5, 20), (0, 10)) is True      # symmetric
    assert span_hits((0, 100), (40, 50)) is True    # containment of the shorter
    assert span_hits((0, 10), (10, 20)) is False    # touching, no overlap
    assert span_hits((5, 5), (0, 10)) is False      # empty span never hits


def test_auroc_ties_and_missing_class():
    assert auroc([1.0, 1.0], [1.0]) == 0.5
    assert auroc([0.9, 0.2], [0.3, 0.1]) == 0.75
    assert auroc([], [0.1]) is None
    assert auroc([0.1], []) is None


# ------------------------------------------------------------------ off-topic


def test_perfect_report():
    items = [
        (INTRUDER_DOC, report(off=(0.1, 0.1, 0.9, 0.1), findings=[finding("off-topic", 20, 30)])),
        (CLEAN_DOC, report(off=(0.1, 0.1, 0.1, 0.1))),
    ]
    f = score_documents(items)
    ot = f["off_topic"]
    assert ot["precision"] == 1.0 and ot["recall"] == 1.0 and ot["f1"] == 1.0
    assert ot["top1"] == 1.0 and ot["top1_n"] == 1
    assert ot["auroc"] == 1.0 and ot["auroc_negatives"] == "own"
    assert ot["false_alarm_rate"] == 0.0
    assert ot["clean_any_finding_rate"] == 0.0
    c = f["counts"]
    assert (c["n_docs"], c["n_intruder_docs"], c["n_none_docs"], c["n_clean_docs"]) == (2, 1, 1, 1)
    assert c["n_intruder_spans"] == 1 and c["n_off_topic_findings"] == 1


def test_empty_report():
    items = [(INTRUDER_DOC, report()), (CLEAN_DOC, report())]
    ot = score_documents(items)["off_topic"]
    assert ot["precision"] is None      # no findings: precision undefined
    assert ot["recall"] == 0.0
    assert ot["f1"] == 0.0
    assert ot["auroc"] == 0.5
    assert ot["top1"] == 0.25           # 4-way tie, 1 of 4 tied sentences is the intruder
    assert ot["false_alarm_rate"] == 0.0


def test_missing_or_failed_report_scores_as_empty():
    items = [(INTRUDER_DOC, None),
             (CLEAN_DOC, {"path": "a", "error": "boom", "sentences": [], "findings": []})]
    ot = score_documents(items)["off_topic"]
    assert ot["recall"] == 0.0 and ot["f1"] == 0.0 and ot["precision"] is None
    assert ot["top1"] == 0.0            # no sentences at all: a miss
    assert ot["auroc"] == 0.5


def test_wrong_report():
    items = [
        (INTRUDER_DOC, report(off=(0.8, 0.1, 0.1, 0.1), findings=[finding("off-topic", 0, 10)])),
        (CLEAN_DOC, report(off=(0.9, 0.1, 0.1, 0.1), findings=[finding("off-topic", 0, 10)])),
    ]
    ot = score_documents(items)["off_topic"]
    assert ot["precision"] == 0.0 and ot["tp_findings"] == 0
    assert ot["recall"] == 0.0 and ot["f1"] == 0.0
    assert ot["top1"] == 0.0
    assert ot["auroc"] == 0.0
    assert ot["false_alarm_rate"] == 1.0


def test_micro_precision_recall_over_docs():
    two = doc("d2", variant="patchwork", intruders=[(10, 20), (30, 40)])
    items = [
        (two, report(off=(0, 0.9, 0, 0.2),
                     findings=[finding("off-topic", 10, 20), finding("off-topic", 0, 10, "warning")])),
        (INTRUDER_DOC, report(off=(0, 0, 0.5, 0), findings=[finding("off-topic", 20, 30)])),
        (CLEAN_DOC, report(findings=[finding("off-topic", 0, 10, "warning")])),
    ]
    f = score_documents(items)
    ot = f["off_topic"]
    assert ot["tp_findings"] == 2 and f["counts"]["n_off_topic_findings"] == 4
    assert ot["precision"] == 0.5
    assert ot["hit_spans"] == 2 and ot["recall"] == pytest.approx(2 / 3)
    assert ot["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert ot["top1"] == 1.0
    assert ot["false_alarm_rate"] == 0.0          # a warning is not a false alarm
    assert ot["clean_any_finding_rate"] == 1.0    # but it is a finding


def test_contradoc_none_is_clean_but_not_an_off_topic_negative():
    cd = doc("c0", variant="contradoc-none", source="contradoc-news")
    del cd["has_intruder"]                         # contradoc rows lack the field
    items = [(INTRUDER_DOC, report(off=(0, 0, 0.9, 0))),
             (cd, report(off=(0.95, 0, 0, 0), findings=[finding("off-topic", 0, 10)]))]
    f = score_documents(items)
    assert f["off_topic"]["auroc"] is None         # no variant 'none' doc
    assert f["counts"]["n_clean_docs"] == 1
    assert f["off_topic"]["false_alarm_rate"] == 1.0


# ------------------------------------------------------------------ contradiction


def test_contradiction_auroc_balacc_and_localisation_via_related():
    c1 = doc("c1", variant="contradoc-local", contradictions=[(30, 40)], source="contradoc-news")
    c2 = doc("c2", variant="contradoc-local", has_contradiction=True, source="contradoc-news")
    n1 = doc("n1", variant="contradoc-none", source="contradoc-news")
    n2 = doc("n2", variant="contradoc-none", source="contradoc-news")
    items = [
        # finding on sentence 0, its related span is the gold evidence sentence
        (c1, report(con=(0.7, 0, 0, 0), findings=[finding("contradiction", 0, 10, related=[(30, 40)])])),
        (c2, report(con=(0.2, 0, 0, 0))),
        (n1, report(con=(0.3, 0, 0, 0))),
        (n2, report(con=(0.1, 0, 0, 0), findings=[finding("contradiction", 0, 10, "warning")])),
    ]
    f = score_documents(items)
    ct = f["contradiction"]
    assert ct["auroc"] == 0.75
    assert ct["tpr"] == 0.5 and ct["tnr"] == 0.5 and ct["balanced_accuracy"] == 0.5
    assert ct["loc_hits"] == 1 and ct["loc_recall"] == 1.0
    assert f["counts"]["n_evidence_spans"] == 1 and f["counts"]["n_contradiction_docs"] == 2
    assert f["off_topic"]["false_alarm_rate"] == 0.0
    assert f["off_topic"]["clean_any_finding_rate"] == 0.5

    # the same finding without `related` does not locate the evidence
    no_rel = [(c1, report(con=(0.7, 0, 0, 0), findings=[finding("contradiction", 0, 10)]))]
    assert score_documents(no_rel)["contradiction"]["loc_recall"] == 0.0
    # an off-topic finding on the evidence sentence does not count either
    wrong_rule = [(c1, report(findings=[finding("off-topic", 30, 40)]))]
    assert score_documents(wrong_rule)["contradiction"]["loc_recall"] == 0.0


# ------------------------------------------------------------------ must_not_flag, headline


def test_must_not_flag_violations():
    d = doc("s", variant="real-patchwork", intruders=[(20, 30)],
            must_not_flag=[[0, 10], [10, 20], [30, 40]])
    rep = report(findings=[
        finding("off-topic", 12, 20),                 # inside [10,20): hit
        finding("contradiction", 0, 3, "warning"),    # short span inside [0,10): hit
        finding("off-topic", 26, 34),                 # 4 of 8 into [30,40)? overlap 4, shorter 8: hit
        finding("off-topic", 20, 30),                 # the intruder itself
    ])
    mnf = score_documents([(d, rep)])["must_not_flag"]
    assert mnf["n_spans"] == 3
    assert mnf["violations"] == 3
    assert mnf["violated"] == [
        {"id": "s", "start": 0, "end": 10, "rules": ["contradiction"]},
        {"id": "s", "start": 10, "end": 20, "rules": ["off-topic"]},
        {"id": "s", "start": 30, "end": 40, "rules": ["off-topic"]},
    ]
    rep2 = report(findings=[finding("off-topic", 17, 30)])   # 3 of 10 into [10,20): no hit
    assert score_documents([(d, rep2)])["must_not_flag"]["violations"] == 0


def test_headline():
    unsup = doc("h1", headline=[0, 10], headline_supported=False)
    sup = doc("h2", headline=[0, 10], headline_supported=True)
    items = [(unsup, report(findings=[finding("headline", 0, 10)])),
             (sup, report(findings=[finding("headline", 0, 10, "warning")])),
             (CLEAN_DOC, report())]
    h = score_documents(items)["headline"]
    assert h["n"] == 2
    assert h["accuracy"] == 0.5
    assert h["results"] == [
        {"id": "h1", "supported": False, "flagged": True, "error": True, "correct": True},
        {"id": "h2", "supported": True, "flagged": True, "error": False, "correct": False},
    ]
    # own headlines flagged are false alarms (any severity, and errors apart); swapped ones flagged are catches
    assert (h["supported_flagged"], h["supported_error"]) == (1.0, 0.0)
    assert (h["unsupported_flagged"], h["unsupported_error"]) == (1.0, 1.0)


def test_typed_contradiction_needs_an_error_on_the_changed_sentence_with_its_partner_and_kind():
    changed = doc("t1", text="x" * 60, contradictions=[[30, 60]], variant="typed_number", evidence_partner=[[0, 29]])
    right = finding("contradiction", 30, 60, "error", related=[(0, 29)], kind="number")
    wrong_kind = finding("contradiction", 30, 60, "error", related=[(0, 29)], kind="date")
    no_partner = finding("contradiction", 30, 60, "error", kind="number")
    warning = finding("contradiction", 30, 60, "warning", related=[(0, 29)], kind="number")
    for found, caught in ((right, 1.0), (wrong_kind, 0.0), (no_partner, 0.0), (warning, 0.0)):
        assert score_documents([(changed, report(findings=[found]))])["contradiction"]["typed_recall"] == caught
    clean = doc("t2", variant="none")
    f = score_documents([(clean, report(findings=[right]))])["contradiction"]
    assert f["clean_error_rate"] == 1.0 and f["typed_recall"] is None


# ------------------------------------------------------------------ None cases


def test_none_for_group_without_positives():
    items = [(CLEAN_DOC, report(off=(0.2, 0, 0, 0), findings=[finding("off-topic", 0, 10)])),
             (doc("d9"), report())]
    f = score_documents(items)
    ot, ct = f["off_topic"], f["contradiction"]
    assert ot["precision"] == 0.0                  # findings exist, none correct
    assert ot["recall"] is None and ot["f1"] is None
    assert ot["top1"] is None and ot["auroc"] is None and ot["auroc_negatives"] is None
    assert ot["false_alarm_rate"] == 0.5
    assert ct["auroc"] is None and ct["balanced_accuracy"] is None and ct["tpr"] is None
    assert ct["tnr"] == 1.0 and ct["loc_recall"] is None
    assert f["headline"]["accuracy"] is None
    assert score_documents([])["off_topic"]["false_alarm_rate"] is None
    for sect in (ot, ct):
        for v in sect.values():
            assert not (isinstance(v, float) and math.isnan(v))


# ------------------------------------------------------------------ breakdown, table


def test_breakdown_groups_by_news_and_variant():
    d_none = doc("a:none")
    d_rep = doc("a:rep", variant="replace_random", intruders=[(20, 30)])
    d_xsum = doc("b:rep", variant="replace_random", intruders=[(20, 30)], source="xsum")
    c_none = doc("c0", variant="contradoc-none", is_news=False, source="contradoc-wiki")
    c_loc = doc("c1", variant="contradoc-local", is_news=False, contradictions=[(0, 10)],
                source="contradoc-wiki")
    items = [
        (d_none, report(off=(0.1, 0.1, 0.1, 0.1))),
        (d_rep, report(off=(0, 0, 0.9, 0), findings=[finding("off-topic", 20, 30)])),
        (d_xsum, report(off=(0, 0, 0.05, 0))),
        (c_none, report(con=(0.2, 0, 0, 0))),
        (c_loc, report(con=(0.6, 0, 0, 0), findings=[finding("contradiction", 0, 10)])),
    ]
    b = breakdown(items)
    assert list(b) == ["all", "news", "not_news", "variant:contradoc-local",
                       "variant:contradoc-none", "variant:none", "variant:replace_random"]
    assert [b[k]["counts"]["n_docs"] for k in b] == [5, 3, 2, 1, 1, 1, 2]
    assert b["news"]["off_topic"]["auroc"] == 0.5           # 0.9 > 0.1, 0.05 < 0.1
    assert b["news"]["off_topic"]["recall"] == 0.5
    assert b["not_news"]["off_topic"]["recall"] is None
    assert b["not_news"]["contradiction"]["auroc"] == 1.0
    # variant groups borrow AUROC negatives from same-source docs outside the group
    rr = b["variant:replace_random"]["off_topic"]
    assert rr["auroc"] == 0.5 and rr["auroc_n_neg"] == 1 and rr["auroc_negatives"] == "borrowed"
    cl = b["variant:contradoc-local"]["contradiction"]
    assert cl["auroc"] == 1.0 and cl["auroc_n_neg"] == 1 and cl["auroc_negatives"] == "borrowed"
    assert b["variant:none"]["off_topic"]["auroc"] is None
    assert b["all"]["contradiction"]["auroc_n_neg"] == 4 and b["all"]["contradiction"]["auroc"] == 1.0
    # empty groups are omitted
    assert "not_news" not in breakdown(items[:3])
    assert breakdown([]) == {}


def test_format_table():
    items = [
        (INTRUDER_DOC, report(off=(0.1, 0.1, 0.9, 0.1), findings=[finding("off-topic", 20, 30)])),
        (CLEAN_DOC, report(off=(0.1, 0.1, 0.1, 0.1))),
    ]
    table = format_table(breakdown(items))
    lines = table.splitlines()
    assert lines[0].split() == ["group", "n", "P", "R", "F1", "top1", "AUROC", "false-alarm",
                                "contra", "AUROC", "bal.acc", "loc.recall", "ct.clean.err", "typed",
                                "hl.own", "hl.own.err", "hl.swap", "hl.swap.err", "mnf.viol"]
    all_row = lines[2].split()
    assert all_row == ["all", "2", "1.000", "1.000", "1.000", "1.000", "1.000", "0.000",
                       "-", "-", "-", "0.000", "-", "-", "-", "-", "-", "0"]
    assert any(l.split()[:2] == ["variant:replace_random", "1"] and "1.000*" in l for l in lines)
    assert lines[-1].startswith("* AUROC against negatives borrowed")
    # a single score_documents result is accepted too
    assert format_table(score_documents(items)).splitlines()[2].split()[0] == "all"
