"""Train the local-coherence cross-encoder and fit the off-topic stack (``local.py``).

    python -m coherence.training.train_local train --out runs/local-coherence --minutes 38 --threads 2
    python -m coherence.training.export local-coherence runs/local-coherence
    python -m coherence.training.train_local stack --model runs/local-coherence --threads 2

The FRANK dev articles are split once, by a fixed seed, into A (70%) and B (30%), grouped by article:
- ``train`` fine-tunes the NLI model's encoder with a new 2-way head on A only. Examples are a
  sentence between its real neighbours (label 0; in a fifth of them one neighbour is itself foreign,
  as next to an intruder) or a sentence of another article inserted before, or put in place of, the
  sentence at that position (label 1; donors from the 5 most similar articles in 65%, else random).
- ``python -m coherence.training.export local-coherence`` writes the ONNX file a check runs (and
  ``stack`` reads) and checks it against the trained weights.
- ``stack`` scores the dev eval's documents whose host article is in B, which the cross-encoder
  never saw: the cross-encoder's probabilities per sentence, and those of a belonging model trained
  by the shipped model's recipe on A only (the shipped one saw B's articles), or of the belonging
  model ``--belonging`` names (one trained without any dev article, on Wikinews splices). It fits the
  two-weight logistic stack on them by cross-fitting (two halves of B's articles, each scored by a fit
  on the other), prints the held-out figures, calibrates the severity cuts on the cross-fitted scores
  and writes the stack fitted on all of B beside the model.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..belonging.local import (LEAD_MAX_LENGTH, MAX_LENGTH, READS_LEAD, STACK_FILE, OffTopicStack, candidates,
                               log_odds, neighbour_context)
from ..errors import InputError
from .train_belonging import calibrate, load_articles

ARTICLES = Path("../shared/datasets/frank_news_articles/derived/articles.jsonl")
EVAL = Path("../shared/eval/dev/news_intruders.jsonl")
SPLIT_SEED, TRAIN_SHARE = 0, 0.7
SIMILAR_DONORS, SIMILAR_SHARE, FOREIGN_NEIGHBOUR_SHARE = 5, 0.65, 0.2
LABELS = {0: "fits", 1: "breaks"}


def split_articles(articles: list[tuple[str, list[str]]]) -> tuple[list, list]:
    """(A, B): a fixed split of the articles by id, the same on every machine."""
    ids = sorted(a for a, _ in articles)
    random.Random(SPLIT_SEED).shuffle(ids)
    train_ids = set(ids[: int(len(ids) * TRAIN_SHARE)])
    return [x for x in articles if x[0] in train_ids], [x for x in articles if x[0] not in train_ids]


def similar_articles(articles, embed) -> list[list[int]]:
    """For each article, the indices of its most similar others by mean sentence embedding."""
    centroids = np.stack([embed(sentences).mean(axis=0) for _, sentences in articles])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    similarity = centroids @ centroids.T
    np.fill_diagonal(similarity, -np.inf)
    return [list(np.argsort(-row)[:SIMILAR_DONORS]) for row in similarity]


def make_examples(articles, near: list[list[int]], count: int, seed: int) -> list[tuple[str, str, int]]:
    """(sentence, neighbour context, label) with label 1 for a sentence from another article."""
    rng = random.Random(seed)
    examples = []
    while len(examples) < count:
        h = rng.randrange(len(articles))
        host = articles[h][1]
        i = rng.randrange(1, len(host))
        previous = host[i - 1]
        following = host[i + 1] if i + 1 < len(host) else None
        if rng.random() < 0.5:
            if rng.random() < FOREIGN_NEIGHBOUR_SHARE:
                foreign = rng.choice(articles[rng.choice(near[h])][1][1:])
                if rng.random() < 0.5:
                    previous = foreign
                else:
                    following = foreign
            examples.append((host[i], neighbour_context(previous, following), 0))
            continue
        d = rng.choice(near[h]) if rng.random() < SIMILAR_SHARE else rng.randrange(len(articles))
        if d == h:
            continue
        intruder = rng.choice(articles[d][1][1:])
        following = host[i] if rng.random() < 0.5 else following  # inserted before host[i], or in its place
        examples.append((intruder, neighbour_context(previous, following), 1))
    return examples


def splice_examples(rows: list[dict], count: int, seed: int, reads_lead: bool) -> list[tuple[str, str, int]]:
    """(sentence, context, label) from documents built by ``coherence.training.splices``: every intruder
    (label 1) and one of the host's own sentences after the lead (label 0) of each document, read in
    the spliced text, so a neighbour may itself be an intruder, as in patchwork copy."""
    from ..belonging.local import local_pairs
    from .train_belonging import labelled_sentences

    rng = random.Random(seed)
    rows = sorted(rows, key=lambda r: r["id"])
    rng.shuffle(rows)
    examples: list[tuple[str, str, int]] = []
    for row in rows:
        texts, labels = labelled_sentences(row)
        own = [i for i in range(1, len(texts)) if not labels[i]]
        positions = [i for i in range(1, len(texts)) if labels[i]] + ([rng.choice(own)] if own else [])
        for (sentence, context), i in zip(local_pairs(texts, positions, reads_lead), positions):
            examples.append((sentence, context, labels[i]))
        if len(examples) >= count:
            break
    rng.shuffle(examples)
    return examples[:count]


def training_examples(args, embedder) -> tuple[list, list, str]:
    """Training examples and 1,000 held-out ones: from FRANK A / B, or from built splices (train / validate split)."""
    if args.splices:
        from .splices import read_rows

        rows = read_rows(args.splices)
        train_rows = [r for r in rows if r.get("split", "train") == "train"]
        held_rows = [r for r in rows if r.get("split") == "validate"]
        if not train_rows or not held_rows:  # found before training, not after it
            raise InputError(f"{args.splices}: needs documents of both splits, train and validate "
                             f"(has {len(train_rows)} / {len(held_rows)})")
        return (splice_examples(train_rows, args.examples, args.seed + 1, args.reads_lead),
                splice_examples(held_rows, 1000, args.seed + 2, args.reads_lead),
                f"{args.splices.name}: {len(train_rows)} / {len(held_rows)} documents (train / validate)")
    train_articles, held_out = split_articles(load_articles(args.articles))
    examples = make_examples(train_articles, similar_articles(train_articles, embedder.encode), args.examples,
                             args.seed + 1)
    check = make_examples(held_out, similar_articles(held_out, embedder.encode), 1000, args.seed + 2)
    return examples, check, f"articles A/B {len(train_articles)}/{len(held_out)}"


def train(args) -> int:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    from ..runtime.embedder import load_embedder

    torch.manual_seed(args.seed)  # the new head's initial weights
    torch.set_num_threads(args.threads)
    if args.reads_lead and not args.splices:
        print("error: --reads-lead needs --splices", file=sys.stderr)
        return 2
    try:
        examples, check, source = training_examples(args, None if args.splices else load_embedder(threads=args.threads))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    max_length = LEAD_MAX_LENGTH if args.reads_lead else MAX_LENGTH
    print(f"{source}; {len(examples)} training examples", file=sys.stderr)
    tokenizer = AutoTokenizer.from_pretrained(args.base, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        args.base, id2label=LABELS, label2id={v: k for k, v in LABELS.items()}, ignore_mismatched_sizes=True,
        local_files_only=True).float()  # a new 2-way head on the NLI encoder, trained in float32
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = len(examples) // args.batch
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.06 * steps), steps)
    start, losses = time.time(), []
    for step in range(steps):
        batch = examples[step * args.batch:(step + 1) * args.batch]
        encoded = tokenizer([b[0] for b in batch], [b[1] for b in batch], padding=True, truncation=True,
                            max_length=max_length, return_tensors="pt")
        with torch.autocast("cpu", dtype=torch.bfloat16):  # about twice as fast on CPUs with native bfloat16
            logits = model(**encoded).logits
        loss = torch.nn.functional.cross_entropy(logits.float(), torch.tensor([b[2] for b in batch]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if step % 50 == 0:
            print(f"step {step}/{steps} loss {np.mean(losses[-50:]):.4f} {time.time() - start:.0f}s", file=sys.stderr)
        if step + 1 == args.steps or time.time() - start > args.minutes * 60:
            print(f"stopped after step {step + 1} of {steps}", file=sys.stderr)
            break
    model.eval()
    if args.reads_lead:
        setattr(model.config, READS_LEAD, True)  # the runtime reads it from config.json
    args.out.mkdir(parents=True, exist_ok=True)
    model.to(torch.float16).save_pretrained(args.out)  # fp16 on disk: half the size, loaded as the run asks
    tokenizer.save_pretrained(args.out)
    from .export import torch_pair_probabilities

    probs = torch_pair_probabilities(model.float(), tokenizer, [(s, c) for s, c, _ in check], max_length)[:, 1]
    truth = np.array([y for *_, y in check])
    print(json.dumps({"held_out_examples": len(check), "accuracy": round(float(((probs > 0.5) == truth).mean()), 4),
                      "steps": step + 1, "minutes": round((time.time() - start) / 60, 1)}))
    return 0


def held_out_documents(articles, belonging, local, embedder, eval_path: Path) -> list[dict]:
    """Dev eval documents hosted by a B article: per body sentence its two probabilities and its label."""
    from ..document import build_document
    from ..evaluation.metrics import span_hits
    from ..belonging.features import document_features

    hosts = {a for a, _ in articles}
    documents = []
    with eval_path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["id"].split(":")[0] not in hosts:
                continue
            document = build_document(row["id"], row["text"])
            body = document.body
            if len(body) < 3:
                continue
            embeddings = embedder.encode([s.text for s in document.sentences])
            scores = belonging.predict(document_features(document, embeddings))
            documents.append({
                "host": row["id"].split(":")[0], "variant": row["variant"], "belonging": scores,
                "local": local.predict([s.text for s in body], candidates(scores)),
                "label": np.array([any(span_hits((s.start, s.end), span) for span in row["intruders"]) for s in body]),
            })
    return documents


def figures(documents: list[dict], key: str, thresholds: dict) -> dict:
    scores = np.concatenate([d[key] for d in documents])
    truth = np.concatenate([d["label"] for d in documents])
    flagged = scores >= thresholds["suggestion"]
    tp = float((flagged & truth).sum())
    precision, recall = tp / max(flagged.sum(), 1), tp / max(truth.sum(), 1)
    positive = np.array([d[key].max() for d in documents if d["label"].any()])
    clean = np.array([d[key].max() for d in documents if not d["label"].any()])
    auroc = (positive[:, None] > clean[None, :]).mean() + 0.5 * (positive[:, None] == clean[None, :]).mean()
    top1 = {v: float(np.mean([d["label"][d[key].argmax()] for d in documents if d["variant"] == v]))
            for v in sorted({d["variant"] for d in documents}) if v != "none"}
    return {"precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4),
            "top1": round(float(np.mean([d["label"][d[key].argmax()] for d in documents if d["label"].any()])), 4),
            "top1_by_variant": {k: round(v, 4) for k, v in top1.items()}, "doc_auroc": round(float(auroc), 4),
            "clean_with_error": round(float((clean >= thresholds["error"]).mean()), 4)}


def calibrated_cuts(documents: list[dict], key: str) -> dict:
    """The belonging model's calibration (``train.calibrate``: best-F1 suggestion, error at most
    ERROR_CLEAN_RATE of clean documents, warning halfway) applied to these documents' scores."""
    thresholds, _ = calibrate([d[key] for d in documents], [d["label"] for d in documents])
    return thresholds


