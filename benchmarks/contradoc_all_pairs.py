"""Is the contradiction rule limited by its pair search or by the NLI model? (a diagnostic, not a test)

    .venv/bin/python benchmarks/contradoc_all_pairs.py PER_DOC.jsonl [--threads 2]

PER_DOC.jsonl is the ``--per-doc`` file of ``coherence eval ... ../shared/eval/dev/contradoc.jsonl``. For every
ContraDoc document whose evidence sentence is located, it runs the NLI model over *all* ordered sentence pairs
(the SummaC way, no pruning) and prints:
- the rank of the evidence sentence when sentences are ordered by their highest all-pairs contradiction
  probability (rank 1 = it would be the top-scored sentence), against the same rank under the rule's own
  per-sentence scores from the eval;
- how many evidence sentences have any partner at p(contradiction) >= 0.3 / 0.5 / 0.7 / 0.9, an upper bound on
  the localisation recall any pair search can reach with this model at that cut.
About 25 minutes on 2 cores for the 124 located dev documents.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

import numpy as np

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev" / "contradoc.jsonl"
CUTS = (0.3, 0.5, 0.7, 0.9)


def evidence_sentences(sentences: list[str], evidence: list[str]) -> list[int]:
    # the per-doc file keeps sentence texts, not spans: match on a 40-character prefix either way
    return [i for i, s in enumerate(sentences) if any(s[:40] in e or e[:40] in s for e in evidence)]


def rank_of(scores: np.ndarray, wanted: list[int]) -> int:
    order = list(np.argsort(-scores, kind="stable"))
    return min(order.index(i) for i in wanted) + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("per_doc", type=Path)
    parser.add_argument("--eval-file", type=Path, default=EVAL)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from coherence.runtime.nli import NLIModel

    gold = {doc["id"]: doc for doc in map(json.loads, args.eval_file.open(encoding="utf-8"))}
    rows = [json.loads(line) for line in args.per_doc.open(encoding="utf-8")]
    located = [r for r in rows if r["id"] in gold and gold[r["id"]]["contradictions"]]
    nli = NLIModel(threads=args.threads)
    all_pairs_rank, rule_rank, above = collections.Counter(), collections.Counter(), collections.Counter()
    docs = 0
    for row in located:
        text = gold[row["id"]]["text"]
        evidence = [text[a:b] for a, b in gold[row["id"]]["contradictions"]]
        sentences = [s["text"] for s in row["sentences"]]
        wanted = evidence_sentences(sentences, evidence)
        if not wanted:
            continue
        docs += 1
        n = len(sentences)
        pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
        probs = nli.predict([(sentences[i], sentences[j]) for i, j in pairs])[:, 0]
        both = np.zeros((n, n))
        for (i, j), p in zip(pairs, probs):
            both[i, j] = max(both[i, j], p)
            both[j, i] = max(both[j, i], p)
        best = both.max(axis=1)
        all_pairs_rank[min(rank_of(best, wanted), 6)] += 1
        rule_rank[min(rank_of(np.array([s["contradiction"] for s in row["sentences"]]), wanted), 6)] += 1
        for cut in CUTS:
            above[cut] += int(best[wanted].max() >= cut)
    print(f"located evidence documents: {docs}")
    print("rank of the evidence sentence (6 = 6 or lower):")
    print(f"  all-pairs NLI: {dict(sorted(all_pairs_rank.items()))}")
    print(f"  the rule's own scores: {dict(sorted(rule_rank.items()))}")
    print("evidence sentences with an all-pairs partner at p(contradiction) >= cut: "
          + ", ".join(f"{cut}: {above[cut]} ({above[cut] / max(docs, 1):.3f})" for cut in CUTS))


if __name__ == "__main__":
    main()
