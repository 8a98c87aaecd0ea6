"""The ``html`` format: structure, links, escaping, self-containment (no network), summary counts.

Reports are made by hand from the real document builder, so these tests do not depend on model
scores; one test runs the real Checker (stub models) to see every finding of a real run on the page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

from coherence.document import build_document
from coherence.findings import FileReport, Severity, Suppression
from coherence.fingerprints import finding_fingerprint
from coherence.formats import get_formatter
from coherence.formats.html import SCRIPT_CSP_SOURCE, format_html
from coherence.rules.base import make_finding

from .conftest import ROOT

LEEDS = """Warehouse Fire Kills Twelve In Leeds

A fire at a warehouse in Leeds killed 12 people on Monday night, the fire service said.

Crews said <script>alert("x")</script> & the blaze was out by dawn.
Residents were told to keep windows shut.

The fire killed 40 people, according to the fire service.
"""


def sample_report(path: str = "leeds.txt", text: str = LEEDS) -> FileReport:
    """A report with a headline error, an off-topic warning, a contradiction (sentence 4 vs 1) and a
    suppressed suggestion, over the real sentences of ``text``."""
    s = build_document(path, text).sentences
    n = len(s)
    report = FileReport(path=path, text=text, sentences=s, scores={
        "off_topic": [0.0] + [0.1] * (n - 1),
        "headline": [0.95] + [0.0] * (n - 1),
        "contradiction": [0.0] * n,
    })
    report.scores["off_topic"][2] = 0.7
    report.scores["contradiction"][4] = 0.93
    report.scores["off_topic"][3] = 0.4
    report.findings = [
        make_finding("headline", Severity.error, s[0], 0.95, "The body never mentions 'Twelve'."),
        make_finding("off-topic", Severity.warning, s[2], 0.7, "Sentence does not fit the story."),
        make_finding("contradiction", Severity.warning, s[4], 0.93, "Contradicts sentence 1 on a number.",
                     related=[s[1]], kind="number"),
    ]
    report.suppressed = [(make_finding("off-topic", Severity.suggestion, s[3], 0.4, "Maybe off-topic."),
                          Suppression("baseline", "accepted in .coherence-baseline.json"))]
    return report


class Page(HTMLParser):
    """Every element with its attributes, and the text under each element that has an id."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._stack: list[tuple[str, dict]] = []
        self.text_of: dict[str, str] = {}
        self.article_text: dict[str, str] = {}  # article id -> the .text block, tags (labels, links) left out
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag not in ("meta", "input", "br"):
            self._stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        for tag, attrs in self._stack:
            if "id" in attrs:
                self.text_of[attrs["id"]] = self.text_of.get(attrs["id"], "") + data
        if self._stack and self._stack[-1][0] == "script":
            self.scripts.append(data)
        classes = [a.get("class", "").split() for _, a in self._stack]
        if any("text" in c for c in classes) and not any("tag" in c for c in classes):
            article = next(a["id"] for _, a in self._stack if "report" in a.get("class", "").split())
            self.article_text[article] = self.article_text.get(article, "") + data

    def find(self, tag: str | None = None, **wanted) -> list[dict]:
        found = []
        for t, attrs in self.elements:
            if tag is not None and t != tag:
                continue
            if all((attrs.get(k.replace("_", "-")) or "") == v if k != "cls" else v in (attrs.get("class") or "").split()
                   for k, v in wanted.items()):
                found.append(attrs)
        return found


def test_every_finding_is_listed_with_its_fingerprint_rule_severity_and_path():
    report = sample_report()
    page = Page(format_html([report]))
    items = page.find("li", cls="finding")
    assert len(items) == 4
    expected = {(finding_fingerprint(report, f), f.rule, f.severity.name) for f in report.findings}
    expected |= {(finding_fingerprint(report, f), f.rule, f.severity.name) for f, _ in report.suppressed}
    assert {(li["data-fingerprint"], li["data-rule"], li["data-severity"]) for li in items} == expected
    assert all(li["data-path"] == "leeds.txt" for li in items)
    # The message and the location are on the page.
    assert "Contradicts sentence 1 on a number." in page.text_of["a1-f3"]
    assert "leeds.txt:8:1" in page.text_of["a1-f3"]


def test_flagged_sentences_are_highlighted_with_a_text_label_not_colour_alone():
    page = Page(format_html([sample_report()]))
    headline = page.find("span", id="a1-s0")[0]
    assert "flag-error" in headline["class"].split()
    assert "flag-warning" in page.find("span", id="a1-s2")[0]["class"]
    labels = [a for a in page.find("a", cls="tag") if a["href"] == "#a1-f0"]
    assert labels  # a visible label next to the sentence, linking to the finding
    html = format_html([sample_report()])
    assert '<a class="tag sev-error" href="#a1-f0">error · headline</a>' in html
    # The suppressed one is greyed and says why.
    assert "flag-suppressed" in page.find("span", id="a1-s3")[0]["class"]
    suppressed = page.find("li", cls="suppressed")[0]
    assert suppressed["data-severity"] == "suggestion"
    assert "accepted in .coherence-baseline.json" in page.text_of[suppressed["id"]]


