"""Spliced documents for the off-topic models, built from real articles with one command.

    python -m coherence.training.splices --articles ../shared/datasets/wikinews/wikinews_en.jsonl \\
        --out runs/splices-wikinews.jsonl --seed 14 --repeats 2
    python -m coherence.training.splices --articles ../shared/datasets/frank_news_articles/derived/articles.jsonl \\
        --split-a --out runs/splices-frank-a.jsonl --seed 14 --repeats 2

Each host article gives a clean copy (``none``) and, ``--repeats`` times each, the variants of the dev
eval: one sentence of another article inserted or put in place of one of the host's (``insert_*``,
``replace_*``), from a random article or from a similar one, and ``patchwork`` (2-4 sentences from
similar articles). The lead is never touched.

"Similar" donors are the hard kind first: articles that share a person, place or organisation with
the host (spaCy's entities) but are dated at least ``HARD_DAYS`` apart, so they tell another event
about the same people; the nearest of them by mean sentence embedding are used, and when a host has
too few, the nearest articles by embedding fill the list (as the dev eval picks its donors).

Sentences with a conversion gap (Wikinews README: a lost link leaves "... has told Fairfax newspapers
it will not participate" with no subject) are neither hosts' nor donors' material: a host that has one
is skipped and such a sentence is never a donor's. A gap is read as a sentence that begins with a
lower-case word.

The rows are the dev eval's JSONL (``../shared/eval/FORMAT.md``): ``coherence eval`` scores them as
they are, and ``train_belonging --splices`` trains on them. Each row also says which ``split`` its
host is in (``train`` or ``validate``, by a hash of the host's id, the same on every machine), the
donor articles and what kind they were. The same articles and seed give the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..document import sentence_spans
from ..errors import InputError
from ..evaluation.runner import read_eval_file

VARIANTS = ("none", "insert_random", "replace_random", "insert_similar", "replace_similar", "patchwork")
HARD_DAYS = 7  # an article this far apart in time that names the same people tells another event
SIMILAR_DONORS, PATCHWORK_DONORS = 3, 5  # as the dev eval: the 3 (patchwork: 5) nearest articles
HARD_SEARCH = 200
MIN_SENTENCES = 5
MIN_DONOR_WORDS = 6
VALIDATE_SHARE = 0.1
# spaCy labels of the names that tie two articles to the same people, places or organisations
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT"})


@dataclass(frozen=True)
class Story:
    """One source article: its sentences by paragraph, its names and which sentences have a gap."""
    id: str
    date: dt.date | None
    paragraphs: tuple[tuple[str, ...], ...]
    names: frozenset[str]
    gaps: frozenset[int]  # flat sentence indices

    @property
    def sentences(self) -> list[str]:
        return [s for paragraph in self.paragraphs for s in paragraph]

    @property
    def can_host(self) -> bool:
        """Long enough to splice into, and no gap that a model could take for a sign of an intruder."""
        return not self.gaps and len(self.sentences) >= MIN_SENTENCES

    def donor_sentences(self) -> list[str]:
        """What another article may borrow: not the lead, no gap, not a fragment."""
        return [s for i, s in enumerate(self.sentences)
                if i > 0 and i not in self.gaps and len(s.split()) >= MIN_DONOR_WORDS]


Analyse = Callable[[list[str]], list[tuple[frozenset[str], bool]]]


def spacy_analysis(sentences: list[str]) -> list[tuple[frozenset[str], bool]]:
    """For each sentence, its names (lower-cased entity texts) and whether it begins with a gap."""
    from .. import nlp

    out = []
    for doc in nlp.load().pipe(sentences, batch_size=256, disable=["parser", "lemmatizer"]):
        names = frozenset(e.text.lower() for e in doc.ents if e.label_ in NAME_LABELS)
        out.append((names, _has_gap(doc)))
    return out


def _has_gap(doc) -> bool:
    """A sentence that begins in lower case lost its subject ("has told Fairfax newspapers ..."); one with no
    word at all is debris ("* * *"). (The parser's tags are no help here: it reads "Leeds United" as a verb.)"""
    if not any(t.is_alpha for t in doc):
        return True
    return doc[0].text[0].islower()


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def read_stories(rows: Iterable[dict], analyse: Analyse) -> list[Story]:
    """Stories of article rows (``id``, ``text`` with paragraphs separated by a blank line, ``date``)."""
    split_rows = []
    for row in rows:
        paragraphs = []
        for block in str(row.get("text") or "").split("\n\n"):
            block = " ".join(block.split())
            if block:
                paragraphs.append(tuple(block[a:b] for a, b in sentence_spans(block)))
        split_rows.append((row, tuple(p for p in paragraphs if p)))
    flat = [s for _, paragraphs in split_rows for p in paragraphs for s in p]
    analysis = iter(analyse(flat))
    stories = []
    for row, paragraphs in split_rows:
        names: set[str] = set()
        gaps = set()
        for i in range(sum(len(p) for p in paragraphs)):
            sentence_names, gap = next(analysis)
            names |= sentence_names
            if gap:
                gaps.add(i)
        stories.append(Story(str(row["id"]), _date(row.get("date")), paragraphs, frozenset(names), frozenset(gaps)))
    return stories


def split_of(host_id: str) -> str:
    digest = int(hashlib.sha1(host_id.encode("utf-8")).hexdigest()[:8], 16)
    return "validate" if digest % 1000 < VALIDATE_SHARE * 1000 else "train"


def is_hard(host: Story, donor: Story) -> bool:
    """Same people, places or organisations, another time: the donor tells another event."""
    if host.date is None or donor.date is None or not (host.names & donor.names):
        return False
    return abs((host.date - donor.date).days) >= HARD_DAYS


def donor_lists(stories: list[Story], centroids: np.ndarray, count: int) -> list[list[tuple[int, str]]]:
    """For each story, ``count`` donors as (index, kind): hard ones by similarity, then the nearest.

    Hard donors are looked for among the ``HARD_SEARCH`` nearest articles: one further away shares a
    name but hardly the subject.
    """
    similarity = centroids @ centroids.T
    can_give = [bool(s.donor_sentences()) for s in stories]
    lists = []
    for h, host in enumerate(stories):
        order = [int(j) for j in np.argsort(-similarity[h], kind="stable")[:HARD_SEARCH + 1] if j != h and can_give[j]]
        hard = [(j, "hard") for j in order if is_hard(host, stories[j])][:count]
        taken = {j for j, _ in hard}
        near = [(j, "near") for j in order if j not in taken][: count - len(hard)]
        lists.append(hard + near)
    return lists


def centroids_of(stories: list[Story], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Unit mean sentence embedding of each story."""
    flat = [s for story in stories for s in story.sentences]
    vectors = embed(flat)
    rows, at = [], 0
    for story in stories:
        n = len(story.sentences)
        rows.append(vectors[at:at + n].mean(axis=0))
        at += n
    matrix = np.asarray(rows, dtype=np.float64)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _splice(rng: random.Random, host: Story, variant: str, donors: Sequence[Story]) -> tuple[list, list[str]]:
    """The host's (paragraph, sentence, is_intruder) items with the variant applied, and the donors' ids."""
    items = [(p, s, False) for p, paragraph in enumerate(host.paragraphs) for s in paragraph]
    used: list[str] = []
    if variant == "none":
        return items, used
    for _ in range(rng.randint(2, 4) if variant == "patchwork" else 1):
        donor = rng.choice(list(donors))
        sentence = rng.choice(donor.donor_sentences())
        used.append(donor.id)
        if variant.startswith("replace"):
            at = rng.choice([i for i in range(1, len(items)) if not items[i][2]])
            items[at] = (items[at][0], sentence, True)
        else:
            at = rng.randint(1, len(items))
            paragraph = items[at][0] if at < len(items) else items[-1][0]
            items.insert(at, (paragraph, sentence, True))
    return items, used


def _text_and_spans(items: list) -> tuple[str, list[list[int]]]:
    """The spliced text (sentences joined by a space, paragraphs by a blank line) and the intruders' spans."""
    text, spans, paragraph = "", [], None
    for p, sentence, intruder in items:
        if text:
            text += " " if p == paragraph else "\n\n"
        paragraph = p
        if intruder:
            spans.append([len(text), len(text) + len(sentence)])
        text += sentence
    return text, spans


def splice_documents(stories: list[Story], centroids: np.ndarray, seed: int, repeats: int,
                     source: str) -> Iterator[dict]:
    """Eval rows for every usable host, in a fixed order."""
    rng = random.Random(seed)
    similar = donor_lists(stories, centroids, PATCHWORK_DONORS)
    donors_any = [s for s in stories if s.donor_sentences()]
    for h, host in enumerate(stories):
        if not host.can_host:
            continue
        for variant in VARIANTS:
            for r in range(1 if variant == "none" else repeats):
                if variant.endswith("random"):
                    pool, kind = [s for s in donors_any if s.id != host.id], "random"
                else:
                    chosen = similar[h][:PATCHWORK_DONORS if variant == "patchwork" else SIMILAR_DONORS]
                    pool = [stories[j] for j, _ in chosen]
                    kinds = {k for _, k in chosen}
                    kind = kinds.pop() if len(kinds) == 1 else "mixed"  # "hard", "near" or both
                items, used = _splice(rng, host, variant, pool)
                text, spans = _text_and_spans(items)
                yield {"set": "splices", "source": source, "is_news": True, "host": host.id,
                       "id": f"{host.id}:{variant}:{r}", "variant": variant, "split": split_of(host.id),
                       "donors": used, "donor_kind": kind if used else None, "text": text,
                       "intruders": spans, "contradictions": [], "has_intruder": bool(spans),
                       "has_contradiction": False}


def read_rows(path: Path) -> list[dict]:
    """Article (or spliced document) rows with an ``id`` and a ``text``; an InputError names a bad line."""
    # FRANK marks its non-news and broken texts
    return [row for row in read_eval_file(path) if row.get("usable_for_splicing", True)]


def frank_split_a(rows: list[dict], path: Path) -> list[dict]:
    """The rows of the FRANK dev articles in split A, the share the off-topic models may learn from
    (``train_local.split_articles``: B is kept for fitting the stack and for the figures)."""
    from .train_belonging import load_articles
    from .train_local import split_articles

    a_ids = {article_id for article_id, _ in split_articles(load_articles(path))[0]}
    return [row for row in rows if row["id"] in a_ids]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=Path, default=Path("../shared/datasets/wikinews/wikinews_en.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("runs/splices-wikinews.jsonl"))
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--repeats", type=int, default=2, help="documents per host and variant (the clean copy once)")
    parser.add_argument("--split-a", action="store_true",
                        help="only the articles of split A (for the FRANK dev articles: B stays unseen)")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        rows = read_rows(args.articles)
    except (OSError, InputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.split_a:
        rows = frank_split_a(rows, args.articles)
    from ..runtime.embedder import load_embedder

    print(f"{len(rows)} articles; reading names and gaps ...", file=sys.stderr)
    stories = read_stories(rows, spacy_analysis)
    print("embedding sentences ...", file=sys.stderr)
    centroids = centroids_of(stories, load_embedder(threads=args.threads).encode)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with args.out.open("w", encoding="utf-8") as f:
        for row in splice_documents(stories, centroids, args.seed, args.repeats, args.articles.stem):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            key = f"{row['split']}:{row['donor_kind'] or 'none'}"
            counts[key] = counts.get(key, 0) + 1
    hosts = sum(1 for s in stories if s.can_host)
    print(json.dumps({"articles": len(stories), "hosts": hosts, "documents": counts}, indent=1))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
