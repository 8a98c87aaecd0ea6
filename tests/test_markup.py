"""Markdown and HTML copy: the rules read the prose; every span and line:column points into the file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from coherence.cli import cli
from coherence.document import build_document
from coherence.markup import extract_prose, markup_of

RULES = ("off-topic", "headline", "contradiction")

MARKDOWN = """---
title: "Front matter is not prose"
tags: [news]
---

# Pompeo Meets **Putin** in Sochi

SOCHI, Russia -- Secretary of State Mike Pompeo met [Vladimir Putin](https://example.org/putin) on
Tuesday, the *first* visit &amp; talks of the year. The meeting ran `three hours` long.

```python
print("code is not prose")
```

    indented code is not prose either

> A quoted paragraph about the talks.

- A list item about trade.
- Another item about visas.

[ref]: https://example.org/ignored
"""

HTML = """<!doctype html>
<html><head><title>Page title</title><style>p { color: red }</style>
<script>var s = "<p>not prose</p>";</script></head>
<body><h1>Pompeo Meets Putin in Sochi</h1>
<p>SOCHI &mdash; Secretary of State Mike Pompeo met
Vladimir Putin on <b>Tuesday</b>. They spoke for three hours.</p>
<pre>code is not prose</pre>
<p>Talks went on&nbsp;late.<br>A new line</p>
</body></html>
"""


def spans(text: str, markup: str):
    prose = extract_prose(text, markup, RULES)
    document = build_document("x", prose.text)
    return prose, [(s, text[slice(*prose.source_span(s.start, s.end))]) for s in document.sentences]


def test_markup_kind_follows_the_extension():
    assert markup_of("a/b.md") == "markdown"
    assert markup_of("B.HTML") == "html"
    assert markup_of("c.htm") == "html"
    assert markup_of("d.txt") == "text"
    assert markup_of("e") == "text"


def test_markdown_prose_skips_markup_code_and_front_matter():
    prose, found = spans(MARKDOWN, "markdown")
    assert "Front matter" not in prose.text
    assert "print(" not in prose.text and "indented code" not in prose.text
    assert "https://" not in prose.text and "ref]" not in prose.text
    assert "**" not in prose.text and "`" not in prose.text and "*first*" not in prose.text
    assert "Vladimir Putin on" in prose.text and "visit & talks" in prose.text
    sentences = [s.text for s, _ in found]
    assert sentences[0] == "Pompeo Meets Putin in Sochi"
    assert found[0][0].role == "headline"
    assert "A quoted paragraph about the talks." in sentences
    assert "A list item about trade." in sentences and "Another item about visas." in sentences


def test_markdown_spans_point_into_the_file():
    _, found = spans(MARKDOWN, "markdown")
    for sentence, source in found:
        # Every word of the prose sentence is in the file span it maps to, in order.
        position = 0
        for word in sentence.text.replace("&", " ").split():
            position = source.index(word, position) + len(word)
    headline_source = found[0][1]
    assert headline_source == "Pompeo Meets **Putin** in Sochi"


def test_html_prose_skips_head_scripts_styles_and_pre():
    prose, found = spans(HTML, "html")
    assert "Page title" not in prose.text and "not prose" not in prose.text and "color" not in prose.text
    sentences = [s.text for s, _ in found]
    assert sentences[0] == "Pompeo Meets Putin in Sochi"
    assert "SOCHI — Secretary of State Mike Pompeo met Vladimir Putin on Tuesday." in sentences
    assert "A new line" in sentences  # <br> ends a block
    source_of = {s.text: src for s, src in found}
    assert source_of["SOCHI — Secretary of State Mike Pompeo met Vladimir Putin on Tuesday."] == (
        "SOCHI &mdash; Secretary of State Mike Pompeo met\nVladimir Putin on <b>Tuesday</b>.")


def test_disable_and_enable_comments_make_regions():
    text = ("# Head\n\nOne sentence here.\n\n<!-- coherence: disable=off-topic -->\nTwo here.\n"
            "<!-- coherence: enable=off-topic -->\n\nThree here. <!-- coherence: disable -->Four here.\n")
    prose = extract_prose(text, "markdown", RULES)
    assert len(prose.regions) == 2
    off_topic, everything = sorted(prose.regions, key=lambda r: r.start)
    assert off_topic.rules == frozenset({"off-topic"})
    assert text[off_topic.start : off_topic.end].count("Two here.") == 1
    assert "Three" not in text[off_topic.start : off_topic.end]
    assert everything.rules is None and everything.end == len(text)  # never re-enabled: to the end of the file
    assert "<!--" not in prose.text


def test_unknown_rule_in_a_directive_is_a_note_not_a_crash():
    prose = extract_prose("Text.\n<!-- coherence: disable=spelling -->\n", "markdown", RULES)
    assert prose.regions == []
    assert any("unknown rule(s) in coherence comment: spelling" in n for n in prose.notes)


@pytest.mark.parametrize("name, text", [("story.md", MARKDOWN), ("story.html", HTML)])
def test_check_reports_line_and_column_of_the_file(tmp_path, marker_rule, name, text):
    marked = text.replace("Tuesday", "Tuesday [warning]", 1)
    path = tmp_path / name
    path.write_text(marked, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads(result.stdout)["files"][0]
    finding = report["findings"][0]
    flagged = marked[finding["start"] : finding["end"]]
    assert "[warning]" in flagged and "SOCHI" in flagged
    line_start = marked.rfind("\n", 0, finding["start"]) + 1
    assert finding["line"] == marked.count("\n", 0, finding["start"]) + 1
    assert finding["column"] == finding["start"] - line_start + 1


def test_inline_disable_suppresses_a_finding_in_markdown(tmp_path, marker_rule):
    path = tmp_path / "story.md"
    path.write_text("# Head line\n\nA first [error] sentence.\n\n<!-- coherence: disable=marker -->\n"
                    "A second [error] sentence.\n<!-- coherence: enable=marker -->\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json"])
    report = json.loads(result.stdout)["files"][0]
    assert [f["line"] for f in report["findings"]] == [3]
    assert [(f["line"], f["suppression"]["kind"]) for f in report["suppressed"]] == [(6, "inline")]
    assert result.exit_code == 1


def test_a_markdown_file_with_only_code_is_a_clear_error(tmp_path, stub_models):
    path = tmp_path / "code.md"
    path.write_text("```\nonly code\n```\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert "no prose to check" in result.output + result.stderr


def test_any_markup_soup_maps_inside_the_file():
    """Random Markdown/HTML fragments (fixed seed): never an exception, every span inside the file."""
    import random

    pieces = list("ab #*_`~[]()<>!&;-=|\\\n\t.:/\"'xyz0123") + [
        "<!--", "-->", "```", "---\n", "<p>", "</p>", "<script>", "&amp;", "&#x41;", "<br/>", "<![", "]]>",
        "<!-- coherence: disable -->", "<!-- coherence: enable=off-topic -->", "\n\n", "# ", "> ", "- "]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 60)))
        for markup in ("markdown", "html"):
            prose = extract_prose(text, markup, RULES)
            assert len(prose.offsets) == len(prose.text)
            assert all(0 <= o < len(text) for o in prose.offsets), (markup, text)
            for region in prose.regions:
                assert 0 <= region.start <= region.end <= len(text)
            for sentence in build_document("x", prose.text).sentences:
                start, end = prose.source_span(sentence.start, sentence.end)
                assert 0 <= start < end <= len(text), (markup, text)


@pytest.mark.parametrize("text, markup", [
    ('---\ntitle: "Pompeo Meets Putin in Sochi"\ndate: 2019-05-14\n---\n\nSOCHI -- Pompeo met Putin. They talked.\n',
     "markdown"),
    ("+++\ntitle = 'Pompeo Meets Putin in Sochi'\n+++\nSOCHI -- Pompeo met Putin. They talked.\n", "markdown"),
    (("<html><head><title>Pompeo Meets Putin in Sochi</title></head><body><p>SOCHI -- Pompeo met Putin.</p>"
      "<p>They talked.</p></body></html>"), "html"),
])
def test_without_a_heading_the_title_is_the_headline(text, markup):
    _, found = spans(text, markup)
    headline, source = found[0]
    assert headline.role == "headline" and headline.text == "Pompeo Meets Putin in Sochi"
    assert source == "Pompeo Meets Putin in Sochi"  # mapped to the title in the file


@pytest.mark.parametrize("text, markup", [
    ('---\ntitle: "Site Title"\n---\n# The Real Headline\n\nBody text here.\n', "markdown"),
    ('---\ntitle: "Site Title"\n---\nThe Real Headline\n=================\n\nBody text here.\n', "markdown"),
    ("<html><head><title>Site Title</title></head><body><h1>The Real Headline</h1><p>Body text here.</p>", "html"),
])
def test_a_heading_wins_over_the_title(text, markup):
    prose, found = spans(text, markup)
    assert "Site Title" not in prose.text
    assert found[0][0].text == "The Real Headline"
