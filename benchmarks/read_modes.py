"""How a shipped model reads an article fastest: in batches, or each text alone; on one session's threads, or
several reads at once.

    python benchmarks/read_modes.py [--model nli|embedder|local-coherence] [--repeats 5]

The texts are those the model reads in a check of the 30-sentence FRANK article that ``bench.py`` times
(the sentences for the embedder, the pairs for a cross-encoder; needs ``../shared``). For each batch size,
sorted by token count so that batches pad little, three ways to use two cores:

- ``1 thread``: one session on one core, batches in turn;
- ``2 in a batch``: one session whose intra-op pool splits each batch across 2 cores (the runtime's way
  before 2026-12-06's fifth session);
- ``2 at once``: one session on one core each read, two batches read at once from two threads (the
  runtime's way now, with batches of one: ``coherence/runtime/onnx_model.py``).

Prints the median seconds of ``--repeats`` reads of the whole set, and the tokens read with padding.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
FOLDERS = {"nli": ROOT / "models" / "nli-minilm-l6", "embedder": ROOT / "models" / "minilm-l6-embedder",
           "local-coherence": ROOT / "models" / "local-coherence"}


def article_inputs(model: str) -> list:
    """What ``model`` reads in a check of the warm benchmark's 30-sentence article."""
    from bench import load_articles, thirty_sentence_article

    from coherence.checker import ArticleInput, Checker
    from coherence.runtime.onnx_model import OnnxEncoder
    from coherence.settings import Settings

    seen: list = []
    original = OnnxEncoder.map

    def recording(self, texts, reduce):
        if self.file.parent.resolve() == FOLDERS[model].resolve():
            seen.extend(texts)
        return original(self, texts, reduce)

    OnnxEncoder.map = recording
    try:
        Checker(Settings(cache=False)).check([ArticleInput("thirty", thirty_sentence_article(load_articles(100)))])
    finally:
        OnnxEncoder.map = original
    return seen


def session(folder: Path, threads: int):
    import onnxruntime

    from coherence.runtime.onnx_model import onnx_file

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(onnx_file(folder, "auto", "model", "nli")), options,
                                        providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(FOLDERS), default="nli")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", default="1,2,4,8,16,32")
    args = parser.parse_args()

    from coherence.runtime.onnx_model import load_tokenizer

    texts = article_inputs(args.model)
    folder = FOLDERS[args.model]
    tokenizer = load_tokenizer(folder, 256, args.model)
    encodings = sorted(tokenizer.encode_batch(texts), key=lambda e: len(e.ids))
    one, two = session(folder, 1), session(folder, 2)
    names = {i.name for i in one.get_inputs()}

    def feed(batch) -> dict:
        width = max(len(e.ids) for e in batch)
        pad = lambda rows: np.array([r + [0] * (width - len(r)) for r in rows], dtype=np.int64)  # noqa: E731
        arrays = {"input_ids": pad([e.ids for e in batch]), "attention_mask": pad([e.attention_mask for e in batch]),
                  "token_type_ids": pad([e.type_ids for e in batch])}
        return {k: v for k, v in arrays.items() if k in names}

    def median_seconds(read) -> float:
        read()  # warm-up
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            read()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    real = sum(len(e.ids) for e in encodings)
    print(f"{args.model}: {len(texts)} texts of the 30-sentence article, {real} tokens")
    print("batch | tokens with padding | 1 thread | 2 in a batch | 2 at once")
    with ThreadPoolExecutor(2) as pool:
        for size in (int(s) for s in args.sizes.split(",")):
            feeds = [feed(encodings[i:i + size]) for i in range(0, len(encodings), size)]
            padded = sum(f["input_ids"].size for f in feeds)
            row = [median_seconds(lambda: [one.run(None, f) for f in feeds]),
                   median_seconds(lambda: [two.run(None, f) for f in feeds]),
                   median_seconds(lambda: list(pool.map(lambda f: one.run(None, f), feeds[::-1])))]
            print(f"{size} | {padded} | " + " | ".join(f"{s:.3f} s" for s in row))


if __name__ == "__main__":
    main()
