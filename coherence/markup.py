"""The prose of Markdown and HTML copy, with a map back to the file.

Rules read prose: headings, paragraphs and list items, never markup, code, front matter, scripts
or link targets. ``extract_prose`` returns that prose as plain text, blocks separated by blank
lines (what ``document.build_document`` expects), and for every character of it the offset of the
character in the file it came from, so every span and line:column reported points into the file as
the user wrote it. It also reads the inline suppression comments
``<!-- coherence: disable=off-topic -->`` ... ``<!-- coherence: enable=off-topic -->``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

from .document import LineIndex
from .suppression import InlineRegion

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")

_DIRECTIVE = re.compile(r"^\s*coherence\s*:\s*(?P<verb>disable|enable)\s*(?:=\s*(?P<rules>[\w\s,-]+?))?\s*$", re.IGNORECASE)


def markup_of(path: str) -> str:
    """``markdown``, ``html`` or ``text``, from the file name."""
    lower = path.lower()
    if lower.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    return "text"


@dataclass
class Prose:
    text: str
    offsets: list[int] | None = None  # file offset of each character of text; None: text is the file
    regions: list[InlineRegion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        if self.offsets is None or end <= start:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1


class _Builder:
    """Collects prose characters with their file offsets; block breaks are inserted, never doubled."""

    def __init__(self, source_length: int):
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.last = max(source_length - 1, 0)  # inserted breaks at the very end map to the last character

    def add(self, text: str, offset: int, one_offset: bool = False) -> None:
        """Append ``text`` found at ``offset``; ``one_offset`` maps every character to ``offset``
        (a decoded entity, or a space standing for a run of whitespace)."""
        for i, char in enumerate(text):
            at = min(offset if one_offset else offset + i, self.last)
            if self.offsets and at < self.offsets[-1]:
                # html.parser can report a position behind the last one in malformed markup; spans
                # must still run forwards, so the character keeps to where the previous one was.
                at = self.offsets[-1]
            self.chars.append(char)
            self.offsets.append(at)

    def newline(self, offset: int) -> None:
        self.add("\n", offset)

    def block_break(self, offset: int) -> None:
        """End the current block: the prose gets a blank line here unless it already has one."""
        tail = "".join(self.chars[-2:])
        if not self.chars or tail == "\n\n":
            return
        for _ in range(2 - (1 if tail.endswith("\n") else 0)):
            self.add("\n", offset)

    def prose(self, regions, notes) -> Prose:
        return Prose("".join(self.chars), self.offsets, regions, notes)


class _Directives:
    """Turns disable/enable comments into regions of the file where rules are off."""

    def __init__(self, known_rules: tuple[str, ...], text: str):
        self.known = known_rules
        lines = LineIndex(text)
        self.line_of = lambda offset: lines.position(offset)[0]
        self.open: dict[str | None, int] = {}  # rule (None: all) -> where it was disabled
        self.regions: list[InlineRegion] = []
        self.notes: list[str] = []

    def comment(self, body: str, offset: int) -> None:
        match = _DIRECTIVE.match(body)
        if not match:
            if body.strip().lower().startswith("coherence"):
                self.notes.append(f"line {self.line_of(offset)}: not a coherence directive: <!--{body}-->")
            return
        names = [r.strip().lower() for r in (match["rules"] or "").split(",") if r.strip()]
        unknown = [n for n in names if n not in self.known]
        if unknown:
            self.notes.append(f"line {self.line_of(offset)}: unknown rule(s) in coherence comment: {', '.join(unknown)}")
        rules = [n for n in names if n in self.known] or ([None] if not names else [])
        for rule in rules:
            if match["verb"].lower() == "disable":
                self.open.setdefault(rule, offset)
            elif rule in self.open:
                start = self.open.pop(rule)
                self.regions.append(InlineRegion(start, offset, None if rule is None else frozenset([rule])))
            elif rule is None:  # a bare "enable" closes every open rule
                for name, start in self.open.items():
                    self.regions.append(InlineRegion(start, offset, None if name is None else frozenset([name])))
                self.open.clear()

    def finish(self, end: int) -> list[InlineRegion]:
        for rule, start in self.open.items():
            self.regions.append(InlineRegion(start, end, None if rule is None else frozenset([rule])))
        self.open.clear()
        return self.regions


def _line_starts(text: str) -> list[int]:
    # "\n" only, as html.parser counts lines for getpos(); reports use document.LineIndex.
    return [0] + [m.end() for m in re.finditer(r"\n", text)]


# ---------------------------------------------------------------- Markdown

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?(?P<fence>---|\+\+\+)[ \t]*\r?\n")
_FRONT_MATTER_TITLE = re.compile(r"""title[ \t]*[:=][ \t]*(?P<quote>["']?)(?P<value>[^\r\n]+?)(?P=quote)[ \t]*\r?$""", re.MULTILINE)
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)")
_ATX_CLOSING = re.compile(r"[ \t]+#+[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_BLOCKQUOTE = re.compile(r"^ {0,3}>[ \t]?")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_TABLE_SEPARATOR = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_INDENTED_CODE = re.compile(r"^(?: {4}|\t)")

# Inline constructs, tried left to right at each position; what each becomes is decided in _inline.
_INLINE = re.compile(
    r"(?P<comment><!--(?P<body>.*?)-->)"
    r"|(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?P<image>!\[[^\]]*\]\([^)]*\))"
    r"|(?P<link>\[(?P<label>[^\]]+)\](?:\([^)]*\)|\[[^\]]*\]))"
    r"|(?P<autolink><(?:https?|mailto|ftp):[^>\s]+>)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)"
    r"|(?P<escape>\\[!-/:-@\[-`{-~])"
    r"|(?P<entity>&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<emphasis>(?<![\w*])[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?![\w*])|~~)"
    r"|(?P<pipe>\|)"
)


class _MarkdownReader:
    def __init__(self, text: str, known_rules: tuple[str, ...]):
        self.text = text
        self.out = _Builder(len(text))
        self.directives = _Directives(known_rules, text)

    def read(self) -> Prose:
        lines = list(re.finditer(r"[^\n]*(?:\n|$)", self.text))
        position, title = self._skip_front_matter(lines)
        if title is not None and not self._starts_with_heading(lines[position:]):
            # Static-site copy often keeps the headline only in the front matter's title.
            self._inline(title.group("value"), title.start("value"))
            self.out.block_break(title.end("value"))
        fence = None
        in_comment: int | None = None  # offset where a multi-line HTML comment opened
        previous_blank = True
        for match in lines[position:]:
            raw = match.group()
            if not raw:
                continue
            start = match.start()
            line = raw.rstrip("\r\n")
            # The line's end: its line break, or its last character when the file ends without one.
            eol = start + len(line) if raw != line else start + max(len(line) - 1, 0)
            if in_comment is not None:
                close = line.find("-->")
                if close < 0:
                    continue
                self.directives.comment(self.text[in_comment + 4 : start + close], in_comment)
                in_comment = None
                line, start = line[close + 3 :], start + close + 3
            if fence:
                if re.match(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", line):
                    fence = None
                continue
            opening = _FENCE.match(line)
            if opening:
                fence = opening["fence"]
                self.out.block_break(start)
                continue
            if not line.strip():
                self.out.block_break(start)
                previous_blank = True
                continue
            if previous_blank and _INDENTED_CODE.match(line) and not _LIST_ITEM.match(line):
                continue
            opened = line.find("<!--")
            if opened >= 0 and line.find("-->", opened) < 0:
                in_comment = start + opened
                line = line[:opened]
                if not line.strip():
                    continue
            previous_blank = False
            self._block_line(line, start, eol)
        return self.out.prose(self.directives.finish(len(self.text)), self.directives.notes)

    def _skip_front_matter(self, lines) -> tuple[int, re.Match | None]:
        """The first line after the front matter (0: none), and its ``title`` entry if it has one."""
        opening = _FRONT_MATTER.match(self.text)
        if not opening:
            return 0, None
        closing = {"---": ("---", "..."), "+++": ("+++",)}[opening["fence"]]
        for number, match in enumerate(lines[1:], 1):
            if match.group().strip() in closing:
                titles = (_FRONT_MATTER_TITLE.match(self.text, m.start(), m.end()) for m in lines[1:number])
                return number + 1, next((t for t in titles if t), None)
        return 0, None  # no closing fence: not front matter

    @staticmethod
    def _starts_with_heading(lines) -> bool:
        content = [m.group().rstrip("\r\n") for m in lines if m.group().strip()][:2]
        return bool(content) and (bool(_ATX_HEADING.match(content[0]))
                                  or (len(content) > 1 and bool(_SETEXT_UNDERLINE.match(content[1]))))

    def _block_line(self, line: str, start: int, eol: int) -> None:
        if _THEMATIC_BREAK.match(line) or _LINK_DEFINITION.match(line) or _TABLE_SEPARATOR.match(line):
            self.out.block_break(start)
            return
        if _SETEXT_UNDERLINE.match(line):  # the line above was a heading: it is a block of its own
            self.out.block_break(start)
            return
        heading = _ATX_HEADING.match(line)
        quote = _BLOCKQUOTE.match(line)
        item = _LIST_ITEM.match(line)
        if heading:
            self.out.block_break(start)
            body_end = _ATX_CLOSING.search(line[heading.end() :])
            content = line[heading.end() : heading.end() + body_end.start()] if body_end else line[heading.end() :]
            self._inline(content, start + heading.end())
            self.out.block_break(eol)
            return
        if quote:
            line, start = line[quote.end() :], start + quote.end()
            item = _LIST_ITEM.match(line)
        if item:  # each list item is a block: items are rarely one running sentence
            self.out.block_break(start)
            line, start = line[item.end() :], start + item.end()
        self._inline(line, start)
        self.out.newline(eol)

    def _inline(self, line: str, start: int) -> None:
        position = 0
        for match in _INLINE.finditer(line):
            self.out.add(line[position : match.start()], start + position)
            position = match.end()
            at = start + match.start()
            if match["comment"] is not None:
                self.directives.comment(match["body"], at)
            elif match["link"] is not None:
                self._inline(match["label"], start + match.start("label"))
            elif match["escape"] is not None:
                self.out.add(match["escape"][1], at + 1)
            elif match["entity"] is not None:
                self.out.add(html.unescape(match["entity"]), at, one_offset=True)
            elif match["pipe"] is not None:
                self.out.add(" ", at)
            # code spans, images, autolinks, tags and emphasis markers are not prose: dropped
        self.out.add(line[position:], start + position)


# ---------------------------------------------------------------- HTML

_SKIPPED_ELEMENTS = frozenset("script style noscript template svg math head pre code textarea iframe object".split())
_BLOCK_ELEMENTS = frozenset(
    """p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd br hr blockquote section article header footer aside
    main nav figure figcaption table thead tbody tfoot tr td th caption form fieldset address details
    summary title body html""".split()
)
_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class _HTMLReader(HTMLParser):
    def __init__(self, text: str, known_rules: tuple[str, ...]):
        super().__init__(convert_charrefs=False)
        self.text = text
        self.starts = _line_starts(text)
        self.out = _Builder(len(text))
        self.directives = _Directives(known_rules, text)
        self.skipping: list[str] = []  # open skipped elements, innermost last
        # A page without <h1> takes its <title> (in the skipped <head>) as the headline.
        self.title_wanted = not re.search(r"<h1[\s>]", text, re.IGNORECASE)
        self.in_title = False

    def here(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def read(self) -> Prose:
        self.feed(self.text)
        self.close()
        return self.out.prose(self.directives.finish(len(self.text)), self.directives.notes)

    def parse_marked_section(self, i, report=1):
        # html.parser raises AssertionError on a malformed "<![..."; browsers read it as a bogus comment.
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i, report)

    def handle_starttag(self, tag, attrs):
        if tag == "title" and self.title_wanted:
            self.title_wanted, self.in_title = False, True
            self.out.block_break(self.here())
            return
        if self.skipping or tag in _SKIPPED_ELEMENTS:
            if tag not in _VOID_ELEMENTS:
                self.skipping.append(tag)
            return
        if tag in _BLOCK_ELEMENTS:
            self.out.block_break(self.here())

    def handle_startendtag(self, tag, attrs):
        if not self.skipping and tag in _BLOCK_ELEMENTS:
            self.out.block_break(self.here())

    def handle_endtag(self, tag):
        if tag == "title" and self.in_title:
            self.in_title = False
            self.out.block_break(self.here())
            return
        if self.skipping:
            if tag in self.skipping:  # tolerate unclosed inner elements
                del self.skipping[self.skipping.index(tag) :]
            return
        if tag in _BLOCK_ELEMENTS:
            self.out.block_break(self.here())

    def handle_data(self, data):
        if self.skipping and not self.in_title:
            return
        at = self.here()
        # Whitespace runs (source line breaks inside a paragraph included) read as one space.
        for match in re.finditer(r"\s+|\S+", data):
            if match.group().isspace():
                if self.out.chars and self.out.chars[-1] not in " \n":  # none at a block's start
                    self.out.add(" ", at + match.start())
            else:
                self.out.add(match.group(), at + match.start())

    def handle_entityref(self, name):
        if not self.skipping or self.in_title:
            self.out.add(html.unescape(f"&{name};"), self.here(), one_offset=True)

    def handle_charref(self, name):
        if not self.skipping or self.in_title:
            self.out.add(html.unescape(f"&#{name};"), self.here(), one_offset=True)

    def handle_comment(self, data):
        self.directives.comment(data, self.here())


def extract_prose(text: str, markup: str, known_rules: tuple[str, ...] = ()) -> Prose:
    """The prose of ``text`` (``markup``: ``text``, ``markdown`` or ``html``) with its map to the file."""
    if markup == "markdown":
        return _MarkdownReader(text, known_rules).read()
    if markup == "html":
        return _HTMLReader(text, known_rules).read()
    return Prose(text)


def to_source(document_sentences, findings, prose: Prose, text: str):
    """Sentences and findings with spans and line:column in the file instead of the prose."""
    if prose.offsets is None:
        return document_sentences, findings
    lines = LineIndex(text)

    def place(start: int, end: int):
        start, end = prose.source_span(start, end)
        return (start, end, *lines.position(start))

    sentences = []
    for s in document_sentences:
        start, end, line, column = place(s.start, s.end)
        sentences.append(replace(s, start=start, end=end, line=line, column=column))
    by_index = {s.index: s for s in sentences}
    moved = []
    for f in findings:
        start, end, line, column = place(f.start, f.end)
        related = tuple(replace(r, start=by_index[r.sentence].start, end=by_index[r.sentence].end) for r in f.related)
        moved.append(replace(f, start=start, end=end, line=line, column=column, related=related))
    return sentences, moved
