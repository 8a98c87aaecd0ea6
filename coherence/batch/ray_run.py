"""The Ray part of ``coherence batch``: records through an actor pool, rows back to the driver.

Each actor builds one ``coherence.Checker`` and loads its models once; it checks a batch of
records in one call (their sentences embedded together). Ray Data restarts an actor whose process
dies and retries its batch, so a lost worker costs time, not articles. The driver writes rows as
they stream back, so a killed driver loses at most the batches in flight.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ..settings import Settings

RESULT_COLUMNS = ("id", "path", "content_hash", "settings", "report", "error")


class CheckActor:
    """One Ray actor: a Checker with its models loaded, called on batches of records (pyarrow tables)."""

    def __init__(self, settings: Settings, settings_key: str):
        from ..api import Checker

        self.checker = Checker(settings).load()
        self.settings_key = settings_key

    def __call__(self, batch):
        import pyarrow as pa

        records = batch.to_pylist()
        rows = [self._row(r, report) for r, report in zip(records, self._reports(records))]
        return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in RESULT_COLUMNS]))

    def _reports(self, records: list[dict]) -> list:
        from ..checker import ArticleInput

        inputs = [ArticleInput(path=r["path"], text=r["text"], markup=r["markup"]) for r in records]
        try:
            return self.checker.check_inputs(inputs)
        except Exception:  # noqa: BLE001 - one bad article must not fail its batch: check them one by one
            return [self._alone(article) for article in inputs]

    def _alone(self, article):
        from ..findings import FileReport

        try:
            return self.checker.check_inputs([article])[0]
        except Exception as exc:  # noqa: BLE001 - written to the row: the run goes on
            return FileReport(path=article.path, error=f"{article.path}: internal error: {type(exc).__name__}: {exc}")

    def _row(self, record: dict, report) -> dict:
        return {"id": record["id"], "path": record["path"], "content_hash": record["content_hash"],
                "settings": self.settings_key, "report": None if report.error else report.to_json(),
                "error": report.error}


def connect(address: str | None, num_cpus: int | None = None) -> bool:
    """Join the cluster at ``address``, or start Ray here with this machine's CPUs; True when this call started it."""
    import ray

    if ray.is_initialized():
        return False
    if address:
        ray.init(address=address, logging_level="WARNING", configure_logging=True)
    else:
        ray.init(address="local", num_cpus=num_cpus or os.cpu_count(), include_dashboard=False,
                 logging_level="WARNING", configure_logging=True)
    return True


def check_on_ray(records: list[dict], settings: Settings, settings_key: str, write: Callable[[list[dict]], None],
                 actors: int, batch_size: int) -> int:
    """Check ``records`` on the connected Ray and hand each finished batch of rows to ``write``; the row count."""
    import json

    import ray

    checked = 0
    if not records:
        return checked
    dataset = ray.data.from_items(records).map_batches(
        CheckActor, fn_constructor_kwargs={"settings": settings, "settings_key": settings_key},
        batch_size=batch_size, batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=1)
    for batch in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
        rows = batch.to_pylist()
        for row in rows:
            row["report"] = None if row["report"] is None else json.loads(row["report"])
        write(rows)
        checked += len(rows)
    return checked
