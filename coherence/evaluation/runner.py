"""``coherence eval``: check labelled articles with the ``check`` code path and score the reports.

Each eval file is scored on its own (FORMAT.md: figures are over all docs of a file). Ctrl-C
stops checking and scores what was already checked, saying so.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..checker import ArticleInput, Checker
from ..errors import InputError
from ..formats.json_report import file_json
from .metrics import breakdown, format_table

CHUNK = 32  # articles embedded together; small enough for a lively progress bar


@dataclass
class EvalRun:
    figures: dict = field(default_factory=dict)  # eval file name -> breakdown()
    per_doc: list[dict] = field(default_factory=list)
    interrupted: bool = False
    checked: int = 0
    total: int = 0


def read_eval_file(path: Path) -> list[dict]:
    rows = []
    try:
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise InputError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
                if not isinstance(row, dict) or not isinstance(row.get("text"), str) or "id" not in row:
                    raise InputError(f"{path}:{number}: not an eval JSONL v1 row (needs 'id' and 'text')")
                rows.append(row)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8") from None
    if not rows:
        raise InputError(f"{path}: no eval rows")
    return rows


def sample_rows(rows: list[dict], sample: int | None, seed: int) -> list[dict]:
    if sample is None or sample >= len(rows):
        return rows
    return random.Random(seed).sample(rows, sample)


def run_eval(checker: Checker, files: list[Path], sample: int | None, seed: int, progress: bool = True) -> EvalRun:
    from tqdm import tqdm

    datasets = [(path, sample_rows(read_eval_file(path), sample, seed)) for path in files]
    run = EvalRun(total=sum(len(rows) for _, rows in datasets))
    bar = tqdm(total=run.total, desc="eval", unit="doc", file=sys.stderr, disable=not progress)
    try:
        for path, rows in datasets:
            items = []
            try:
                for start in range(0, len(rows), CHUNK):
                    chunk = rows[start : start + CHUNK]
                    reports = checker.check([ArticleInput(path=row["id"], text=row["text"]) for row in chunk])
                    for row, report in zip(chunk, reports):
                        as_json = file_json(report)
                        items.append((row, as_json))
                        run.per_doc.append(_per_doc(path.name, row, as_json))
                    run.checked += len(chunk)
                    bar.update(len(chunk))
            except KeyboardInterrupt:
                run.interrupted = True
            if items:
                run.figures[path.name] = breakdown(items)
            if run.interrupted:
                break
    finally:
        bar.close()
    return run


def _per_doc(file_name: str, row: dict, report: dict) -> dict:
    text = row["text"]
    return {
        "file": file_name,
        "id": row["id"],
        "variant": row.get("variant"),
        "is_news": row.get("is_news"),
        "has_intruder": bool(row.get("intruders")),
        "has_contradiction": bool(row.get("has_contradiction")),
        "intruders": [text[a:b] for a, b in row.get("intruders", [])],
        "contradictions": [text[a:b] for a, b in row.get("contradictions", [])],
        "findings": [
            {"rule": f["rule"], "severity": f["severity"], "score": f["score"], "text": text[f["start"] : f["end"]],
             "related": [text[r["start"] : r["end"]] for r in f["related"]]}
            for f in report["findings"]
        ],
        "sentences": [
            {"text": text[s["start"] : s["end"]], **s["scores"]} for s in report["sentences"]
        ],
    }


def render(run: EvalRun) -> str:
    parts = []
    for name, figures in run.figures.items():
        parts.append(f"== {name}\n{format_table(figures)}")
    if run.interrupted:
        parts.append(f"interrupted: figures cover {run.checked} of {run.total} documents")
    return "\n\n".join(parts)
