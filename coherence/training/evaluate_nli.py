"""Figures for the model card: SNLI test accuracy, contradiction F1 on VitaminC and MNLI-hard, recall on held-out
generated news contradictions, the share of unrelated news sentence pairs called contradiction, and speed."""

from __future__ import annotations

import json
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from .news_pairs import LABEL2ID, LABELS, generate_pairs, load_articles, unrelated_pairs

DATASETS = Path("/work/shared/datasets")
TEST_SETS = {
    "snli": DATASETS / "nli_snli_test" / "derived" / "snli_test.jsonl",
    "vitaminc": DATASETS / "nli_vitaminc_500" / "derived" / "vitaminc_500.jsonl",
    "mnli_hard": DATASETS / "nli_mnli_dev_matched_hard" / "derived" / "mnli_dev_matched_hard.jsonl",
}
# VitaminC labels may come as FEVER names
_ALIASES = {"supports": "entailment", "refutes": "contradiction", "not enough info": "neutral"}


def read_test(path: Path) -> list[tuple[str, str, int]]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            label = str(r.get("label", "")).lower()
            label = _ALIASES.get(label, label)
            if label in LABEL2ID:
                rows.append((r["premise"], r["hypothesis"], LABEL2ID[label]))
    return rows


def class_prf(gold: np.ndarray, pred: np.ndarray, cls: int) -> dict:
    tp = int(((pred == cls) & (gold == cls)).sum())
    fp = int(((pred == cls) & (gold != cls)).sum())
    fn = int(((pred != cls) & (gold == cls)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def score(probs: np.ndarray, gold: list[int]) -> dict:
    g = np.asarray(gold)
    pred = probs.argmax(axis=1)
    out = {"n": int(len(g)), "accuracy": round(float((pred == g).mean()), 4),
           "contradiction": class_prf(g, pred, 0)}
    return out


def _sample(rows: list, n: int | None, seed: int) -> list:
    if n is None or len(rows) <= n:
        return rows
    return random.Random(seed).sample(rows, n)


def run_evaluation(model: Path | None = None, threads: int = 1, sample: int | None = None, seed: int = 13,
                   only: list[str] | None = None, json_out: Path | None = None) -> dict:
    import torch

    from ..runtime.nli import NLIModel

    torch.set_num_threads(threads)
    nli = NLIModel(model)
    results: dict = {"model": str(nli.path), "threads": threads, "sample": sample}
    want = set(only or ["snli", "vitaminc", "mnli_hard", "news", "speed"])

    for name, path in TEST_SETS.items():
        if name not in want:
            continue
        rows = _sample(read_test(path), sample, seed)
        t0 = time.time()
        probs = nli.predict([(p, h) for p, h, _ in rows])
        results[name] = score(probs, [y for _, _, y in rows]) | {"seconds": round(time.time() - t0, 1)}
        print(f"{name}: {json.dumps(results[name])}", flush=True)

    if "news" in want or "speed" in want:
        articles = load_articles()
    if "news" in want:
        pairs = generate_pairs(articles, 3000, seed=seed, split="heldout")
        probs = nli.predict([(p.premise, p.hypothesis) for p in pairs])
        res = score(probs, [LABEL2ID[p.label] for p in pairs])
        pred = probs.argmax(axis=1)
        by_kind: dict[str, list[int]] = defaultdict(list)
        for p, y in zip(pairs, pred):
            by_kind[p.kind].append(int(y == LABEL2ID[p.label]))
        res["by_kind_accuracy"] = {k: {"n": len(v), "acc": round(sum(v) / len(v), 3)}
                                   for k, v in sorted(by_kind.items())}
        res["labels"] = dict(Counter(p.label for p in pairs))
        results["news_heldout"] = res
        print(f"news_heldout: {json.dumps(res)}", flush=True)

        unrel = unrelated_pairs(articles, 1000, seed=seed, split="heldout")
        probs = nli.predict(unrel)
        pred = probs.argmax(axis=1)
        results["news_unrelated"] = {
            "n": len(unrel),
            "predicted": {LABELS[i]: int((pred == i).sum()) for i in range(3)},
            "contradiction_share": round(float((pred == 0).mean()), 4),
            "p_contradiction_gt_0.5": round(float((probs[:, 0] > 0.5).mean()), 4),
            "mean_p_contradiction": round(float(probs[:, 0].mean()), 4),
        }
        print(f"news_unrelated: {json.dumps(results['news_unrelated'])}", flush=True)

    if "speed" in want:
        bench = unrelated_pairs(articles, 256, seed=seed + 1, split="all")
        speed = {}
        for n_threads in (1, 2):
            torch.set_num_threads(n_threads)
            nli.predict(bench[:32])  # warm-up
            t0 = time.time()
            nli.predict(bench)
            speed[f"{n_threads}_thread"] = round(len(bench) / (time.time() - t0), 1)
        torch.set_num_threads(threads)
        results["speed_pairs_per_second"] = speed | {"pairs": "256 news sentence pairs, batch 32"}
        print(f"speed: {json.dumps(results['speed_pairs_per_second'])}", flush=True)

    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(results, indent=2) + "\n")
    return results
