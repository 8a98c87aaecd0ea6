"""Typed facts alone, on cached spaCy parses: a quick loop for developing ``coherence.facts``.

    python benchmarks/typed_fast.py [--misses N] [--alarms N] EVAL.jsonl ...

Parses every sentence once (cached as spaCy DocBins under runs/parse-cache/), then runs
``contradiction.typed_conflicts`` and counts, as the rule reports them: a changed article is caught
when the changed sentence has an error (certain, not two sources) with its partner; a clean
document raises an alarm when any pair is such an error. An approximation of ``typed_scan.py``
(which runs the rule itself): measure with that at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from coherence import facts, nlp
from coherence.document import build_document
from coherence.evaluation.metrics import span_hits
from coherence.rules.contradiction import typed_conflicts

CACHE = Path(__file__).resolve().parent.parent / "runs" / "parse-cache"


def _parses(path: Path, rows: list[dict]) -> list[list]:
    from spacy.tokens import DocBin

    documents = [build_document(r["id"], r["text"]) for r in rows]
    texts = [s.text for d in documents for s in d.sentences]
    key = hashlib.sha1("\n\0".join(texts).encode()).hexdigest()[:16]
    cache = CACHE / f"{path.stem}-{key}.spacy"
    model = nlp.load()
    if cache.exists():
        docs = list(DocBin().from_bytes(cache.read_bytes()).get_docs(model.vocab))
    else:
        docs = nlp.parse(texts)
        CACHE.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(DocBin(store_user_data=False, docs=docs).to_bytes())
    out, at = [], 0
    for d in documents:
        out.append((d, docs[at : at + len(d.sentences)]))
        at += len(d.sentences)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--misses", type=int, default=0)
    parser.add_argument("--alarms", type=int, default=0)
    args = parser.parse_args(argv)
    for path in args.files:
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        caught = n = clean = alarms = 0
        misses, alarm_text = [], []
        for row, (document, parses) in zip(rows, _parses(path, rows)):
            body = [s for s in document.sentences if s.role == "body"]
            typed = typed_conflicts(body, [facts.extract(doc) for doc in parses])
            errors = {(i, j): c for (i, j), c in typed.items() if c.certain and not c.sources_differ}
            if row.get("has_contradiction") and row.get("evidence_partner"):
                n += 1
                changed, partner = row["contradictions"][0], row["evidence_partner"][0]
                kind = {"typed_number": "number", "typed_date": "date"}.get(row["variant"])
                hit = any(span_hits((body[j].start, body[j].end), changed) and span_hits((body[i].start, body[i].end), partner)
                          and (kind is None or c.kind == kind) for (i, j), c in errors.items())
                caught += hit
                if not hit:
                    others = [f"{c.kind} {c.certain} {c.sources_differ}: {c.first.phrase!r} / {c.second.phrase!r}"
                              for (i, j), c in typed.items() if span_hits((body[j].start, body[j].end), changed)]
                    misses.append((row, others))
            elif not row.get("has_contradiction"):
                clean += 1
                if errors:
                    alarms += 1
                    (i, j), c = next(iter(errors.items()))
                    alarm_text.append(f"ALARM {row['id']} {c.kind}: {c.first.phrase!r} / {c.second.phrase!r}\n"
                                      f"  A: {body[i].text[:300]}\n  B: {body[j].text[:300]}")
        print(json.dumps({"file": path.name, "typed_caught": caught, "typed_n": n, "clean": clean, "clean_errors": alarms}))
        for row, others in misses[: args.misses]:
            text = row["text"]
            (a, b), (c, d) = row["evidence_partner"][0], row["contradictions"][0]
            print(f"MISS {row['id']} {row.get('changed')}\n  P: {text[a:b][:300]}\n  C: {text[c:d][:300]}")
            for o in others:
                print(f"  found {o}")
        for text in alarm_text[: args.alarms]:
            print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
