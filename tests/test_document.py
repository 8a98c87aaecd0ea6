"""Segmentation: golden news cases, headline/dateline detection, CRLF/BOM offsets, span invariants."""

from __future__ import annotations

import random

import pytest

from coherence.document import LineIndex, build_document, sentence_spans
from coherence.reading import decode_article

# (prose, the sentences it must split into)
GOLDEN = [
    ("He flew to the U.S. on Monday. The talks began.", ["He flew to the U.S. on Monday.", "The talks began."]),
    ("The U.S. Army said so. He left.", ["The U.S. Army said so.", "He left."]),
    ("He arrived in the U.S. He was tired.", ["He arrived in the U.S.", "He was tired."]),
    ("Pompeo discussed N. Korea with Putin. They met in Sochi.",
     ["Pompeo discussed N. Korea with Putin.", "They met in Sochi."]),
    ("Gov. Jerry Brown signed the bill. It takes effect in July.",
     ["Gov. Jerry Brown signed the bill.", "It takes effect in July."]),
    ("Sen. Warren and Rep. Pelosi spoke. Both were angry.", ["Sen. Warren and Rep. Pelosi spoke.", "Both were angry."]),
    ("I asked Gov. Brown. He said no.", ["I asked Gov. Brown.", "He said no."]),
    ("Lt. Gen. Michael Flynn resigned. He was fired.", ["Lt. Gen. Michael Flynn resigned.", "He was fired."]),
    ("J.R.R. Tolkien wrote books. He died in 1973.", ["J.R.R. Tolkien wrote books.", "He died in 1973."]),
    ("George W. Bush spoke. He left.", ["George W. Bush spoke.", "He left."]),
    ("Growth was 2.5 percent. That is low.", ["Growth was 2.5 percent.", "That is low."]),
    ("The deal is worth $3.5 billion. It closed Monday.", ["The deal is worth $3.5 billion.", "It closed Monday."]),
    ('"We hope," he said. "We will see."', ['"We hope," he said.', '"We will see."']),
    ("“We hope,” he said. “We will see.”", ["“We hope,” he said.", "“We will see.”"]),
    # a quote that spans two sentences: each sentence stands alone, the closing quote stays with the last
    ('"Democracy cannot be done by force. The threats have nothing to do with democracy", he said. Then he left.',
     ['"Democracy cannot be done by force.', 'The threats have nothing to do with democracy", he said.',
      "Then he left."]),
    ("The shooting happened at 7 p.m. Police arrived minutes later.",
     ["The shooting happened at 7 p.m.", "Police arrived minutes later."]),
    ("The meeting ended at 10 a.m. on Monday. Talks resume.", ["The meeting ended at 10 a.m. on Monday.", "Talks resume."]),
    ("Prices rose in the U.K. The Bank reacted.", ["Prices rose in the U.K.", "The Bank reacted."]),
    ("The answer is no. She left.", ["The answer is no.", "She left."]),
    ("He lives at No. 10 Downing Street. It is old.", ["He lives at No. 10 Downing Street.", "It is old."]),
    ("Is it over? No. It is not.", ["Is it over?", "No.", "It is not."]),
    ("It was huge! The crowd roared.", ["It was huge!", "The crowd roared."]),
    ("He was born Jan. 5, 1950. He died in 2020.", ["He was born Jan. 5, 1950.", "He died in 2020."]),
]


@pytest.mark.parametrize(("prose", "expected"), GOLDEN, ids=[g[0][:40] for g in GOLDEN])
def test_golden_segmentation(prose, expected):
    assert [prose[a:b] for a, b in sentence_spans(prose)] == expected


# --- the Sochi fixture ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sochi(sochi_text):
    return build_document("sochi-pompeo-putin.txt", sochi_text)


def test_sochi_headline_is_the_first_line(sochi):
    assert sochi.headline is not None
    assert sochi.headline.text == "Top Diplomats of US, Russia Discuss N. Korea"
    assert (sochi.headline.start, sochi.headline.line, sochi.headline.column) == (0, 1, 1)
    assert sochi.sentences[0] is sochi.headline


def test_sochi_dateline_is_meta_not_a_sentence(sochi):
    assert [b.kind for b in sochi.blocks[:3]] == ["headline", "meta", "paragraph"]
    meta = sochi.blocks[1]
    assert sochi.text[meta.start : meta.end] == "Thursday, 16 May, 2019"
    assert not any("16 May, 2019" in s.text for s in sochi.sentences)


