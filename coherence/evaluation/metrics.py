"""Scoring of `coherence check --format json` reports against labelled eval JSONL v1.

The data format and the report contract are described in ``docs/report-contract.md``
(copied from the eval data's FORMAT.md).  Pure Python + numpy; no sklearn.

Public API
----------
- ``span_hits(a, b) -> bool``
- ``auroc(pos_scores, neg_scores) -> float | None``
- ``score_documents(items, auroc_negatives=None) -> dict``
- ``breakdown(items) -> dict``
- ``format_table(figures) -> str``

``items`` is a list of ``(eval_doc, file_report)`` pairs: ``eval_doc`` one JSONL row,
``file_report`` one entry of the report's ``files`` list (``None`` or a file with an
``error`` is scored as an empty report: no findings, every score 0).

Choices (see the docs for the full list):
- micro averaging over all docs of a group;
- any figure without a defined denominator (no positives, no negatives, no findings)
  is ``None``; never NaN;
- precision with no off-topic findings at all is ``None``; F1 is then 0 when there
  are gold intruder spans (recall is 0), else ``None``;
- a clean doc has ``has_intruder`` False and ``has_contradiction`` False.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["span_hits", "auroc", "score_documents", "breakdown", "format_table"]

Span = Sequence[int]
Item = tuple[dict, dict | None]

OFF_TOPIC = "off-topic"
CONTRADICTION = "contradiction"
HEADLINE = "headline"


# --------------------------------------------------------------------------- basics


def span_hits(a: Span, b: Span) -> bool:
    """True when [start, end) spans ``a`` and ``b`` overlap by at least half of the shorter.

    Exact integer test: ``2 * overlap >= min(len(a), len(b))``.  The overlap must also be
    positive, so an empty span never hits anything.
    """
    a0, a1 = int(a[0]), int(a[1])
    b0, b1 = int(b[0]), int(b[1])
    overlap = min(a1, b1) - max(a0, b0)
    if overlap <= 0:
        return False
    shorter = min(a1 - a0, b1 - b0)
    return 2 * overlap >= shorter


def auroc(pos_scores: Iterable[float], neg_scores: Iterable[float]) -> float | None:
    """Mann-Whitney AUROC: P(pos > neg) + 0.5 * P(pos == neg).  None without both classes."""
    pos = np.asarray(list(pos_scores), dtype=float)
    neg = np.asarray(list(neg_scores), dtype=float)
    if pos.size == 0 or neg.size == 0:
        return None
    allv = np.concatenate([pos, neg])
    order = np.argsort(allv, kind="mergesort")
    sorted_v = allv[order]
    ranks = np.empty(allv.size, dtype=float)
    # midranks for ties (1-based)
    i = 0
    n = allv.size
    while i < n:
        j = i
        while j + 1 < n and sorted_v[j + 1] == sorted_v[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    r_pos = ranks[: pos.size].sum()
    u = r_pos - pos.size * (pos.size + 1) / 2.0
    return float(u / (pos.size * neg.size))


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else float(num) / float(den)


def _score(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(v) else v


# --------------------------------------------------------------------------- doc access


def _has_intruder(doc: dict) -> bool:
    v = doc.get("has_intruder")
    return bool(doc.get("intruders")) if v is None else bool(v)


def _has_contradiction(doc: dict) -> bool:
    v = doc.get("has_contradiction")
    return bool(doc.get("contradictions")) if v is None else bool(v)


def _is_clean(doc: dict) -> bool:
    return not _has_intruder(doc) and not _has_contradiction(doc)


def _is_none_variant(doc: dict) -> bool:
    return doc.get("variant") == "none"


def _report_parts(report: dict | None) -> tuple[list[dict], list[dict]]:
    if not report or report.get("error"):
        return [], []
    return list(report.get("sentences") or []), list(report.get("findings") or [])


def _finding_span(f: dict) -> tuple[int, int] | None:
    s, e = f.get("start"), f.get("end")
    if s is None or e is None:
        return None
    return int(s), int(e)


def _max_score(sentences: list[dict], key: str) -> float:
    return max((_score((s.get("scores") or {}).get(key)) for s in sentences), default=0.0)


def _top1(sentences: list[dict], gold: list[Span]) -> float:
    """Share of the highest-scoring sentences (ties) that hit a gold span.

    That is the expected top-1 hit under random tie-breaking; with no sentences, 0.
    """
    if not sentences:
        return 0.0
    scores = [_score((s.get("scores") or {}).get("off_topic")) for s in sentences]
    best = max(scores)
    top = [s for s, v in zip(sentences, scores) if v == best]
    hits = 0
    for s in top:
        if s.get("start") is None or s.get("end") is None:
            continue
        if any(span_hits((s["start"], s["end"]), g) for g in gold):
            hits += 1
    return hits / len(top)


# --------------------------------------------------------------------------- scoring


def score_documents(items: Sequence[Item], auroc_negatives: Sequence[Item] | None = None) -> dict:
    """Figures for one group of ``(eval_doc, file_report)`` pairs.

    ``auroc_negatives``: optional extra pairs used as AUROC negatives only, and only for an
    AUROC whose group has no negatives of its own (``breakdown`` uses it for variant groups;
    off-topic takes those with ``variant == 'none'``, contradiction those with
    ``has_contradiction`` False).  Nothing else is computed from them.
    """
    counts = dict(
        n_docs=0, n_intruder_docs=0, n_none_docs=0, n_clean_docs=0, n_contradiction_docs=0,
        n_intruder_spans=0, n_evidence_spans=0, n_off_topic_findings=0,
        n_contradiction_findings=0, n_must_not_flag_spans=0, n_headline_docs=0,
    )
    ot_tp_findings = 0
    ot_hit_spans = 0
    top1_sum = 0.0
    top1_n = 0
    ot_pos: list[float] = []
    ot_neg: list[float] = []
    clean_error = 0
    clean_any = 0
    clean_ct_error = 0  # clean docs with a contradiction error: the gate stopping a correct article
    typed_caught = 0  # changed facts caught as an editor needs: error, on the changed sentence, partner related, right kind
    typed_n = 0
    ct_pos: list[float] = []
    ct_neg: list[float] = []
    flag_tp = 0  # contradiction docs with a contradiction finding
    flag_tn = 0  # non-contradiction docs without one
    loc_hits = 0
    mnf_violated: list[dict] = []
    headline_results: list[dict] = []

    for doc, report in items:
        sentences, findings = _report_parts(report)
        counts["n_docs"] += 1
        intruders = [tuple(s) for s in doc.get("intruders") or []]
        evidence = [tuple(s) for s in doc.get("contradictions") or []]
        has_intr = _has_intruder(doc)
        has_con = _has_contradiction(doc)
        ot_findings = [f for f in findings if f.get("rule") == OFF_TOPIC]
        ct_findings = [f for f in findings if f.get("rule") == CONTRADICTION]
        counts["n_off_topic_findings"] += len(ot_findings)
        counts["n_contradiction_findings"] += len(ct_findings)
        counts["n_intruder_spans"] += len(intruders)
        counts["n_evidence_spans"] += len(evidence)

        # off-topic P/R (micro)
        ot_spans = [sp for sp in map(_finding_span, ot_findings) if sp is not None]
        ot_tp_findings += sum(1 for sp in ot_spans if any(span_hits(sp, g) for g in intruders))
        ot_hit_spans += sum(1 for g in intruders if any(span_hits(sp, g) for sp in ot_spans))

        # top-1 on docs with gold intruder spans
        if intruders:
            top1_n += 1
            top1_sum += _top1(sentences, intruders)

        # document AUROC, off-topic
        ot_max = _max_score(sentences, "off_topic")
        if has_intr:
            counts["n_intruder_docs"] += 1
            ot_pos.append(ot_max)
        elif _is_none_variant(doc):
            ot_neg.append(ot_max)
        if _is_none_variant(doc):
            counts["n_none_docs"] += 1

        # false alarms on clean docs
        if _is_clean(doc):
            counts["n_clean_docs"] += 1
            if any(f.get("severity") == "error" for f in findings):
                clean_error += 1
            if findings:
                clean_any += 1
            if any(f.get("severity") == "error" for f in ct_findings):
                clean_ct_error += 1

        # typed contradictions: the changed sentence, with its partner as related and the right kind
        partners = [tuple(s) for s in doc.get("evidence_partner") or []]
        if has_con and partners and evidence:
            typed_n += 1
            typed_caught += any(_typed_hit(f, evidence, partners, doc.get("variant")) for f in ct_findings)

        # contradiction: AUROC, balanced accuracy
        ct_max = _max_score(sentences, "contradiction")
        flagged = bool(ct_findings)
        if has_con:
            counts["n_contradiction_docs"] += 1
            ct_pos.append(ct_max)
            flag_tp += flagged
        else:
            ct_neg.append(ct_max)
            flag_tn += not flagged

        # contradiction localisation: finding span or any related span
        ct_spans: list[tuple[int, int]] = []
        for f in ct_findings:
            sp = _finding_span(f)
            if sp is not None:
                ct_spans.append(sp)
            for r in f.get("related") or []:
                rs = _finding_span(r)
                if rs is not None:
                    ct_spans.append(rs)
        loc_hits += sum(1 for g in evidence if any(span_hits(sp, g) for sp in ct_spans))

        # must_not_flag: any finding, any rule
        all_spans = [(f.get("rule"), _finding_span(f)) for f in findings]
        for m in doc.get("must_not_flag") or []:
            counts["n_must_not_flag_spans"] += 1
            rules = sorted({r for r, sp in all_spans if sp is not None and span_hits(sp, m)})
            if rules:
                mnf_violated.append(
                    {"id": doc.get("id"), "start": int(m[0]), "end": int(m[1]), "rules": rules}
                )

        # headline
        if doc.get("headline_supported") is not None:
            counts["n_headline_docs"] += 1
            supported = bool(doc["headline_supported"])
            h_findings = [f for f in findings if f.get("rule") == HEADLINE]
            h_flagged = bool(h_findings)
            headline_results.append(
                {"id": doc.get("id"), "supported": supported, "flagged": h_flagged,
                 "error": any(f.get("severity") == "error" for f in h_findings),
                 "correct": h_flagged == (not supported)}
            )

    # borrowed AUROC negatives
    ot_neg_src: str | None = "own" if ot_neg else None
    ct_neg_src: str | None = "own" if ct_neg else None
    if auroc_negatives:
        if not ot_neg:
            for doc, report in auroc_negatives:
                if _is_none_variant(doc) and not _has_intruder(doc):
                    ot_neg.append(_max_score(_report_parts(report)[0], "off_topic"))
            ot_neg_src = "borrowed" if ot_neg else None
        if not ct_neg:
            for doc, report in auroc_negatives:
                if not _has_contradiction(doc):
                    ct_neg.append(_max_score(_report_parts(report)[0], "contradiction"))
            ct_neg_src = "borrowed" if ct_neg else None

    precision = _ratio(ot_tp_findings, counts["n_off_topic_findings"])
    recall = _ratio(ot_hit_spans, counts["n_intruder_spans"])
    if recall is None:
        f1 = None
    elif precision is None or precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)

    n_pos, n_neg = counts["n_contradiction_docs"], counts["n_docs"] - counts["n_contradiction_docs"]
    tpr = _ratio(flag_tp, n_pos)
    tnr = _ratio(flag_tn, n_neg)
    bal_acc = None if tpr is None or tnr is None else (tpr + tnr) / 2

    ot_auc = auroc(ot_pos, ot_neg)
    ct_auc = auroc(ct_pos, ct_neg)

    return {
        "counts": counts,
        "off_topic": {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "tp_findings": ot_tp_findings,
            "hit_spans": ot_hit_spans,
            "top1": _ratio(top1_sum, top1_n),
            "top1_n": top1_n,
            "auroc": ot_auc,
            "auroc_n_pos": len(ot_pos),
            "auroc_n_neg": len(ot_neg),
            "auroc_negatives": ot_neg_src if ot_auc is not None else None,
            "false_alarm_rate": _ratio(clean_error, counts["n_clean_docs"]),
            "clean_any_finding_rate": _ratio(clean_any, counts["n_clean_docs"]),
        },
        "contradiction": {
            "auroc": ct_auc,
            "auroc_n_pos": len(ct_pos),
            "auroc_n_neg": len(ct_neg),
            "auroc_negatives": ct_neg_src if ct_auc is not None else None,
            "balanced_accuracy": bal_acc,
            "tpr": tpr,
            "tnr": tnr,
            "loc_recall": _ratio(loc_hits, counts["n_evidence_spans"]),
            "loc_hits": loc_hits,
            "clean_error_rate": _ratio(clean_ct_error, counts["n_clean_docs"]),
            "typed_recall": _ratio(typed_caught, typed_n),
            "typed_n": typed_n,
        },
        "must_not_flag": {
            "n_spans": counts["n_must_not_flag_spans"],
            "violations": len(mnf_violated),
            "violated": mnf_violated,
        },
        "headline": {
            "n": len(headline_results),
            "accuracy": _ratio(sum(r["correct"] for r in headline_results), len(headline_results)),
            # own headlines flagged are false alarms; other articles' headlines flagged are catches
            **{f"{group}_{what}": _ratio(sum(r[what] for r in headline_results if r["supported"] == supported),
                                         sum(r["supported"] == supported for r in headline_results))
               for group, supported in (("supported", True), ("unsupported", False)) for what in ("flagged", "error")},
            "results": headline_results,
        },
    }


_TYPED_KINDS = {"typed_number": "number", "typed_date": "date"}


def _typed_hit(finding: dict, changed: list, partners: list, variant: str | None) -> bool:
    span = _finding_span(finding)
    related = [_finding_span(r) for r in finding.get("related") or []]
    expected = _TYPED_KINDS.get(variant or "")
    return (finding.get("severity") == "error" and span is not None and any(span_hits(span, g) for g in changed)
            and any(r is not None and span_hits(r, p) for r in related for p in partners)
            and (expected is None or finding.get("kind") == expected))


def breakdown(items: Sequence[Item]) -> dict:
    """``{"all", "news", "not_news", "variant:<name>" ...}`` -> ``score_documents`` figures.

    Empty groups are omitted; variant groups are sorted by name.  A variant group whose
    docs have no AUROC negatives of their own (e.g. ``replace_similar``: every doc is an
    intruder doc) borrows them from the other docs of ``items`` that share a ``source`` with
    the group: the ``none`` docs for off-topic, the docs without a contradiction for
    contradiction (see ``score_documents``).
    """
    items = list(items)
    out: dict[str, dict] = {}
    if items:
        out["all"] = score_documents(items)
    news = [it for it in items if it[0].get("is_news")]
    not_news = [it for it in items if not it[0].get("is_news")]
    if news:
        out["news"] = score_documents(news)
    if not_news:
        out["not_news"] = score_documents(not_news)
    variants = sorted({str(it[0].get("variant")) for it in items})
    for v in variants:
        group = [it for it in items if str(it[0].get("variant")) == v]
        sources = {it[0].get("source") for it in group}
        pool = [
            it for it in items
            if str(it[0].get("variant")) != v and it[0].get("source") in sources
        ]
        out[f"variant:{v}"] = score_documents(group, auroc_negatives=pool)
    return out


# --------------------------------------------------------------------------- table


_COLUMNS: list[tuple[str, str, str]] = [
    ("P", "off_topic", "precision"),
    ("R", "off_topic", "recall"),
    ("F1", "off_topic", "f1"),
    ("top1", "off_topic", "top1"),
    ("AUROC", "off_topic", "auroc"),
    ("false-alarm", "off_topic", "false_alarm_rate"),
    ("contra AUROC", "contradiction", "auroc"),
    ("bal.acc", "contradiction", "balanced_accuracy"),
    ("loc.recall", "contradiction", "loc_recall"),
    ("ct.clean.err", "contradiction", "clean_error_rate"),
    ("typed", "contradiction", "typed_recall"),
    ("hl.own", "headline", "supported_flagged"),  # own headlines with any headline finding: false alarms
    ("hl.own.err", "headline", "supported_error"),
    ("hl.swap", "headline", "unsupported_flagged"),  # other articles' headlines caught
    ("hl.swap.err", "headline", "unsupported_error"),
]


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return "-" if math.isnan(v) else f"{v:.3f}"
    return str(v)


def format_table(figures: dict) -> str:
    """One row per group of a ``breakdown`` result (a single ``score_documents`` result
    is shown as the group ``all``).  Floats to 3 decimals, ``-`` for None.
    A borrowed-negatives AUROC is marked with ``*``."""
    if "counts" in figures:
        figures = {"all": figures}
    header = ["group", "n"] + [c[0] for c in _COLUMNS] + ["mnf.viol"]
    rows = [header]
    for name, fig in figures.items():
        row = [name, str(fig["counts"]["n_docs"])]
        for _label, sect, key in _COLUMNS:
            cell = _fmt(fig[sect][key])
            if key == "auroc" and fig[sect].get("auroc_negatives") == "borrowed":
                cell += "*"
            row.append(cell)
        row.append(str(fig["must_not_flag"]["violations"]))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for k, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    if any(
        fig[s].get("auroc_negatives") == "borrowed"
        for fig in figures.values() for s in ("off_topic", "contradiction")
    ):
        lines.append("* AUROC against negatives borrowed from same-source docs outside the group")
    return "\n".join(lines)
