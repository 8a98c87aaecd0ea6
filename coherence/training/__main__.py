"""``python -m coherence.training {train,export,evaluate,pairs}`` (also the ``coherence-train`` script)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _threads(n: int) -> None:
    # must happen before torch starts its thread pools
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(n))


def _extra_set(spec: str) -> str:
    from .train_nli import extra_set

    try:
        return extra_set(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="coherence-train", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="fine-tune the NLI cross-encoder")
    t.add_argument("--out", type=Path, default=Path("runs/nli-minilm"))
    t.add_argument("--base", default="", help="base model folder (default: the packaged all-MiniLM-L6-v2)")
    t.add_argument("--epochs", type=float, default=1.0)
    t.add_argument("--max-steps", type=int, default=None)
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--seed", type=int, default=13)
    t.add_argument("--news-pairs", type=int, default=30000)
    t.add_argument("--snli-limit", type=int, default=None)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--max-length", type=int, default=128)
    t.add_argument("--lr", type=float, default=4e-5)
    t.add_argument("--checkpoint-every", type=int, default=500)
    t.add_argument("--resume", action="store_true")
    t.add_argument("--extra", action="append", default=[], metavar="NAME[:N]", type=_extra_set,
                   help="also train on a 3-way set of ../shared/datasets/nli_extra (all rows, or a sample of N)")
    t.add_argument("--train-embeddings", action="store_true", help="also train the word embeddings (slower)")

    e = sub.add_parser("export", help="write the fp16 model folder and its ONNX export (the runtime format)")
    e.add_argument("src", type=Path)
    e.add_argument("--dest", type=Path, default=None)

    v = sub.add_parser("evaluate", help="measure the model (figures for the model card)")
    v.add_argument("--model", type=Path, default=None, help="model folder (default: the shipped one)")
    v.add_argument("--threads", type=int, default=1)
    v.add_argument("--sample", type=int, default=None, help="at most this many pairs per test set")
    v.add_argument("--seed", type=int, default=13)
    v.add_argument("--only", default=None, help="comma-separated subset of: snli,vitaminc,mnli_hard,news,speed")
    v.add_argument("--json", type=Path, default=None, help="also write the figures here")

    p = sub.add_parser("pairs", help="write the generated news pairs as JSONL")
    p.add_argument("out", type=Path)
    p.add_argument("-n", type=int, default=30000)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--split", choices=["train", "heldout", "all"], default="train")

    args = parser.parse_args(argv)

    if args.command == "train":
        _threads(args.threads)
        from .train_nli import TrainConfig, train

        cfg = TrainConfig(out=args.out, base=args.base, snli_limit=args.snli_limit, news_pairs=args.news_pairs,
                          epochs=args.epochs, max_steps=args.max_steps, batch_size=args.batch_size,
                          max_length=args.max_length, lr=args.lr, seed=args.seed, threads=args.threads,
                          checkpoint_every=args.checkpoint_every, resume=args.resume,
                          freeze_embeddings=not args.train_embeddings, extra_sets=tuple(args.extra))
        train(cfg)
    elif args.command == "export":
        from ..runtime.nli import default_nli_path
        from .train_nli import export

        from .export import main as export_onnx

        dest = args.dest or default_nli_path()
        export(args.src, dest)
        print(f"exported {args.src} -> {dest}")
        return export_onnx(["nli", str(dest)])  # the file a check runs, checked against these weights
    elif args.command == "evaluate":
        _threads(args.threads)
        from .evaluate_nli import run_evaluation

        run_evaluation(model=args.model, threads=args.threads, sample=args.sample, seed=args.seed,
                       only=args.only.split(",") if args.only else None, json_out=args.json)
    elif args.command == "pairs":
        from .news_pairs import generate_pairs, load_articles, write_jsonl

        pairs = generate_pairs(load_articles(), args.n, seed=args.seed, split=args.split)
        write_jsonl(pairs, args.out)
        print(f"{len(pairs)} pairs -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
