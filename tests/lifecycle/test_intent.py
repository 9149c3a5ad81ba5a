"""Intent detection: what a customer says they will do, read as a CS manager would, apart from polarity."""

from __future__ import annotations

import time

import pytest

from lifecycle.intent import (
    LEAVING,
    MAX_SCANNED_CHARS,
    Intent,
    IntentKind,
    detect_intents,
    leaving_intent,
)

CHURN, CANCEL, DOWNGRADE, COMPETITOR, REFUND, ESCALATION = (
    IntentKind.CHURN,
    IntentKind.CANCEL,
    IntentKind.DOWNGRADE,
    IntentKind.COMPETITOR,
    IntentKind.REFUND,
    IntentKind.ESCALATION,
)

STATED_INTENTS = [
    # churn: leaving, not renewing, ending it
    ("We have decided not to renew our contract", CHURN),
    ("they told us they won't renew", CHURN),
    ("we will not be renewing", CHURN),
    ("We're not going to renew in March", CHURN),
    ("We can't justify renewing at this price", CHURN),
    ("I don't think we'll renew", CHURN),
    ("We have no plans to renew", CHURN),
    ("we're leaving", CHURN),
    ("They are planning to leave at the end of the contract", CHURN),
    ("we're going to churn", CHURN),
    ("this is our last month", CHURN),
    ("we're done with you", CHURN),
    ("Time to part ways.", CHURN),
    ("We'll take our business elsewhere", CHURN),
    ("We will stop using your product in June", CHURN),
    ("Renewal is at risk after the outage", CHURN),
    ("Please opt us out of the auto-renewal", CHURN),
    ("We won't continue with you next year", CHURN),
    ("After this I will never use you again", CHURN),
    ("We won't be using you anymore", CHURN),
    ("Three outages in a week. Never again.", CHURN),
    ("This is the last time we order from you", CHURN),
    # cancel: the subscription, contract, account, plan or licences
    ("Please cancel our subscription at the end of the month", CANCEL),
    ("we want to cancel", CANCEL),
    ("how do I cancel my account", CANCEL),
    ("Can you cancel our annual plan?", CANCEL),
    ("if this isn't fixed by Friday we will cancel", CANCEL),
    ("We are cancelling, effective today.", CANCEL),
    ("terminate the contract", CANCEL),
    ("Consider this our termination notice.", CANCEL),
    ("We submitted our cancellation yesterday", CANCEL),
    ("Please close our account", CANCEL),
    ("I can't cancel my account online, the button is broken", CANCEL),
    # competitor: moving to or evaluating someone else
    ("We will move to another vendor next quarter", COMPETITOR),
    ("switching to Salesforce", COMPETITOR),
    ("We're switching to @Acme next month", COMPETITOR),
    ("Management asked us to start evaluating alternatives", COMPETITOR),
    ("We signed with a competitor last week", COMPETITOR),
    ("We're going with another provider", COMPETITOR),
    ("We're migrating everything to a cheaper email provider", COMPETITOR),
    ("They are getting quotes from other vendors", COMPETITOR),
    ("A competitor offered us 30% less", COMPETITOR),
    ("They're planning to replace your platform", COMPETITOR),
    # downgrade: fewer seats, smaller plan, cutting back
    ("reduce our seats from 50 to 20", DOWNGRADE),
    ("We'd like to downgrade to the basic plan", DOWNGRADE),
    ("We need to cut back our licences", DOWNGRADE),
    ("Can we move to a cheaper tier?", DOWNGRADE),
    ("Next year we only want fewer seats", DOWNGRADE),
    ("Please reduce the number of licenses by 10", DOWNGRADE),
    # refund: money back
    ("I want a refund", REFUND),
    ("We expect our money back for the outage", REFUND),
    ("I will file a chargeback with my bank", REFUND),
    ("Still no refund after three weeks", REFUND),
    ("Can I get a refund?", REFUND),
    # escalation: over the rep's head, legal, formal complaints
    ("I want to speak to your manager", ESCALATION),
    ("Please escalate this", ESCALATION),
    ("Our lawyers will be in touch", ESCALATION),
    ("We are filing a formal complaint", ESCALATION),
    ("I'm emailing your CEO about this", ESCALATION),
]


