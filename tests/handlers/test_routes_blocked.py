"""/lifecycle routes tells what each parked message waits for, in words a person can act on."""

from __future__ import annotations

import pytest

from handlers.blocks.routes import blocked_cause, routes_overview
from lifecycle.states import OutboxKind, OutboxStatus
from storage.models import OutboxMessage, Workspace
from tests.handlers.block_checks import assert_safe_message


def parked(cause: str, number: int = 7) -> OutboxMessage:
    return OutboxMessage(
        id=number, workspace_id="T0ACME", kind=OutboxKind.HANDOFF_ALERT, status=OutboxStatus.BLOCKED, last_error=cause
    )


@pytest.mark.parametrize(
    ("cause", "says"),
    [
        ("is_archived in C0ONBOARD", "<#C0ONBOARD> is archived: unarchive it, or route the team to another channel"),
        ("channel_not_found in C0ONBOARD", "<#C0ONBOARD> no longer exists, or I can't see it"),
        ("not_in_channel in G0SECRET", "I'm not in <#G0SECRET> and can't join it: invite me"),
        ("invalid_auth", "Slack refused my token (`invalid_auth`): reinstall the app"),
        ("token_revoked", "Slack refused my token (`token_revoked`): reinstall the app"),
        ("missing_scope", "my token lacks a permission: reinstall the app"),
    ],
)
def test_each_cause_names_its_fix(cause, says):
    assert says in blocked_cause(cause)


def test_a_cause_that_is_not_a_channel_id_is_escaped_not_linked():
    assert blocked_cause("is_archived in <!channel>") == (
        "&lt;!channel&gt; is archived: unarchive it, or route the team to another channel (`is_archived`)"
    )


def test_the_overview_lists_parked_messages_after_the_failed_ones_within_block_kit_limits():
    workspace = Workspace(
        id="T0ACME",
        timezone="UTC",
        sla_hours=4.0,
        business_opens="09:00",
        business_closes="17:00",
        business_days="mon-fri",
    )
    reply = routes_overview({}, workspace, [], [parked("is_archived in C0ONBOARD"), parked("invalid_auth", 8)])
    text = "\n".join(str(block) for block in reply.blocks)
    assert "Messages waiting for a fix" in text and "handoff.alert #7" in text and "handoff.alert #8" in text
    assert_safe_message(reply)
