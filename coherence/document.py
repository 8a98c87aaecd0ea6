"""The document: headline, dateline/byline blocks, paragraphs and sentences with offsets.

Built once per article; every rule reads it and nothing re-splits text. Offsets are code
points into the decoded text (BOM removed, line endings kept as written), so a finding's
span always round-trips to exactly what the user sees in the file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import syntok.segmenter as syntok_segmenter

# Blocks are separated by blank lines (CRLF or LF, whitespace-only lines count as blank).
_BLOCK_BREAK = re.compile(r"(?:\r?\n|\r)[ \t\f\v]*(?:\r?\n|\r)(?:[ \t\f\v]*(?:\r?\n|\r))*")

# Titles and abbreviations that never end a sentence when a capitalised word follows.
# syntok knows some ("Sen.", "Mr.") but splits after others ("Gov.", "Rep."). "No." is not
# here: before a number ("No. 10") nothing needs merging, and "The answer is no. She left."
# is two sentences.
_TITLE_ABBREVIATIONS = frozenset(
    """
    gov sen rep reps sens gen lt col sgt capt cpl pvt maj adm cmdr cmdt brig supt insp det
    dr prof mr mrs ms mx messrs rev fr hon pres vs v st mt ft jan feb mar apr
    jun jul aug sep sept oct nov dec atty amb
    """.split()
)

# After "U.S." / "a.m." / "D.C." syntok keeps going; we split when what follows is a word
# that starts sentences in news copy and rarely continues a name ("The U.S. Army" stays).
_ABBREVIATION_END = re.compile(r"\b(?:[A-Za-z]\.){2,}(?P<gap>\s+)(?=[A-Z])")
_SENTENCE_STARTERS = frozenset(
    """
    The A An He She It They We I You His Her Its Their Our This That These Those There But
    And Yet So Then Now In On At For After Before When While Officials Police Authorities
    """.split()
)

_DATELINE_HINT = re.compile(
    r"(?ix)^(?:by\s|updated|published|posted|last\ updated|\(?cnn\)?|\(?ap\)?|\(?reuters\)?)"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b(?:19|20)\d\d\b"
)

HEADLINE_MAX_WORDS = 20
META_MAX_WORDS = 12


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    line: int
    column: int
    paragraph: int
    role: str = "body"  # "headline" or "body"


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    kind: str  # "headline", "meta" (dateline, byline), "paragraph"


@dataclass
class Document:
    path: str
    text: str
    blocks: list[Block]
    sentences: list[Sentence]
    notes: list[str] = field(default_factory=list)

    @property
    def headline(self) -> Sentence | None:
        return next((s for s in self.sentences if s.role == "headline"), None)

    @property
    def body(self) -> list[Sentence]:
        return [s for s in self.sentences if s.role == "body"]


class LineIndex:
    """Maps a character offset to a 1-based (line, column); CRLF, LF and CR all end a line."""

    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


def _blocks(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _BLOCK_BREAK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        seg = text[a:b]
        stripped = seg.strip()
        if stripped:
            lead = len(seg) - len(seg.lstrip())
            out.append((a + lead, a + lead + len(stripped)))
    return out


def _is_single_short_line(text: str, max_words: int) -> bool:
    return "\n" not in text and "\r" not in text and len(text.split()) <= max_words


def _looks_like_headline(text: str) -> bool:
    # A headline is a short single line that does not read like a finished sentence.
    return _is_single_short_line(text, HEADLINE_MAX_WORDS) and not text.rstrip().endswith((".", '"', "”"))


def _looks_like_meta(text: str) -> bool:
    short = _is_single_short_line(text, META_MAX_WORDS) and not text.rstrip().endswith((".", "!", "?"))
    return short and bool(_DATELINE_HINT.search(text))


def _raw_sentences(text: str) -> list[tuple[int, int]]:
    """syntok's sentences of one block, as (start, end) offsets into that block."""
    spans = []
    for paragraph in syntok_segmenter.analyze(text):
        for sentence in paragraph:
            first, last = sentence[0], sentence[-1]
            start = first.offset
            end = last.offset + len(last.value)
            if end > start:
                spans.append((start, end))
    return spans


def _last_word(text: str) -> str:
    m = re.search(r"([A-Za-z]+)\.\s*$", text)
    return m.group(1).lower() if m else ""


def _fix_news_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Repair syntok's known news failures: breaks after titles, merges after U.S./p.m."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            prev_start, prev_end = merged[-1]
            previous = text[prev_start:prev_end]
            following = text[start:end].lstrip("\"'“‘( ")
            after_title = _last_word(previous) in _TITLE_ABBREVIATIONS and following[:1].isupper()
            # "... he said." or ", said Smith." split off a quote belongs to that quote.
            attribution_tail = following[:1].islower()
            if after_title or attribution_tail:
                merged[-1] = (prev_start, end)
                continue
        merged.append((start, end))

    split: list[tuple[int, int]] = []
    for start, end in merged:
        cut_from = start
        for m in _ABBREVIATION_END.finditer(text, start, end):
            following = re.match(r"[A-Za-z]+", text[m.end() : end])
            if following and following.group(0) in _SENTENCE_STARTERS:
                split.append((cut_from, m.start("gap")))
                cut_from = m.end()
        split.append((cut_from, end))
    return [(a, b) for a, b in split if text[a:b].strip()]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """News-aware sentence spans of a block of prose, offsets relative to ``text``."""
    return _fix_news_sentences(text, _raw_sentences(text))


def build_document(path: str, text: str) -> Document:
    """Segment decoded article text into headline, meta blocks and body sentences."""
    lines = LineIndex(text)
    blocks: list[Block] = []
    sentences: list[Sentence] = []
    block_spans = _blocks(text)
    paragraph_no = 0
    for position, (a, b) in enumerate(block_spans):
        chunk = text[a:b]
        has_more = position + 1 < len(block_spans)
        if position == 0 and has_more and _looks_like_headline(chunk):
            kind = "headline"
        elif position <= 3 and has_more and not any(k.kind == "paragraph" for k in blocks) and _looks_like_meta(chunk):
            kind = "meta"
        else:
            kind = "paragraph"
        blocks.append(Block(a, b, kind))
        if kind == "meta":
            continue
        spans = [(0, len(chunk))] if kind == "headline" else sentence_spans(chunk)
        for s, e in spans:
            line, column = lines.position(a + s)
            sentences.append(
                Sentence(
                    index=len(sentences),
                    start=a + s,
                    end=a + e,
                    text=text[a + s : a + e],
                    line=line,
                    column=column,
                    paragraph=paragraph_no,
                    role="headline" if kind == "headline" else "body",
                )
            )
        paragraph_no += 1
    return Document(path=path, text=text, blocks=blocks, sentences=sentences)