@pytest.mark.parametrize(("text", "kind"), STATED_INTENTS)
def test_a_stated_intent_is_found_with_the_words_that_triggered_it(text: str, kind: IntentKind) -> None:
    found = {intent.kind: intent for intent in detect_intents(text)}
    assert kind in found, detect_intents(text)
    assert found[kind].phrase
    assert found[kind].phrase in text
    assert found[kind].phrase == found[kind].phrase.strip()


@pytest.mark.parametrize(
    "text",
    [
        "we are not planning to leave",
        "no plans to cancel",
        "We did not cancel our subscription",
        "we won't be switching",
        "not considering alternatives",
        "We are not evaluating other vendors",
        "we have no intention of churning",
        "we decided to stay",
        "renewal is not at risk",
        "happy to renew",
        "we'll renew",
        "We will renew for another three years!",
        "No problem, we'll renew",
        "did not cancel",
        "never thought about leaving",
        "We won't cancel, but please fix the export",
        "Whether or not we renew depends on the roadmap",
        "I clearly bought this plan and refuse to downgrade",
        "We'd rather not reduce our seats",
    ],
)
def test_a_negated_intent_to_leave_is_no_intent(text: str) -> None:
    assert leaving_intent(text) is None, detect_intents(text)


def test_not_renewing_is_itself_the_churn_cue() -> None:
    assert detect_intents("We have decided not to renew") == (Intent(CHURN, "not to renew"),)
    assert detect_intents("We have decided to renew") == ()


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ('CFO said "we won\'t renew unless pricing changes"', "won't renew"),
        ("Their CFO: “we won’t renew unless pricing changes”", "won’t renew"),
        ("Champion told me 'we are leaving, the board decided'", "we are leaving"),
    ],
)
def test_quoted_speech_counts_as_their_intent(text: str, phrase: str) -> None:
    assert leaving_intent(text) == Intent(CHURN, phrase)


@pytest.mark.parametrize(
    "text",
    [
        "Are you planning to cancel?",
        "Are you planning to cancel",
        "Asked whether they plan to cancel — they said no",
        "We asked if they would consider leaving. They laughed.",
        "I checked whether the customer is going to cancel.",
        "Asked about their plans to cancel: none for now",
        "Is there any chance they will move to another vendor?",
        "Do you plan to renew, or are you evaluating alternatives?",
        "The pilot doesn't know when we'll leave.",
    ],
)
def test_a_question_about_intent_is_not_a_statement_of_it(text: str) -> None:
    assert leaving_intent(text) is None, detect_intents(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("How do I cancel my account?", CANCEL),
        ("Could you please cancel our subscription?", CANCEL),
        ("Is it possible to downgrade to the starter plan?", DOWNGRADE),
        ("Can I speak to a manager?", ESCALATION),
    ],
)
def test_a_question_that_asks_for_the_action_is_a_request(text: str, kind: IntentKind) -> None:
    assert kind in {intent.kind for intent in detect_intents(text)}


def test_a_threat_inside_praise_is_still_a_cancellation() -> None:
    text = "We love the product but we will cancel if support doesn't improve"
    assert leaving_intent(text) == Intent(CANCEL, "we will cancel")


@pytest.mark.parametrize(
    "text",
    [
        "They almost cancelled last month, now renewed for two years",
        "They were going to cancel, but then they renewed for two years",
        "We were going to cancel, but decided to stay",
        "They told us they won't renew. Update: they changed their minds after the QBR.",
        "They nearly cancelled the contract in May; since then they've renewed",
    ],
)
def test_an_intent_resolved_later_in_the_message_is_no_intent(text: str) -> None:
    assert leaving_intent(text) is None, detect_intents(text)


def test_an_intent_stated_after_a_past_renewal_still_counts() -> None:
    assert leaving_intent("They renewed last year but now want to cancel.") == Intent(CANCEL, "want to cancel")


@pytest.mark.parametrize(
    "text",
    [
        "The kickoff meeting was cancelled",
        "We escalated the bug to engineering",
        "Our legal team is reviewing the renewal",
        "I'd like to talk to the account manager",
        "I was downgraded to the old version by your migration",
        "We're moving to another team internally",
        "We renewed last week, thanks!",
    ],
)
def test_ordinary_words_that_sound_like_intents_are_not_intents(text: str) -> None:
    assert detect_intents(text) == ()