def test_contradiction_sentences_are_linked_both_ways_with_the_kind():
    report = sample_report()
    page = Page(format_html([report]))
    links = {a["href"] for a in page.find("a", cls="link")}
    assert "#a1-s1" in links  # from the contradicting sentence to the one it contradicts
    assert "#a1-s4" in links  # and back
    html = format_html([report])
    back = html.index('id="a1-s1"')
    assert html.index('href="#a1-s4"', back) < html.index('id="a1-s2"')  # the back-link sits at sentence 1
    assert " · number" in page.text_of["a1-f3"]
    # The finding links to both sentences.
    item = html[html.index('id="a1-f3"'):]
    item = item[: item.index("</li>")]
    assert 'href="#a1-s4"' in item and 'href="#a1-s1"' in item


def test_article_text_in_script_tags_is_escaped_and_the_text_is_kept_exactly():
    report = sample_report()
    html = format_html([report])
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    page = Page(html)
    assert len(page.find("script")) == 2  # the page's own config block and script, nothing else
    assert not any("alert(" in s for s in page.scripts)
    assert page.article_text["a1"] == report.text  # headline, paragraphs and line breaks as written


def test_the_page_loads_nothing_from_the_network():
    html = format_html([sample_report(), sample_report("other.txt")])
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html
    page = Page(html)
    assert not page.find("img") and all(link["href"].startswith("data:") for link in page.find("link"))


def test_summary_counts_by_rule_and_severity_and_an_index_for_several_articles():
    first = sample_report()
    second = FileReport(path="b.txt", text="Nothing Here\n\nA calm day in Leeds.\n",
                        sentences=build_document("b.txt", "Nothing Here\n\nA calm day in Leeds.\n").sentences)
    html = format_html([first, second])
    page = Page(html)
    assert page.find("nav", id="index")
    assert {a["href"] for a in page.find("a") if a.get("href") in ("#a1", "#a2")} == {"#a1", "#a2"}
    summary = html[html.index('id="a1"'):html.index('class="layout"', html.index('id="a1"'))]
    rows = dict(re.findall(r"<tr><th>([\w-]+)</th>((?:<td[^>]*>\d+</td>)+)</tr>", summary))
    cells = {rule: [int(n) for n in re.findall(r">(\d+)<", row)] for rule, row in rows.items()}
    # columns: error, warning, suggestion, suppressed
    assert cells == {"contradiction": [0, 1, 0, 0], "headline": [1, 0, 0, 0], "off-topic": [0, 1, 0, 1]}
    assert f"{first.score:.2f}" in summary
    assert "No findings." in html[html.index('id="a2"'):]
    assert Page(format_html([first])).find("nav") == []  # one article: no index


def test_each_sentence_carries_its_scores_for_the_side_panel():
    report = sample_report()
    page = Page(format_html([report]))
    span = page.find("span", id="a1-s4")[0]
    assert json.loads(span["data-scores"]) == {"off_topic": 0.1, "headline": 0.0, "contradiction": 0.93}
    assert "contradiction 0.93" in span["title"]  # also without the script
    assert page.find("aside", cls="panel")


def test_a_file_that_could_not_be_checked_is_shown_as_an_error():
    page = Page(format_html([sample_report(), FileReport(path="bad.txt", error="bad.txt: file is <empty>")]))
    assert page.find("div", cls="error-box")
    assert "file is <empty>" in page.text_of["a2"]


def test_review_controls_only_in_review_mode_and_only_on_counted_findings():
    report = sample_report()
    plain = Page(format_html([report]))
    assert plain.find("button") == [] and plain.find("body")[0]["data-review"] == "0"
    review = Page(format_html([report], review={"reviewer": "Ann <ed>"}))
    assert review.find("body")[0]["data-review"] == "1"
    assert len(review.find("li", cls="reviewable")) == 3
    assert len(review.find("button", cls="dismiss")) == 3
    assert review.find("input", id="reviewer")[0]["value"] == "Ann <ed>"


def test_print_stylesheet_and_the_script_hash_the_server_allows():
    html = format_html([sample_report()])
    assert "@media print" in html
    script = Page(html).scripts[-1]
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    assert SCRIPT_CSP_SOURCE == f"'sha256-{digest}'"


def test_registered_format_renders_a_real_run(stub_models):
    """The Checker on a fixture, with a stub NLI that flags the death-toll contradiction."""
    from coherence.checker import ArticleInput, Checker
    from coherence.settings import Settings

    from .test_rules import NumberNLI

    path = ROOT / "fixtures" / "contradiction-number.txt"
    checker = Checker(Settings())
    checker.__dict__["nli"] = NumberNLI()  # cached_property: the stub takes the model's place
    [report] = checker.check([ArticleInput(str(path), path.read_text(encoding="utf-8"))])
    assert any(f.rule == "contradiction" for f in report.findings)
    page = Page(get_formatter("html")([report]))
    fingerprints = {li["data-fingerprint"] for li in page.find("li", cls="finding")}
    assert fingerprints == {finding_fingerprint(report, f) for f in report.findings}
    assert page.article_text["a1"] == report.text
