"""The customer-success layer must not make VADER worse on general text (human-rated corpora)."""

from __future__ import annotations

import pytest

from lifecycle.sentiment import score_text, score_text_raw_vader
from tests.sentiment_corpora import CORPORA, CORPORA_DIR, agreement, load_corpus

TOLERANCE = 0.01

pytestmark = pytest.mark.skipif(
    not CORPORA_DIR.is_dir(), reason=f"human-rated corpora not found at {CORPORA_DIR} (see ../shared/data/README.md)"
)


@pytest.mark.parametrize("corpus", CORPORA)
def test_ours_is_no_worse_than_raw_vader(corpus):
    rows = load_corpus(corpus)
    assert len(rows) > 3000
    raw = agreement(rows, score_text_raw_vader)
    ours = agreement(rows, lambda text: score_text(text).compound)
    assert ours.pearson >= raw.pearson - TOLERANCE, (corpus, ours, raw)
    assert ours.accuracy >= raw.accuracy - TOLERANCE, (corpus, ours, raw)


def test_raw_vader_reproduces_the_published_measurements():
    # ../shared/data/README.md: vaderSentiment 3.3.2 gives r = 0.872 and accuracy 0.899 on tweets.
    result = agreement(load_corpus("tweets"), score_text_raw_vader)
    assert result.pearson == pytest.approx(0.872, abs=0.002)
    assert result.accuracy == pytest.approx(0.899, abs=0.002)
