"""Train the headline-support model on Wikinews headlines.

    python -m coherence.training.train_headline --wikinews ../shared/datasets/wikinews/wikinews_en.jsonl

Each article gives three pairs: its own headline over its body (supported), the headline of a random
other article (not supported) and the headline of one of its most similar other articles: the same
subject, another story (not supported, the hard kind). Articles are split 80/20 by a seeded shuffle:
the logistic regression is fitted on the first part, and its cuts are set on the held-out part from
the own headlines alone, so that an editor sees few false alarms:

    warning = the probability exceeded by WARNING_OWN_RATE of held-out own headlines,
    error   = the probability exceeded by ERROR_OWN_RATE of them;
and the rule makes a warning an error when the headline also names someone or something, or a
number, that the body never mentions (a broken promise).

The held-out figures (own / random / similar headlines flagged and errors) are printed and stored in
the model's metadata. The BBC set in ../shared/eval/dev/headlines.jsonl is never read here.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

from .. import nlp
from ..document import build_document
from ..runtime.embedder import DEFAULT_EMBEDDER, load_embedder
from ..headline_support import DEFAULT_PATH, FEATURES, HeadlineSupportModel, evidence, index_body

# Real headlines paraphrase more than Wikinews' plain ones (BBC: "Reds' joy", "festive fervour"), so the
# cuts leave few own Wikinews headlines flagged: an editor stops reading a tool that cries wolf.
WARNING_OWN_RATE = 0.01
ERROR_OWN_RATE = 0.002
MAX_BODY_SENTENCES = 40  # a long article's tail adds little to what its headline promises
SIMILAR = 5  # the hard negative comes from this many most similar articles


def load_articles(path: Path, limit: int | None, seed: int):
    """(id, document) for every Wikinews article whose title the document reads as its headline."""
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    random.Random(seed).shuffle(rows)
    out = []
    for row in rows:
        document = build_document(row["id"], f"{row['title'].strip()}\n\n{row['text'].strip()}\n")
        if document.headline is not None and len(document.body) >= 3:
            out.append((row["id"], document))
        if limit and len(out) >= limit:
            break
    return out


def prepare(articles, threads: int | None):
    """Per article: the headline's parse and vector, and the body index."""
    headlines = [doc.headline.text for _, doc in articles]
    bodies = [[s.text for s in doc.body[:MAX_BODY_SENTENCES]] for _, doc in articles]
    texts = headlines + [s for body in bodies for s in body]
    print(f"parsing and embedding {len(texts)} sentences of {len(articles)} articles", file=sys.stderr)
    vectors = load_embedder(DEFAULT_EMBEDDER, threads).encode(texts, batch_size=32)
    with nlp.load().select_pipes(disable=["parser"]):  # tags, lemmas and entities do not read the parse
        parses = list(nlp.load().pipe(texts, batch_size=128))
    n = len(headlines)
    head_parses, head_vectors = parses[:n], vectors[:n]
    indexes, offset = [], n
    for body in bodies:
        indexes.append(index_body(parses[offset : offset + len(body)], vectors[offset : offset + len(body)]))
        offset += len(body)
    return head_parses, head_vectors, indexes


def build_pairs(head_parses, head_vectors, indexes, seed: int):
    """Rows of (features, label, kind, host): kind is own / random / similar."""
    rng = random.Random(seed)
    n = len(indexes)
    leads = np.stack([ix.vectors[:2].mean(axis=0) for ix in indexes])
    leads /= np.linalg.norm(leads, axis=1, keepdims=True)
    similarity = head_vectors @ leads.T  # headline i against lead j
    rows = []
    for host in range(n):
        order = [j for j in np.argsort(-similarity[:, host]) if j != host]
        donor_random = rng.choice([j for j in range(n) if j != host])
        # skip the closest few: two Wikinews reports of one event would make a supported "negative"
        donor_similar = rng.choice(order[2 : 2 + SIMILAR])
        for donor, label, kind in ((host, 0, "own"), (donor_random, 1, "random"), (donor_similar, 1, "similar")):
            found = evidence(head_parses[donor], head_vectors[donor], indexes[host])
            rows.append((found.features, label, kind, host, bool(found.missing_names)))
    return rows


def fit(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    clf = LogisticRegression(C=1.0, max_iter=1000, random_state=seed).fit((x - mean) / scale, y)
    return mean, scale, clf.coef_[0], float(clf.intercept_[0])


def calibrate(p: np.ndarray, kinds: np.ndarray) -> dict:
    own = p[kinds == "own"]
    warning = float(np.quantile(own, 1 - WARNING_OWN_RATE))
    error = float(np.quantile(own, 1 - ERROR_OWN_RATE))
    return {"warning": round(warning, 4), "error": round(error, 4)}


def figures(p: np.ndarray, kinds: np.ndarray, name_missing: np.ndarray, cuts: dict) -> dict:
    """Held-out rates as the rule applies the cuts (a warning with a missing name is an error)."""
    flagged = p >= cuts["warning"]
    error = (p >= cuts["error"]) | (name_missing & flagged)
    out = {}
    for kind in ("own", "random", "similar"):
        m = kinds == kind
        out[kind] = {"n": int(m.sum()), "flagged": round(float(flagged[m].mean()), 4), "error": round(float(error[m].mean()), 4)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wikinews", type=Path, default=Path("../shared/datasets/wikinews/wikinews_en.jsonl"))
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--limit", type=int, default=None, help="use at most this many articles")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the pairs' features here (.npz) and reuse them: recalibrating takes seconds")
    args = parser.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    if args.cache and args.cache.exists():
        cached = np.load(args.cache)
        x, y, kinds, hosts, named = (cached[k] for k in ("x", "y", "kinds", "hosts", "named"))
        n_articles = int(cached["n_articles"])
    else:
        articles = load_articles(args.wikinews, args.limit, args.seed)
        head_parses, head_vectors, indexes = prepare(articles, args.threads)
        rows = build_pairs(head_parses, head_vectors, indexes, args.seed)
        x = np.stack([r[0] for r in rows]).astype(np.float64)
        y = np.array([r[1] for r in rows])
        kinds = np.array([r[2] for r in rows])
        hosts = np.array([r[3] for r in rows])
        named = np.array([r[4] for r in rows])
        n_articles = len(articles)
        if args.cache:
            np.savez(args.cache, x=x, y=y, kinds=kinds, hosts=hosts, named=named, n_articles=n_articles)
    held = hosts >= int(0.8 * n_articles)  # articles are already in a seeded random order

    mean, scale, weights, bias = fit(x[~held], y[~held], args.seed)
    model = HeadlineSupportModel(mean, scale, weights, bias, {}, {})
    p = np.array([model.unsupported(f) for f in x])
    cuts = calibrate(p[held], kinds[held])
    held_figures = figures(p[held], kinds[held], named[held], cuts)
    meta = {
        "trained_on": "English Wikinews (CC BY 2.5): own headline vs another article's (random and similar)",
        "articles": n_articles, "fit_articles": int((~held[kinds == "own"]).sum()),
        "held_out_articles": int(held[kinds == "own"].sum()), "seed": args.seed,
        "held_out": held_figures,
        "weights": dict(zip(FEATURES, [round(float(w), 4) for w in weights])),
        "command": "python -m coherence.training.train_headline " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    model = HeadlineSupportModel(mean, scale, weights, bias, cuts, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"cuts": cuts, "held_out": held_figures, "weights": meta["weights"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
