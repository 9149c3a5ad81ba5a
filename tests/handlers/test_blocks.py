"""Block Kit builders: Slack's limits (DESIGN.md §4), escaping of user text, help, 'did you mean'.

Models are built in memory; nothing here touches a database or Slack.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handlers.blocks.common import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BLOCKS_PER_VIEW,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    Block,
    Reply,
    button,
    header,
    mention,
    section,
    truncate,
)
from handlers.blocks.customers import (
    customer_created,
    customer_list,
    feedback_recorded,
    list_title,
    profile,
    stage_moved,
    touchpoint_logged,
)
from handlers.blocks.errors import customer_choice_reply, error_reply, unexpected_error_reply
from handlers.blocks.help import USAGE, help_reply, usage_text
from handlers.blocks.modals import done_view, feedback_modal, stage_modal, touch_modal
from handlers.blocks.routes import route_set, routes_overview
from handlers.ids import ActionId, Command
from lifecycle.activity import LoggedTouchpoint, RecordedFeedback, StageMove
from lifecycle.customers import CustomerList, CustomerRow, Profile
from lifecycle.errors import (
    AmbiguousCustomer,
    CustomerChoice,
    CustomerNotFound,
    InvalidInput,
    InvalidTransition,
    UnknownStage,
)
from lifecycle.handoffs import HandoffOutcome, HandoffResult
from lifecycle.names import MAX_NAME_LENGTH
from lifecycle.sentiment import score_text
from lifecycle.stages import Stage, Team, stage_names
from lifecycle.states import OutboxKind
from lifecycle.text import MAX_NOTE_LENGTH, bound_text
from lifecycle.touchpoints import TouchpointKind, kind_names
from storage.models import (
    Customer,
    Feedback,
    FeedbackSource,
    OutboxMessage,
    StageChange,
    TeamRoute,
    Touchpoint,
    Workspace,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RITA = "U0RITA"
BOB = "U0BOB"
# A valid name of the maximum length, full of characters that grow when escaped.
LONG_NAME = ("AT&T & Wayne & Sons & Stark & Co " * 3)[:MAX_NAME_LENGTH]
HOSTILE = "<!channel> wake up <!here> <!everyone> & <https://evil.example|your invoice>"
# A 4,000-character note that expands when escaped and has many lines to quote.
LONG_NOTE = ((HOSTILE + "\n") * 60)[:MAX_NOTE_LENGTH]
SPECIAL_MENTIONS = ("<!channel>", "<!here>", "<!everyone>")
MAX_VIEW_TITLE = 24
MAX_PLACEHOLDER = 150
MAX_OPTION_TEXT = 75
MAX_INPUT_LENGTH = 3000
MAX_PRIVATE_METADATA = 3000


# --- checking blocks -----------------------------------------------------------------------


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child)


def rendered_texts(blocks: list[Block]) -> list[str]:
    """Every text object's text, mrkdwn or plain."""
    return [
        node["text"]
        for node in _walk(blocks)
        if node.get("type") in {"mrkdwn", "plain_text"} and isinstance(node.get("text"), str)
    ]


def assert_within_limits(blocks: list[Block], *, max_blocks: int = MAX_BLOCKS_PER_MESSAGE) -> None:
    """Slack's Block Kit limits for every block and element, as DESIGN.md §4 lists them."""
    assert 0 < len(blocks) <= max_blocks
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= MAX_SECTION_TEXT
            for field in block.get("fields", []):
                assert 0 < len(field["text"]) <= 2000
            assert len(block.get("fields", [])) <= 10
        elif kind == "header":
            assert 0 < len(block["text"]["text"]) <= MAX_HEADER_TEXT
            assert block["text"]["type"] == "plain_text"
        elif kind == "context":
            assert 0 < len(block["elements"]) <= 10
        elif kind == "actions":
            assert 0 < len(block["elements"]) <= 25
            action_ids = [element["action_id"] for element in block["elements"]]
            assert len(set(action_ids)) == len(action_ids)
        assert len(block.get("block_id", "")) <= 255
    for node in _walk(blocks):
        if node.get("type") == "button":
            assert 0 < len(node["text"]["text"]) <= MAX_BUTTON_TEXT
            assert len(node["value"]) <= MAX_BUTTON_VALUE
            assert len(node["action_id"]) <= 255