def test_the_most_decisive_intent_comes_first() -> None:
    text = "We have decided not to renew our contract and will move to another vendor next quarter"
    assert detect_intents(text) == (
        Intent(CHURN, "not to renew"),
        Intent(COMPETITOR, "move to another vendor"),
    )
    assert leaving_intent(text) == Intent(CHURN, "not to renew")


def test_every_kind_is_ordered_churn_cancel_competitor_downgrade_refund_escalation() -> None:
    text = (
        "I want to speak to your manager. I want a refund. We need to reduce our seats. "
        "We are evaluating alternatives. Please cancel our subscription. We won't renew."
    )
    assert [intent.kind for intent in detect_intents(text)] == [
        CHURN,
        CANCEL,
        COMPETITOR,
        DOWNGRADE,
        REFUND,
        ESCALATION,
    ]


def test_each_kind_is_reported_once_with_its_earliest_phrase() -> None:
    intents = detect_intents("Please cancel our subscription. We want to cancel. Terminate the contract.")
    assert intents == (Intent(CANCEL, "cancel our subscription"),)
    assert detect_intents("We want to cancel. Please cancel our subscription.") == (Intent(CANCEL, "want to cancel"),)


def test_refunds_and_escalations_are_not_leaving() -> None:
    assert {CHURN, CANCEL, DOWNGRADE, COMPETITOR} == LEAVING
    text = "I want a refund and I want to speak to your manager"
    assert [intent.kind for intent in detect_intents(text)] == [REFUND, ESCALATION]
    assert leaving_intent(text) is None


def test_describe_names_the_reading_and_quotes_the_evidence() -> None:
    assert Intent(CHURN, "not to renew").describe() == "read as churn intent: “not to renew”"
    labels = {kind: Intent(kind, "x").label for kind in IntentKind}
    assert labels == {
        CHURN: "churn intent",
        CANCEL: "cancellation",
        DOWNGRADE: "downgrade",
        COMPETITOR: "move to a competitor",
        REFUND: "refund request",
        ESCALATION: "escalation",
    }


@pytest.mark.parametrize(("text", "phrase"), [("We won’t renew", "won’t renew"), ("we wont renew", "wont renew")])
def test_curly_and_missing_apostrophes_read_like_straight_ones(text: str, phrase: str) -> None:
    assert leaving_intent(text) == Intent(CHURN, phrase)


def test_case_does_not_matter() -> None:
    assert leaving_intent("WE WILL CANCEL OUR SUBSCRIPTION") == Intent(CANCEL, "CANCEL OUR SUBSCRIPTION")


def test_slack_escaped_text_is_read_unescaped_and_the_phrase_is_quoted_as_written() -> None:
    text = "Support &amp; billing &lt;both&gt; are a mess &amp; we will cancel &gt;:("
    assert detect_intents(text) == (Intent(CANCEL, "we will cancel"),)


def test_a_phrase_spanning_an_escape_is_quoted_with_the_escape() -> None:
    text = "R&amp;D said they're done with you"
    assert leaving_intent(text) == Intent(CHURN, "done with you")
    assert detect_intents("No &amp; we won't renew") == (Intent(CHURN, "won't renew"),)


def test_only_the_first_scanned_characters_count() -> None:
    padding = "All good here. " * (MAX_SCANNED_CHARS // 15 + 1)
    assert leaving_intent("We won't renew. " + padding) == Intent(CHURN, "won't renew")
    assert leaving_intent(padding + "We won't renew.") is None


ADVERSARIAL = [
    "not " * 1250,
    "we will not be going to be planning to " * 130,
    "no plans to cancel our subscription " * 140,
    "cancel our " * 500,
    "reduce our the of to from by " * 200,
    "Are you planning to cancel? " * 200,
    "asked whether they plan to cancel " * 150,
    "switch to Switch to " * 300,
    "won't " * 900,
    "&amp;" * 1000,
    "a" * 5000,
    " " * 5000,
    "we won’t renew &amp; will cancel our plan, switching to Acme; refund! manager? " * 80,
    "we love it but " * 2000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_text_is_read_in_under_50_ms(text: str) -> None:
    assert len(text) >= MAX_SCANNED_CHARS
    best = min(_seconds(text) for _ in range(3))  # best of three: the cost of the code, not of a busy machine
    assert best < 0.050


def _seconds(text: str) -> float:
    started = time.perf_counter()
    detect_intents(text)
    return time.perf_counter() - started
