"""Benchmark: our sentiment (VADER + customer-success layer) against raw VADER on the human-rated corpora.

Run on demand: .venv/bin/pytest tests/benchmarks/test_sentiment_corpora.py -s
Prints, per corpus, Pearson r with the human mean and 3-class accuracy for both scorers, and the cost per
text of each, measured in the same run (ratio = ours / raw VADER).
"""

from __future__ import annotations

import time

import pytest

from lifecycle.sentiment import score_text, score_text_raw_vader
from tests.sentiment_corpora import CORPORA, CORPORA_DIR, agreement, load_corpus


def _seconds_per_text(texts: list[str], score) -> float:
    started = time.perf_counter()
    for text in texts:
        score(text)
    return (time.perf_counter() - started) / len(texts)


@pytest.mark.skipif(not CORPORA_DIR.is_dir(), reason="corpora not found")
def test_sentiment_table():
    score_text("warm up")
    score_text_raw_vader("warm up")
    print("\n| corpus | texts | r raw | r ours | acc raw | acc ours | µs/text raw | µs/text ours | cost ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for corpus in CORPORA:
        rows = load_corpus(corpus)
        texts = [row.text for row in rows]
        raw = agreement(rows, score_text_raw_vader)
        ours = agreement(rows, lambda text: score_text(text).compound)
        raw_cost = _seconds_per_text(texts, score_text_raw_vader)
        our_cost = _seconds_per_text(texts, score_text)
        print(
            f"| {corpus} | {len(rows)} | {raw.pearson:.3f} | {ours.pearson:.3f} | {raw.accuracy:.3f} | "
            f"{ours.accuracy:.3f} | {raw_cost * 1e6:.0f} | {our_cost * 1e6:.0f} | {our_cost / raw_cost:.2f} |"
        )
        assert ours.pearson >= raw.pearson - 0.01 and ours.accuracy >= raw.accuracy - 0.01
