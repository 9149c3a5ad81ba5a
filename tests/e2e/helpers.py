"""Helpers for end-to-end tests: run a command like a user and read the reply like a user."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select

from lifecycle.routing import set_route
from lifecycle.stages import Team
from lifecycle.states import OutboxStatus
from storage.models import OutboxMessage
from tests.conftest import RunningBot


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """All visible text of some blocks, one block per line."""
    lines: list[str] = []
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            lines.append(block["text"]["text"])
        for field in block.get("fields", []):
            lines.append(field["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), dict):
                lines.append(element["text"]["text"])
            elif isinstance(element.get("text"), str):
                lines.append(element["text"])
    return "\n".join(lines)


def run(
    bot: RunningBot, command: str, text: str = "", *, user_id: str = "U0REP", timeout: float = 3.0
) -> dict[str, Any]:
    """Send a slash command, check the HTTP ack, and return the reply posted to response_url."""
    sent = bot.slack.command(command, text, user_id=user_id)
    assert sent.response.status_code == 200, sent.response.text
    posts = bot.standin.wait_for_response_posts(count=1, url=sent.response_url, timeout=timeout)
    return posts[0].body


def reply_text(body: dict[str, Any]) -> str:
    """What a person sees in a reply: the blocks' text (or the fallback when there are no blocks)."""
    return blocks_text(body.get("blocks") or []) or body.get("text", "")


def buttons(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button in a message."""
    return [
        element
        for block in body.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def click(bot: RunningBot, button: dict[str, Any], *, user_id: str = "U0REP") -> dict[str, Any]:
    """Click a button in an ephemeral reply and return what the bot posts back."""
    sent = bot.slack.block_action(button["action_id"], button["value"], user_id=user_id)
    assert sent.response.status_code == 200, sent.response.text
    return bot.standin.wait_for_response_posts(count=1, url=sent.response_url)[0].body


def value_of(button: dict[str, Any]) -> dict[str, Any]:
    """The decoded JSON value of one of our buttons."""
    return json.loads(button["value"])


def snapshot(bot: RunningBot) -> dict[str, Any]:
    """Every domain row (not the held 'did you mean' commands), to prove bad input changed nothing."""
    from sqlalchemy import select

    from storage.models import AuditEvent, Customer, Feedback, StageChange, TeamRoute, Touchpoint

    with bot.session_factory() as session:
        return {
            model.__tablename__: sorted(
                tuple(str(getattr(row, column.key)) for column in model.__table__.columns)
                for row in session.scalars(select(model))
            )
            for model in (Customer, Touchpoint, StageChange, Feedback, TeamRoute, AuditEvent)
        }


def _outbox_waiting(bot: RunningBot) -> tuple[list[int], list[int]]:
    """Messages a dispatcher holds mid-send, and messages due but not claimed yet.

    One query, so a message claimed between two reads can't slip through as neither.
    """
    with bot.session_factory() as session:
        rows = session.execute(
            select(OutboxMessage.id, OutboxMessage.status).where(
                (OutboxMessage.status == OutboxStatus.SENDING)
                | ((OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= bot.clock()))
            )
        ).all()
    sending = [row.id for row in rows if row.status == OutboxStatus.SENDING]
    return sending, [row.id for row in rows if row.status != OutboxStatus.SENDING]


def deliver_everything_due(bot: RunningBot, *, timeout: float = 10.0) -> None:
    """Finish delivering: afterwards, whatever the bot was going to post (until the clock moves on) has been posted.

    Sends the bot's own dispatcher thread has in flight are waited for first (a test that moved the clock while
    one was in flight has let its lease run out, and taking it over would post it twice); then a full pass runs
    in the test thread, which returns once nothing is due. So a test proves that nothing (more) was posted
    without sleeping and hoping the dispatcher was quick enough.
    """
    deadline = time.monotonic() + timeout
    while True:
        sending, due = _outbox_waiting(bot)
        if not sending and not due:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"outbox messages still waiting after {timeout} s: sending {sending}, due {due}")
        if sending:
            # Poll until the in-flight send is recorded: a wait for something to happen, never a pause standing
            # in for "nothing happened".
            time.sleep(0.01)
        else:
            bot.dispatcher.deliver_due()


def route(bot: RunningBot, team: str, channel: str, *, workspace_id: str = "T0ACME") -> None:
    """Route a team's alerts as setup, without the announcement `/lifecycle route` posts to the managers."""
    with bot.session_factory.begin() as session:
        set_route(
            session,
            workspace_id=workspace_id,
            team=Team(team),
            channel_id=channel,
            actor="U0REP",
            now=bot.clock(),
            announce=False,
        )
