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
