"""Sentiment of customer text, scored with VADER."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
# VADER's cost grows faster than linearly on long texts; scoring only the start bounds it.
MAX_SCORED_CHARS = 4000


@dataclass(frozen=True)
class Sentiment:
    """VADER's scores and the label derived from the compound score."""

    compound: float
    pos: float
    neu: float
    neg: float
    label: str


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    # Loading the lexicon takes ~100 ms; do it once per process.
    return SentimentIntensityAnalyzer()


def label_for(compound: float) -> str:
    """positive, neutral or negative, with VADER's ±0.05 thresholds."""
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def score_text(text: str) -> Sentiment:
    """Score one text; only its first MAX_SCORED_CHARS characters count."""
    scores = _analyzer().polarity_scores(text[:MAX_SCORED_CHARS])
    compound = float(scores["compound"])
    return Sentiment(
        compound=compound,
        pos=float(scores["pos"]),
        neu=float(scores["neu"]),
        neg=float(scores["neg"]),
        label=label_for(compound),
    )
