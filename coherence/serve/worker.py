"""The model worker: one thread owns the models; requests queue work for it.

Models are not thread-safe and a CPU gains nothing from two checks at once, so every check runs
on this one thread. While it is busy, requests wait in a bounded queue; when it frees up it takes
every waiting request (up to ``max_batch`` articles) and checks them in one call, so the sentences
of all those articles are embedded in one call. A full queue is refused at once (the caller
answers 503), never left to grow.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from ..api import Checker
from ..checker import ArticleInput


class QueueFull(Exception):
    """The queue holds ``queue_size`` requests already: try again later."""


@dataclass
class Job:
    articles: list[ArticleInput]
    future: Future = field(default_factory=Future)


class ModelWorker:
    def __init__(self, checker: Checker, queue_size: int = 32, max_batch: int = 64):
        self.checker = checker
        self.max_batch = max_batch
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=queue_size)
        self._thread = threading.Thread(target=self._run, name="coherence-model-worker", daemon=True)
        self.busy = 0  # articles being checked now
        self.checked = 0  # articles checked since start
        self._seconds_per_article = 0.5  # running estimate, for Retry-After

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    def start(self) -> "ModelWorker":
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Finish what is queued, then end the thread."""
        self._queue.put(None)
        self._thread.join(timeout)

    def submit(self, articles: list[ArticleInput]) -> Future:
        job = Job(articles)
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise QueueFull() from None
        return job.future

    def retry_after(self) -> int:
        """Seconds until the queue has likely drained (at least 1)."""
        backlog = self.busy + sum(len(job.articles) for job in list(self._queue.queue) if job is not None)
        return max(1, round(backlog * self._seconds_per_article))

    def _take_batch(self, first: Job) -> tuple[list[Job], bool]:
        jobs, articles, stopping = [first], len(first.articles), False
        while articles < self.max_batch:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:
                stopping = True
                break
            jobs.append(job)
            articles += len(job.articles)
        return jobs, stopping

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            jobs, stopping = self._take_batch(first)
            # A request that timed out while it waited has cancelled its future: skip its articles.
            live = [job for job in jobs if job.future.set_running_or_notify_cancel()]
            articles = [a for job in live for a in job.articles]
            if not articles:
                continue
            self.busy = len(articles)
            started = time.perf_counter()
            try:
                reports = self.checker.check_inputs(articles)
            except BaseException as exc:  # noqa: BLE001 - handed to every waiting request, never lost
                for job in live:
                    job.future.set_exception(exc)
            else:
                offset = 0
                for job in live:
                    job.future.set_result(reports[offset : offset + len(job.articles)])
                    offset += len(job.articles)
                elapsed = time.perf_counter() - started
                self._seconds_per_article = 0.8 * self._seconds_per_article + 0.2 * elapsed / len(articles)
                self.checked += len(articles)
            finally:
                self.busy = 0
