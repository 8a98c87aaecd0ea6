"""Speed and memory of `coherence check`, printed as figures (not a test).

    .venv/bin/python benchmarks/bench.py [--articles N] [--repeats R] [--threads T]

Measures, on this machine, in one run:
- cold `coherence check` of the Sochi article: process start to exit, wall time and peak RSS;
- warm checking: articles per second over N real news articles (FRANK dev share in ../shared),
  and the warm time of a 30-sentence article;
- sentences embedded and NLI pairs scored per article, against the n(n-1) NLI calls of an
  all-pairs (SummaC-style) search over the same articles, with the time of both and the share
  of all-pairs contradictions (at the rule's suggestion cut) that the pruned search misses;
- the result cache (``--cache-only`` runs just this): ``coherence check FOLDER`` over N articles
  written as .txt files, with an empty cache and again with every file cached.
Medians over repeats; compare figures as ratios within one run (the machine is noisy).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT.parent / "shared" / "datasets" / "frank_news_articles" / "derived" / "articles.jsonl"
FIXTURE = ROOT / "fixtures" / "sochi-pompeo-putin.txt"


def cold_check(repeats: int) -> dict:
    walls, rss = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "coherence", "check", str(FIXTURE), "--no-cache"], capture_output=True,
                       check=False)
        walls.append(time.perf_counter() - start)
        rss.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)  # KiB -> MiB (Linux)
    return {"cold_wall_s_median": round(statistics.median(walls), 2), "cold_peak_rss_mib": round(max(rss))}


def cached_folder_check(texts: list[str], repeats: int) -> dict:
    """Wall time of checking a folder of articles with an empty cache, then with all of them cached."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        articles = Path(folder) / "articles"
        articles.mkdir()
        for number, text in enumerate(texts):
            (articles / f"{number:04d}.txt").write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "coherence", "check", str(articles), "--quiet", "--format", "json",
                   "-o", os.devnull]
        empty, cached = [], []
        for repeat in range(repeats):
            env = {**os.environ, "COHERENCE_CACHE_DIR": str(Path(folder) / f"cache{repeat}")}
            for times in (empty, cached):
                start = time.perf_counter()
                subprocess.run(command, capture_output=True, check=False, env=env)
                times.append(time.perf_counter() - start)
    first, again = statistics.median(empty), statistics.median(cached)
    return {"cache_articles": len(texts), "cache_empty_wall_s": round(first, 2),
            "cache_all_cached_wall_s": round(again, 2), "cache_speedup": round(first / again, 1)}


def load_articles(limit: int) -> list[str]:
    if not ARTICLES.is_file():
        sys.exit(f"benchmark needs {ARTICLES} (the shared data beside the clone)")
    texts = []
    with ARTICLES.open(encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
            if len(texts) == limit:
                break
    return texts


def thirty_sentence_article(texts: list[str]) -> str | None:
    """The first article of 28-32 sentences: the warm benchmark's one article."""
    from coherence.document import build_document

    return next((t for t in texts if 28 <= len(build_document("a", t).sentences) <= 32), None)


def warm_checks(texts: list[str], threads: int | None, repeats: int) -> tuple[dict, list]:
    from coherence.checker import ArticleInput, Checker
    from coherence.settings import Settings

    checker = Checker(Settings(threads=threads))
    checker.load_models()
    checker.check([ArticleInput("warmup", texts[0])])
    rounds, reports = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        reports = [checker.check([ArticleInput(f"a{i}", t)])[0] for i, t in enumerate(texts)]
        rounds.append(time.perf_counter() - start)
    sentence_counts = [len(r.sentences) for r in reports]
    nli_calls = [r.stats.get("contradiction", {}).get("nli_calls", 0) for r in reports]
    thirty = thirty_sentence_article(texts)
    figures = {
        "articles": len(texts),
        "warm_articles_per_s": round(len(texts) / statistics.median(rounds), 2),
        "sentences_per_article_median": statistics.median(sentence_counts),
        "nli_calls_per_article_median": statistics.median(nli_calls),
        "nli_calls_per_sentence_max": round(max(c / max(n, 1) for c, n in zip(nli_calls, sentence_counts)), 2),
    }
    if thirty is not None:
        times = []
        for _ in range(max(repeats, 5)):
            start = time.perf_counter()
            checker.check([ArticleInput("thirty", thirty)])
            times.append(time.perf_counter() - start)
        figures["warm_30_sentence_article_s_median"] = round(statistics.median(times), 3)
    return figures, (checker, reports)


def all_pairs_baseline(checker, reports) -> dict:
    """Every ordered pair of body sentences through NLI, against the pruned candidate search."""
    from coherence.rules.contradiction import DEFAULT_THRESHOLDS

    nli = checker.nli
    if nli is None:
        return {"all_pairs": "skipped: no NLI model installed"}
    all_time = 0.0
    missed = found = 0
    calls = 0
    for report in reports:
        body = [s for s in report.sentences if s.role == "body"]
        pairs = [(a.text, b.text) for a in body for b in body if a.index != b.index]
        if not pairs:
            continue
        calls += len(pairs)
        start = time.perf_counter()
        probs = nli.predict(pairs)
        all_time += time.perf_counter() - start
        flagged = {frozenset((a.index, b.index)) for (a, b), p in
                   zip([(a, b) for a in body for b in body if a.index != b.index], probs)
                   if p[0] >= DEFAULT_THRESHOLDS.suggestion}
        pruned = {frozenset((f.sentence, r.sentence)) for f in report.findings if f.rule == "contradiction"
                  for r in f.related}
        found += len(flagged)
        missed += len(flagged - pruned)
    pruned_calls = sum(r.stats.get("contradiction", {}).get("nli_calls", 0) for r in reports)
    return {
        "all_pairs_nli_calls_total": calls,
        "pruned_nli_calls_total": pruned_calls,
        "all_pairs_nli_seconds": round(all_time, 1),
        "all_pairs_contradiction_pairs": found,
        "share_missed_by_pruned_search": round(missed / found, 3) if found else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--skip-all-pairs", action="store_true")
    parser.add_argument("--cache-only", action="store_true", help="Only the result-cache figures.")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}")
    if args.cache_only:
        print(json.dumps(cached_folder_check(load_articles(args.articles), args.repeats)))
        return
    figures = cold_check(args.repeats)
    print(json.dumps(figures))
    texts = load_articles(args.articles)
    warm, (checker, reports) = warm_checks(texts, args.threads, args.repeats)
    print(json.dumps(warm))
    if not args.skip_all_pairs:
        print(json.dumps(all_pairs_baseline(checker, reports)))


if __name__ == "__main__":
    main()
