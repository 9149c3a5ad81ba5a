"""Benchmark: raw VADER against our scorer on real customer complaints (the crowd-labelled development split).

Run on demand:
    .venv/bin/pytest tests/benchmarks/test_sentiment_complaints.py -s -p no:cacheprovider -o addopts=""
Prints the target measures for raw VADER, for our scorer without the trained complaint layer (lexicon, handles,
phrase rules) and for the full scorer, the cross-validated figures recorded by the training script, the cost per
text, and how often each rule or cue lowered a score. The figures on the full split are in-sample for the layer's
weights (they were fitted on it); the cross-validated ones are the honest estimate.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from lifecycle.sentiment import label_for, score_text, score_text_raw_vader
from lifecycle.sentiment_layer import MODEL_FILE, NO_LAYER
from tests.sentiment_corpora import COMPLAINTS_PATH, ComplaintFigures, complaint_figures, load_complaints

MODEL_PATH = Path(__file__).resolve().parents[2] / "lifecycle" / MODEL_FILE
TARGETS = {
    "negative_recall": ">= 0.75",
    "negative_as_positive": "<= 0.15",
    "negative_precision": ">= 0.88",
    "positive_recall": ">= 0.88",
    "accuracy": "",
}


def _seconds_per_text(texts: list[str], score: Callable[[str], object]) -> float:
    started = time.perf_counter()
    for text in texts:
        score(text)
    return (time.perf_counter() - started) / len(texts)


@pytest.mark.skipif(not COMPLAINTS_PATH.is_file(), reason="complaints split not found")
def test_complaints_table() -> None:
    rows = load_complaints()
    texts = [row.text for row in rows]
    score_text("warm up")
    score_text_raw_vader("warm up")
    raw = complaint_figures(rows, [label_for(score_text_raw_vader(text)) for text in texts])
    rules_only = complaint_figures(rows, [score_text(text, model=NO_LAYER).label for text in texts])
    ours = [score_text(text) for text in texts]
    full = complaint_figures(rows, [sentiment.label for sentiment in ours])
    recorded = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    crossed = recorded.get("cross_validated", {})

    print(f"\n{COMPLAINTS_PATH.name}: {len(rows)} messages, {Counter(row.label for row in rows)}")
    print("| measure | target | raw VADER | ours without layer | ours | ours, cross-validated |")
    print("|---|---|---|---|---|---|")
    for name in ComplaintFigures.__dataclass_fields__:
        estimate = f"{crossed[name]:.3f}" if name in crossed else "n/a"
        print(
            f"| {name.replace('_', ' ')} | {TARGETS[name]} | {getattr(raw, name):.3f} | "
            f"{getattr(rules_only, name):.3f} | {getattr(full, name):.3f} | {estimate} |"
        )

    raw_cost = _seconds_per_text(texts, score_text_raw_vader)
    our_cost = _seconds_per_text(texts, score_text)
    ratio = our_cost / raw_cost
    print(f"\ncost: raw VADER {raw_cost * 1e6:.0f} µs/text, ours {our_cost * 1e6:.0f} µs/text ({ratio:.2f}x)")

    fired = Counter(rule for sentiment in ours for rule in sentiment.rules)
    print("\nrules and cues that lowered a score (messages):")
    for rule, count in fired.most_common():
        print(f"  {rule:22s} {count:5d}")

    assert full.negative_recall > raw.negative_recall
    assert full.negative_as_positive < raw.negative_as_positive
