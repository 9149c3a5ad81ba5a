"""Sentiment of customer text: VADER plus a documented customer-success layer, with bounded cost.

Three steps after VADER: the phrase rules (sentiment_rules.py) cap the score for churn, outages, cost and
low usage; then the trained complaint layer (sentiment_layer.py) caps it when complaint cues
(sentiment_cues.py) say a message VADER reads as neutral or mildly positive is a complaint."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from lifecycle.sentiment_layer import ComplaintModel, assess
from lifecycle.sentiment_rules import APOSTROPHES, HANDLE, LEXICON_ADDITIONS, PHRASE_RULES, POLITENESS

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

# VADER's cost grows quadratically with text length (its "but" and negation scans), so long texts are
# scored in sentence-aligned chunks and averaged; texts up to CHUNK_CHARS are scored whole, exactly as VADER.
# Only the first MAX_SCORED_CHARS count (more than a stored note or feedback holds), so any text, even
# 20,000 characters of emoji, scores in a few tens of milliseconds.
CHUNK_CHARS = 300
MAX_SCORED_CHARS = 5_000
_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")


@dataclass(frozen=True)
class Sentiment:
    """VADER's scores after the customer-success layer, and how they were reached."""

    compound: float
    pos: float
    neu: float
    neg: float
    label: str
    truncated: bool = False  # only the first MAX_SCORED_CHARS characters were scored
    rules: tuple[str, ...] = ()  # customer-success rules and complaint cues that lowered the score


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    # Loading the lexicon takes ~100 ms: once per process, shared (VADER's scoring is read-only).
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(LEXICON_ADDITIONS)
    return analyzer


@cache
def _emoji_table() -> dict[int, str]:
    # VADER spells emoji out ("😡" -> "pouting face") one character at a time in Python; doing it up front
    # with str.translate is the same text for VADER but runs in C, and lets chunking see the real length.
    return {ord(emoji): f" {meaning} " for emoji, meaning in _analyzer().emojis.items() if len(emoji) == 1}


@cache
def _raw_analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def label_for(compound: float) -> str:
    """positive, neutral or negative, with VADER's ±0.05 thresholds."""
    if compound >= POSITIVE_THRESHOLD:
        return "positive"
    if compound <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def _chunks(text: str) -> list[str]:
    """Sentence-aligned pieces of at most CHUNK_CHARS characters."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > CHUNK_CHARS:  # one endless sentence: cut at a space
            cut = sentence.rfind(" ", 0, CHUNK_CHARS)
            cut = cut if cut > 0 else CHUNK_CHARS
            pieces.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        if current and len(current) + 1 + len(sentence) > CHUNK_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    if current.strip():
        pieces.append(current)
    return pieces


def _vader(analyzer: SentimentIntensityAnalyzer, text: str) -> dict[str, float]:
    if len(text) <= CHUNK_CHARS:
        return analyzer.polarity_scores(text)  # type: ignore[no-any-return]
    totals = {"compound": 0.0, "pos": 0.0, "neu": 0.0, "neg": 0.0}
    weight = 0
    for piece in _chunks(text):
        scores = analyzer.polarity_scores(piece)
        for key in totals:
            totals[key] += scores[key] * len(piece)
        weight += len(piece)
    return {key: value / weight for key, value in totals.items()} if weight else analyzer.polarity_scores("")


def cleaned_text(text: str) -> str:
    """The part of a text that is scored, with plain apostrophes and without @handles (what rules and cues see)."""
    return HANDLE.sub("", text[:MAX_SCORED_CHARS].translate(APOSTROPHES))


def score_text(text: str, *, model: ComplaintModel | None = None) -> Sentiment:
    """Score one text as a customer-success manager would read it (`model`: another complaint layer, for training)."""
    cleaned = cleaned_text(text)
    scores = _vader(_analyzer(), POLITENESS.sub("", cleaned).translate(_emoji_table()))
    compound = float(scores["compound"])
    applied: list[str] = []
    lowered = cleaned.lower()  # the patterns are lower case: about twice as fast as re.IGNORECASE
    for rule in PHRASE_RULES:
        if compound > rule.ceiling and rule.pattern.search(lowered):
            compound = rule.ceiling
            applied.append(rule.name)
    complaint = assess(cleaned, scores, compound, model)
    if complaint is not None and compound > complaint.ceiling:
        compound = complaint.ceiling
        applied.extend(cue for cue in complaint.cues if cue not in applied)
    return Sentiment(
        compound=round(compound, 4),
        pos=float(scores["pos"]),
        neu=float(scores["neu"]),
        neg=float(scores["neg"]),
        label=label_for(compound),
        truncated=len(text) > MAX_SCORED_CHARS,
        rules=tuple(applied),
    )


def score_text_raw_vader(text: str) -> float:
    """Plain VADER's compound score, the baseline the customer-success layer is measured against."""
    return float(_raw_analyzer().polarity_scores(text)["compound"])
