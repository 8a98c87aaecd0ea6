"""The contradiction rule alone on eval files: typed recall and clean documents with a contradiction error.

    python benchmarks/typed_scan.py [--typed-only] [--misses N] [--alarms N] EVAL.jsonl ...

Runs only the ``contradiction`` rule (one thread), scores each file as ``coherence eval`` does
(``coherence.evaluation.metrics``: ``typed_recall`` and clean documents with a contradiction
``error``), and prints the changed sentences missed and the clean documents with an error.
``--typed-only`` leaves the NLI model out (its findings are never errors, so the errors are the
same but for which pair a sentence reports): quick for iterating, measure without it at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from coherence.checker import ArticleInput, Checker
from coherence.evaluation.metrics import _typed_hit, score_documents
from coherence.evaluation.runner import read_eval_file
from coherence.formats.json_report import file_json
from coherence.settings import Settings


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--typed-only", action="store_true")
    parser.add_argument("--misses", type=int, default=0, help="print this many missed changes per file")
    parser.add_argument("--alarms", type=int, default=0, help="print this many clean documents with an error")
    args = parser.parse_args(argv)
    checker = Checker(Settings(rules=("contradiction",), threads=1))
    if args.typed_only:
        checker.__dict__["nli"] = None  # the cached property, left empty
    for path in args.files:
        rows = read_eval_file(path)
        items = []
        for start in range(0, len(rows), 32):
            chunk = rows[start : start + 32]
            reports = checker.check([ArticleInput(path=row["id"], text=row["text"]) for row in chunk])
            items += [(row, file_json(report)) for row, report in zip(chunk, reports)]
        figures = score_documents(items)
        clean = [(r, rep) for r, rep in items if not r.get("has_contradiction")]
        alarms = [(r, rep) for r, rep in clean
                  if any(f["rule"] == "contradiction" and f["severity"] == "error" for f in rep["findings"])]
        typed = figures["contradiction"].get("typed_recall")
        print(json.dumps({"file": path.name, "typed_recall": typed, "typed_n": figures["contradiction"].get("typed_n"),
                          "clean_docs": len(clean), "clean_with_ct_error": len(alarms)}))
        shown = 0
        for row, rep in items:
            if shown >= args.misses or not row.get("evidence_partner"):
                continue
            findings = [f for f in rep["findings"] if f["rule"] == "contradiction"]
            if any(_typed_hit(f, row["contradictions"], row["evidence_partner"], row["variant"]) for f in findings):
                continue
            shown += 1
            text = row["text"]
            (a, b), (c, d) = row["evidence_partner"][0], row["contradictions"][0]
            print(f"MISS {row['id']} {row.get('changed')}\n  P: {text[a:b][:300]}\n  C: {text[c:d][:300]}")
            for f in findings:
                print(f"  found {f['severity']} {f.get('kind')}: {text[f['start']:f['end']][:100]!r}")
        for row, rep in alarms[: args.alarms]:
            text = row["text"]
            for f in rep["findings"]:
                if f["rule"] == "contradiction" and f["severity"] == "error":
                    r = f["related"][0]
                    print(f"ALARM {row['id']} {f['message']}\n  A: {text[r['start']:r['end']][:300]}\n"
                          f"  B: {text[f['start']:f['end']][:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