def fit_stack(documents: list[dict]) -> OffTopicStack:
    """The logistic stack over every sentence, unread ones at the median local score (as in ``combine``)."""
    from sklearn.linear_model import LogisticRegression

    local = np.concatenate([d["local"] for d in documents])
    default = float(np.nanmedian(local))
    local = np.where(np.isnan(local), default, local)
    inputs = np.column_stack([log_odds(np.concatenate([d["belonging"] for d in documents])), log_odds(local)])
    fit = LogisticRegression(max_iter=1000).fit(inputs, np.concatenate([d["label"] for d in documents]))
    return OffTopicStack(float(fit.coef_[0][0]), float(fit.coef_[0][1]), float(fit.intercept_[0]), default, {}, {})


def belonging_trained_on(articles, embedder):
    """A belonging model made by the shipped model's recipe (seed, repeats, width) from these articles only.

    The shipped belonging model was trained on all the dev articles, B included, so its scores on B
    documents are in-sample and better than on a user's article; a stack fitted on them would lean on
    it too much. This one, trained on A, scores B as the shipped model scores unseen copy.
    """
    from ..belonging.model import load_belonging_model
    from .train_belonging import build_training_set, fit_mlp

    recipe = load_belonging_model().metadata
    features, labels, _, _ = build_training_set(articles, embedder.encode, recipe["repeats"], recipe["seed"])
    return fit_mlp(np.vstack(features), np.concatenate(labels), recipe["seed"], recipe["hidden"])


