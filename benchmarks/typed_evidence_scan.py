"""How often the contradiction rule's typed place evidence fires on the dev eval sets.

    .venv/bin/python benchmarks/typed_evidence_scan.py [EVAL.jsonl ...]

Checks ``visit_conflict`` on every pair of body sentences of every document (a superset of the
pairs the rule examines) and prints, per file, the documents and those where it fires, with the
first firing pair of a few of them. No model is loaded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from coherence.document import build_document
from coherence.rules.contradiction import visit_conflict

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev"
DEFAULT_FILES = [DEV / "news_intruders.jsonl", DEV / "contradoc.jsonl", DEV / "seed.jsonl"]


def scan(path: Path) -> tuple[int, list[tuple[str, str, str]]]:
    documents, fired = 0, []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            documents += 1
            body = [s for s in build_document(row["id"], row["text"]).sentences if s.role == "body"]
            pairs = [(a, b) for i, a in enumerate(body) for b in body[i + 1 :] if visit_conflict(a.text, b.text)]
            if pairs:
                fired.append((row["id"], pairs[0][0].text, pairs[0][1].text))
    return documents, fired


def main(argv: list[str]) -> int:
    for path in [Path(a) for a in argv] or DEFAULT_FILES:
        if not path.is_file():
            print(f"{path}: not found", file=sys.stderr)
            return 2
        documents, fired = scan(path)
        print(json.dumps({"file": path.name, "documents": documents, "fires_in": len(fired)}))
        for doc_id, a, b in fired[:5]:
            print(f"  {doc_id}: {a[:80]!r} / {b[:80]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
