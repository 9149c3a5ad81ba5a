"""The customer-success layer on top of VADER: words and phrases a CS manager reads differently.

VADER was tuned on social media and reviews. Customer messages carry signals it misses: churn intent,
outages and waiting, cost complaints, falling usage, refund/downgrade requests (all neutral or even positive
to VADER), routine requests whose "please" VADER reads as praise, and @handles whose names VADER reads as
words. Each entry says why it is here. Complaints that need several weaker cues weighed together are left to
the trained layer (sentiment_cues.py, sentiment_layer.py). Measured against VADER's human-rated corpora by
tests/benchmarks/test_sentiment_corpora.py and against real complaints by
tests/benchmarks/test_sentiment_complaints.py.
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
    # Complaint words VADER lacks (or knows only in another inflection or spelling).
    "canceled": -1.0,  # VADER knows the British "cancelled"
    "delays": -1.0,
    "glitch": -1.2,
    "glitches": -1.2,
    "glitchy": -1.5,
    "unreliable": -1.8,
    "unusable": -2.2,
    "hassle": -1.5,
    "nightmare": -2.2,
    "stranded": -1.8,
    "mediocre": -1.5,
    "subpar": -1.5,
    "shoddy": -2.0,
    "sloppy": -1.5,
    "tedious": -1.3,
    "pointless": -1.5,
    "inept": -2.0,
    "ineptitude": -2.0,
    "negligence": -2.0,
    "negligent": -2.0,
    "inexcusable": -2.3,
    "disrespectful": -2.0,
    "disgraceful": -2.4,
    "abysmal": -2.8,
    "atrocious": -2.8,
    "idiots": -2.3,  # VADER knows "idiot" only
    "scammed": -2.5,
    "robbed": -2.3,
    "misled": -1.8,
    "ripoff": -2.0,
    "understaffed": -1.5,
    "wth": -2.0,  # VADER knows "wtf"
    "incorrect": -1.5,
    "incorrectly": -1.5,
    # In customer messages "support" is the name of a team, not approval: "Support is slow" must not read
    # as praise. (VADER gives it +1.7; zero also raises r on the Amazon corpus, 0.594 -> 0.601.)
    "support": 0.0,
}

# Handles are names, not words: "@happyhealth" or "@greatwidgets" must not read as praise. Slack's own mentions
# (<@U123>) and e-mail addresses are left alone by the look-behind.
HANDLE = re.compile(r"(?<![\w.<])@\w+")

# Typographic apostrophes, so VADER's negations ("can’t", "don’t") and the cues see "can't".
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})

# Words removed before scoring: in requests they are politeness, not praise
# ("Please send the invoice" is +0.32 to VADER, which would hide real sentiment trends).
POLITENESS = re.compile(r"\b(please|pls|plz|kindly)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PhraseRule:
    """If the pattern matches the lower-cased text, the compound score is at most `ceiling`."""

    name: str
    pattern: re.Pattern[str]
    ceiling: float


_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|many|few)"

PHRASE_RULES: tuple[PhraseRule, ...] = (
    # Churn intent is the strongest signal CS has, however politely it is put.
    PhraseRule(
        "churn intent",
        re.compile(
            r"\b(?:mov(?:e|ing)|switching|migrating|going|changing)(?: over)? to (?:another|a different|a new|"
            r"a cheaper|an? other|your competitor|a competitor|the competition)\b"
            r"|\b(?:not|won'?t|will not|aren'?t|are not|don'?t plan to|do not plan to)(?: be)?(?: going)?(?: to)? "
            r"renew(?:ing)?\b"
            r"|\b(?:cancel|cancell?ing|terminate|terminating|end|ending)(?: of)? (?:our|the|my) "
            r"(?:contract|subscription|account|plan|licen[cs]es?)\b"
            r"|\blooking (?:at|for|into) (?:other )?(?:alternatives|other vendors|other providers|competitors)\b",
        ),
        -0.6,
    ),
    # Outages and waiting: "down since Monday", "down for two days", "three weeks without an answer",
    # "still waiting", "support still hasn't answered".
    PhraseRule(
        "outage or waiting",
        re.compile(
            r"\b(?:down|offline|broken|unavailable|not working|unusable)\b[^.!?]{0,30}\bsince\b"
            rf"|\b(?:down|offline|broken|unavailable|not working|unusable) for (?:over |more than |almost )?"
            rf"{_NUMBER} (?:hours?|days?|weeks?)\b"
            r"|\bstill (?:hasn'?t|haven'?t|has not|have not) (?:answered|replied|responded|gotten back|got back)\b"
            rf"|\b{_NUMBER} (?:hours?|days?|weeks?|months?) (?:without|with no|and no|and still no) "
            r"(?:an? )?(?:answer|response|reply|fix|update|help|word)\b"
            r"|\bstill (?:waiting|no (?:answer|response|reply|fix|update))\b"
            r"|\bno (?:answer|response|reply|one got back)(?: from [a-z]+)? (?:yet|for|since)\b"
            r"|\bhaven'?t heard back\b|\bnobody (?:has )?(?:answered|replied|responded)\b",
        ),
        -0.5,
    ),
    # Usage falling off is the quietest churn signal, and VADER reads "Honestly we barely use it" as praise.
    # Not learned: the development data has no such messages, so this one is a rule.
    PhraseRule(
        "low usage",
        re.compile(
            r"\b(?:barely|hardly|rarely|seldom|no longer|stopped|don'?t really|do not really) "
            r"(?:even )?(?:use|using|used|log(?:ging)? in(?:to)?|open|opening|touch)\b"
            r"|\b(?:not|n't) (?:really )?(?:using|use|used) (?:it|them|this|the \w+|your \w+)? ?"
            r"(?:much|anymore|any more)\b"
            r"|\busage (?:has )?(?:dropped|fallen|fell|is down|went down)\b|\bnobody (?:here )?uses\b",
        ),
        -0.3,
    ),
    # Cost complaints read as neutral to VADER ("too expensive" has no lexicon word).
    PhraseRule(
        "cost complaint",
        re.compile(
            r"\btoo (?:expensive|pricey|costly)\b|\bprice (?:increase|hike|rise)\b|\bovercharg"
            r"|\bcan'?t (?:justify|afford) (?:the )?(?:cost|price|renewal|spend)\b"
            r"|\b(?:cost|price|pricing|invoice|bill)s? (?:is|are|was|were) (?:too high|way too|outrageous)",
        ),
        -0.4,
    ),
    # Refunds and downgrades are requests for less: at best neutral, whatever words surround them.
    PhraseRule(
        "refund or downgrade",
        re.compile(r"\b(?:refund(?:s|ed)?|downgrad(?:e|ing)|money back|chargeback)\b"),
        -0.3,
    ),
)