def stack(args) -> int:
    from ..runtime.embedder import load_embedder
    from ..belonging.local import LocalCoherenceModel

    train_articles, held_out = split_articles(load_articles(args.articles))
    local = LocalCoherenceModel(args.model, precision=args.precision, with_stack=False)
    embedder = load_embedder(threads=args.threads, precision=args.precision)
    if args.belonging:
        from ..belonging.model import load_belonging_model

        belonging, scored_by = load_belonging_model(args.belonging), f"the belonging model {args.belonging}"
    else:
        belonging = belonging_trained_on(train_articles, embedder)
        scored_by = f"a belonging model trained by the shipped recipe on the {len(train_articles)} A articles"
    documents = held_out_documents(held_out, belonging, local, embedder, args.eval)
    hosts = sorted({d["host"] for d in documents})
    half = {h: i % 2 for i, h in enumerate(hosts)}
    for k in (0, 1):  # cross-fitting: each half scored by the stack fitted on the other
        fitted = fit_stack([d for d in documents if half[d["host"]] != k])
        for d in documents:
            if half[d["host"]] == k:
                d["stacked"] = fitted.combine(d["belonging"], d["local"])
    thresholds = calibrated_cuts(documents, "stacked")
    report = {"documents": len(documents), "articles": len(hosts), "thresholds": thresholds,
              "stacked_cross_fitted": figures(documents, "stacked", thresholds),
              "belonging_alone": figures(documents, "belonging", calibrated_cuts(documents, "belonging"))}
    final = fit_stack(documents)
    metadata = {"fitted_on": f"{args.eval.name}: {len(documents)} documents of {len(hosts)} B articles",
                "belonging_scores": scored_by,
                "held_out": report, "command": "python -m coherence.training.train_local " + " ".join(sys.argv[1:])}
    (args.model / STACK_FILE).write_text(
        json.dumps(replace(final, thresholds=thresholds, metadata=metadata).to_json(), indent=1) + "\n",
        encoding="utf-8")
    print(json.dumps(report, indent=1))
    print(f"wrote {args.model / STACK_FILE}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("train", "stack"))
    parser.add_argument("--articles", type=Path, default=ARTICLES)
    parser.add_argument("--eval", type=Path, default=EVAL, help="labelled dev documents for the stack")
    parser.add_argument("--belonging", type=Path, default=None,
                        help="stack: score B with this belonging model (it must not have seen B's articles) "
                             "instead of one trained on A")
    parser.add_argument("--splices", type=Path, default=None,
                        help="train: examples from documents built by `python -m coherence.training.splices` "
                             "(train split; 1,000 held-out ones from its validate split) instead of FRANK A")
    parser.add_argument("--reads-lead", action="store_true",
                        help="train: the context is the lead, then the neighbours (needs --splices)")
    parser.add_argument("--base", default="models/nli-minilm-l6", help="cross-encoder to start from")
    parser.add_argument("--out", type=Path, default=Path("runs/local-coherence"))
    parser.add_argument("--model", type=Path, default=Path("runs/local-coherence"), help="trained model (stack)")
    parser.add_argument("--examples", type=int, default=80_000)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--minutes", type=float, default=38.0, help="stop training after this long")
    parser.add_argument("--steps", type=int, default=None, help="stop training after this many steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", default="auto")
    args = parser.parse_args(argv)
    needed = ((args.articles,) if not (args.command == "train" and args.splices) else (args.splices,)) \
        + ((args.eval,) if args.command == "stack" else ()) + ((args.belonging,) if args.belonging else ())
    for path in needed:
        if not path.is_file():
            print(f"error: not found: '{path}'", file=sys.stderr)
            return 2
    return train(args) if args.command == "train" else stack(args)


if __name__ == "__main__":
    sys.exit(main())
