"""Complaint cues: phrases that mark a customer message as a complaint although VADER finds no negative word.

Each cue is a family of general customer-success phrases (no product or industry vocabulary). The trained
layer (sentiment_layer.py) weighs them with VADER's own scores, and runs only when a complaint cue fired: text
without one keeps VADER's reading. The names are shown to users (Sentiment.rules), so they read as reasons.
The `complaint=False` cues never start the layer; they tell it that a message is a request, a question, thanks
or an already solved problem, which makes the other cues count for less.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

_TIME_UNIT = r"(?:hours?|hrs?|minutes?|mins?|days?|weeks?|months?)"
_AMOUNT = (
    r"(?:(?:over|almost|nearly|about|more than|another|at least) )?"
    r"(?:\d+(?:[.,]\d+)?\+?|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|several|many|few)"
)
_DURATION = (
    r"\b(?:\d+(?:[.,]\d+)?\+? ?|an? |one |two |three |four |five |six |seven |eight |nine |ten |twelve |several |"
    r"(?:over|almost|nearly|more than|another) (?:an? |one )?)(?:hours?|hrs?|minutes?|mins?)\b"
)
# Words near a duration that make it time lost rather than time well spent ("2 hours later" vs "a 2 hour film").
_LOST_CONTEXT = (
    r"\b(?:wait\w*|hold|later|late|delay\w*|still|yet|no|not|never|nothing|without|stuck|sitting|sat|line|queue|"
    r"again|another|lost|wasted|trying|tried|call ?back|response|reply|answer|nobody|only to|just to|"
    r"n't|hung|disconnect\w*)\b"
)
_PRAISE = (
    r"(?:great|awesome|perfect|wonderful|fantastic|brilliant|nice|lovely|excellent|amazing|super|terrific|"
    r"thanks|thank you|thx|love it|gotta love|way to go|good job|well done|bravo|congrats)"
)
# A fact nobody praises: what follows the praise word in "Great, another outage".
_BAD_FACT = (
    r"(?:another|yet|still|nothing|hours?|hrs|days|cancel\w*|delay\w*|broke\w*|down|outage\w*|fail\w*|"
    r"wait\w*|on hold|stuck|ruin\w*|wast\w*|charg\w*|error\w*|crash\w*|lost|no (?:one|response|reply|answer|help))"
)
_TROUBLE = r"(?:problems?|issues?|errors?|glitch(?:es)?|bugs?|outages?|downtime|delay(?:ed|s)?)"
# Trouble that did not happen: "no problems", "without any issues", "shouldn't be an issue" (removed first).
_NO_TROUBLE = re.compile(rf"\b(?:no|any|not a|without|without any|0|be an?) (?:\w+ )?{_TROUBLE}\b")
_DURATION_NEEDLES = ("hour", "hr", "min")


@dataclass(frozen=True)
class Cue:
    """A named family of phrases; only `complaint` cues can start the layer."""

    name: str
    pattern: re.Pattern[str]
    complaint: bool = True
    # The pattern can only match if one of these occurs in the lower-cased text: a substring test in C that
    # skips the regex for most texts (tests/lifecycle/test_sentiment_complaints.py checks they lose nothing).
    needles: tuple[str, ...] = ()

    def found_in(self, lowered: str) -> bool:
        """Whether the cue occurs in lower-cased text."""
        if self.needles and not any(needle in lowered for needle in self.needles):
            return False
        return self.pattern.search(lowered) is not None


def _any(needles: str) -> tuple[str, ...]:
    return tuple(needles.split("|"))


def _rx(*parts: str) -> re.Pattern[str]:
    # Alternatives joined by "|"; lower case, run on lower-cased text: twice as fast as re.IGNORECASE.
    return re.compile("|".join(parts))


CUES: tuple[Cue, ...] = (
    # Time spent waiting is the commonest complaint, and VADER has no word for it: "on hold for 2 hours".
    Cue(
        "waiting",
        _rx(
            r"\bon hold\b",
            r"\b(?:hold|wait(?:ing)?|response) times?\b",
            r"\b(?:still|been|keep|kept|sat|sitting|left|stuck) waiting\b",
            r"\bwaiting (?:for|on) (?:a |an |the |my |our |your )?(?:reply|response|answer|call ?back|call|fix|refund|"
            r"update|someone|somebody|anyone|support|agent|rep|confirmation|email|ticket)s?\b",
            rf"\bwait(?:ed|ing)? (?:for )?{_AMOUNT} {_TIME_UNIT}",
            rf"\b(?:been|wasted|sitting|sat|stuck)(?: here| on the phone| in line)? (?:for )?"
            rf"{_AMOUNT} {_TIME_UNIT}",
            rf"\b{_AMOUNT} {_TIME_UNIT} "
            r"(?:wait|on hold|in line|in queue|and counting|and still|without|with no|later)\b",
            r"\b(?:took|taking|takes|waited|waiting) forever\b",
        ),
        needles=_any("hold|wait|response time|forever|hour|hr|min|day|week|month"),
    ),
    # Support that never answered: for a customer the silence is the complaint.
    Cue(
        "unanswered support",
        _rx(
            r"\b(?:no ?one|nobody) (?:has |have |will |would |is |was |ever |even |can |could |bothered to )?"
            r"(?:answer|respond|repl|call|got back|gets back|help|pick|told|tells|inform|knows|cares|contact|follow|"
            r"listen|explain|fix|acknowledg)\w*",
            r"\bno (?:answer|response|reply|replies|updates?|call ?back|word|info(?:rmation)?|communication|"
            r"explanation|help|resolution|compensation|apology|follow[- ]?up|acknowledge?ment)\b",
            r"\b(?:haven'?t|never|didn'?t) (?:heard|received|gotten|got) (?:back|a (?:reply|response|call)|an answer|"
            r"anything)\b",
            r"\bheard nothing\b|\bnothing back\b|\bhaven'?t heard from\b",
            r"\bnever (?:called|answered|replied|responded)\b",
            r"\bhung up\b|\bhangs? up\b|\bdisconnect\w*|\bcan'?t (?:get through|reach|get a hold|get ahold)\b",
            r"\b(?:not|isn'?t|aren'?t|stop|won'?t|don'?t|doesn'?t|didn'?t|never) (?:answer|respond|reply)(?:ing|s)?\b",
            r"\banswer (?:the|your) phones?\b|\bbeen trying\b|\bunanswered\b|\bignor(?:ed|ing)\b",
            r"\b(?:an? )?(?:actual|real|live) (?:person|human)\b|\bautomated (?:system|message|response)\b",
            r"\bgot nowhere\b|\brun ?around\b",
        ),
    ),
    # The same failure again is worse than the first time: "yet again", "still not fixed", "third time".
    Cue(
        "repeated failure",
        _rx(
            r"\b(?:once|yet|here we go) again\b|\bagain[!?]{2,}",
            r"\b(?:down|broken|broke|failed|failing|crashed|crashing|late|delayed|cancell?ed|stuck|lost|wrong|happened|"
            r"happening|same|not working|error|outage|issue|problem|charged|on hold|waiting|let (?:me|us) down|"
            r"logged out|missing|locked out)(?: \w+){0,3}? again\b",
            r"\bstill (?:no|not|nothing|don'?t|doesn'?t|haven'?t|hasn'?t|can'?t|won'?t|isn'?t|broken|down|waiting|"
            r"missing|stuck|have no)\b|\byet another\b",
            r"\b(?:second|third|fourth|fifth|[2-9](?:nd|rd|th)|\d\d+th) time\b",
            r"\b(?:tried|called|asked|told|emailed|charged|happened|failed|crashed|reported|contacted|wrote|written|"
            r"requested|restarted|sent|submitted|explained|cancell?ed|delayed) (?:\w+ )?(?:twice|multiple times|"
            r"several times|many times|(?:\d+|three|four|five|six|ten) times|a dozen times)\b",
            r"\bkeeps? (?:on )?(?:failing|crashing|happening|breaking|asking|telling|saying|showing|getting|going down|"
            r"dropping|freezing|timing out|logging|hanging|disconnecting|erroring|kicking)\b",
            r"\bas usual\b|\b(?:always|constantly) (?:late|down|broken|failing|crashing|slow)\b",
        ),
        needles=_any("again|still|another|time|twice|keep|usual|always|constantly"),
    ),
    # Praise followed at once by a bad fact is sarcasm: "Great, another outage.", "Thanks for nothing."
    Cue(
        "sarcasm after praise",
        _rx(
            rf"(?:^|[.!?]\s+)\W*{_PRAISE}[,.!:;]+\s*(?:\w+\W+){{0,2}}?{_BAD_FACT}\b",
            r"\bthanks? (?:you )?(?:a lot |again )?for (?:nothing|not \w+ing|ruining|wasting|losing|ignoring|"
            r"delaying|cancel\w*|the (?:wait|delay|runaround)|making (?:me|us) (?:wait|miss|pay|sit|stay)|"
            r"(?:your |the )?(?:canned|generic|automated)|(?:\w+ ){0,2}?(?:\d+|an?|one|two|three|four|five) "
            r"(?:hours?|hrs?|minutes?|mins?)\b)",
            r"\bwhat a (?:joke|surprise|shock)\b|\bis a joke\b|\bsuch a joke\b|#sarcasm\b",
        ),
        needles=_any(
            "great|awesome|perfect|wonderful|fantastic|brilliant|nice|lovely|excellent|amazing|super|terrific|thank|"
            "thx|way to go|good job|well done|bravo|congrats|joke|surprise|shock|sarcasm|love"
        ),
    ),
    # A short last sentence is the customer's conclusion, whatever came before: "...nobody told us why. Disappointed."
    Cue(
        "closing verdict",
        _rx(
            r"(?:^|[.!?]\s*|\s-+\s*)(?:so |very |really |totally |truly |just |extremely |#)?"
            r"(?:disappointed|disappointing|unacceptable|not acceptable|ridiculous|pathetic|shameful|embarrassing|"
            r"frustrating|frustrated|not happy|nothappy|unhappy|not impressed|not cool|not ok(?:ay)?|never again|"
            r"neveragain|epic ?fail|fail|sad|terrible|horrible|awful|incompetent|useless|do better|get it together|"
            r"shame on you|really\?+|seriously\?+|come on)"
            r"[.!?\s]*(?:#\w+\s*)*(?:https?://\S+\s*)*$"
        ),
    ),
    # Politeness around trouble: a bare "please help." or "help!" is a distress call, not a request.
    Cue(
        "polite complaint",
        _rx(
            r"\bthanks? (?:you )?for nothing\b",
            r"\b(?:please|pls|plz|some ?one|any ?one|somebody) help(?: (?:me|us))?\s*(?:[.!]|$)",
            r"(?:^|[.!?]\s*)help(?: me| us)?\s*[!?.]|\bhelp (?:please|pls|plz)\b|\bhelp (?:me|us)?[!?]*!",
            r"\bplease (?:fix|respond|answer|reply|call|explain|advise|resolve|get back|do something|look into)\b",
        ),
        needles=_any("help|nothing|please"),
    ),
    # Leaving, said outright: "never again", "this was the last time", "time to find a new provider".
    Cue(
        "leaving for good",
        _rx(
            r"\bnever (?:again|use|using|buy|buying|recommend|do(?:ing)? business)\b|\bnever \w+(?: \w+){0,3}? again\b",
            r"\b(?:the|my|our) last time\b|\bfirst and last\b|\bbusiness elsewhere\b|\bdone with (?:you|this)\b",
            r"\blost (?:a|one|another) (?:loyal |long[- ]time )?customer\b|\bcancel\w* (?:my|our)\b",
            r"\brethinking (?:my |our )?(?:loyalty|subscription|contract|membership)\b",
            r"\bdecided (?:not to renew|to cancel|to leave|to switch|to move)\b",
            r"\btime to (?:find|look for|switch|move)\b",
            r"\b(?:choose|choosing|pick|picking|go with|going with|use|using|try|trying) (?:another|a different) \w+ "
            r"(?:next time|from now on|in the future)\b",
        ),
        needles=_any("never|last|elsewhere|done with|lost |cancel|rethinking|decided|time to|another|a different"),
    ),
    # Something does not work: "not working", "can't log in", "won't let me", "another error".
    Cue(
        "something broken",
        _rx(
            r"\b(?:not|isn'?t|aren'?t|wasn'?t|doesn'?t|don'?t|didn'?t|won'?t) (?:even )?work(?:ing|s|ed)?\b",
            r"\b(?:can'?t|cannot|couldn'?t|unable to) (?:log ?in|sign ?in|access|get|find|book|use|see|pay|change|"
            r"check|load|open|download|print|reach|connect|reset|update|upload|save|export|import)\b",
            r"\bwon'?t let (?:me|us)\b|\bcan'?t even\b",
            rf"\b{_TROUBLE}\b",
        ),
        needles=_any("work|can|couldn|unable|won|problem|issue|error|glitch|bug|outage|downtime|delay"),
    ),
    # Questions that are accusations: "why is it still down?", "how is this acceptable?", "how come".
    Cue(
        "rhetorical question",
        _rx(
            r"\bwhy (?:is|are|do|does|did|can'?t|won'?t|haven'?t|hasn'?t|isn'?t|wasn'?t|weren'?t|aren'?t|didn'?t|"
            r"doesn'?t|don'?t) (?:you|your|it|this|that|my|our|we|i|there|nobody|no one)\b",
            r"\bwhy the hell\b|\bhow (?:is|are) (?:this|that|it) (?:ok|okay|acceptable|possible|fair)\b|\bhow come\b",
            r"\bwhat(?:'s| is) (?:going on|the point|the excuse|the deal)\b[^.!?]{0,30}\?",
            r"\bare you (?:kidding|serious)\b|\bis this (?:a joke|normal)\b|\byou(?:'ve| have) got to be kidding\b",
            r"\bwhat'?s up with (?:that|this|the|your)\b|\bhow (?:does|did|could|can) (?:that|this) (?:happen|be)\b",
        ),
    ),
    # Money taken or wasted: "charged twice", "hidden fees", "waste of money".
    Cue(
        "money complaint",
        _rx(
            r"\b(?:double[- ]?|over|over-)charg(?:ed|ing)\b|\bcharged (?:me|us|twice|again|extra)\b",
            r"\b(?:extra|hidden|change|cancellation|ridiculous|another|more) (?:fee|charge)s?\b",
            r"\bpaid (?:for|extra)\b|\bwaste of (?:money|time)\b|\brip ?-?off\b|\bnot worth (?:it|the)\b",
        ),
        needles=_any("charg|fee|paid|waste of|rip|not worth"),
    ),
    # Hours lost are a complaint even when no feeling is named: "3 hours and still no answer", "cost me a day".
    Cue(
        "time lost",
        _rx(
            rf"{_DURATION}[^.!?]{{0,40}}?{_LOST_CONTEXT}|{_LOST_CONTEXT}[^.!?]{{0,40}}?{_DURATION}",
            r"\b(?:time|hours|days|day) (?:has been |have been |was |were )?(?:lost|wasted)\b",
            r"\bcost (?:me|us) (?:a |an |the |my |our )?(?:entire |whole )?(?:day|hour|morning|evening|night|week)\b",
        ),
        needles=(*_DURATION_NEEDLES, "lost", "wasted", "cost "),
    ),
    # What was promised never came: "never received the invoice", "hasn't arrived", "not yet refunded".
    Cue(
        "nothing happened",
        _rx(
            r"\b(?:haven'?t|hasn'?t|didn'?t|did not|has not|have not|not yet|never|still not) (?:been )?"
            r"(?:received|receive|arrived|arrive|got|gotten|get|heard|moved|shown up|showed up|show up|come|came|"
            r"fixed|resolved|refunded|responded|answered|called|contacted|notified|told|informed|delivered|"
            r"processed|credited|updated|sent)\b"
        ),
    ),
    # The vendor named as the one who failed: "you lost our data", "you charged us twice", "you never called".
    Cue(
        "blame",
        _rx(
            r"\byou(?:'ve| have| guys| people| all| folks)? (?:just |again |even |also )?(?:lost|broke|forgot|failed|"
            r"refused|ignored|overcharged|charged (?:me|us)|cancell?ed|messed|screwed|ruined|stranded|dropped|bumped|"
            r"left (?:me|us) (?:stranded|waiting|hanging|on hold|without)|lied|never (?:called|replied|answered|"
            r"responded|told|sent|fixed|refunded))\b"
        ),
        needles=_any("you"),
    ),
    # Exasperation VADER has no word for: "fed up", "get your act together", "I want to speak to a manager".
    Cue(
        "exasperation",
        _rx(
            r"\bfed up\b|\b(?:sick|tired) of\b|\bhad enough\b|\bget (?:its|your|their|it) (?:act )?together\b",
            r"\b(?:can|could|should|must) do better\b|\bstay classy\b|\bugh+\b|\bnonsense\b",
            r"\bfalse (?:promises?|advertising)\b|\bunder ?staffed\b|\black of\b|\bfailed to\b|\brefused? to\b",
            r"\bno (?:way|excuse|reason) (?:to|for|that)\b|\bnot (?:enough|acceptable|fair|right|what (?:i|we))\b",
            r"\b(?:gave|given) up\b|\b(?:you|they|we were|i was) promised\b|\bbroken promises?\b",
            r"\bnever (?:\w+ ){0,3}?(?:such|so|more|a worse|worse) (?:a |an )?(?:poor|bad|awful|terrible|horrible|"
            r"rude|lousy|incompetent|unprofessional|frustrat\w*|disappoint\w*|angry|upset|annoyed)\b",
            r"\b(?:talk|speak) (?:to|with) (?:a|an|the) (?:human|real person|actual person|manager|supervisor)",
            r"\btreat(?:ed|s|ing)? (?:me|us|your \w+|customers|people) like\b",
            r"\bnot (?:your|our) (?:finest|best)\b|\bnot living up\b",
            r"\bi want (?:to know why|an answer|a refund|resolution|my money|compensation)\b",
            r"\b(?:canned|generic|automated|copy[- ]?paste[d]?) (?:response|reply|answer|message)s?\b",
        ),
    ),
    # Hashtag verdicts people coin: "#epicfail", "#nothappy", "#neveragain", "#worstservice".
    Cue("hashtag complaint", _rx(r"#\w*(?:fail|sucks|worst)\w*|#(?:not|no|never)[a-z]{3,}"), needles=("#",)),
    # Not complaints. A request or a question asks for something rather than judging it.
    Cue(
        "request",
        _rx(r"\b(?:can|could|would|will) (?:you|u|someone|anyone)\b|\bplease\b|\bpls\b|\bhow (?:do|can) (?:i|we)\b"),
        complaint=False,
    ),
    Cue("question", _rx(r"\?"), complaint=False),
    # A problem already solved is not a complaint: "issue resolved in 8 minutes".
    Cue(
        "resolved",
        _rx(
            r"(?<!not )(?<!n't )(?<!never )(?<!not been )(?<!n't been )\b(?:resolved|sorted(?: out)?|fixed|"
            r"taken care of|got through|all set|worked out|solved|up and running|back up)\b",
            r"\bhandled (?:\w+ )?(?:well|quickly|fast|professionally|perfectly)\b",
        ),
        complaint=False,
        needles=_any(
            "resolved|sorted|fixed|taken care|got through|all set|worked out|solved|up and running|back up|handled"
        ),
    ),
    # Praise aimed at the vendor: a message that credits someone is rarely a complaint, even if it names a bug.
    Cue(
        "praise",
        _rx(
            r"\b(?:kudos|wonderful|fantastic|amazing|awesome|excellent|outstanding|superb|terrific|brilliant|"
            r"impressed|impressive|well done|props to|shout ?out|love (?:it|the|your|this|you)|"
            r"great (?:job|work|service|support|team|product|people|experience)|(?:the )?best)\b"
        ),
        complaint=False,
        needles=_any(
            "kudos|wonderful|fantastic|amazing|awesome|excellent|outstanding|superb|terrific|brilliant|"
            "impress|well done|props|shout|love|great|best"
        ),
    ),
    # Thanks and exclamation marks go with praise far more often than with complaints.
    Cue("thanks", _rx(r"\b(?:thanks|thank you|thx|ty|appreciate\w*|grateful)\b"), complaint=False),
    Cue("exclamation", _rx(r"!"), complaint=False),
)

COMPLAINT_CUES = tuple(cue.name for cue in CUES if cue.complaint)


def cues_in(text: str, names: Collection[str] | None = None) -> dict[str, float]:
    """1.0 for each cue (of `names`, default all) found in the text; absent cues are left out."""
    lowered = _NO_TROUBLE.sub(" ", text.lower())
    return {cue.name: 1.0 for cue in CUES if (names is None or cue.name in names) and cue.found_in(lowered)}


def any_complaint(found: Mapping[str, float]) -> bool:
    """Whether any complaint cue is among the cues found."""
    return any(name in found for name in COMPLAINT_CUES)
