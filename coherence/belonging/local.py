"""Local coherence: does a sentence read as the continuation of the one before and the lead-in to the next?

The belonging features (``features.py``) compare whole sentences as embeddings: an intruder from a
closely related story (same people, other event) looks on-topic to them. A cross-encoder that reads
the sentence with its neighbours word by word sees what an editor sees: a break in the thread (a
pronoun with no antecedent, a new event, a name that comes from nowhere). It was fine-tuned from our
NLI model on sentences of FRANK articles in place against sentences spliced in from other, often
similar, articles (``train_local.py``).

Its probability is combined with the belonging model's by ``OffTopicStack``, a logistic regression
over the two log-odds fitted on held-out articles; the stack also carries the severity cuts. Only
the ``CANDIDATES`` sentences the belonging model ranks highest are read by the cross-encoder: on
held-out articles that keeps nearly all of the gain at a fifth of the cost (docs/benchmarks.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..runtime.cross_encoder import CrossEncoder
from ..errors import ModelError

DEFAULT_LOCAL_PATH = Path(__file__).resolve().parent.parent.parent / "models" / "local-coherence"
STACK_FILE = "off-topic-stack.json"
MAX_LENGTH = 160  # word pieces: the sentence and its two neighbours (longer ones are cut at the end)
LEAD_MAX_LENGTH = 224  # the same with the story's lead before the neighbours
READS_LEAD = "coherence_reads_lead"  # config.json key of a model trained with the lead in its context
CANDIDATES = 5  # sentences per article read by the cross-encoder: the belonging model's top five


def neighbour_context(previous: str | None, following: str | None, lead: str | None = None) -> str:
    """The second input of the cross-encoder: the neighbours, with markers at the ends of the text, and
    for a model that reads it, the lead first (the sentence that says what the story is)."""
    context = f"{previous or '(start)'} [SEP] {following or '(end)'}"
    return f"{lead} [SEP] {context}" if lead is not None else context


def local_pairs(texts: list[str], positions: list[int], reads_lead: bool = False) -> list[tuple[str, str]]:
    """(sentence, its neighbours and, if asked, the lead ``texts[0]``) for the sentences at ``positions``."""
    lead = texts[0] if reads_lead else None
    return [(texts[i], neighbour_context(texts[i - 1] if i > 0 else None, texts[i + 1] if i + 1 < len(texts) else None,
                                         lead))
            for i in positions]


def candidates(belonging: np.ndarray, count: int = CANDIDATES) -> list[int]:
    """The positions the cross-encoder reads: the highest belonging scores, never the lead (position 0)."""
    return sorted(int(i) for i in np.argsort(-belonging[1:], kind="stable")[:count] + 1)


class LocalCoherenceModel(CrossEncoder):
    kind = "local-coherence model"
    export_kind = "local-coherence"
    num_labels = 2  # fits, breaks

    def __init__(self, path: str | Path | None = None, precision: str = "auto", with_stack: bool = True,
                 threads: int | None = None):
        super().__init__(path if path is not None else DEFAULT_LOCAL_PATH, max_length=MAX_LENGTH, precision=precision,
                         threads=threads)
        # how the rule combines this model's score with the belonging model's (absent while training)
        self.stack = load_stack(self.path) if with_stack else None
        self.reads_lead = False

    def _loaded(self, config: dict) -> None:
        self.reads_lead = bool(config.get(READS_LEAD, False))
        if self.reads_lead:
            self.max_length = max(self.max_length, LEAD_MAX_LENGTH)

    def predict(self, texts: list[str], positions: list[int]) -> np.ndarray:
        """Probability that each sentence at ``positions`` breaks the thread of its neighbours; NaN elsewhere."""
        out = np.full(len(texts), np.nan)
        if positions:
            self.load()  # its config says whether it reads the lead
            out[positions] = self.probabilities(local_pairs(texts, positions, self.reads_lead))[:, 1]
        return out


def log_odds(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class OffTopicStack:
    """score = sigmoid(w_belonging * logit(belonging) + w_local * logit(local) + bias); cuts from held-out articles.

    A sentence the cross-encoder did not read (the lead, or one the belonging model ranks low) takes
    ``local_default``, the median local score of the held-out sentences: "no sign either way".
    """

    w_belonging: float
    w_local: float
    bias: float
    local_default: float
    thresholds: dict  # suggestion / warning / error
    metadata: dict

    def combine(self, belonging: np.ndarray, local: np.ndarray) -> np.ndarray:
        local = np.where(np.isnan(local), self.local_default, local)
        z = self.w_belonging * log_odds(belonging) + self.w_local * log_odds(local) + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> dict:
        return {"format": "coherence-off-topic-stack/1", "w_belonging": self.w_belonging, "w_local": self.w_local,
                "bias": self.bias, "local_default": self.local_default, "thresholds": self.thresholds,
                "metadata": self.metadata}

    @classmethod
    def from_json(cls, data: dict) -> OffTopicStack:
        return cls(float(data["w_belonging"]), float(data["w_local"]), float(data["bias"]),
                   float(data["local_default"]), dict(data["thresholds"]), data.get("metadata", {}))


def load_stack(folder: Path | str = DEFAULT_LOCAL_PATH) -> OffTopicStack:
    path = Path(folder) / STACK_FILE
    try:
        return OffTopicStack.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ModelError(f"off-topic stack not found at '{path}'") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"off-topic stack at '{path}' is unreadable: {exc}") from exc
