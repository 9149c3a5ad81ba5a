"""The customer-success layer on top of VADER: words and phrases a CS manager reads differently.

VADER was tuned on social media and reviews. Customer messages carry signals it misses: churn intent,
outages and waiting, cost complaints, refund/downgrade requests (all neutral or even positive to VADER),
and routine requests whose "please" VADER reads as praise. Each entry says why it is here.
Measured against VADER's human-rated corpora by tests/benchmarks/test_sentiment_corpora.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words VADER does not know, with valences on its own -4..+4 scale.
LEXICON_ADDITIONS: dict[str, float] = {
    "outage": -2.5,  # an outage is never neutral for a customer
    "outages": -2.5,
    "downtime": -2.0,
    "churn": -2.0,  # "we may churn"
    "churning": -2.0,
    "overcharged": -2.5,  # billing errors are among the angriest tickets
    "overbilled": -2.5,
    "overpriced": -2.0,
    "pricey": -1.0,
    "refund": -1.5,  # asking for money back signals dissatisfaction
    "refunds": -1.5,
    "downgrade": -1.5,  # shrinking the contract
    "downgrading": -1.5,
    "unresponsive": -2.0,  # said of support or of the product
    "buggy": -2.0,
    "laggy": -1.5,
    "crashes": -1.7,  # VADER knows "crash" only
    "crashing": -1.7,
    "renewed": 1.5,  # a renewal is the best news CS gets
    "unhelpful": -1.8,  # said of support answers
    "slow": -1.0,  # "support is slow", "the app got slow"
    "sluggish": -1.2,
    "unanswered": -1.5,
    # In customer messages "support" is the name of a team, not approval: "Support is slow" must not read
    # as praise. (VADER gives it +1.7; zero also raises r on the Amazon corpus, 0.594 -> 0.601.)
    "support": 0.0,
}

# Words removed before scoring: in requests they are politeness, not praise
# ("Please send the invoice" is +0.32 to VADER, which would hide real sentiment trends).
POLITENESS = re.compile(r"\b(please|pls|plz|kindly)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PhraseRule:
    """If the pattern matches, the compound score is at most `ceiling`."""

    name: str
    pattern: re.Pattern[str]
    ceiling: float


_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|many|few)"

PHRASE_RULES: tuple[PhraseRule, ...] = (
    # Churn intent is the strongest signal CS has, however politely it is put.
    PhraseRule(
        "churn intent",
        re.compile(
            r"\b(?:moving|switching|migrating|going|changing)(?: over)? to (?:another|a different|a new|a cheaper|"
            r"an? other|your competitor|a competitor|the competition)\b"
            r"|\b(?:not|won'?t|will not|aren'?t|are not|don'?t plan to|do not plan to)(?: be)?(?: going to)? "
            r"renew(?:ing)?\b"
            r"|\b(?:cancel|cancell?ing|terminate|terminating|end|ending)(?: of)? (?:our|the|my) "
            r"(?:contract|subscription|account|plan|licen[cs]es?)\b"
            r"|\blooking (?:at|for|into) (?:other )?(?:alternatives|other vendors|other providers|competitors)\b",
            re.IGNORECASE,
        ),
        -0.6,
    ),
    # Outages and waiting: "down since Monday", "three weeks without an answer", "still waiting".
    PhraseRule(
        "outage or waiting",
        re.compile(
            r"\b(?:down|offline|broken|unavailable|not working|unusable)\b[^.!?]{0,30}\bsince\b"
            rf"|\b{_NUMBER} (?:hours?|days?|weeks?|months?) (?:without|with no|and no|and still no) "
            r"(?:an? )?(?:answer|response|reply|fix|update|help|word)\b"
            r"|\bstill (?:waiting|no (?:answer|response|reply|fix|update))\b"
            r"|\bno (?:answer|response|reply|one got back)(?: from [a-z]+)? (?:yet|for|since)\b"
            r"|\bhaven'?t heard back\b|\bnobody (?:has )?(?:answered|replied|responded)\b",
            re.IGNORECASE,
        ),
        -0.5,
    ),
    # Cost complaints read as neutral to VADER ("too expensive" has no lexicon word).
    PhraseRule(
        "cost complaint",
        re.compile(
            r"\btoo (?:expensive|pricey|costly)\b|\bprice (?:increase|hike|rise)\b|\bovercharg"
            r"|\bcan'?t (?:justify|afford) (?:the )?(?:cost|price|renewal|spend)\b"
            r"|\b(?:cost|price|pricing|invoice|bill)s? (?:is|are|was|were) (?:too high|way too|outrageous)",
            re.IGNORECASE,
        ),
        -0.4,
    ),
    # Refunds and downgrades are requests for less: at best neutral, whatever words surround them.
    PhraseRule(
        "refund or downgrade",
        re.compile(r"\b(?:refund(?:s|ed)?|downgrad(?:e|ing)|money back|chargeback)\b", re.IGNORECASE),
        -0.3,
    ),
)