def assert_no_special_mentions(blocks: list[Block]) -> None:
    for text in rendered_texts(blocks):
        for special in SPECIAL_MENTIONS:
            assert special not in text
        assert "<https://evil.example" not in text


def assert_safe_message(reply: Reply) -> None:
    assert_within_limits(reply.blocks)
    assert_no_special_mentions(reply.blocks)
    assert reply.text


# --- memorable test data, built in memory --------------------------------------------------


def make_customer(name: str = "Wayne Enterprises", stage: Stage = Stage.REACH, **overrides: Any) -> Customer:
    values: dict[str, Any] = dict(
        id=1,
        workspace_id="T0GOTHAM",
        name=name,
        name_key=name.casefold(),
        stage=stage,
        stage_entered_at=NOW - timedelta(days=3),
        owner_user_id=RITA,
        created_by=RITA,
        created_at=NOW - timedelta(days=40),
        updated_at=NOW,
    )
    values.update(overrides)
    return Customer(**values)


def make_touchpoint(
    id: int = 1,
    note: str = "Discussed the renewal",
    *,
    hours_ago: float = 1,
    kind: TouchpointKind = TouchpointKind.CALL,
) -> Touchpoint:
    return Touchpoint(
        id=id,
        workspace_id="T0GOTHAM",
        customer_id=1,
        kind=kind,
        note=note,
        author_user_id=BOB,
        occurred_at=NOW - timedelta(hours=hours_ago),
        created_at=NOW,
    )


def make_change(
    id: int = 1,
    from_stage: Stage | None = Stage.REACH,
    to_stage: Stage = Stage.ACQUISITION,
    reason: str | None = None,
    *,
    hours_ago: float = 2,
) -> StageChange:
    return StageChange(
        id=id,
        workspace_id="T0GOTHAM",
        customer_id=1,
        from_stage=from_stage,
        to_stage=to_stage,
        actor_user_id=RITA,
        reason=reason,
        changed_at=NOW - timedelta(hours=hours_ago),
    )


def make_feedback(id: int = 1, text: str = "Lovely onboarding", *, hours_ago: float = 3) -> Feedback:
    sentiment = score_text(text)
    return Feedback(
        id=id,
        workspace_id="T0GOTHAM",
        customer_id=1,
        text=text,
        author_user_id=BOB,
        source=FeedbackSource.COMMAND,
        compound=sentiment.compound,
        pos=sentiment.pos,
        neu=sentiment.neu,
        neg=sentiment.neg,
        label=sentiment.label,
        created_at=NOW - timedelta(hours=hours_ago),
    )


def make_move(
    from_stage: Stage,
    to_stage: Stage,
    reason: str | None = None,
    *,
    name: str = "Wayne Enterprises",
    from_team: Team = Team.SALES,
    to_team: Team = Team.SALES,
    backward: bool = False,
    handoff: HandoffOutcome | None = None,
) -> StageMove:
    return StageMove(
        customer=make_customer(name, stage=to_stage),
        change=make_change(1, from_stage, to_stage, reason),
        from_stage=from_stage,
        to_stage=to_stage,
        from_team=from_team,
        to_team=to_team,
        backward=backward,
        handoff=handoff or HandoffOutcome(HandoffResult.NONE),
    )


def make_profile(
    customer: Customer,
    *,
    touchpoints: Sequence[Touchpoint] = (),
    changes: Sequence[StageChange] = (),
    feedback: Sequence[Feedback] = (),
) -> Profile:
    return Profile(
        customer=customer,
        team=Team.SALES,
        touchpoints=list(touchpoints),
        stage_changes=list(changes),
        feedback=list(feedback),
        feedback_count=len(feedback),
        mean_sentiment=(sum(f.compound for f in feedback) / len(feedback)) if feedback else None,
    )


# --- the pieces ----------------------------------------------------------------------------


def test_truncate_keeps_short_text_and_marks_a_cut() -> None:
    assert truncate("Hooli", 5) == "Hooli"
    assert truncate("Hooli XYZ", 6) == "Hooli…"
    assert len(truncate("x" * 5000, MAX_SECTION_TEXT)) == MAX_SECTION_TEXT


