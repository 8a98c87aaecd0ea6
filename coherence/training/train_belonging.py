"""Train the belonging model on intruders spliced into real news articles.

    python -m coherence.training.train_belonging --articles ../shared/datasets/frank_news_articles/derived/articles.jsonl

    python -m coherence.training.train_belonging --splices runs/splices-wikinews.jsonl

Splices of ``--articles`` follow the eval's recipe (a sentence from a random or a similar article swapped in or
inserted, and 2-4 sentences from similar articles for patchwork) with our own seed and positions.
With ``--splices`` it trains on documents built by ``python -m coherence.training.splices`` (their
``train`` split), hard donors included.
Grouped K-fold by host article gives out-of-fold scores: the figures printed are for articles the
model never saw, and the severity thresholds are calibrated on them:
  suggestion = the threshold with the best out-of-fold F1,
  error      = the lowest threshold that keeps error findings in at most ERROR_CLEAN_RATE of clean articles,
  warning    = halfway between.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

from ..document import build_document, sentence_spans
from ..evaluation.metrics import span_hits
from ..runtime.embedder import DEFAULT_EMBEDDER, load_embedder
from ..belonging.features import sentence_features
from ..belonging.model import DEFAULT_PATH, BelongingModel

VARIANTS = ("none", "replace_random", "insert_random", "replace_similar", "insert_similar", "patchwork")
ERROR_CLEAN_RATE = 0.02


def load_articles(path: Path) -> list[tuple[str, list[str]]]:
    articles = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if not row.get("usable_for_splicing", True):
                continue
            text = row["text"]
            sentences = [text[a:b] for a, b in sentence_spans(text)]
            if len(sentences) >= 4:
                articles.append((row["id"], sentences))
    return articles


def splice(rng: random.Random, host: list[str], variant: str, donors: list[list[str]]) -> tuple[list[str], list[int]]:
    """Returns the spliced sentence list and a 0/1 label per sentence (never touching the lead)."""
    sentences, labels = list(host), [0] * len(host)
    if variant == "none":
        return sentences, labels
    count = rng.randint(2, 4) if variant == "patchwork" else 1
    for _ in range(count):
        donor = rng.choice(donors)
        intruder = rng.choice(donor[1:] if len(donor) > 1 else donor)
        if variant.startswith("replace"):
            candidates = [i for i in range(1, len(sentences)) if labels[i] == 0]
            at = rng.choice(candidates)
            sentences[at], labels[at] = intruder, 1
        else:
            at = rng.randint(1, len(sentences))
            sentences.insert(at, intruder)
            labels.insert(at, 1)
    return sentences, labels


def build_training_set(articles, embed, repeats: int, seed: int):
    rng = random.Random(seed)
    pool = sorted({s for _, sents in articles for s in sents})
    vectors = dict(zip(pool, embed(pool)))
    centroids = np.stack([np.mean([vectors[s] for s in sents], axis=0) for _, sents in articles])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    similarity = centroids @ centroids.T
    np.fill_diagonal(similarity, -np.inf)

    features, labels, groups, doc_ids = [], [], [], []
    for h, (host_id, host) in enumerate(articles):
        nearest = list(np.argsort(-similarity[h]))
        for variant in VARIANTS:
            for r in range(repeats if variant != "none" else 1):
                if variant.endswith("random") or variant == "none":
                    donors = [articles[j][1] for j in range(len(articles)) if j != h]
                elif variant == "patchwork":
                    donors = [articles[j][1] for j in nearest[:5]]
                else:
                    donors = [articles[j][1] for j in nearest[:3]]
                sentences, y = splice(rng, host, variant, donors)
                matrix = np.stack([vectors[s] for s in sentences])
                features.append(sentence_features(sentences, matrix, None))
                labels.append(np.asarray(y))
                groups.append(h)
                doc_ids.append(f"{host_id}:{variant}:{r}")
    return features, labels, np.asarray(groups), doc_ids


def labelled_sentences(row: dict) -> tuple[list[str], list[int]]:
    """The body sentences of an eval-format row as a check reads them, each labelled 1 when it hits an intruder span."""
    body = build_document(row["id"], row["text"]).body
    return [s.text for s in body], [int(any(span_hits((s.start, s.end), g) for g in row["intruders"])) for s in body]


def training_set_from_splices(rows: list[dict], embed):
    """Features, labels and host groups of documents built by ``coherence.training.splices``."""
    documents = [labelled_sentences(row) for row in rows]
    pool = sorted({t for texts, _ in documents for t in texts})
    vectors = dict(zip(pool, embed(pool)))
    host_of = {h: i for i, h in enumerate(sorted({row["host"] for row in rows}))}
    features, labels, groups = [], [], []
    for row, (texts, y) in zip(rows, documents):
        if len(texts) < 2:
            continue
        features.append(sentence_features(texts, np.stack([vectors[t] for t in texts]), None))
        labels.append(np.asarray(y))
        groups.append(host_of[row["host"]])
    return features, labels, np.asarray(groups)


def fit_mlp(x: np.ndarray, y: np.ndarray, seed: int, hidden: int) -> BelongingModel:
    from sklearn.neural_network import MLPClassifier

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    clf = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=1e-3, max_iter=400, early_stopping=True, random_state=seed)
    clf.fit((x - mean) / scale, y)
    return BelongingModel(mean, scale, tuple(clf.coefs_), tuple(clf.intercepts_), {})


def out_of_fold(features, labels, groups, folds: int, seed: int, hidden: int) -> list[np.ndarray]:
    hosts = np.unique(groups)
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(hosts, rng.permutation(len(hosts)) % folds))
    predictions: list[np.ndarray | None] = [None] * len(features)
    for k in range(folds):
        train = [i for i, g in enumerate(groups) if fold_of[g] != k]
        model = fit_mlp(np.vstack([features[i] for i in train]), np.concatenate([labels[i] for i in train]), seed, hidden)
        for i, g in enumerate(groups):
            if fold_of[g] == k:
                predictions[i] = model.predict(features[i])
    return predictions  # type: ignore[return-value]


def calibrate(predictions, labels) -> tuple[dict, dict]:
    """Severity thresholds from out-of-fold scores, and the figures they give."""
    scores, truth = np.concatenate(predictions), np.concatenate(labels)
    best_f1, suggestion = 0.0, 0.5
    for t in np.linspace(0.05, 0.95, 91):
        flagged = scores >= t
        tp = float((flagged & (truth == 1)).sum())
        f1 = 2 * tp / max(flagged.sum() + truth.sum(), 1)
        if f1 > best_f1:
            best_f1, suggestion = f1, float(t)
    clean_max = np.array([p.max() for p, y in zip(predictions, labels) if y.sum() == 0])
    error = float(max(np.quantile(clean_max, 1 - ERROR_CLEAN_RATE) + 1e-6, suggestion))
    warning = (suggestion + error) / 2
    top1 = np.mean([y[p.argmax()] == 1 for p, y in zip(predictions, labels) if y.sum() > 0])
    intruder_max = np.array([p.max() for p, y in zip(predictions, labels) if y.sum() > 0])
    auroc = float((intruder_max[:, None] > clean_max[None, :]).mean() + 0.5 * (intruder_max[:, None] == clean_max[None, :]).mean())
    figures = {
        "oof_sentence_f1_at_suggestion": round(best_f1, 4),
        "oof_top1": round(float(top1), 4),
        "oof_doc_auroc": round(auroc, 4),
        "oof_clean_error_rate": round(float((clean_max >= error).mean()), 4),
    }
    thresholds = {"suggestion": round(suggestion, 4), "warning": round(warning, 4), "error": round(error, 4)}
    return thresholds, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=Path, default=Path("../shared/datasets/frank_news_articles/derived/articles.jsonl"))
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--splices", type=Path, action="append", default=[],
                        help="train on documents built by `python -m coherence.training.splices` (their train split) "
                             "instead of splicing --articles; may be given more than once")
    parser.add_argument("--embedder", default=DEFAULT_EMBEDDER)
    parser.add_argument("--repeats", type=int, default=2, help="spliced documents per host article and variant")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)

    for path in args.splices or [args.articles]:
        if not path.is_file():
            print(f"error: not found: '{path}'", file=sys.stderr)
            return 2
    embedder = load_embedder(args.embedder, args.threads)
    if args.splices:
        from ..errors import InputError
        from .splices import read_rows

        try:
            rows = [r for path in args.splices for r in read_rows(path) if r.get("split", "train") == "train"]
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"{len(rows)} spliced documents (train split); embedding sentences ...", file=sys.stderr)
        features, labels, groups = training_set_from_splices(rows, embedder.encode)
        trained_on = ", ".join(p.name for p in args.splices) + f": {len(set(groups))} host articles"
    else:
        articles = load_articles(args.articles)
        print(f"{len(articles)} articles; embedding sentences ...", file=sys.stderr)
        features, labels, groups, _ = build_training_set(articles, embedder.encode, args.repeats, args.seed)
        trained_on = f"{args.articles.name}: {len(articles)} articles"
    print(f"{len(features)} spliced documents, {sum(len(y) for y in labels)} sentences", file=sys.stderr)

    predictions = out_of_fold(features, labels, groups, args.folds, args.seed, args.hidden)
    thresholds, figures = calibrate(predictions, labels)
    model = fit_mlp(np.vstack(features), np.concatenate(labels), args.seed, args.hidden)
    metadata = {
        "trained_on": f"{trained_on}, {len(features)} spliced documents",
        "embedder": args.embedder,
        "seed": args.seed,
        "repeats": args.repeats,
        "hidden": args.hidden,
        "thresholds": thresholds,
        "out_of_fold": figures,
        "command": "python -m coherence.training.train_belonging " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    model = BelongingModel(model.mean, model.scale, model.weights, model.biases, metadata)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"thresholds": thresholds, **figures}, indent=2))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
