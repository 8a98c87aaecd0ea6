"""Throughput of `coherence serve` and `coherence batch`, printed as figures (not a test).

    .venv/bin/python benchmarks/serve_batch.py [--requests 32] [--articles 40] [--threads 1] [--max-seconds 240]

Serve (loopback only, bounded in requests and seconds): starts `coherence serve --port 0`, then at
1, 4 and 16 concurrent clients sends up to --requests one-article requests (FRANK dev articles from
../shared) and reports p50 / p95 latency and articles per second; then times 4 `coherence check`
processes started one after another, one article each, for the comparison at 4 clients.

Batch: --articles FRANK articles as a folder and as a JSONL archive; articles per second of one
`coherence check FOLDER` process, and of `coherence batch` on a local Ray with 1 and 2 actors (the
whole command, Ray's start included, and the checking alone as the command reports it), with the
peak memory (RSS) of each actor process. Every run is a fresh process with --no-cache / a new output.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import load_articles  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from serving import call  # noqa: E402

COHERENCE = [sys.executable, "-m", "coherence"]


def start_server(threads: int, queue_size: int) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([*COHERENCE, "serve", "--port", "0", "--threads", str(threads), "--timeout", "600",
                                "--queue-size", str(queue_size), "--isolated"], stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        sys.stderr.write(line)
        if "listening on http://127.0.0.1:" in line:
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, int(line.split("127.0.0.1:")[1].split()[0])
    raise SystemExit(f"serve did not start (exit {process.wait()})")


def load_test(port: int, texts: list[str], clients: int, requests: int, max_seconds: float) -> dict:
    latencies, statuses = [], []
    deadline = time.perf_counter() + max_seconds
    lock = threading.Lock()
    counter = iter(range(requests))

    def client():
        while time.perf_counter() < deadline:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            started = time.perf_counter()
            status, _, _ = call(port, "POST", "/v1/check", {"text": texts[number % len(texts)],
                                                            "path": f"desk/{number}.txt"}, timeout=600)
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses.append(status)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    wall = time.perf_counter() - started
    ok = statuses.count(200)
    latencies.sort()
    return {"clients": clients, "requests": len(statuses), "ok": ok, "wall_s": round(wall, 2),
            "p50_s": round(statistics.median(latencies), 3),
            "p95_s": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 3),
            "articles_per_s": round(ok / wall, 3)}


def sequential_checks(texts: list[str], threads: int, folder: Path) -> dict:
    started = time.perf_counter()
    for i, text in enumerate(texts[:4]):
        path = folder / f"one-{i}.txt"
        path.write_text(text, encoding="utf-8")
        subprocess.run([*COHERENCE, "check", str(path), "--no-cache", "--isolated", "--threads", str(threads),
                        "--format", "json", "-o", "/dev/null"], capture_output=True, check=False)
    wall = time.perf_counter() - started
    return {"processes": 4, "wall_s": round(wall, 2), "articles_per_s": round(4 / wall, 3)}


def actor_rss() -> dict[int, int]:
    """RSS in bytes of every live CheckActor process (a process an actor forks inherits its title: left out)."""
    found, parents = {}, {}
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and b"CheckActor" in (proc / "cmdline").read_bytes():
                pages = int((proc / "statm").read_text().split()[1])
                parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
                found[int(proc.name)] = pages * 4096
        except (OSError, ValueError, IndexError):
            continue
    return {pid: rss for pid, rss in found.items() if parents[pid] not in found}


def timed_run(command: list[str], sample_actors: bool = False) -> dict:
    peaks: dict[int, int] = {}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while process.poll() is None:
        if sample_actors:
            for pid, rss in actor_rss().items():
                peaks[pid] = max(peaks.get(pid, 0), rss)
        time.sleep(0.5)
    wall = time.perf_counter() - started
    stderr = process.stderr.read()
    checked = re.search(r"checked (\d+) article\(s\) in ([\d.]+) s", stderr)
    out = {"wall_s": round(wall, 2), "exit": process.returncode}
    if checked:
        out["checking_s"] = float(checked.group(2))
    if peaks:
        out["actor_peak_rss_mib"] = sorted(round(v / 2**20) for v in peaks.values())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=32, help="requests per concurrency level")
    parser.add_argument("--articles", type=int, default=40, help="articles of the batch runs")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=240, help="bound of each load level")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()
    texts = load_articles(max(args.requests, args.articles))
    results: dict = {"threads": args.threads}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if not args.skip_serve:
            process, port = start_server(args.threads, queue_size=64)
            try:
                call(port, "POST", "/v1/check", {"text": texts[0]}, timeout=600)  # first-call warm-up
                results["serve"] = [load_test(port, texts, c, args.requests, args.max_seconds) for c in (1, 4, 16)]
                for level in results["serve"]:
                    print(json.dumps(level), flush=True)
            finally:
                process.terminate()
                process.wait(60)
            results["four_check_processes"] = sequential_checks(texts, args.threads, folder)
            print(json.dumps(results["four_check_processes"]), flush=True)
        if not args.skip_batch:
            batch = texts[: args.articles]
            (folder / "desk").mkdir()
            with (folder / "archive.jsonl").open("w", encoding="utf-8") as handle:
                for i, text in enumerate(batch):
                    (folder / "desk" / f"{i}.txt").write_text(text, encoding="utf-8")
                    handle.write(json.dumps({"id": i, "text": text}) + "\n")
            runs = {"one check process": timed_run([*COHERENCE, "check", str(folder / "desk"), "--no-cache", "--quiet",
                                                    "--isolated", "--threads", str(args.threads), "--format", "jsonl",
                                                    "-o", "/dev/null"])}
            for actors in (1, 2):
                runs[f"ray, {actors} actor(s)"] = timed_run(
                    [*COHERENCE, "batch", str(folder / "archive.jsonl"), "-o", str(folder / f"out-{actors}.jsonl"),
                     "--actors", str(actors), "--threads", str(args.threads), "--isolated"], sample_actors=True)
            for name, run in runs.items():
                run["articles_per_s"] = round(len(batch) / run["wall_s"], 3)
                if "checking_s" in run:
                    run["checking_articles_per_s"] = round(len(batch) / run["checking_s"], 3)
                print(json.dumps({"batch": name, "articles": len(batch), **run}), flush=True)
            results["batch"] = runs
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
