"""Complaints VADER misreads: waiting, silence, repeats, sarcasm, closing verdicts, polite complaints, low usage."""

from __future__ import annotations

import pytest

from lifecycle.sentiment import cleaned_text, label_for, score_text, score_text_raw_vader
from lifecycle.sentiment_cues import CUES, cues_in
from lifecycle.sentiment_layer import NO_LAYER, VADER_FEATURES, shipped_model
from tests.sentiment_corpora import (
    COMPLAINTS_PATH,
    CORPORA,
    CORPORA_DIR,
    complaint_figures,
    load_complaints,
    load_corpus,
)

needs_complaints = pytest.mark.skipif(
    not COMPLAINTS_PATH.is_file(), reason=f"complaints split not found at {COMPLAINTS_PATH} (../shared/data/README.md)"
)

# Customer-success messages written for these tests (not from the dataset), with the cue each one needs.
COMPLAINTS = [
    ("The team was friendly and the demo was great. The migration slipped a week and nobody told us why. Disappointed.",
     "closing verdict"),
    ("Great, another outage.", "sarcasm after praise"),
    ("Awesome, the report crashed again.", "sarcasm after praise"),
    ("Thanks for nothing.", "sarcasm after praise"),
    ("Still waiting, please help.", "outage or waiting"),
    ("Please help, 3 hours on hold", "waiting"),
    ("Our admin has been on hold for 40 minutes.", "waiting"),
    ("I've asked three times for an update and heard nothing.", "unanswered support"),
    ("Support never got back to us.", "unanswered support"),
    ("Why is the dashboard still down?", "repeated failure"),
    ("Can't log in since this morning.", "something broken"),
    ("Honestly we barely use the product anymore", "low usage"),
    ("We no longer log in since the redesign.", "low usage"),
    ("We have decided not to renew our contract and will move to another vendor next quarter", "churn intent"),
    ("The dashboard has been down since Monday and support hasn't replied", "outage or waiting"),
    ("Our platform has been down for two days and support still hasn't answered our ticket.", "outage or waiting"),
]  # fmt: skip

GENERAL_COMPLAINTS = [
    "Third time this month the sync failed again.",
    "Two days and still no answer on the SSO ticket, please advise.",
    "Thanks for the quick reply, but the export is still broken.",
    "Lovely, the invoice was charged twice again.",
    "We were promised a fix last sprint. Nothing has changed. Not impressed.",
]

POLITE_REQUESTS = [
    "Could you please send the invoice again? Thanks!",
    "Could you please help me reset my password?",
    "Can you help us set up SSO for the new team? Thanks!",
    "Please send the invoice to accounting",
    "When will the new reporting feature be available?",
    "Hi! Could you please add Maria to the admin group? Thank you so much.",
]

PRAISE = [
    "Love the new reports, thanks team!",
    "Thanks for the quick fix, the issue is resolved.",
    "We had a small issue with the export but support fixed it in 10 minutes. Great service!",
    "No problems at all with the migration, thanks!",
    "Great job on the release, the sync is finally fast!",
    "Thanks, the new reports saved us hours every week",
    # praise that names a problem the vendor solved: the gate and the praise cue keep these positive
    "Fantastic onboarding! We spent three hours with Ana and now everything is set up.",
    "Your support team is wonderful, the bug was gone in a day.",
    "Best vendor we have, even the rare issues get fixed fast!",
    "Love it! The new sync saves us hours, and the old delays are gone.",
    "Kudos to the support team, the outage was handled really well.",
]


@pytest.mark.parametrize(("text", "cue"), COMPLAINTS)
def test_a_complaint_vader_misses_is_negative_and_names_its_cue(text: str, cue: str) -> None:
    sentiment = score_text(text)
    assert sentiment.label == "negative", (sentiment, score_text_raw_vader(text))
    assert cue in sentiment.rules


def test_the_complaints_are_ones_plain_vader_misreads() -> None:
    misread = [text for text, _ in COMPLAINTS if label_for(score_text_raw_vader(text)) != "negative"]
    assert len(misread) >= len(COMPLAINTS) - 2


@pytest.mark.parametrize("text", GENERAL_COMPLAINTS)
def test_everyday_customer_success_complaints_are_negative(text: str) -> None:
    assert score_text(text).label == "negative"


@pytest.mark.parametrize("text", POLITE_REQUESTS)
def test_a_polite_request_is_not_negative(text: str) -> None:
    sentiment = score_text(text)
    assert sentiment.label != "negative", sentiment
    assert sentiment.rules == ()


@pytest.mark.parametrize("text", PRAISE)
def test_praise_stays_positive_even_with_trouble_words(text: str) -> None:
    sentiment = score_text(text)
    assert sentiment.label == "positive", sentiment
    assert sentiment.rules == ()


def test_a_complaint_found_by_cues_is_negative_but_not_an_alert() -> None:
    # Alerts (strongly_negative) stay for explicit signals such as churn intent; cues only make a complaint negative.
    assert -0.5 < score_text("Great, another outage.").compound <= -0.1


def test_handles_are_names_not_praise() -> None:
    assert score_text("@united the export crashed").compound == score_text("the export crashed").compound
    assert cleaned_text("mail ops@acme.com or <@U123>") == "mail ops@acme.com or <@U123>"


def test_typographic_apostrophes_read_like_plain_ones() -> None:
    assert score_text("I can’t log in").compound == score_text("I can't log in").compound


def test_text_without_a_complaint_cue_is_not_touched_by_the_layer() -> None:
    for text in ["The meeting moved to Thursday.", "What a lovely day :)", "The movie was dull and far too long."]:
        assert cues_in(cleaned_text(text)).keys().isdisjoint({cue.name for cue in CUES if cue.complaint})
        assert score_text(text) == score_text(text, model=NO_LAYER)


def test_every_cue_has_a_trained_weight() -> None:
    # A cue added without re-running tests/benchmarks/train_sentiment_layer.py would silently weigh nothing.
    assert set(shipped_model().weights) == set(VADER_FEATURES) | {cue.name for cue in CUES}
    assert shipped_model().overrides <= {cue.name for cue in CUES if cue.complaint}


@needs_complaints
def test_the_complaints_split_meets_the_four_targets() -> None:
    rows = load_complaints()
    assert len(rows) > 3000
    figures = complaint_figures(rows, [score_text(row.text).label for row in rows])
    assert figures.negative_recall >= 0.75, figures
    assert figures.negative_as_positive <= 0.15, figures
    assert figures.negative_precision >= 0.88, figures
    assert figures.positive_recall >= 0.88, figures


@needs_complaints
def test_the_layer_only_ever_lowers_a_score() -> None:
    for row in load_complaints()[:1000]:
        assert score_text(row.text).compound <= score_text(row.text, model=NO_LAYER).compound


@pytest.mark.skipif(not (COMPLAINTS_PATH.is_file() and CORPORA_DIR.is_dir()), reason="data not found")
def test_needles_never_hide_a_match() -> None:
    texts = [row.text for row in load_complaints()] + [row.text for name in CORPORA for row in load_corpus(name)]
    for text in texts:
        lowered = cleaned_text(text).lower()
        for cue in CUES:
            assert cue.found_in(lowered) == (cue.pattern.search(lowered) is not None), (cue.name, text)
