"""float32 against bfloat16 for the two transformer models, in one process (speed ratio and output drift).

    .venv/bin/python benchmarks/precision_ab.py [--threads 2] [--sentences 300] [--pairs 320]

Inputs are the first FRANK dev articles (``../shared/datasets``): their body sentences for the embedder,
adjacent sentence pairs for the NLI model. Each timing is the best of three. On a CPU without native
bfloat16 the bfloat16 side is emulated; that is why ``--precision auto`` does not take it there.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

ARTICLES = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "frank_news_articles" / "derived" / "articles.jsonl"


def best_of_three(call):
    times, out = [], None
    for _ in range(3):
        start = time.perf_counter()
        out = call()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--pairs", type=int, default=320)
    args = parser.parse_args()

    import torch

    from coherence.document import build_document
    from coherence.runtime.embedder import Embedder
    from coherence.runtime.nli import NLIModel
    from coherence.precision import cpu_flags, resolve_precision

    torch.set_num_threads(args.threads)
    bodies = []
    with ARTICLES.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            bodies.append([s.text for s in build_document(str(i), json.loads(line)["text"]).body])
            if sum(len(b) for b in bodies) >= max(args.sentences, args.pairs + len(bodies)):
                break
    sentences = [s for b in bodies for s in b][: args.sentences]
    pairs = [(b[i], b[i + 1]) for b in bodies for i in range(len(b) - 1)][: args.pairs]
    print(f"auto resolves to {resolve_precision('auto')} here (native bfloat16 flags: "
          f"{sorted(cpu_flags() & {'avx512_bf16', 'amx_bf16'}) or 'none'})")

    results = {}
    for precision in ("float32", "bfloat16"):
        embedder = Embedder(threads=args.threads, precision=precision)
        nli = NLIModel(precision=precision)
        embedder.encode(sentences[:8], batch_size=8)
        nli.predict(pairs[:8])
        results[precision] = (best_of_three(lambda e=embedder: e.encode(sentences, batch_size=8)),
                              best_of_three(lambda m=nli: m.predict(pairs)))
    (e32, v32), (n32, p32) = results["float32"]
    (e16, v16), (n16, p16) = results["bfloat16"]
    print(json.dumps({
        "embedder_sentences": len(sentences),
        "embedder_s_float32": round(e32, 3), "embedder_s_bfloat16": round(e16, 3),
        "embedder_speedup": round(e32 / e16, 2),
        "embedding_cosine_min": round(float((v32 * v16).sum(axis=1).min()), 6),
        "nli_pairs": len(pairs),
        "nli_pairs_per_s_float32": round(len(pairs) / n32, 1), "nli_pairs_per_s_bfloat16": round(len(pairs) / n16, 1),
        "nli_speedup": round(n32 / n16, 2),
        "nli_probability_max_diff": round(float(np.abs(p32 - p16).max()), 4),
        "nli_probability_mean_diff": round(float(np.abs(p32 - p16).mean()), 5),
        "nli_argmax_agreement": round(float((p32.argmax(1) == p16.argmax(1)).mean()), 4),
    }))


if __name__ == "__main__":
    main()
