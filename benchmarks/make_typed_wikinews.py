"""A typed-contradiction set from English Wikinews, built like ``eval/dev/typed_contradictions.jsonl``.

    python benchmarks/make_typed_wikinews.py [--seed 15] [--articles 400] [--out runs/typed-wikinews]

For each article (in a seeded order) that states a fact twice (a count or amount, a year, a month
with its day) in two body sentences that share describing words around the value, the later
mention is changed as a careless edit leaves it: a number doubled, tripled, quartered or halved,
a year moved by two to four, a month moved by one. Each chosen article gives its clean copy
(``variant: none``) and the changed copy (``typed_number`` or ``typed_date``, ``contradictions`` the
changed sentence, ``evidence_partner`` the sentence it now disagrees with), in the eval JSONL of
``../shared/eval/FORMAT.md``.

With the defaults 176 of the 4,119 articles qualify (``--articles`` is a ceiling): 86 in develop, 90 in
validate. Articles are split in two by a hash of their id: ``develop.jsonl`` (tune on it) and
``validate.jsonl`` (look at it only to confirm); ``clean.jsonl`` holds ``--clean`` other articles,
unchanged, for false alarms. Nothing is written outside ``--out``; the
articles are Wikinews text, CC BY 2.5 (https://creativecommons.org/licenses/by/2.5/), by Wikinews
contributors: do not commit the output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

from coherence.document import build_document

ROOT = Path(__file__).resolve().parent.parent
WIKINEWS = ROOT.parent / "shared" / "datasets" / "wikinews" / "wikinews_en.jsonl"
WINDOW = 8  # words either side of a value that describe it
MIN_SHARED = 3  # describing words the two mentions must share (the dev set is "kept strict")
MONTHS = ("January February March April May June July August September October November "
          "December").split()
_MONTH = "|".join(MONTHS)
# A value: "March 21" / "21 March" (a date with its day), a year, or a number with its currency and scale.
VALUE = re.compile(
    rf"\b(?P<md>(?:{_MONTH})\s+\d{{1,2}}\b|\d{{1,2}}\s+(?:{_MONTH})\b)"
    r"|(?P<year>\b(?:19[5-9]\d|20[0-2]\d)\b)"
    r"|(?P<num>[£$€]?\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|[£$€]?\b\d+(?:\.\d+)?\b)"
    r"(?P<scale>\s?(?:million|billion|trillion|bn|m)\b)?")
STOP = frozenset("""a an the of in on at to for from by with and or but is was were are be been has have had
it its this that these those he she they his her their as than more less about after before over
said says will would could also which who not no per cent percent up down out into some""".split())


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'\-]+|\d[\d,.]*", text)


def _describing(sentence: str, start: int, end: int) -> set[str]:
    before = _words(sentence[:start])[-WINDOW:]
    after = _words(sentence[end:])[:WINDOW]
    return {w.lower() for w in before + after if w.lower() not in STOP and len(w) > 2}


def _values(sentence: str) -> list[tuple[str, str, int, int]]:
    """(kind, key, start, end) of each value in a sentence; key is the value normalised."""
    out = []
    for m in VALUE.finditer(sentence):
        if m.group("md"):
            out.append(("md", " ".join(sorted(m.group("md").split())), m.start("md"), m.end("md")))
        elif m.group("year"):
            out.append(("year", m.group("year"), m.start("year"), m.end("year")))
        else:
            text = m.group("num")
            digits = text.lstrip("£$€").replace(",", "")
            if "." in digits and len(digits.split(".")[1]) > 2:
                continue
            prev, nxt = sentence[max(0, m.start() - 1) : m.start()], sentence[m.end("num") : m.end("num") + 1]
            if prev in "-/:." and prev or nxt in ("-", "/", ":") and nxt or float(digits) == 0:
                continue  # a range, a score, a clock time, a fraction or an id: not one count
            if re.match(r"\s*(?:a\.m|p\.m|am\b|pm\b|GMT|UTC)", sentence[m.end("num") :]):
                continue
            scale = (m.group("scale") or "").strip()
            key = (text[:1] if text[:1] in "£$€" else "") + digits + "|" + scale
            out.append(("num", key, m.start("num"), m.end("num")))
    return out


def _changed(kind: str, text: str, rng: random.Random, avoid: set[str]) -> str | None:
    """The value as a careless edit leaves it, or None when no such change fits."""
    if kind == "year":
        for delta in rng.sample([-4, -3, -2, 2, 3, 4], 6):
            new = str(int(text) + delta)
            if new not in avoid and int(new) <= 2025:
                return new
        return None
    if kind == "md":
        parts = text.split()
        month_i = 0 if parts[0] in MONTHS else 1
        month = MONTHS.index(parts[month_i])
        new_month = MONTHS[(month + rng.choice([-1, 1])) % 12]
        parts[month_i] = new_month
        return " ".join(parts)
    prefix = text[:1] if text[:1] in "£$€" else ""
    digits = text[len(prefix) :]
    value = float(digits.replace(",", ""))
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    for factor in rng.sample([2, 3, 4, 0.5, 0.25], 5):
        new = value * factor
        if decimals == 0 and new != int(new) or new < 2 and value >= 2:
            continue
        formatted = f"{new:,.{decimals}f}" if "," in digits else f"{new:.{decimals}f}"
        if formatted != digits and formatted not in avoid:
            return prefix + formatted
    return None


def _candidates(sentences: list) -> list[tuple[int, int, str, int, int]]:
    """(partner, later, kind, start, end): a value of sentence ``later`` its earlier ``partner`` states too."""
    found = []
    seen = [_values(s.text) for s in sentences]
    for j, later in enumerate(sentences):
        for kind, key, start, end in seen[j]:
            if sum(1 for v in seen[j] if v[1] == key) > 1:
                continue  # told twice in one sentence: which one to change is arbitrary
            around_j = _describing(later.text, start, end)
            for i in range(j):
                for kind_i, key_i, start_i, end_i in seen[i]:
                    if key_i == key and len(around_j & _describing(sentences[i].text, start_i, end_i)) >= MIN_SHARED:
                        found.append((i, j, kind, start, end))
                        break
                else:
                    continue
                break
    return found


def build(seed: int, articles: int, out: Path, clean: int = 0) -> dict:
    rng = random.Random(seed)
    rows = [json.loads(line) for line in WIKINEWS.open(encoding="utf-8")]
    rng.shuffle(rows)
    splits: dict[str, list[dict]] = {"develop": [], "validate": []}
    made = 0
    hosts = set()
    for row in rows:
        if made >= articles:
            break
        text = row["text"]
        body = [s for s in build_document(row["id"], text).sentences if s.role == "body"]
        candidates = _candidates(body)
        if not candidates:
            continue
        i, j, kind, start, end = rng.choice(candidates)
        later, partner = body[j], body[i]
        old = later.text[start:end]
        avoid = set(re.findall(r"[\d,.]+|\w+", text))
        new = _changed(kind, old, rng, avoid)
        if new is None:
            continue
        at = later.start + start
        changed = text[:at] + new + text[at + len(old) :]
        variant = "typed_number" if kind == "num" else "typed_date"
        host = f"wikinews:{row['id']}"
        common = {"set": "typed", "source": "typed-wikinews", "is_news": True, "host": host, "intruders": [],
                  "has_intruder": False}
        split = "develop" if int(hashlib.sha1(str(row["id"]).encode()).hexdigest(), 16) % 2 == 0 else "validate"
        splits[split].append({**common, "id": f"{host}:none", "variant": "none", "text": text,
                              "contradictions": [], "has_contradiction": False, "evidence_located": False})
        splits[split].append({**common, "id": f"{host}:{variant}", "variant": variant, "text": changed,
                              "contradictions": [[later.start, later.end + len(new) - len(old)]],
                              "evidence_partner": [[partner.start, partner.end]], "has_contradiction": True,
                              "evidence_located": True, "changed": [old, new]})
        made += 1
        hosts.add(row["id"])
    # clean articles the typed set does not use, for false alarms on copy that states many numbers or none
    splits["clean"] = [{"set": "typed", "source": "clean-wikinews", "is_news": True, "host": f"wikinews:{row['id']}",
                        "intruders": [], "has_intruder": False, "id": f"wikinews:{row['id']}:none", "variant": "none",
                        "text": row["text"], "contradictions": [], "has_contradiction": False, "evidence_located": False}
                       for row in rows[::-1] if row["id"] not in hosts][:clean]
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, items in splits.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            for item in items:
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
        counts[name] = {v: sum(1 for x in items if x["variant"] == v) for v in ("none", "typed_number", "typed_date")}
    return counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--articles", type=int, default=400, help="changed articles to make (each with its clean copy)")
    parser.add_argument("--clean", type=int, default=600, help="clean articles outside the typed set (clean.jsonl)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "typed-wikinews")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.seed, args.articles, args.out, args.clean)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
