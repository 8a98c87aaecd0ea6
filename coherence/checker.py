"""From article text to ``FileReport``: one code path for ``check`` and ``eval``.

Models load lazily, once per process, and are shared by every file of the run; the sentences of
all articles given together are embedded in one call.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from .document import Document, build_document
from .errors import ModelError
from .findings import FileReport
from .markup import Prose, extract_prose, to_source
from .rules import all_rules
from .rules.base import RuleContext
from .settings import Settings
from .suppression import suppress_inline


@dataclass(frozen=True)
class ArticleInput:
    path: str
    text: str | None = None  # the decoded file
    error: str | None = None  # set when the file could not be read
    markup: str = "text"  # "text", "markdown" or "html": what to strip before reading the prose


class Checker:
    def __init__(self, settings: Settings):
        self.settings = settings
        known = all_rules()
        self.known_rule_ids = tuple(rule.id for rule in known)  # what disable comments may name
        self.rules = [rule for rule in known if rule.id in settings.rules]

    @cached_property
    def embedder(self):
        from .runtime.embedder import load_embedder

        return load_embedder(self.settings.embedder, self.settings.threads, self.settings.precision)

    @cached_property
    def belonging(self):
        from .belonging.model import DEFAULT_PATH, load_belonging_model

        return load_belonging_model(self.settings.belonging_model or DEFAULT_PATH)

    @cached_property
    def nli(self):
        """The NLI model, or None when no rule of this run needs it."""
        if not {"contradiction", "headline"} & {r.id for r in self.rules}:
            return None
        from .runtime.nli import NLIModel, default_nli_path

        path = Path(self.settings.nli_model) if self.settings.nli_model else default_nli_path()
        if self.settings.nli_model is None and not path.exists():
            return None  # not shipped in this build: NLI-based checks are skipped and say so
        try:
            return NLIModel(str(path), precision=self.settings.precision, threads=self.settings.threads).load()
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise ModelError(f"NLI model: {exc}") from exc

    @cached_property
    def local(self):
        """The local-coherence model of the off-topic rule, or None when the rule is off or it is not shipped."""
        if "off-topic" not in {r.id for r in self.rules}:
            return None
        from .belonging.local import DEFAULT_LOCAL_PATH, LocalCoherenceModel

        if not DEFAULT_LOCAL_PATH.exists():
            return None  # not shipped in this build: off-topic uses the belonging model alone and says so
        try:
            return LocalCoherenceModel(DEFAULT_LOCAL_PATH, precision=self.settings.precision,
                                       threads=self.settings.threads).load()
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise ModelError(f"local-coherence model: {exc}") from exc

    @cached_property
    def headline_model(self):
        """The headline-support model, or None when the headline rule is off."""
        if "headline" not in {r.id for r in self.rules}:
            return None
        from .headline_support import DEFAULT_PATH, load_headline_model

        return load_headline_model(DEFAULT_PATH)

    @cached_property
    def nlp(self):
        """spaCy's English pipeline: every rule reads entities, lemmas or the parse."""
        from . import nlp

        return nlp.load()

    def load_models(self) -> None:
        """Load every model now, so a model problem stops the run before any file is checked.

        The ONNX sessions are built in worker threads while this one loads spaCy: ONNX Runtime builds a
        session without holding the GIL and spaCy's load is mostly Python, so on two cores the two
        overlap (about a third of a cold check's start-up). Each model is still loaded once.
        """
        with ThreadPoolExecutor(max_workers=1) as pool:
            sessions = pool.submit(lambda: (self.embedder, self.nli, self.local))
            _ = self.belonging, self.headline_model, self.nlp
            sessions.result()  # re-raises a model error from the worker

    def check(self, articles: list[ArticleInput]) -> list[FileReport]:
        reports: list[FileReport] = []
        documents: list[tuple[int, Document, Prose]] = []
        for article in articles:
            report = FileReport(path=article.path, text=article.text or "", error=article.error)
            reports.append(report)
            if article.error is not None:
                continue
            prose = extract_prose(article.text, article.markup, self.known_rule_ids)
            if not prose.text.strip():
                report.error = f"{article.path}: no prose to check (only markup, code or front matter)"
                continue
            documents.append((len(reports) - 1, build_document(article.path, prose.text), prose))

        if not documents:  # every file failed to read: no model is needed to say so
            return reports
        texts = [s.text for _, doc, _ in documents for s in doc.sentences]
        # The embedder's reads (ONNX Runtime, without the GIL) go on while spaCy (mostly Python) parses.
        embedder, nlp = self.embedder, self.nlp  # loaded here, not in the worker thread
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="coherence-embed") as pool:
            embedding = pool.submit(embedder.encode, texts)
            parsed = list(nlp.pipe(texts, batch_size=64))
            vectors = embedding.result()
        offset = 0
        for position, document, prose in documents:
            count = len(document.sentences)
            embeddings = vectors[offset : offset + count]
            report = reports[position]
            self._run_rules(report, document, embeddings, parsed[offset : offset + count])
            offset += count
            # Rules saw the prose; the report speaks of the file as written.
            report.sentences, report.findings = to_source(report.sentences, report.findings, prose, report.text)
            report.notes.extend(prose.notes)
            suppress_inline(report, prose.regions)
        return reports

    def _capped(self, rule_id: str, findings):
        """Findings at no more than the rule's configured ``max-severity``."""
        cap = self.settings.max_severity.get(rule_id)
        if cap is None:
            return findings
        return [replace(f, severity=min(f.severity, cap)) for f in findings]

    def _run_rules(self, report: FileReport, document: Document, embeddings: np.ndarray, parsed: list) -> None:
        context = RuleContext(embeddings=embeddings, settings=self.settings, nli=self.nli, belonging=self.belonging,
                              local=self.local, headline_model=self.headline_model, parsed=parsed)
        report.sentences = document.sentences
        report.notes.extend(document.notes)
        if not document.body:
            report.notes.append("no body sentences found")
        for rule in self.rules:
            result = rule.run(document, context)
            report.scores[rule.score_key] = [result.scores.get(s.index, 0.0) for s in document.sentences]
            report.findings.extend(self._capped(rule.id, result.findings))
            report.notes.extend(result.notes)
            if result.stats:
                report.stats[rule.id] = result.stats
        report.findings.sort(key=lambda f: (f.start, f.rule))
