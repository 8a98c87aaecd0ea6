"""Fingerprints of findings: what a baseline entry or a review decision is keyed by.

A fingerprint is the rule plus the sentence's words, normalised (Unicode NFKC, case-folded,
punctuation, markup and whitespace dropped). It survives re-flowing a paragraph, Markdown
emphasis, curly or straight quotes, and edits anywhere else in the article; it changes when
the flagged sentence's words change, which is when an editor should look again.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .findings import FileReport, Finding

_WORD = re.compile(r"\w+")


def normalise_sentence(text: str) -> str:
    """The words of a sentence, lower-cased and joined by single spaces."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def fingerprint(rule: str, sentence_text: str) -> str:
    digest = hashlib.sha256(f"{rule}\x00{normalise_sentence(sentence_text)}".encode())
    return digest.hexdigest()[:20]


def sentence_text(report: FileReport, finding: Finding) -> str:
    """The flagged sentence as the document read it (markup already removed for .md/.html)."""
    for sentence in report.sentences:
        if sentence.index == finding.sentence:
            return sentence.text
    return report.text[finding.start : finding.end]


def finding_fingerprint(report: FileReport, finding: Finding) -> str:
    return fingerprint(finding.rule, sentence_text(report, finding))
