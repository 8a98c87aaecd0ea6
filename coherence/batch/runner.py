"""One batch run: read the inputs, skip what the output already holds, check the rest on Ray, write rows."""

from __future__ import annotations

import time
from collections.abc import Callable

from ..settings import Settings


def run_batch(inputs: list[str], output: str, settings: Settings, address: str | None = None,
              actors: int | None = None, batch_size: int = 16, say: Callable[[str], None] = lambda _: None) -> int:
    """Check what is not done yet; the number of rows written with an error this run.

    Joins the Ray at ``address`` (or the one this process is already connected to); without
    either, starts Ray on this machine with its CPUs and stops it at the end.
    """
    from .output import open_output
    from .ray_run import check_on_ray, connect
    from .records import read_records, settings_hash

    key = settings_hash(settings)
    out = open_output(output)
    done = out.done()
    pending, bad, seen, skipped = [], [], set(), 0
    for record in read_records(inputs, settings):
        record_key = (record["id"], record["content_hash"], key)
        if record_key in done or record_key in seen:
            skipped += 1
            continue
        seen.add(record_key)
        (bad if record["error"] else pending).append(record)
    say(f"{len(pending) + len(bad)} article(s) to do, {skipped} already in {output}"
        + (f", {len(bad)} that cannot be checked" if bad else ""))
    errors = 0

    def write(rows: list[dict]) -> None:
        nonlocal errors
        errors += sum(row["error"] is not None for row in rows)
        out.write(rows)

    write([{"id": r["id"], "path": r["path"], "content_hash": r["content_hash"], "settings": key,
            "report": None, "error": r["error"]} for r in bad])
    started_ray = connect(address) if pending else False
    try:
        if pending:
            import ray

            started = time.perf_counter()
            cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
            if actors and actors > cpus and started_ray:  # each actor takes a CPU: more would wait forever
                say(f"{actors} actors asked for, this machine's Ray has {cpus} CPU(s): using {cpus}")
                actors = cpus
            checked = check_on_ray(pending, settings, key, write, actors or cpus, batch_size)
            seconds = time.perf_counter() - started
            say(f"checked {checked} article(s) in {seconds:.1f} s ({checked / seconds:.2f}/s); rows in {output}")
    finally:
        out.close()
        if started_ray:
            import ray

            ray.shutdown()
    return errors
