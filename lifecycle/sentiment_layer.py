"""The trained complaint layer: a logistic regression over VADER's scores and the complaint cues.

It answers one question, "is this a complaint?", for texts where at least one complaint cue fired, and when
the answer is yes it caps the compound score below zero. Texts without a complaint cue never reach it, so
general text keeps VADER's score. The weights live in sentiment_model.json, written by
tests/benchmarks/train_sentiment_layer.py (which prints the cross-validated figures); evaluating them is a
dot product in pure Python.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lifecycle.sentiment_cues import COMPLAINT_CUES, any_complaint, cues_in

VADER_FEATURES = ("compound", "pos", "neg")
MODEL_FILE = "sentiment_model.json"


@dataclass(frozen=True)
class ComplaintModel:
    """Weights and the few numbers that turn a probability into a score ceiling."""

    weights: Mapping[str, float]
    intercept: float
    threshold: float  # probability of a complaint from which the score is capped...
    praise_margin: float  # ...plus this much per unit of positive compound: praise needs surer evidence
    gate: float  # VADER compounds at or above this are left alone, unless an `overrides` cue fired
    overrides: frozenset[str]  # cues that speak against praise itself: sarcasm, a closing verdict
    mildest: float  # the ceiling at `threshold`...
    strongest: float  # ...falling linearly to this one at probability 1

    def probability(self, features: Mapping[str, float]) -> float:
        """P(complaint) for one text's features (missing features count as 0)."""
        z = self.intercept + sum(weight * features.get(name, 0.0) for name, weight in self.weights.items())
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict[str, Any]:
        """The JSON form written by the training script."""
        return {
            "weights": dict(self.weights),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "praise_margin": self.praise_margin,
            "gate": self.gate,
            "overrides": sorted(self.overrides),
            "mildest": self.mildest,
            "strongest": self.strongest,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ComplaintModel:
        """Read the JSON form; unknown keys (such as the training figures) are ignored."""
        return cls(
            weights={str(name): float(weight) for name, weight in data["weights"].items()},
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            praise_margin=float(data["praise_margin"]),
            gate=float(data["gate"]),
            overrides=frozenset(str(name) for name in data["overrides"]),
            mildest=float(data["mildest"]),
            strongest=float(data["strongest"]),
        )


@dataclass(frozen=True)
class Complaint:
    """The layer's verdict on one text: the ceiling for its compound and the cues that led there."""

    ceiling: float
    probability: float
    cues: tuple[str, ...]  # the complaint cues that fired, the most telling first


# A layer that never applies: the scorer without it, for the benchmark and the training script.
NO_LAYER = ComplaintModel(
    {}, 0.0, threshold=2.0, praise_margin=0.0, gate=0.0, overrides=frozenset(), mildest=0.0, strongest=0.0
)


@cache
def shipped_model() -> ComplaintModel:
    """The model shipped with the package (read once per process)."""
    text = resources.files("lifecycle").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return ComplaintModel.from_json(json.loads(text))


def features(found: Mapping[str, float], scores: Mapping[str, float], compound: float) -> dict[str, float]:
    """The layer's inputs: VADER's compound (after the phrase rules), pos and neg, and the cues found."""
    return {"compound": compound, "pos": float(scores["pos"]), "neg": float(scores["neg"]), **found}


def assess(
    text: str, scores: Mapping[str, float], compound: float, model: ComplaintModel | None = None
) -> Complaint | None:
    """The layer's verdict for a text, or None when it does not apply or finds no complaint."""
    model = model or shipped_model()
    if compound <= model.strongest:
        return None  # already as low as the layer would put it (and the cues cost more than VADER)
    if compound >= model.gate and not cues_in(text, model.overrides):
        return None  # clear praise outweighs the weaker cues ("fixed in 45 minutes, awesome"), unless it is sarcasm
    found = cues_in(text)
    if not any_complaint(found):
        return None  # no complaint cue: general text keeps VADER's reading
    probability = model.probability(features(found, scores, compound))
    threshold = model.threshold + model.praise_margin * max(compound, 0.0)
    if probability < threshold:
        return None
    share = (probability - threshold) / (1.0 - threshold)
    ceiling = model.mildest + (model.strongest - model.mildest) * share
    fired = sorted((name for name in COMPLAINT_CUES if name in found), key=lambda name: -model.weights.get(name, 0.0))
    return Complaint(ceiling=round(ceiling, 4), probability=probability, cues=tuple(fired))