def test_sochi_body_sentences(sochi):
    body = sochi.body
    assert len(body) == 24
    assert body[0].text == ("Russian President Vladimir Putin received U.S. Secretary of State Mike Pompeo "
                            "at his Bocharov Ruchei residence in Sochi yesterday.")
    assert (body[0].line, body[0].column) == (5, 1)
    # "... dialogue". The U.S. backs ..." is two sentences on one line
    assert body[3].text == "The U.S. backs opposition leader Juan Guaido."
    assert (body[3].line, body[3].column) == (9, 147)
    assert body[10].text == '"Democracy cannot be done by force.'
    assert body[11].text.endswith('nothing to do with democracy", he said.')
    assert body[18].text == "President Donald Trump withdrew the U.S. from the deal in May 2018."
    assert body[-1].text.startswith('"We checked our positions')
    assert [s.index for s in sochi.sentences] == list(range(25))


# --- line endings, BOM, offsets -------------------------------------------------------------------------


def test_crlf_gives_the_same_sentences_and_right_line_columns(sochi_text):
    lf = build_document("lf.txt", sochi_text)
    crlf_text = sochi_text.replace("\n", "\r\n")
    crlf = build_document("crlf.txt", crlf_text)
    assert [s.text for s in crlf.sentences] == [s.text for s in lf.sentences]
    assert [(s.line, s.column) for s in crlf.sentences] == [(s.line, s.column) for s in lf.sentences]
    assert [b.kind for b in crlf.blocks] == [b.kind for b in lf.blocks]
    for s in crlf.sentences:
        assert crlf_text[s.start : s.end] == s.text


def test_old_mac_line_endings_count_as_lines():
    doc = build_document("cr.txt", "Storm Hits Coast\r\rThe storm hit the coast. It rained.\rIt kept raining.")
    assert doc.headline.text == "Storm Hits Coast"
    assert [(s.text, s.line, s.column) for s in doc.body] == [
        ("The storm hit the coast.", 3, 1), ("It rained.", 3, 26), ("It kept raining.", 4, 1)]


def test_bom_is_removed_and_offsets_index_the_decoded_text(sochi_text):
    data = b"\xef\xbb\xbf" + sochi_text.replace("\n", "\r\n").encode("utf-8")
    text = decode_article(data, "bom.txt")
    assert not text.startswith("\ufeff")
    doc = build_document("bom.txt", text)
    assert doc.headline.text == "Top Diplomats of US, Russia Discuss N. Korea"
    assert doc.headline.start == 0
    assert len(doc.body) == 24
    for s in doc.sentences:
        assert text[s.start : s.end] == s.text


def test_line_index():
    idx = LineIndex("ab\r\ncd\ne\rf")
    assert [idx.position(i) for i in (0, 1, 4, 7, 9)] == [(1, 1), (1, 2), (2, 1), (3, 1), (4, 1)]


def test_no_headline_when_the_article_is_one_block():
    doc = build_document("a.txt", "The storm hit the coast. It rained all night.")
    assert doc.headline is None
    assert [s.text for s in doc.body] == ["The storm hit the coast.", "It rained all night."]


# --- invariants over real and generated text -----------------------------------------------------------

PIECES = ["U.S.", "N. Korea", "Gov.", "Jerry", "Brown", "said", "he", "The", "police", "7", "p.m.", "2.5", "$3.5",
          "billion", ".", ",", "!", "?", '"', "“", "”", "'", "(", ")", "\n", "\r\n", "\n\n", "\r\n\r\n", "\r", "\t",
          "  ", "J.R.R.", "Sen.", "Mr.", "é", "日本", "—", "...", "…", "No.", "1.", "A.", "x", "\u00a0", "\x0c",
          "Thursday, 16 May, 2019", "By Jane Doe"]


def _generated(count: int, seed: int = 20190516):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(PIECES) + rng.choice(["", " ", " "]) for _ in range(rng.randint(0, 60)))


def _check_invariants(text: str) -> None:
    doc = build_document("t.txt", text)
    lines = LineIndex(text)
    previous_end = 0
    covered = bytearray(len(text))
    for n, s in enumerate(doc.sentences):
        assert s.index == n
        assert text[s.start : s.end] == s.text
        assert s.start < s.end and s.start >= previous_end, "spans are ordered and do not overlap"
        assert s.text == s.text.strip(), "no sentence starts or ends with whitespace"
        assert (s.line, s.column) == lines.position(s.start)
        previous_end = s.end
        covered[s.start : s.end] = b"\x01" * (s.end - s.start)
    for b in doc.blocks:
        if b.kind == "meta":
            covered[b.start : b.end] = b"\x01" * (b.end - b.start)
    dropped = [c for c, cov in zip(text, covered) if not cov and not c.isspace()]
    assert not dropped, f"text outside every sentence and meta block: {''.join(dropped)!r}"
    assert sum(s.role == "headline" for s in doc.sentences) <= 1


def test_invariants_on_the_fixture(sochi_text):
    _check_invariants(sochi_text)
    _check_invariants(sochi_text.replace("\n", "\r\n"))


def test_invariants_on_generated_text():
    for text in _generated(400):
        _check_invariants(text)
