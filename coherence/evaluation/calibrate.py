"""Severity cuts for a rule from the per-document output of ``coherence eval --per-doc``.

    python -m coherence.evaluation.calibrate per-doc.jsonl --score contradiction --positive has_contradiction

Document score = the highest sentence score. Negatives are clean documents (no intruder, no
contradiction). The cuts:
  suggestion = the cut with the best balanced accuracy (positives against negatives),
  error      = the lowest cut that at most ``--clean-rate`` of negative documents reach,
  warning    = halfway between.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np


def document_scores(rows: list[dict], score: str, positive: str) -> tuple[np.ndarray, np.ndarray]:
    pos, neg = [], []
    for row in rows:
        value = max((s.get(score, 0.0) for s in row["sentences"]), default=0.0)
        if row.get(positive):
            pos.append(value)
        elif not row.get("has_intruder") and not row.get("has_contradiction"):
            neg.append(value)
    return np.asarray(pos), np.asarray(neg)


def calibrate(pos: np.ndarray, neg: np.ndarray, clean_rate: float) -> dict:
    cuts = np.unique(np.concatenate([pos, neg]))
    balanced = [((pos >= c).mean() + (neg < c).mean()) / 2 for c in cuts]
    best = int(np.argmax(balanced))
    suggestion = float(cuts[best])
    error = float(max(np.quantile(neg, 1 - clean_rate) + 1e-4, suggestion))
    return {
        "suggestion": round(suggestion, 4),
        "warning": round((suggestion + error) / 2, 4),
        "error": round(error, 4),
        "balanced_accuracy_at_suggestion": round(float(balanced[best]), 4),
        "negatives_reaching_error": round(float((neg >= error).mean()), 4),
        "positives_reaching_error": round(float((pos >= error).mean()), 4),
        "n_positive": int(len(pos)),
        "n_negative": int(len(neg)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("per_doc", nargs="+")
    parser.add_argument("--score", default="contradiction")
    parser.add_argument("--positive", default="has_contradiction")
    parser.add_argument("--clean-rate", type=float, default=0.02)
    args = parser.parse_args(argv)
    rows = []
    for path in args.per_doc:
        with open(path, encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    pos, neg = document_scores(rows, args.score, args.positive)
    if not len(pos) or not len(neg):
        print("need both positive and clean documents", file=sys.stderr)
        return 2
    print(json.dumps(calibrate(pos, neg, args.clean_rate), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
