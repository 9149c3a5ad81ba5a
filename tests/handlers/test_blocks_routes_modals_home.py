"""Block Kit builders for routes, forms and the App Home."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers.blocks.common import (
    MAX_BLOCKS_PER_VIEW,
    Reply,
    section,
)
from handlers.blocks.errors import error_reply
from handlers.blocks.help import usage_text
from handlers.blocks.modals import done_view, feedback_modal, stage_modal, touch_modal
from handlers.blocks.routes import route_set, routes_overview
from handlers.ids import Command
from lifecycle.errors import (
    InvalidInput,
)
from lifecycle.stages import Stage, Team
from lifecycle.states import OutboxKind
from lifecycle.touchpoints import TouchpointKind
from storage.models import (
    OutboxMessage,
    TeamRoute,
    Workspace,
)
from tests.handlers.block_checks import (
    LONG_NOTE,
    MAX_INPUT_LENGTH,
    MAX_OPTION_TEXT,
    MAX_PLACEHOLDER,
    MAX_PRIVATE_METADATA,
    MAX_VIEW_TITLE,
    NOW,
    RITA,
    _walk,
    assert_safe_message,
    assert_within_limits,
    rendered_texts,
)

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
        teams=[],
    )
    view = home_view(summary)
    text = str(view)
    assert len(view["blocks"]) <= 100
    assert "…and 3,992 more" in text or "more: `/customer list at-risk`" in text
    assert "…and 892 more in the team channels." in text
