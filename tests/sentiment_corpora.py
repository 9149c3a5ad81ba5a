"""VADER's human-rated corpora (Hutto & Gilbert, ICWSM 2014) and the measures we compare scorers with."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lifecycle.sentiment import label_for

CORPORA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment"
CORPORA = ("amazonReviewSnippets", "tweets", "movieReviewSnippets", "nytEditorialSnippets")


@dataclass(frozen=True)
class Rated:
    """One text and its mean human rating on -4..+4."""

    rating: float
    text: str


def load_corpus(name: str) -> list[Rated]:
    """Read `<name>_GroundTruth.txt` (tab-separated id, mean rating, text; BOM and CRLF tolerated)."""
    rows = []
    for line in (CORPORA_DIR / f"{name}_GroundTruth.txt").read_text(encoding="utf-8-sig").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            rows.append(Rated(rating=float(parts[1]), text=parts[2]))
    return rows


@dataclass(frozen=True)
class Agreement:
    """How well a scorer agrees with the human raters."""

    pearson: float
    accuracy: float


def agreement(rows: list[Rated], score: Callable[[str], float]) -> Agreement:
    """Pearson r with the human mean, and 3-class accuracy (human label = mean/4 with the ±0.05 thresholds)."""
    scores = [score(row.text) for row in rows]
    ratings = [row.rating for row in rows]
    hits = sum(label_for(s) == label_for(r / 4) for s, r in zip(scores, ratings, strict=True))
    return Agreement(pearson=statistics.correlation(scores, ratings), accuracy=hits / len(rows))


# Customer complaints and praise, crowd-labelled (../shared/data/README.md, "feedback/"): the development split.
COMPLAINTS_PATH = CORPORA_DIR.parent / "feedback" / "airline_complaints_dev.tsv"


@dataclass(frozen=True)
class Labelled:
    """One customer message and its crowd label: positive, neutral or negative."""

    label: str
    text: str


def load_complaints() -> list[Labelled]:
    """Read the tab-separated development split (label, reason for a negative label, text)."""
    rows = []
    for line in COMPLAINTS_PATH.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            rows.append(Labelled(label=parts[0], text=parts[2]))
    return rows


@dataclass(frozen=True)
class ComplaintFigures:
    """How a scorer reads customer messages, with labels from label_for (±0.05)."""

    negative_recall: float  # negative messages labelled negative
    negative_as_positive: float  # negative messages labelled positive: the worst miss
    negative_precision: float  # messages labelled negative that are negative
    positive_recall: float  # positive messages labelled positive
    accuracy: float  # 3-class


def complaint_figures(rows: list[Labelled], labels: list[str]) -> ComplaintFigures:
    """The four target measures and 3-class accuracy, for predicted `labels` in the order of `rows`."""
    pairs = list(zip((row.label for row in rows), labels, strict=True))
    negative = [predicted for gold, predicted in pairs if gold == "negative"]
    positive = [predicted for gold, predicted in pairs if gold == "positive"]
    called_negative = [gold for gold, predicted in pairs if predicted == "negative"]
    return ComplaintFigures(
        negative_recall=negative.count("negative") / len(negative),
        negative_as_positive=negative.count("positive") / len(negative),
        negative_precision=called_negative.count("negative") / max(len(called_negative), 1),
        positive_recall=positive.count("positive") / len(positive),
        accuracy=sum(gold == predicted for gold, predicted in pairs) / len(pairs),
    )
