"""The outbox's renderer table: every kind has a renderer, and each draws the call its delivery rules allow.

The table and the shapes of calls are checked in memory; the renderers read real rows (SQLite and PostgreSQL),
without Slack: a renderer only says which call to make.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from handlers.blocks.common import Reply
from handlers.blocks.outbox_renderers import RENDERERS, SlackCall, post, render
from handlers.blocks.outbox_renderers import update as update_call
from lifecycle.activity import move_stage
from lifecycle.customers import add_customer
from lifecycle.deliveries import WAIT_FOR_ALERT, WAIT_FOR_DIGEST, Destination, Settle
from lifecycle.outbox import enqueue
from lifecycle.routing import set_route
from lifecycle.stages import Stage, Team
from lifecycle.states import OutboxKind, OutboxStatus
from storage.models import Handoff, OutboxMessage
from storage.repositories import ensure_workspace
from tests.conftest import FixedClock

WORKSPACE = "T0ACME"
SERVICES, MANAGERS = "C0ONBOARD", "C0MGMT"
DIGEST_KEY = "digest:1:2026-11-23"


def test_every_outbox_kind_has_a_renderer():
    assert set(RENDERERS) == set(OutboxKind)


def test_a_post_to_a_channel_folds_links_and_a_reply_in_a_thread_names_its_thread():
    reply = Reply(text="hello")
    assert post(Destination("C1"), reply).arguments == {"channel": "C1", "unfurl_links": False, **reply.as_kwargs()}
    in_thread = post(Destination("C1", thread_ts="1.2"), reply)
    assert in_thread.arguments == {"channel": "C1", "thread_ts": "1.2", **reply.as_kwargs()}
    assert in_thread.method == "chat_postMessage" and in_thread.rendered_version is None


def test_an_update_replaces_the_posted_message_and_carries_the_version_it_shows():
    call = update_call(Destination("C1", replaces_ts="1.2"), Reply(text="now accepted"), rendered_version=3)
    assert (call.method, call.arguments["ts"], call.rendered_version) == ("chat_update", "1.2", 3)


# --- renderers over real rows ---------------------------------------------------------------------


@pytest.fixture
def handed_over(session_factory: sessionmaker[Session], clock: FixedClock) -> int:
    """Acme moved from acquisition to conversion: a handoff to Services, whose alert is queued; its id."""
    with session_factory.begin() as session:
        set_route(session, workspace_id=WORKSPACE, team=Team.SERVICES, channel_id=SERVICES, actor="U0ADM", now=clock())
        acme = add_customer(
            session,
            workspace_id=WORKSPACE,
            name="Acme",
            stage=Stage.ACQUISITION,
            owner="U0REP",
            actor="U0REP",
            now=clock(),
        )
        move_stage(
            session,
            workspace_id=WORKSPACE,
            customer=acme.id,
            to=Stage.CONVERSION,
            actor="U0REP",
            reason="signed",
            now=clock(),
        )
        return session.scalars(select(Handoff.id)).one()


def queue(session_factory: sessionmaker[Session], clock: FixedClock, kind: OutboxKind, **fields: object) -> None:
    with session_factory.begin() as session:
        ensure_workspace(session, WORKSPACE, now=clock())
        enqueue(session, workspace_id=WORKSPACE, kind=kind, now=clock(), **fields)  # type: ignore[arg-type]


def rendered(session_factory: sessionmaker[Session], clock: FixedClock, kind: OutboxKind) -> SlackCall | Settle:
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).one()
        return render(session, message, now=clock())


def set_status(session_factory: sessionmaker[Session], dedupe_key: str, status: OutboxStatus) -> None:
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key).values(status=status))


def test_a_handoff_alert_goes_to_the_receiving_teams_channel_with_the_version_it_shows(
    session_factory, clock, handed_over
):
    call = rendered(session_factory, clock, OutboxKind.HANDOFF_ALERT)
    assert isinstance(call, SlackCall)
    assert (call.method, call.arguments["channel"], call.rendered_version) == ("chat_postMessage", SERVICES, 1)
    assert call.arguments["text"].startswith("Handoff to Services: Acme")


def test_a_refresh_of_an_alert_not_posted_yet_sends_nothing(session_factory, clock, handed_over):
    queue(session_factory, clock, OutboxKind.HANDOFF_REFRESH, handoff_id=handed_over)
    assert rendered(session_factory, clock, OutboxKind.HANDOFF_REFRESH) == Settle.done()


def test_a_reminder_waits_for_its_alert_then_goes_in_its_thread(session_factory, clock, handed_over):
    queue(session_factory, clock, OutboxKind.HANDOFF_REMINDER, handoff_id=handed_over)
    assert rendered(session_factory, clock, OutboxKind.HANDOFF_REMINDER) == Settle.postpone(clock() + WAIT_FOR_ALERT)
    with session_factory.begin() as session:
        handoff = session.get_one(Handoff, handed_over)
        handoff.channel_id, handoff.message_ts = SERVICES, "1700.0001"
    set_status(session_factory, f"handoff:{handed_over}:alert", OutboxStatus.DELIVERED)
    call = rendered(session_factory, clock, OutboxKind.HANDOFF_REMINDER)
    assert isinstance(call, SlackCall)
    assert (call.arguments["channel"], call.arguments["thread_ts"]) == (SERVICES, "1700.0001")


def test_a_reminder_whose_alert_failed_for_good_fails_too(session_factory, clock, handed_over):
    queue(session_factory, clock, OutboxKind.HANDOFF_REMINDER, handoff_id=handed_over)
    set_status(session_factory, f"handoff:{handed_over}:alert", OutboxStatus.FAILED)
    assert rendered(session_factory, clock, OutboxKind.HANDOFF_REMINDER) == Settle.fail("the alert was never posted")


def test_an_escalation_without_a_managers_channel_fails_for_good(session_factory, clock, handed_over):
    queue(session_factory, clock, OutboxKind.HANDOFF_ESCALATION, handoff_id=handed_over)
    assert rendered(session_factory, clock, OutboxKind.HANDOFF_ESCALATION) == Settle.fail("managers have no channel")


def test_a_red_flag_that_went_down_or_whose_customer_is_gone_posts_nothing(session_factory, clock, handed_over):
    with session_factory() as session:
        acme = session.get_one(Handoff, handed_over).customer_id
    queue(session_factory, clock, OutboxKind.RED_FLAG, payload={"customer_id": acme, "flag": "silence"})
    assert rendered(session_factory, clock, OutboxKind.RED_FLAG) == Settle.done()  # touched today: not silent
    with session_factory.begin() as session:
        session.execute(update(OutboxMessage).values(payload={"customer_id": acme + 1000, "flag": "silence"}))
    assert rendered(session_factory, clock, OutboxKind.RED_FLAG) == Settle.done()


def digest_payload(clock: FixedClock, **recipient: str | None) -> dict[str, object]:
    return {
        "window_start": (clock() - timedelta(days=7)).isoformat(),
        "window_end": clock().isoformat(),
        "channel_id": None,
        "user_id": None,
        "timezone": "Europe/Berlin",
        "catch_up": False,
        **recipient,
    }


def test_a_digest_asked_for_in_a_dm_goes_to_the_person(session_factory, clock):
    queue(session_factory, clock, OutboxKind.DIGEST, payload=digest_payload(clock, user_id="U0BOSS"))
    call = rendered(session_factory, clock, OutboxKind.DIGEST)
    assert isinstance(call, SlackCall)
    assert (call.method, call.arguments["channel"]) == ("chat_postMessage", "U0BOSS")


def test_a_scheduled_digest_without_a_managers_channel_fails_for_good(session_factory, clock):
    queue(session_factory, clock, OutboxKind.DIGEST, payload=digest_payload(clock))
    assert rendered(session_factory, clock, OutboxKind.DIGEST) == Settle.fail("managers have no channel")


def test_a_weekly_chart_waits_for_its_digest_goes_after_it_and_fails_with_it(session_factory, clock):
    with session_factory.begin() as session:
        set_route(session, workspace_id=WORKSPACE, team=Team.MANAGERS, channel_id=MANAGERS, actor="U0ADM", now=clock())
    payload = digest_payload(clock)
    queue(session_factory, clock, OutboxKind.DIGEST, dedupe_key=DIGEST_KEY, payload=payload)
    queue(session_factory, clock, OutboxKind.DIGEST_CHART, dedupe_key=f"{DIGEST_KEY}:chart", payload=payload)
    chart = OutboxKind.DIGEST_CHART
    assert rendered(session_factory, clock, chart) == Settle.postpone(clock() + WAIT_FOR_DIGEST)
    set_status(session_factory, DIGEST_KEY, OutboxStatus.FAILED)
    assert rendered(session_factory, clock, chart) == Settle.fail("its digest was never posted")
    set_status(session_factory, DIGEST_KEY, OutboxStatus.DELIVERED)
    call = rendered(session_factory, clock, chart)
    assert isinstance(call, SlackCall)
    with session_factory() as session:
        chart_id = session.scalars(select(OutboxMessage.id).where(OutboxMessage.kind == chart)).one()
    assert (call.method, call.arguments["channel"], call.arguments["filename"]) == (
        "files_upload_v2",
        MANAGERS,
        f"funnel-{WORKSPACE}-{chart_id}.png",  # tagged: a file has no metadata to carry its outbox key
    )
    assert call.arguments["content"].startswith(b"\x89PNG")
