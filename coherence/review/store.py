"""The review store: editors' decisions on findings, in one SQLite file.

Each decision is keyed by (article key, fingerprint): the article's path relative to the store's
folder (``suppression.article_key``) and the finding's fingerprint (rule + normalised sentence), so
the store can be moved or committed with the articles and survives edits elsewhere in the copy.

Durability and concurrency come from SQLite itself: WAL journal, ``synchronous=FULL``, every write
one ``BEGIN IMMEDIATE`` transaction on a connection of its own (so threads never share one), and a
busy timeout so concurrent writers wait their turn instead of failing. A process killed mid-write
leaves the last committed state; the half-done transaction is rolled back on the next open.

Every change is also appended to ``history`` with the state it replaced, which is what ``undo``
restores. Schema: see docs/review.md.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ConfigError
from ..findings import FileReport, Suppression
from ..fingerprints import finding_fingerprint
from ..suppression import article_key, suppress

DEFAULT_STORE_NAME = ".coherence-review.sqlite"
SCHEMA_VERSION = 1
DECISIONS = ("accept", "dismiss")
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    article     TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    rule        TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('accept', 'dismiss')),
    comment     TEXT NOT NULL DEFAULT '',
    reviewer    TEXT NOT NULL DEFAULT '',
    time        TEXT NOT NULL,
    sentence    TEXT NOT NULL DEFAULT '',
    severity    TEXT,
    score       REAL,
    PRIMARY KEY (article, fingerprint)
);
CREATE TABLE IF NOT EXISTS history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    article     TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('decide', 'undo')),
    reviewer    TEXT NOT NULL DEFAULT '',
    time        TEXT NOT NULL,
    after       TEXT,
    before      TEXT,
    undone      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS history_key ON history (article, fingerprint, id);
"""


@dataclass(frozen=True)
class Decision:
    article: str
    fingerprint: str
    rule: str
    decision: str
    comment: str = ""
    reviewer: str = ""
    time: str = ""
    sentence: str = ""
    severity: str | None = None
    score: float | None = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _row(row: sqlite3.Row | None) -> Decision | None:
    return None if row is None else Decision(**dict(row))


