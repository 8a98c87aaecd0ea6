"""Words that news copy writes in lower case: what a capitalised headline word is when it is not a name.

    python -m coherence.training.common_words --wikinews ../shared/datasets/wikinews/wikinews_en.jsonl

Title-case headlines capitalise every word, and spaCy then reads common words as names ("'Standoff'
on Deutsche's LSE bid" gives a PERSON, "Budget Aston takes on Porsche" an ORG); the headline rule
would report them as names the body never mentions. Inside a sentence, prose capitalises a word
only when it is a name, so counting how each word is written there tells the two apart: a word
written in lower case at least ``RATIO`` times as often as capitalised, and at least ``MIN_LOWER``
times, is a common word. Wikinews bodies are the corpus (CC BY 2.5, attribution in
models/headline/README.md); the list is sorted, one word a line.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from ..headline_support import COMMON_WORDS_PATH

RATIO = 2.0
MIN_LOWER = 3
# a word inside a sentence: after a lower-case word or a comma, so sentence starts and names' runs are left out
_INSIDE = re.compile(r"(?<=[a-z,;] )([A-Za-z][a-z]+(?:-[a-z]+)*)\b")


def count_forms(texts) -> tuple[Counter, Counter]:
    lower, capitalised = Counter(), Counter()
    for text in texts:
        for match in _INSIDE.finditer(text):
            word = match.group(1)
            (capitalised if word[0].isupper() else lower)[word.lower()] += 1
    return lower, capitalised


def common_words(lower: Counter, capitalised: Counter) -> list[str]:
    return sorted(w for w, n in lower.items() if n >= MIN_LOWER and n >= RATIO * capitalised[w])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wikinews", type=Path, default=Path("../shared/datasets/wikinews/wikinews_en.jsonl"))
    parser.add_argument("--out", type=Path, default=COMMON_WORDS_PATH)
    args = parser.parse_args(argv)
    with args.wikinews.open(encoding="utf-8") as f:
        lower, capitalised = count_forms(json.loads(line)["text"] for line in f)
    words = common_words(lower, capitalised)
    args.out.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} common words -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