def test_section_and_header_are_cut_to_slacks_limits() -> None:
    assert len(section("s" * 10_000)["text"]["text"]) == MAX_SECTION_TEXT
    assert len(header("h" * 1_000)["text"]["text"]) == MAX_HEADER_TEXT


def test_a_button_label_is_cut_but_an_oversized_value_is_refused() -> None:
    assert len(button("b" * 200, action_id="x", value="1")["text"]["text"]) == MAX_BUTTON_TEXT
    button("ok", action_id="x", value="v" * MAX_BUTTON_VALUE)
    with pytest.raises(ValueError):
        button("too much", action_id="x", value="v" * (MAX_BUTTON_VALUE + 1))


def test_mention_renders_only_well_formed_user_ids() -> None:
    assert mention(RITA) == "<@U0RITA>"
    assert mention("<!channel>") == "&lt;!channel&gt;"


def test_a_reply_never_hands_slack_more_than_fifty_blocks() -> None:
    reply = Reply(text="t" * 5000, blocks=[section(f"line {i}") for i in range(80)])
    kwargs = reply.as_kwargs()
    assert len(kwargs["blocks"]) == MAX_BLOCKS_PER_MESSAGE
    assert len(kwargs["text"]) <= 3000


# --- customer replies ----------------------------------------------------------------------


def test_customer_created_names_the_stage_and_owner() -> None:
    reply = customer_created(make_customer("Wayne Enterprises", Stage.ACQUISITION))
    assert_safe_message(reply)
    text = reply.blocks[0]["text"]["text"]
    assert "*Wayne Enterprises*" in text and "*Acquisition*" in text and "<@U0RITA>" in text


def test_customer_created_with_an_eighty_character_name_escapes_it() -> None:
    reply = customer_created(make_customer(LONG_NAME))
    assert_safe_message(reply)
    assert "AT&amp;T" in reply.blocks[0]["text"]["text"]
    assert "AT&T" not in " ".join(rendered_texts(reply.blocks))


def test_touchpoint_logged_with_a_4000_character_note_stays_within_limits() -> None:
    bounded = bound_text(LONG_NOTE + " and then some" * 100, MAX_NOTE_LENGTH)
    reply = touchpoint_logged(
        LoggedTouchpoint(
            customer=make_customer(LONG_NAME),
            touchpoint=make_touchpoint(note=bounded.text),
            note=bounded,
        )
    )
    assert_safe_message(reply)
    assert "&lt;!channel&gt;" in reply.blocks[1]["text"]["text"]
    assert "kept the first 4,000" in rendered_texts(reply.blocks)[-1]


def test_a_multi_line_note_stays_inside_the_quote() -> None:
    note = "First line\nSecond line\nThird line"
    reply = touchpoint_logged(
        LoggedTouchpoint(
            customer=make_customer(),
            touchpoint=make_touchpoint(note=note),
            note=bound_text(note, MAX_NOTE_LENGTH),
        )
    )
    assert reply.blocks[1]["text"]["text"] == "> First line\n> Second line\n> Third line"
    assert len(reply.blocks) == 2  # nothing was cut, so no truncation notice


def test_touchpoint_logged_without_a_note_is_one_line() -> None:
    reply = touchpoint_logged(
        LoggedTouchpoint(
            customer=make_customer(),
            touchpoint=make_touchpoint(note="", kind=TouchpointKind.DEMO),
            note=bound_text("", MAX_NOTE_LENGTH),
        )
    )
    assert_safe_message(reply)
    assert len(reply.blocks) == 1
    assert "*demo*" in reply.blocks[0]["text"]["text"]


def test_stage_moved_escapes_the_reason_and_flags_a_backward_move() -> None:
    move = make_move(
        Stage.RETENTION,
        Stage.ACQUISITION,
        reason=HOSTILE,
        name=LONG_NAME,
        from_team=Team.SUCCESS,
        to_team=Team.SALES,
        backward=True,
        handoff=HandoffOutcome(HandoffResult.ALERTED, Team.SALES, "C0SALES"),
    )
    reply = stage_moved(move)
    assert_safe_message(reply)
    notes = " ".join(rendered_texts(reply.blocks[1:]))
    assert "backward" in notes
    assert "Handoff to Sales: I'm alerting <#C0SALES>" in notes


