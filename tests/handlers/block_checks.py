"""Checks and in-memory test data for the Block Kit builder tests (Slack limits, escaping, memorable models)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from handlers.blocks.common import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    Block,
    Reply,
)
from lifecycle.activity import StageMove
from lifecycle.customers import Profile
from lifecycle.handoffs import HandoffOutcome, HandoffResult
from lifecycle.names import MAX_NAME_LENGTH
from lifecycle.sentiment import score_text
from lifecycle.stages import Stage, Team
from lifecycle.text import MAX_NOTE_LENGTH
from lifecycle.touchpoints import TouchpointKind
from storage.models import (
    Customer,
    Feedback,
    FeedbackSource,
    StageChange,
    Touchpoint,
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
