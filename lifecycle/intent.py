"""Intent in customer text (leaving, cancelling, shrinking, a competitor, a refund, an escalation), apart from polarity.

Sentiment says how a message feels; intent says what the customer means to do. "Thanks for everything, we have
decided not to renew" is polite and still the reddest flag CS has. Each kind has a table of cues, each with why
it is there. A cue does not count when it is negated ("no plans to cancel"), only asked about ("Are you planning
to cancel?", "Asked whether they plan to cancel"), or resolved later in the text ("almost cancelled, now
renewed"). Renewing, continuing and staying are the other way round: negating them is the cue ("won't renew").
Pure and cheap: standard library regexes without nested open-ended repetition, on the first MAX_SCANNED_CHARS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# More than a stored note or feedback holds; bounds the cost of any text.
MAX_SCANNED_CHARS = 5_000


class IntentKind(StrEnum):
    """What a customer (or a rep, reporting the customer) says the customer will do."""

    CHURN = "churn"  # leaving / not renewing / ending the relationship
    CANCEL = "cancel"  # cancelling a subscription, contract, account, plan, licences
    DOWNGRADE = "downgrade"  # fewer seats, smaller plan, cutting back
    COMPETITOR = "competitor"  # moving/switching to another vendor, evaluating alternatives/competitors
    REFUND = "refund"  # money back, chargeback
    ESCALATION = "escalation"  # asking for a manager/executive, legal, formal complaint


# The intents that make a red flag: the customer is leaving or shrinking.
LEAVING: frozenset[IntentKind] = frozenset(
    {IntentKind.CHURN, IntentKind.CANCEL, IntentKind.DOWNGRADE, IntentKind.COMPETITOR}
)

# Most decisive first: a stated departure outranks its mechanics, a competitor outranks shrinking.
_ORDER = tuple(map(IntentKind, ("churn", "cancel", "competitor", "downgrade", "refund", "escalation")))
_LABELS = {
    IntentKind.CHURN: "churn intent",
    IntentKind.CANCEL: "cancellation",
    IntentKind.DOWNGRADE: "downgrade",
    IntentKind.COMPETITOR: "move to a competitor",
    IntentKind.REFUND: "refund request",
    IntentKind.ESCALATION: "escalation",
}


@dataclass(frozen=True)
class Intent:
    """One intent found in a text, with the words that triggered it exactly as written."""

    kind: IntentKind
    phrase: str

    @property
    def label(self) -> str:
        """How a CS manager names this kind of intent."""
        return _LABELS[self.kind]

    def describe(self) -> str:
        """The reading with its evidence, e.g. 'read as churn intent: “not to renew”'."""
        return f"read as {self.label}: “{self.phrase}”"


@dataclass(frozen=True)
class _Cue:
    kind: IntentKind
    pattern: re.Pattern[str]
    negatable: bool  # False when the negation is the cue itself ("won't renew")


def _cue(kind: IntentKind, regex: str, *, negatable: bool = True) -> _Cue:
    return _Cue(kind, re.compile(regex, re.IGNORECASE), negatable)


# Negations that cancel an action: "not planning to leave", "no plans to cancel", "almost cancelled".
# Not "can't"/"unable": "I can't cancel my account online" still wants to cancel. Not "no" before a pronoun
# ("no we will cancel"), not "or not" ("whether or not we renew").
_NEGATION = (
    r"(?:(?<!or )not|never|nor|no(?!\s+(?:we|they|i)\b)|no longer|nobody|no one|without|instead of|rather than"
    r"|almost|nearly|won'?t|(?:do|does|did|is|are|was|were|would|should|have|has|had|ai)n'?t|no need to|no reason to"
    r"|unlikely to|decided against|against|refus\w* to)"
)
# Negations that turn renewing into churn: also "can't renew" ("we can't justify renewing").
_NOT = (
    r"(?:will not|shall not|(?<!or )not|never|no(?!\s+(?:we|they|i)\b)|no longer|won'?t"
    r"|(?:do|does|did|is|are|was|were|would|should|could|have|has|had|ca|ai)n'?t|cannot|unlikely to|decided against)"
)
# Words that may stand between a negation and the action: "not (planning to) leave", "no (intention of) churning".
_BRIDGE = (
    r"(?:be|been|being|going|gonna|to|plan|plans|planning|planned|intend|intending|intention|intentions|intent"
    r"|of|on|about|any|ever|really|actually|currently|even|yet|thinking|think|thought|thoughts|consider|considering"
    r"|considered|want|wants|wanting|wanted|wish|looking|decide|decided|likely|expect|expecting|the|a|at|this|that"
    r"|point|time|moment|stage|right|now|in|rush|hurry|do|doing|will|would|have|has|had|budget|able|justify"
    r"|seriously|necessarily|interest|interested|desire|we|they|i|we'll|they'll|we'd|they'd|it|that's)"
)
_NEGATED_BEFORE = re.compile(rf"\b{_NEGATION}(?:\s+{_BRIDGE}){{0,4}}\s*$", re.IGNORECASE)
# A subordinate clause is not a statement: "the pilot doesn't know when we'll leave", "if we cancel, ...".
_SUBORDINATE_BEFORE = re.compile(r"\b(?:when|whether|if|once|until|unless)\s+(?:we|they|i)?\s*$", re.IGNORECASE)

# Who may intend something, and how intent is said before a verb: "we're leaving", "planning to churn".
_INTENT_LEAD = (
    r"(?:(?:we|they|i)(?:'re|'m| are| am| will|'ll| shall)|will|shall|going to|gonna|plan(?:s|ning)? (?:to|on)"
    r"|want(?:s|ed)? to|wanna|would like to|'d like to|wish to|need(?:s)? to|have to|decided to|decide to"
    r"|intend(?:s)? to|considering|thinking (?:of|about)|thought about|talking about|about to|ready to"
    r"|likely to|might|may|consider)(?:\s+(?:probably|definitely|seriously|actually|just|be))?"
)
# After a bare "leave"/"cancel", only what makes it about us: the clause ends, a time, a condition, "you".
_INTENT_END = (
    r"(?=\s*(?:$|[^\w\s]|(?:you|your|us|now|today|immediately|asap|soon|effective|if|unless|when|once|by|before"
    r"|after|as soon as|at the end|altogether|for good"
    r"|for (?:another|a competitor|the competition)|anyway|then|next (?:week|month|quarter|year)"
    r"|this (?:month|quarter|year)|(?:the|this) (?:platform|product|service|tool|app|contract|partnership))\b))"
)
_VENDOR = r"(?:vendor|provider|supplier|solution|platform|tool|product|company|service|system|software|partner|crm)s?"
# Someone other than us: "another vendor", "a cheaper email provider", "a competitor", "the competition".
_OTHER_VENDOR = (
    r"(?:(?:another|a different|a cheaper|a competing|a rival|an alternative|alternative|competing|other)\s+"
    rf"(?:\w+\s+)?{_VENDOR}|(?:a|your|one of your|their) competitors?|competitors|the competition)\b"
)
_SEAT_WORDS = r"(?:seats?|licen[cs]es?|users?|subscriptions?|plan|tier|spend|contract|footprint|commitment)"

_CUES: tuple[_Cue, ...] = (
    # --- churn ---
    # Not renewing, continuing or staying is leaving: "not to renew", "won't be renewing", "can't justify renewing".
    _cue(
        IntentKind.CHURN,
        rf"\b{_NOT}(?:\s+{_BRIDGE}){{0,4}}\s+(?:renew(?:s|ed|ing)?\b(?!\s+yet\b)|re-?sign(?:ing)?\b"
        r"|extend(?:ing)?\s+(?:the|our|their|this)\s+(?:contract|subscription|agreement|term)\b"
        r"|continu(?:e|ing)\s+(?:with\s+(?:you|your|the|this)|to use|using|our|the|their)\b"
        r"|stay(?:ing)?\s+(?:with\s+(?:you|your)|on as|(?:a\s+)?customers?)\b|be back\b|(?:us(?:e|ing)|buy(?:ing)?"
        r"|order(?:ing)? from|work(?:ing)? with)\s+(?:you|your\s+\w+)\s+(?:again|any ?more)\b)",
        negatable=False,
    ),
    # Saying they are leaving: "we're leaving", "planning to leave at the end of the contract".
    _cue(IntentKind.CHURN, rf"\b{_INTENT_LEAD}\s+leav(?:e|ing)\b{_INTENT_END}"),
    # The word itself, when it is about them: "we're going to churn", "no intention of churning".
    _cue(
        IntentKind.CHURN,
        rf"\b(?:{_INTENT_LEAD}|risk of|intention of)\s+churn(?:ing)?\b|\b(?:they|we) (?:have )?churned\b",
    ),
    # Ending it in so many words: "we're done with you", "end our partnership", "part ways".
    _cue(
        IntentKind.CHURN,
        r"\bdone with (?:you|your (?:company|product|service|platform|team|tool|app))\b|\bpart(?:ing)? ways\b"
        r"|\b(?:end|ending|terminat\w*) (?:our|the|this|their) (?:business )?(?:relationship|partnership)\b",
    ),
    # A last period is a leaving date: "this is our last month", "final invoice with you".
    _cue(
        IntentKind.CHURN,
        r"\b(?:this|it)(?:'s| is| will be|'ll be) (?:our|my|their) (?:last|final) (?:month|quarter|year|term|invoice"
        r"|payment|billing cycle)\b|\b(?:last|final) (?:month|quarter|year|invoice|payment) with you\b",
    ),
    # Taking the business away or stopping use: "take our business elsewhere", "stop using your product", "never again".
    _cue(
        IntentKind.CHURN,
        r"\b(?:tak\w*|took|mov\w*) (?:our|my|their) business elsewhere\b|\bgo(?:ing)? elsewhere\b"
        r"|\bstop(?:ped|ping)? using (?:you|your|the (?:product|platform|service|tool|app))\b"
        r"|\bno longer (?:need|use|want|require) (?:you|your|the (?:product|platform|service|tool))\b"
        r"|\bnever (?:\w+\s+){0,2}(?:you|your \w+) again\b|\bnever again\b(?=\s*(?:$|[^\w\s]))"
        r"|\b(?:this is |it's )?the last time (?:i|we) (?:use|buy from|order from|work with) (?:you|your \w+)\b",
    ),
    # Reps flag the renewal itself: "renewal at risk" (not "renewal is not at risk": "not" breaks the match).
    _cue(
        IntentKind.CHURN,
        r"\b(?:renewal|account|contract)s?\s+(?:(?:is|are|looks|seems|now|still|very|really|seriously)\s+){0,3}"
        r"(?:at risk|in jeopardy)\b|\bat risk of (?:churn\w*|leaving|not renewing)\b",
    ),
    # Opting out of auto-renewal is not renewing, said in product terms.
    _cue(
        IntentKind.CHURN,
        r"\bopt(?:ed|ing)?\s+(?:us\s+|me\s+|them\s+)?out of (?:the )?(?:auto-?)?renewal\b"
        r"|\bturn\w* off (?:the )?auto-?renew",
    ),
    # --- cancel ---
    # Cancelling the relationship, not a meeting or a flight: "cancel our subscription", "cancellation of the contract".
    _cue(
        IntentKind.CANCEL,
        r"\bcancel\w*\s+(?:(?:our|my|the|this|their|your|all|of|an?|entire|whole|current|remaining|annual|monthly"
        r"|yearly|paid|premium|pro|enterprise|team|business|\d+)\s+){0,3}(?:subscriptions?|contracts?|accounts?|plan"
        r"|licen[cs]es?|seats|memberships?|renewal|agreement|service)\b",
    ),
    # A bare "cancel" with intent and nothing else after it: "we want to cancel", "we will cancel if ...".
    _cue(
        IntentKind.CANCEL,
        rf"\b(?:{_INTENT_LEAD}|please|how (?:do|can|would|should) (?:i|we)|how to|way to|trying to)"
        rf"\s+cancel(?:l?ing)?\b{_INTENT_END}",
    ),
    # Paperwork for cancelling: "cancellation notice", "submitted our cancellation".
    _cue(
        IntentKind.CANCEL,
        r"\bcancell?ation (?:notice|request|letter|form)\b|\b(?:request|submit|send|sent|file|give|gave|process"
        r"|confirm|initiat|start)\w* (?:(?:a|our|my|the|their|formal)\s+){0,2}cancell?ation\b",
    ),
    # Terminating, closing or discontinuing is cancelling in contract language: "terminate the contract".
    _cue(
        IntentKind.CANCEL,
        r"\bterminat\w* (?:(?:our|my|the|this|their|your)\s+)?(?:contract|agreement|subscription|account|service|msa)\b"
        r"|\b(?:notice of termination|termination notice)\b"
        r"|\b(?:clos|delet|deactivat)\w* (?:our|my|the|this|their) (?:\w+\s+)?accounts?\b"
        r"|\bdiscontinu\w* (?:(?:our|my|the|this|their)\s+)?(?:subscription|service|contract|plan|licen[cs]es?)\b",
    ),
    # --- competitor ---
    # Moving to someone else: "move to another vendor", "going with another provider", "signed with a competitor".
    _cue(
        IntentKind.COMPETITOR,
        rf"\b(?:switch|mov|migrat|go|chang|transition|jump)\w*\s+(?:\w+\s+){{0,3}}?to\s+{_OTHER_VENDOR}"
        rf"|\bleav\w*\s+(?:us\s+)?for\s+{_OTHER_VENDOR}"
        r"|\b(?:go(?:ing|ne)? with|went with|chose|chosen|choosing|pick\w*|select\w*|decided on|opt\w* for"
        rf"|sign\w*(?: up)? with|sign\w* a contract with)\s+{_OTHER_VENDOR}",
    ),
    # A named product after "switch to" is a competitor ("switching to Salesforce", "@Acme"), unless it names a plan.
    _cue(
        IntentKind.COMPETITOR,
        r"\b(?:switch|migrat)\w*\s+(?:over\s+)?to\s+@?(?-i:[A-Z][\w&.-]*)(?![\w&.-]*\s+(?:plan|tier|billing|edition))",
    ),
    # Looking around is the step before moving: "evaluating alternatives", "getting quotes from other vendors".
    _cue(
        IntentKind.COMPETITOR,
        r"\b(?:evaluat|consider|look|explor|review|assess|trial|test|pilot|research|compar|shop|talk|speak|meet|get)"
        r"\w*\s+(?:(?:at|into|for|around|with|to|quotes from|demos? (?:of|from)|proposals from|offers from)\s+)?"
        r"(?:(?:some|a few|several|possible|cheaper|the)\s+)?(?:alternatives|competitors|competing (?:vendors"
        r"|products|tools|solutions|offers)|other (?:vendors|providers|suppliers|solutions|platforms|tools|products"
        r"|options))\b|\bshop\w* around\b",
    ),
    # Replacing us, or a rival's offer on the table: "replace your platform", "a competitor offered us 30% less".
    _cue(
        IntentKind.COMPETITOR,
        r"\breplac\w*\s+(?:you|your\s+(?:product|platform|tool|service|solution|software|system|app))\b"
        r"|\bcompetitors?\s+(?:(?:has|have|is|are|just)\s+)?(?:offered|offering|quoted|pitched|approached)\b"
        r"|\b(?:better|cheaper)\s+(?:deal|offer|price|quote|pricing)\s+(?:from|elsewhere)\b",
    ),
    # --- downgrade ---
    # The word itself, when they do it (not "I was downgraded").
    _cue(IntentKind.DOWNGRADE, r"(?<!was )(?<!were )(?<!got )(?<!been )\bdowngrad(?:e|es|ed|ing)\b"),
    # Shrinking what they buy: "reduce our seats from 50 to 20", "cut back our licences", "drop 10 users".
    _cue(
        IntentKind.DOWNGRADE,
        r"\b(?:reduc|cut|drop|decreas|lower|trim|scal|shrink)\w*\s+(?:(?:back|down)\s+)?(?:on\s+)?(?:(?:our|my|the"
        rf"|their|number|amount|of|from|by|to|\d+|some|a few|half)\s+){{0,4}}{_SEAT_WORDS}\b"
        r"|\b(?:cut|cutting|scal\w*)\s+back\b|\bscal\w* down\b|\bfewer\s+(?:seats|licen[cs]es|users)\b",
    ),
    # A smaller plan: "downgrade to the basic plan" is above; "move to a cheaper tier" is here.
    _cue(
        IntentKind.DOWNGRADE,
        r"\b(?:mov|switch|go|drop|chang|step)\w*\s+(?:down\s+)?to\s+(?:a|the|our)\s+(?:smaller|cheaper|lower|basic"
        r"|starter|free|lite|entry)(?:[\s-]+level)?\s+(?:plan|tier|package|edition|subscription|version)\b",
    ),
    # --- refund ---
    # Asking for money back: "I want a refund", "money back", "chargeback", "dispute the charge".
    _cue(
        IntentKind.REFUND,
        r"\brefund(?:s|ing)?\b|\b(?:be|get|getting) refunded\b|\bmoney back\b|\bcharge ?backs?\b|\bcharging back\b"
        r"|\bdispute (?:the|this|a|these) (?:charges?|payment|transaction)\b|\breimburs\w*",
    ),
    # A refund still owed or refused is still asked for: "still no refund", "they won't even refund it".
    _cue(
        IntentKind.REFUND,
        r"(?<!\bi )(?<!\bwe )\b(?:won'?t|don'?t|didn'?t|will not|do not|did not|refus\w* to)\s+(?:even\s+)?refund"
        r"|\bno (?:refund|reimbursement)\b(?!\s+(?:needed|necessary|required))"
        r"|\b(?:still (?:no|waiting (?:for|on))|(?:haven'?t|have not|never|didn'?t|did not) (?:yet )?(?:got|gotten"
        r"|received|seen|get|receive))\s+(?:(?:my|our|the|a|any|that)\s+)?refund",
        negatable=False,
    ),
    # --- escalation ---
    # Going over the rep's head: "speak to your manager", "someone senior" (not "the account manager").
    _cue(
        IntentKind.ESCALATION,
        r"\b(?:speak\w*|talk\w*|chat|put me through|connect me|get me)\s+(?:to|with)\s+(?:(?:your|a|the|someone"
        r"|somebody)\s+)?(?:more\s+)?(?:senior\s+)?(?:manager|supervisor|boss|superior|ceo|cto|cfo|coo|founder|vp"
        r"|director|executive|leadership|management|someone in charge|higher[- ]ups?)\b",
    ),
    # Escalating to people, not routing a ticket to engineering.
    _cue(
        IntentKind.ESCALATION,
        r"\bescalat(?:e|es|ed|ing|ion)\b(?![^.!?\n]{0,30}?\bto\s+(?:engineering|eng|dev|devs|development|product"
        r"|tier|level|l[1-3]|the (?:dev|engineering|product|support) team)\b)",
    ),
    # Legal threats: "our lawyers", "legal action", "sue you" (not "our legal team", which reviews renewals).
    _cue(
        IntentKind.ESCALATION,
        r"\b(?:our|my|their)\s+(?:lawyers?|attorneys?|solicitors?)\b|\blegal action\b|\blawsuit\b|\bsmall claims\b"
        r"|\bsu(?:e|ing) (?:you|your)\b|\b(?:involv|get)\w* (?:our |my )?(?:lawyers?|attorneys?|legal)\b",
    ),
    # Formal complaints and going above us: "formal complaint", "report you to the ombudsman", "email your CEO".
    _cue(
        IntentKind.ESCALATION,
        r"\bformal complaint\b|\b(?:file|filing|filed|lodg\w*|submit\w*|rais\w*|mak\w*|register\w*)\s+(?:a|an|my|our)"
        r"\s+(?:official\s+|formal\s+)?complaint\b|\b(?:report\w*|complain\w*)\s+(?:(?:you|this|it)\s+)?to\s+"
        r"(?:the\s+)?(?:bbb|better business bureau|ombudsman|regulator|authorities|consumer protection)\b"
        r"|\b(?:email\w*|contact\w*|writ\w*|cc\w*|loop\w* in|reach\w* out to)\s+(?:to\s+)?your\s+(?:ceo|cto|cfo|coo"
        r"|founder|president|leadership|executive team|board)\b",
    ),
)

# A question is not a statement ("Are you planning to cancel?") unless it is a request ("How do I cancel?").
_QUESTION_OPENER = re.compile(
    r"^\W*(?:are|is|do|does|did|will|would|have|has|were|was|should|shall)\s+(?:you|they|we|he|she|it|there"
    r"|the customer|the client)\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"\b(?:(?:can|could|may)\s+(?:i|we|you|someone|somebody|u)|how\s+(?:do|can|could|would|should)\s+(?:i|we)|how to"
    r"|(?:where|who)\s+(?:do|can|should)\s+(?:i|we)|is\s+(?:it|there\s+(?:a|any)\s+way)\s+(?:possible\s+)?to"
    r"|what(?:'s|\s+is|\s+are)\s+the\s+(?:steps|process|procedure)|why\s+(?:can'?t|cannot)\s+(?:i|we)"
    r"|(?:when|where)\s+(?:will|is|are|can|do)\s+(?:i|we|my|our)|possible to|who can|help|(?:would|will)\s+you"
    r"\s+(?:please|kindly)|please)\b",
    re.IGNORECASE,
)
# Our own question, reported in a note: "Asked whether they plan to cancel", "we checked if they'd leave".
_OUR_QUESTION = re.compile(
    r"(?:^\W*|\b(?:i|we|i've|we've)\s+(?:also\s+)?)(?:asked|checked|probed|enquired|inquired|queried|wanted to know)"
    r"\b[^.!?]{0,60}?\b(?:whether|if|about)\b",
    re.IGNORECASE,
)
# A later change of mind settles an earlier threat: "almost cancelled last month, now renewed for two years".
_RESOLVED = re.compile(
    r"\b(?:(?:now|since|eventually|finally|ultimately|later|then|but|and|in the end|after all)\b[\s,]+(?:(?:they|we"
    r"|he|she|have|has|they've|we've|already|just|happily)\s+){0,3}(?:renewed|re-?signed|signed (?:the|a|their|our)"
    r" renewal)|(?:decided|agreed|chose) to stay|changed (?:their|our|his|her) minds?)\b",
    re.IGNORECASE,
)
_SLACK_ESCAPE = re.compile(r"&(?:amp|lt|gt);")
_SLACK_UNESCAPED = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
# Same length, so offsets survive: curly apostrophes and quotes become straight, Slack's _italics_ markers spaces.
_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"', "„": '"', "_": " "})
_SENTENCE_END = re.compile(r"[.!?;\n]")
_CLAUSE_BREAK = re.compile(r"[.!?;:,\n()\"]|\s[-–—]+\s")
_LOOKBACK = 300  # how far back a sentence may start; keeps every check local and the whole scan linear
_CLAUSE_LOOKBACK = 80


def _normalize(text: str) -> tuple[str, list[int] | None]:
    """Text to match against, and where each of its characters starts in `text` (None when the same)."""
    if "&" not in text:
        return text.translate(_FOLD), None
    pieces: list[str] = []
    origin: list[int] = []
    done = 0
    for escape in _SLACK_ESCAPE.finditer(text):
        pieces += [text[done : escape.start()], _SLACK_UNESCAPED[escape.group()]]
        origin += [*range(done, escape.start()), escape.start()]
        done = escape.end()
    pieces.append(text[done:])
    origin += [*range(done, len(text) + 1)]
    return "".join(pieces).translate(_FOLD), origin


def _clause_start(text: str, position: int, lookback: int, breaks: re.Pattern[str]) -> int:
    """Where the sentence or clause around `position` starts, looking back at most `lookback` characters."""
    start = max(0, position - lookback)
    for found in breaks.finditer(text, start, position):
        start = found.end()
    return start


def _counts(text: str, match: re.Match[str], cue: _Cue, resolved_at: int) -> bool:
    """Whether a cue's match states an intent: not negated, not a question, not resolved later."""
    start = match.start()
    clause = text[_clause_start(text, start, _CLAUSE_LOOKBACK, _CLAUSE_BREAK) : start]
    if (cue.negatable and _NEGATED_BEFORE.search(clause)) or _OUR_QUESTION.search(clause):
        return False
    if _SUBORDINATE_BEFORE.search(clause):  # "when we'll leave", "if we cancel"
        return False
    sentence = text[_clause_start(text, start, _LOOKBACK, _SENTENCE_END) : start]
    end = _SENTENCE_END.search(text, match.end(), match.end() + _LOOKBACK)
    if ((end and end.group() == "?") or _QUESTION_OPENER.search(sentence)) and not _REQUEST.search(sentence):
        return False
    return not (cue.kind in LEAVING and resolved_at > match.end())


def detect_intents(text: str) -> tuple[Intent, ...]:
    """At most one Intent per kind, most decisive first: churn, cancel, competitor, downgrade, refund, escalation."""
    scanned = text[:MAX_SCANNED_CHARS]
    normalized, origin = _normalize(scanned)
    resolved_at = max((found.start() for found in _RESOLVED.finditer(normalized)), default=-1)
    first: dict[IntentKind, tuple[int, int]] = {}  # kind -> span of its earliest counting cue
    for cue in _CUES:
        for match in cue.pattern.finditer(normalized):
            if match.start() >= first.get(cue.kind, (len(normalized), 0))[0]:
                break  # another cue of this kind already counted earlier in the text
            if _counts(normalized, match, cue, resolved_at):
                first[cue.kind] = match.span()
                break
    intents = []
    for kind in _ORDER:
        if kind in first:
            start, end = first[kind] if origin is None else (origin[first[kind][0]], origin[first[kind][1]])
            intents.append(Intent(kind, scanned[start:end].strip()))
    return tuple(intents)


def leaving_intent(text: str) -> Intent | None:
    """The most decisive LEAVING intent, or None."""
    return next((intent for intent in detect_intents(text) if intent.kind in LEAVING), None)