def test_a_handoff_to_a_team_without_a_channel_says_how_to_route_one() -> None:
    move = make_move(
        Stage.ACQUISITION,
        Stage.CONVERSION,
        from_team=Team.SALES,
        to_team=Team.SERVICES,
        handoff=HandoffOutcome(HandoffResult.NO_ROUTE, Team.SERVICES),
    )
    notes = " ".join(rendered_texts(stage_moved(move).blocks))
    assert "Services has no alert channel yet" in notes and "/lifecycle route services #channel" in notes


def test_a_forward_move_within_one_team_carries_no_notes() -> None:
    reply = stage_moved(make_move(Stage.REACH, Stage.ACQUISITION))
    assert_safe_message(reply)
    assert len(reply.blocks) == 1
    assert "*Reach* → *Acquisition*" in reply.blocks[0]["text"]["text"]


def test_feedback_recorded_with_4000_hostile_characters_stays_within_limits() -> None:
    bounded = bound_text(LONG_NOTE, MAX_NOTE_LENGTH)
    sentiment = score_text(bounded.text)
    reply = feedback_recorded(
        RecordedFeedback(
            customer=make_customer(LONG_NAME),
            feedback=make_feedback(text=bounded.text),
            sentiment=sentiment,
            text=bounded,
        )
    )
    assert_safe_message(reply)
    assert sentiment.label in reply.blocks[0]["text"]["text"]


def test_profile_of_a_busy_customer_stays_within_limits_and_escapes_everything() -> None:
    customer = make_customer(LONG_NAME, Stage.RETENTION)
    view = make_profile(
        customer,
        touchpoints=[make_touchpoint(i, LONG_NOTE, hours_ago=i) for i in range(1, 9)],
        changes=[make_change(i, Stage.CONVERSION, Stage.RETENTION, LONG_NOTE, hours_ago=i + 0.5) for i in range(1, 9)],
        feedback=[make_feedback(i, LONG_NOTE, hours_ago=i + 0.25) for i in range(1, 9)],
    )
    reply = profile(view, now=NOW)
    assert_safe_message(reply)
    assert reply.blocks[0] == header(LONG_NAME)


def test_profile_timeline_is_newest_first_and_at_most_eight_entries() -> None:
    view = make_profile(
        make_customer(),
        touchpoints=[make_touchpoint(i, f"touch number {i}", hours_ago=i * 2) for i in range(1, 7)],
        changes=[make_change(1, None, Stage.REACH, "created", hours_ago=100)],
        feedback=[make_feedback(i, f"feedback number {i}", hours_ago=i * 2 + 1) for i in range(1, 7)],
    )
    timeline = next(
        text for text in rendered_texts(profile(view, now=NOW).blocks) if text.startswith("*Recent activity*")
    )
    entries = timeline.splitlines()[1:]
    assert len(entries) == 8
    assert "touch number 1" in entries[0]
    assert "feedback number 1" in entries[1]
    assert "created in Reach" not in timeline


def test_profile_of_a_quiet_customer_says_nothing_is_logged() -> None:
    reply = profile(make_profile(make_customer()), now=NOW)
    assert_safe_message(reply)
    texts = " ".join(rendered_texts(reply.blocks))
    assert "Nothing logged yet" in texts and "No feedback yet" in texts


def test_customer_list_of_long_escaped_names_splits_into_sections_and_counts_the_rest() -> None:
    rows = [
        CustomerRow(customer=make_customer(LONG_NAME[:-2] + f"{i:02d}", id=i), last_touch_at=NOW) for i in range(20)
    ]
    reply = customer_list(CustomerList(rows=rows, total=137), title="All customers", now=NOW)
    assert_safe_message(reply)
    body = [block for block in reply.blocks if block["type"] == "section"]
    assert len(body) > 1
    assert sum(block["text"]["text"].count("• ") for block in body) == 20
    assert reply.blocks[0]["text"]["text"] == "All customers (137)"
    assert "…and 117 more" in rendered_texts(reply.blocks)[-1]


def test_an_empty_customer_list_says_how_to_add_one() -> None:
    reply = customer_list(CustomerList(rows=[], total=0), title=list_title(Stage.LOYALTY, False), now=NOW)
    assert_safe_message(reply)
    assert "Customers in Loyalty" in reply.blocks[0]["text"]["text"]
    assert "/customer add" in reply.blocks[0]["text"]["text"]


