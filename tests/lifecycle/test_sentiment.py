"""Sentiment labels and scoring with VADER."""

from __future__ import annotations

import time

import pytest

from lifecycle.sentiment import MAX_SCORED_CHARS, label_for, score_text


@pytest.mark.parametrize(
    ("compound", "label"),
    [
        (1.0, "positive"),
        (0.05, "positive"),
        (0.0501, "positive"),
        (0.0499, "neutral"),
        (0.0, "neutral"),
        (-0.0499, "neutral"),
        (-0.05, "negative"),
        (-0.0501, "negative"),
        (-1.0, "negative"),
    ],
)
def test_labels_use_the_plus_minus_five_hundredths_thresholds(compound: float, label: str) -> None:
    assert label_for(compound) == label


def test_clear_praise_is_positive() -> None:
    sentiment = score_text("The onboarding was quick and clear, we love it. Great job!")
    assert sentiment.label == "positive"
    assert sentiment.compound > 0.5
    assert sentiment.pos > sentiment.neg


def test_a_clear_complaint_is_negative() -> None:
    sentiment = score_text("Terrible support, the export is broken and we are very angry.")
    assert sentiment.label == "negative"
    assert sentiment.compound < -0.5
    assert sentiment.neg > sentiment.pos


def test_a_plain_statement_is_neutral() -> None:
    sentiment = score_text("The invoice is attached.")
    assert sentiment.label == "neutral"
    assert sentiment.compound == 0.0


def test_the_proportions_add_up_to_one() -> None:
    sentiment = score_text("Good product, bad invoice process.")
    assert sentiment.pos + sentiment.neu + sentiment.neg == pytest.approx(1.0, abs=0.01)


def test_a_20000_character_text_is_scored_quickly_thanks_to_the_cap() -> None:
    score_text("warm up the lexicon")
    long_text = ("The rollout went fine but support was slow and the report is bad. " * 400)[:20_000]
    assert len(long_text) == 20_000
    started = time.perf_counter()
    sentiment = score_text(long_text)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    assert sentiment.label in {"positive", "neutral", "negative"}


def test_only_the_start_of_a_long_text_is_scored() -> None:
    praise = ("We love the product. " * 400)[:MAX_SCORED_CHARS]
    with_a_rant = praise + " Awful, horrible, hateful disaster. " * 50
    assert score_text(with_a_rant).compound == score_text(praise).compound
