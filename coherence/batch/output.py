"""Result rows of a batch run, and which are already done (so a re-run resumes).

A row is ``{id, path, content_hash, settings, report, error}``: ``report`` the schema v1 document
of the article (``check --format jsonl``'s line), ``error`` what stopped it (then ``report`` is null).

- JSONL: one row a line, appended and flushed as results arrive; a run killed mid-line leaves a
  partial last line, which the next run cuts off before it appends.
- Parquet: a folder of part files, each written whole under a temporary name and renamed, so a
  killed run leaves only complete parts; ``report`` is the document as a JSON string there.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ..errors import CoherenceError

COLUMNS = ("id", "path", "content_hash", "settings", "report", "error")
PART_ROWS = 1000


def row_key(row: dict) -> tuple[str, str, str]:
    return (row["id"], row["content_hash"], row["settings"])


class JsonlOutput:
    def __init__(self, path: str):
        self.path = Path(path)
        self._handle = None

    def done(self) -> set[tuple[str, str, str]]:
        if not self.path.exists():
            return set()
        keys, good = set(), 0
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.endswith(b"\n"):
                    break  # cut off mid-line by a killed run: redone
                try:
                    keys.add(row_key(json.loads(line)))
                except (ValueError, KeyError, TypeError):
                    raise CoherenceError(f"{self.path}: line {number} is not a batch result row; "
                                         f"is this the output of coherence batch?") from None
                good += len(line)
        if good != self.path.stat().st_size:
            with self.path.open("r+b") as handle:
                handle.truncate(good)
        return keys

    def write(self, rows: list[dict]) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        self._handle.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


class ParquetOutput:
    def __init__(self, path: str):
        self.path = Path(path)
        self._rows: list[dict] = []
        self._parts = 0
        self._run = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"

    def done(self) -> set[tuple[str, str, str]]:
        import pyarrow.parquet as pq

        if self.path.exists() and not self.path.is_dir():
            raise CoherenceError(f"{self.path}: Parquet output is a folder of parts; this is a file")
        keys = set()
        for part in sorted(self.path.glob("part-*.parquet")) if self.path.is_dir() else []:
            table = pq.read_table(part, columns=["id", "content_hash", "settings"])
            keys.update(zip(*(table.column(c).to_pylist() for c in ("id", "content_hash", "settings"))))
        return keys

    def write(self, rows: list[dict]) -> None:
        self._rows.extend(rows)
        if len(self._rows) >= PART_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        flat = [{**row, "report": None if row["report"] is None else json.dumps(row["report"], ensure_ascii=False)}
                for row in self._rows]
        table = pa.Table.from_pylist(flat, schema=pa.schema([(c, pa.string()) for c in COLUMNS]))
        target = self.path / f"part-{self._run}-{self._parts:05d}.parquet"
        temporary = target.with_suffix(".tmp")
        pq.write_table(table, temporary)
        os.replace(temporary, target)
        self._parts += 1
        self._rows = []

    def close(self) -> None:
        self._flush()


def open_output(path: str):
    lower = path.lower()
    if lower.endswith(".jsonl"):
        return JsonlOutput(path)
    if lower.endswith(".parquet"):
        return ParquetOutput(path)
    raise CoherenceError(f"{path}: the output must end in .jsonl or .parquet")