def test_list_titles() -> None:
    assert list_title(None, True) == "Your customers"
    assert list_title(None, False) == "All customers"
    assert list_title(Stage.CHURNED, False) == "Customers in Churned"


# --- errors and 'did you mean' -------------------------------------------------------------


def test_error_reply_escapes_what_the_user_typed_and_shows_the_syntax_for_bad_input() -> None:
    reply = error_reply(UnknownStage("“<!channel>” is not a stage.", hint="Stages: reach…"), command="/stage")
    assert_safe_message(reply)
    assert any("*Usage*" in text and "/stage" in text for text in rendered_texts(reply.blocks))


def test_error_reply_for_a_refused_move_shows_no_syntax() -> None:
    refused = InvalidTransition("Moving back from retention to reach needs a reason.")
    reply = error_reply(refused, command="/stage")
    assert_safe_message(reply)
    assert not any("*Usage*" in text for text in rendered_texts(reply.blocks))


def test_the_apology_is_a_valid_message() -> None:
    assert_safe_message(unexpected_error_reply())


def _buttons(reply: Reply) -> list[Block]:
    return [element for block in reply.blocks if block["type"] == "actions" for element in block["elements"]]


def test_an_ambiguous_name_offers_a_pick_button_per_candidate_and_a_create_button() -> None:
    error = AmbiguousCustomer(
        "acme", [CustomerChoice(11, "Acme Corp", "reach"), CustomerChoice(12, "Acme Labs", "loyalty")]
    )
    reply = customer_choice_reply(error, pending_id=99, create_name="acme")
    assert_safe_message(reply)
    picks, create = _buttons(reply)[:-1], _buttons(reply)[-1]
    assert [pick["action_id"] for pick in picks] == ["pick_customer:11", "pick_customer:12"]
    assert [json.loads(pick["value"]) for pick in picks] == [{"p": 99, "c": 11}, {"p": 99, "c": 12}]
    assert picks[0]["text"]["text"] == "Acme Corp (Reach)"
    assert picks[1]["text"]["text"] == "Acme Labs (Loyalty)"
    assert create["action_id"] == ActionId.CREATE_CUSTOMER
    assert json.loads(create["value"]) == {"p": 99, "n": "acme"}
    assert create.get("style") == "primary"
    assert "Which one did you mean?" in reply.blocks[0]["text"]["text"]


def test_an_unknown_name_with_suggestions_asks_did_you_mean() -> None:
    error = CustomerNotFound("wayne enterprize", [CustomerChoice(7, "Wayne Enterprises", "conversion")])
    reply = customer_choice_reply(error, pending_id=3, create_name="wayne enterprize")
    assert_safe_message(reply)
    assert "Did you mean one of these?" in reply.blocks[0]["text"]["text"]
    assert [button_["action_id"] for button_ in _buttons(reply)] == [
        f"{ActionId.PICK_CUSTOMER}:7",
        ActionId.CREATE_CUSTOMER,
    ]


def test_five_long_candidates_and_a_long_create_name_stay_within_button_limits() -> None:
    candidates = [CustomerChoice(i, LONG_NAME[:-1] + str(i), "retention") for i in range(1, 6)]
    error = AmbiguousCustomer("at&t", candidates)
    reply = customer_choice_reply(error, pending_id=2**40, create_name=LONG_NAME)
    assert_safe_message(reply)
    assert len(_buttons(reply)) == 6
    assert json.loads(_buttons(reply)[-1]["value"])["n"] == LONG_NAME


def test_an_unknown_single_word_with_no_suggestions_offers_only_create_and_a_quotes_tip() -> None:
    reply = customer_choice_reply(CustomerNotFound("initech"), pending_id=1, create_name="initech")
    assert_safe_message(reply)
    assert [button_["action_id"] for button_ in _buttons(reply)] == [ActionId.CREATE_CUSTOMER]
    assert "quotes" in rendered_texts(reply.blocks)[-1]


def test_a_name_that_cannot_be_stored_gets_no_create_button() -> None:
    reply = customer_choice_reply(CustomerNotFound("<!channel>"), pending_id=1, create_name=None)
    assert_safe_message(reply)
    assert _buttons(reply) == []
    assert "&lt;!channel&gt;" in reply.blocks[0]["text"]["text"]