class ReviewStore:
    def __init__(self, path: str | Path, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise ConfigError(f"review store not found: {self.path}")
        if self.path.is_dir():
            raise ConfigError(f"review store {self.path} is a directory; pass a file name")
        try:
            with closing(self._connect()) as db:
                db.execute("PRAGMA journal_mode=WAL")  # persistent: set once, every later connection uses it
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise ConfigError(f"review store {self.path} has schema {version}; this coherence reads {SCHEMA_VERSION}")
                with self._write(db):
                    # One statement at a time: executescript() would COMMIT our transaction first.
                    for statement in filter(str.strip, _SCHEMA.split(";")):
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"review store {self.path} cannot be opened: {exc}") from None

    @property
    def anchor(self) -> Path:
        """Article keys are relative to this folder."""
        return self.path.resolve().parent

    def key(self, path: str) -> str:
        return article_key(path, self.anchor)

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves, so a transaction takes the
        # write lock up front (no deadlock between two readers that both want to upgrade).
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=True)
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        db.execute("PRAGMA synchronous=FULL")
        return db

    @contextmanager
    def _write(self, db: sqlite3.Connection):
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def _transaction(self):
        with closing(self._connect()) as db, self._write(db):
            yield db

    def decide(self, article: str, fingerprint: str, rule: str, decision: str, comment: str = "",
               reviewer: str = "", sentence: str = "", severity: str | None = None,
               score: float | None = None) -> Decision:
        """Record (or replace) the decision on one finding; ``article`` is an article key."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        new = Decision(article, fingerprint, rule, decision, comment, reviewer, _now(), sentence, severity, score)
        with self._transaction() as db:
            before = _row(db.execute("SELECT * FROM decisions WHERE article=? AND fingerprint=?",
                                     (article, fingerprint)).fetchone())
            db.execute("INSERT OR REPLACE INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?)", tuple(asdict(new).values()))
            db.execute(
                "INSERT INTO history (article, fingerprint, action, reviewer, time, after, before)"
                " VALUES (?,?,?,?,?,?,?)",
                (article, fingerprint, "decide", reviewer, new.time, json.dumps(asdict(new)),
                 json.dumps(asdict(before)) if before else None),
            )
        return new

    def undo(self, article: str, fingerprint: str, reviewer: str = "") -> tuple[bool, Decision | None]:
        """Revert the latest decision on this finding not yet undone: ``(undone?, the decision now)``.

        Undos stack: each one reverts the decision before, back to "not reviewed".
        """
        with self._transaction() as db:
            last = db.execute(
                "SELECT id, before FROM history WHERE article=? AND fingerprint=? AND action='decide' AND undone=0"
                " ORDER BY id DESC LIMIT 1", (article, fingerprint)).fetchone()
            if last is None:
                current = db.execute("SELECT * FROM decisions WHERE article=? AND fingerprint=?",
                                     (article, fingerprint)).fetchone()
                return False, _row(current)
            restored = Decision(**json.loads(last["before"])) if last["before"] else None
            db.execute("UPDATE history SET undone=1 WHERE id=?", (last["id"],))
            db.execute("DELETE FROM decisions WHERE article=? AND fingerprint=?", (article, fingerprint))
            if restored is not None:
                db.execute("INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?)", tuple(asdict(restored).values()))
            db.execute(
                "INSERT INTO history (article, fingerprint, action, reviewer, time, after, before)"
                " VALUES (?,?,?,?,?,?,?)",
                (article, fingerprint, "undo", reviewer, _now(),
                 json.dumps(asdict(restored)) if restored else None, None),
            )
        return True, restored

    def decisions(self) -> list[Decision]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM decisions ORDER BY article, time, fingerprint").fetchall()
        return [_row(r) for r in rows]

    def history(self) -> list[dict]:
        with closing(self._connect()) as db:
            return [dict(r) for r in db.execute("SELECT * FROM history ORDER BY id").fetchall()]

    def dismissed_keys(self) -> set[tuple[str, str]]:
        return {(d.article, d.fingerprint) for d in self.decisions() if d.decision == "dismiss"}

    def export_jsonl(self, path: str | Path) -> int:
        """Every decision, one JSON object a line (for calibrating thresholds); returns how many."""
        decisions = self.decisions()
        with Path(path).open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(asdict(d), ensure_ascii=False) + "\n" for d in decisions)
        return len(decisions)

    def export_baseline(self, path: str | Path) -> int:
        """Add the dismissed findings to the baseline file at ``path`` (created or merged); returns how many."""
        from ..baseline import Baseline, BaselineEntry

        location = Path(path)
        baseline = Baseline.load(location) if location.exists() else Baseline(location)
        present = {(e.path, e.fingerprint) for e in baseline.entries}
        added = 0
        for d in self.decisions():
            if d.decision != "dismiss":
                continue
            # Store keys are relative to the store's folder; baseline keys to the baseline's.
            absolute = Path(d.article) if Path(d.article).is_absolute() else self.anchor / d.article
            entry = BaselineEntry(article_key(str(absolute), baseline.anchor), d.rule, d.fingerprint,
                                  " ".join(d.sentence.split()), d.comment or f"dismissed by {d.reviewer}".strip())
            if (entry.path, entry.fingerprint) not in present:
                present.add((entry.path, entry.fingerprint))
                baseline.entries.append(entry)
                added += 1
        baseline.write()
        return added


def default_store_path(first_argument: str) -> Path:
    """``.coherence-review.sqlite`` in the folder of the first article (in it, when it is a folder)."""
    path = Path(first_argument)
    if any(ch in first_argument for ch in "*?[") and not path.exists():  # a glob: its fixed leading folders
        parts = []
        for part in path.parts:
            if any(ch in part for ch in "*?["):
                break
            parts.append(part)
        return Path(*parts or ["."]).resolve() / DEFAULT_STORE_NAME
    folder = path if path.is_dir() else path.parent
    return folder.resolve() / DEFAULT_STORE_NAME


def apply_review(reports: list[FileReport], store_path: str | Path) -> int:
    """Suppress the findings dismissed in the review store; returns how many were suppressed.

    ``coherence check --review-store PATH`` calls this. A missing store is an error (a typo would
    otherwise silently suppress nothing).
    """
    store = ReviewStore(store_path, create=False)
    dismissed: dict[str, dict[str, Decision]] = {}
    for d in store.decisions():
        if d.decision == "dismiss":
            dismissed.setdefault(d.article, {})[d.fingerprint] = d
    count = 0
    for report in reports:
        if report.error is not None:
            continue
        mine = dismissed.get(store.key(report.path))
        if not mine:
            continue

        def reason(finding, mine=mine, report=report):
            d = mine[finding_fingerprint(report, finding)]
            return Suppression("review", d.comment or f"dismissed by {d.reviewer or 'a reviewer'}")

        before = len(report.suppressed)
        suppress(report, reason, keys=set(mine))
        count += len(report.suppressed) - before
    return count
