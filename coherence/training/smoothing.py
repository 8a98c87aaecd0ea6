"""int8 that keeps the figures: activation smoothing before dynamic quantisation (SmoothQuant).

ONNX Runtime's dynamic quantisation gives each matrix's input one scale per batch. A few channels of
BERT's hidden states are 10-100 times larger than the rest, so that one scale leaves the other
channels a handful of levels: quantising every matrix moved the NLI model's contradiction
probability by up to 0.7 on recorded dev pairs (docs/benchmarks.md). Smoothing (Xiao et al., 2023,
"SmoothQuant") divides each input channel by s_j = max|x_j|^alpha / max|w_j|^(1 - alpha) and
multiplies the matching weight column by s_j: the product is unchanged, and the outliers move from
the activations, which have one scale, into the weights, which have one per output column. The
maxima come from calibration text run through the float model (Wikinews by default, never the eval).

The feed-forward down-projections read the GELU output of 1,536 channels, whose outliers smoothing
does not tame: all of them in int8 moved the NLI probabilities twice as much as all the other
matrices together (mean change 0.0032 against 0.0016). Most of that is the first two layers'; the
NLI model's later four run in int8 (``INT8_DOWN_PROJECTIONS``), and the rest stay float. The pooler and
the classifier are too small to matter. The word-embedding table is stored in int8 and its gathered
rows dequantised.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

ALPHA = 0.8  # 0.5 (the paper's default for BERT) left twice the change on NLI dev pairs; 0.9 no better
SEED = 5
# calibration text: sentences of shuffled Wikinews articles, as single sentences (embedder) or as
# pairs of sentences of one article (cross-encoders), in the batches the maxima are recorded with
EMBEDDER_ARTICLES, EMBEDDER_SENTENCES, EMBEDDER_BATCH = 100, 8, 32
PAIR_ARTICLES, PAIRS_PER_ARTICLE, PAIR_BATCH = 200, 3, 16
PAIR_WORDS = (5, 60)


# The layers whose feed-forward down-projection is int8, by model kind (others: none). The NLI model's,
# one layer at a time in int8 on 6,354 recorded dev pairs (mean change of the contradiction probability
# against float32; 0.0017 with every down-projection float): layer 0 0.0030, layer 1 0.0025, layers 2-5
# 0.0018-0.0019 each, and layers 2-5 together 0.0019, which reads the pairs a fifth faster
# (docs/benchmarks.md, "Fifth session"). The embedder's were not measured, so they stay float.
INT8_DOWN_PROJECTIONS = {"nli": (2, 3, 4, 5)}


def int8_down_projections(kind: str) -> tuple[int, ...]:
    """The layers whose feed-forward down-projection is int8 in an export of this model kind."""
    return INT8_DOWN_PROJECTIONS.get(kind, ())


_DOWN_PROJECTION = re.compile(r"layer\.(\d+)\.output\.dense")


def kept_float(name: str, int8_down_projections: tuple[int, ...] = ()) -> bool:
    """Whether a matrix (a torch module or ONNX node name) stays float32 in the int8 export: a
    feed-forward down-projection unless its layer is in ``int8_down_projections``, the pooler, the classifier."""
    down_projection = _DOWN_PROJECTION.search(name.replace("/", "."))
    if down_projection:
        return int(down_projection.group(1)) not in int8_down_projections
    return "pooler" in name or "classifier" in name


def calibration_texts(path: Path, pairs: bool) -> list:
    """Sentences (or same-article sentence pairs) of Wikinews articles, seeded: the smoothing's calibration."""
    from ..document import sentence_spans

    rng = random.Random(SEED)
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    rng.shuffle(rows)
    if not pairs:
        return [row["text"][a:b] for row in rows[:EMBEDDER_ARTICLES]
                for a, b in sentence_spans(row["text"])[:EMBEDDER_SENTENCES]]
    chosen = []
    for row in rows[:PAIR_ARTICLES]:
        text = row["text"]
        sentences = [text[a:b] for a, b in sentence_spans(text)]
        sentences = [s for s in sentences if PAIR_WORDS[0] <= len(s.split()) <= PAIR_WORDS[1]]
        if len(sentences) < 3:
            continue
        for _ in range(PAIRS_PER_ARTICLE):
            i, j = rng.sample(range(len(sentences)), 2)
            chosen.append((sentences[i], sentences[j]))
    return chosen


def input_maxima(model, tokenizer, texts: list, max_length: int) -> dict:
    """The largest |input| of each channel of each Linear layer over the calibration texts (padding included)."""
    import torch

    maxima: dict = {}

    def recorder(name):
        def record(module, inputs):
            peak = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(0)
            maxima[name] = torch.maximum(maxima[name], peak) if name in maxima else peak
        return record

    hooks = [module.register_forward_pre_hook(recorder(name))
             for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)]
    paired = bool(texts) and isinstance(texts[0], tuple)
    batch = PAIR_BATCH if paired else EMBEDDER_BATCH
    try:
        with torch.inference_mode():
            for start in range(0, len(texts), batch):
                chunk = texts[start:start + batch]
                columns = ([a for a, _ in chunk], [b for _, b in chunk]) if paired else (chunk,)
                model(**tokenizer(*columns, padding=True, truncation=True, max_length=max_length,
                                  return_tensors="pt"))
    finally:
        for hook in hooks:
            hook.remove()
    return maxima


def smooth(model, maxima: dict, alpha: float = ALPHA, int8_down_projections: tuple[int, ...] = ()) -> int:
    """Replace each Linear layer that will be quantised by its smoothed form, in place; returns how many."""
    import torch

    class SmoothedLinear(torch.nn.Module):
        """x -> W (x / s) with W's columns multiplied by s: the same product, flatter inputs."""

        def __init__(self, linear, scales):
            super().__init__()
            self.register_buffer("inverse", (1.0 / scales).reshape(1, -1))
            self.linear = torch.nn.Linear(linear.in_features, linear.out_features, bias=linear.bias is not None)
            self.linear.weight.data = linear.weight.data * scales.reshape(1, -1)
            if linear.bias is not None:
                self.linear.bias.data = linear.bias.data.clone()

        def forward(self, x):
            return self.linear(x * self.inverse)

    replaced = 0
    for parent_name, parent in list(model.named_modules()):
        for name, child in list(parent.named_children()):
            full = f"{parent_name}.{name}" if parent_name else name
            if not isinstance(child, torch.nn.Linear) or full not in maxima \
                    or kept_float(full, int8_down_projections):
                continue
            activation = maxima[full].clamp(min=1e-5)
            weight = child.weight.data.abs().amax(0).clamp(min=1e-5)
            scales = (activation ** alpha / weight ** (1 - alpha)).clamp(1e-2, 1e2)
            setattr(parent, name, SmoothedLinear(child, scales))
            replaced += 1
    return replaced


def quantise(source: Path, target: Path, int8_down_projections: tuple[int, ...] = ()) -> None:
    """Dynamic int8 of the smoothed graph: its matrices one scale per output column, except those
    ``kept_float``, and the word-embedding table."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(logging.ERROR)  # quantize_dynamic advises pre-processing on the root logger
    nodes = onnx.load(str(source), load_external_data=False).graph.node
    keep = [n.name for n in nodes if (n.op_type == "MatMul" and kept_float(n.name, int8_down_projections))
            or (n.op_type == "Gather" and "word_embeddings" not in n.name)]
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul", "Gather"], nodes_to_exclude=keep,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