# --- help ----------------------------------------------------------------------------------


def test_usage_exists_for_every_slash_command() -> None:
    assert set(USAGE) == {command.value for command in Command}


@pytest.mark.parametrize("command", [command.value for command in Command])
def test_usage_text_shows_the_syntax_and_an_example_of_the_command(command: str) -> None:
    text = usage_text(command)
    assert "*Usage*" in text and "*Example*" in text
    syntax, example = text.split("*Example*")
    assert command in syntax and command in example


@pytest.mark.parametrize("command", [command.value for command in Command])
def test_help_for_one_command_is_its_usage(command: str) -> None:
    reply = help_reply(command)
    assert_safe_message(reply)
    assert reply.blocks == [section(usage_text(command))]


@pytest.mark.parametrize(
    "fragment",
    [
        "/customer add",
        '/customer "',
        "/customer list",
        "mine",
        "/touch",
        "/stage",
        "/feedback",
        "/lifecycle route ",
        "/lifecycle routes",
        "cs",
    ],
)
def test_the_full_help_covers_every_command(fragment: str) -> None:
    reply = help_reply()
    assert_safe_message(reply)
    assert fragment in " ".join(rendered_texts(reply.blocks))


def test_the_full_help_names_every_stage_and_kind() -> None:
    text = " ".join(rendered_texts(help_reply().blocks))
    assert stage_names() in text and kind_names() in text


def test_help_for_an_unknown_command_is_the_full_guide() -> None:
    assert help_reply("/teleport") == help_reply(None)


# --- routes --------------------------------------------------------------------------------


def _route(team: Team, channel: str) -> TeamRoute:
    return TeamRoute(workspace_id="T0GOTHAM", team=team, channel_id=channel, updated_by=RITA, updated_at=NOW)


WORKSPACE = Workspace(
    id="T0ACME",
    timezone="Europe/Berlin",
    sla_hours=4.0,
    business_opens="09:00",
    business_closes="17:00",
    business_days="mon-fri",
)


def test_route_set_links_the_channel_and_adds_the_note() -> None:
    reply = route_set(_route(Team.SUCCESS, "C0CS"), note="Invite me with `/invite @lifecycle-bot`.")
    assert_safe_message(reply)
    assert "Customer success alerts now go to <#C0CS>" in reply.blocks[0]["text"]["text"]
    assert len(reply.blocks) == 2


def test_routes_overview_lists_every_team_and_nudges_when_some_are_missing() -> None:
    reply = routes_overview({Team.SALES: _route(Team.SALES, "C0SALES")}, WORKSPACE, [])
    assert_safe_message(reply)
    body = reply.blocks[1]["text"]["text"]
    assert "*Sales*: <#C0SALES>" in body
    assert body.count("_not routed_") == 3
    assert "/lifecycle route" in rendered_texts(reply.blocks)[-2]


def test_routes_overview_with_every_team_routed_has_no_nudge() -> None:
    reply = routes_overview({team: _route(team, f"C0{team.value.upper()}") for team in Team}, WORKSPACE, [])
    assert_safe_message(reply)
    assert [block["type"] for block in reply.blocks] == ["header", "section", "section"]
    assert "within *4 business hours* (mon-fri, 09:00–17:00, Europe/Berlin)" in reply.blocks[2]["text"]["text"]


def test_routes_overview_shows_deliveries_we_gave_up_on() -> None:
    failed = OutboxMessage(id=7, kind=OutboxKind.HANDOFF_ALERT, last_error="not_in_channel <!channel>")
    reply = routes_overview({}, WORKSPACE, [failed])
    assert_safe_message(reply)
    assert "Messages I could not deliver" in reply.blocks[-1]["text"]["text"]
    assert "handoff.alert #7: not_in_channel" in reply.blocks[-1]["text"]["text"]


# --- modals --------------------------------------------------------------------------------

METADATA = json.dumps({"channel_id": "C0SALES"})
MODALS = {
    "touch": lambda: touch_modal(metadata=METADATA),
    "stage": lambda: stage_modal(metadata=METADATA),
    "feedback": lambda: feedback_modal(initial_text=LONG_NOTE * 2, metadata=METADATA),
}


def _inputs(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in _walk(view["blocks"]) if node.get("type") == "plain_text_input"]


@pytest.mark.parametrize("name", MODALS)
def test_modals_respect_view_limits(name: str) -> None:
    view = MODALS[name]()
    assert_within_limits(view["blocks"], max_blocks=MAX_BLOCKS_PER_VIEW)
    for key in ("title", "submit", "close"):
        assert len(view[key]["text"]) <= MAX_VIEW_TITLE
    assert len(view["private_metadata"]) <= MAX_PRIVATE_METADATA
    for node in _walk(view["blocks"]):
        if "placeholder" in node:
            assert len(node["placeholder"]["text"]) <= MAX_PLACEHOLDER
        for option in node.get("options", []):
            assert len(option["text"]["text"]) <= MAX_OPTION_TEXT


def test_the_touch_modal_offers_every_kind_and_the_stage_modal_every_stage() -> None:
    kinds = next(node for node in _walk(touch_modal()["blocks"]) if "options" in node)["options"]
    stages = next(node for node in _walk(stage_modal()["blocks"]) if "options" in node)["options"]
    assert [option["value"] for option in kinds] == [kind.value for kind in TouchpointKind]
    assert [option["value"] for option in stages] == [stage.value for stage in Stage]


@pytest.mark.parametrize(
    "name",
    ["touch", "stage", "feedback"],
)
def test_text_inputs_ask_for_no_more_than_slack_allows(name: str) -> None:
    for element in _inputs(MODALS[name]()):
        assert 1 <= element.get("max_length", 1) <= MAX_INPUT_LENGTH
        assert len(element.get("initial_value", "")) <= element.get("max_length", MAX_INPUT_LENGTH)


def test_a_feedback_modal_prefilled_from_a_long_message_is_cut_to_the_input_length() -> None:
    view = feedback_modal(initial_text="z" * 9000)
    element = next(node for node in _inputs(view) if "initial_value" in node)
    assert len(element["initial_value"]) == element["max_length"]


def test_done_view_keeps_at_most_a_hundred_blocks_and_a_short_title() -> None:
    reply = Reply(text="many", blocks=[section(f"row {i}") for i in range(130)])
    view = done_view(reply, title="Logged a touchpoint with Wayne Enterprises")
    assert len(view["blocks"]) == MAX_BLOCKS_PER_VIEW
    assert len(view["title"]["text"]) <= MAX_VIEW_TITLE


def test_invalid_input_error_for_each_command_shows_that_commands_usage() -> None:
    for command in Command:
        reply = error_reply(InvalidInput("Something was off."), command=command.value)
        assert reply.blocks[-1] == section(usage_text(command.value))


def test_a_busy_home_stays_within_a_hundred_blocks_and_counts_the_rest() -> None:
    from datetime import UTC, datetime

    from handlers.blocks.home import home_view
    from lifecycle.health import RiskLevel
    from lifecycle.home import HomeSummary, WaitingHandoff
    from lifecycle.risk import RiskEntry, RiskList
    from lifecycle.stages import Stage, Team

    entries = [
        RiskEntry(n, f"Customer {n} " + "x" * 60, Stage.RETENTION, "U0CSM", 30, RiskLevel.AT_RISK, ("r" * 300,), ())
        for n in range(8)
    ]
    when = datetime(2026, 11, 23, tzinfo=UTC)
    waiting = [
        WaitingHandoff(n, f"Handoff {n}", Stage.ACQUISITION, Stage.CONVERSION, Team.SERVICES, "U0REP", when)
        for n in range(8)
    ]
    summary = HomeSummary(
        user_id="U0CSM",
        my_stage_counts={Stage.RETENTION: 5000},
        my_at_risk=RiskList(entries, 4000),
        my_watch=RiskList(entries, 3000, RiskLevel.WATCH),
        waiting=waiting,
        waiting_total=900,
        funnel={stage: 10_000 for stage in Stage},
    )
    view = home_view(summary)
    text = str(view)
    assert len(view["blocks"]) <= 100
    assert "…and 3,992 more" in text or "more: `/customer list at-risk`" in text
    assert "…and 892 more in the team channels." in text
