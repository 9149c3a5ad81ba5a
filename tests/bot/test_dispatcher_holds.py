"""An uninstall that lands between the claim and the send: the message is held, not sent and not failed."""

from __future__ import annotations

from sqlalchemy import select

from bot.dispatcher import Dispatcher, dispatcher_client
from lifecycle.outbox import enqueue
from lifecycle.states import OutboxKind, OutboxStatus
from lifecycle.workspaces import mark_installed, mark_uninstalled
from storage import repositories as repo
from storage.models import OutboxMessage
from tests.conftest import BOT_TOKEN


def test_a_message_claimed_before_the_uninstall_is_held_when_its_turn_comes(session_factory, standin, clock):
    with session_factory.begin() as session:
        repo.ensure_workspace(session, "T0ACME", now=clock())
        enqueue(session, workspace_id="T0ACME", kind=OutboxKind.DIGEST, now=clock(), payload={"channel_id": "C1"})
    dispatcher = Dispatcher(session_factory, dispatcher_client(BOT_TOKEN, standin.base_url), clock=clock)
    [claim] = dispatcher.claim()
    with session_factory.begin() as session:
        mark_uninstalled(session, workspace_id="T0ACME", now=clock(), reason="app_uninstalled")
    assert dispatcher.deliver(claim) is False
    assert standin.calls == []
    with session_factory() as session:
        message = session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts, message.last_error) == (OutboxStatus.PENDING, 0, None)
    assert dispatcher.claim() == []  # held, not retried in a loop
    with session_factory.begin() as session:
        mark_installed(session, workspace_id="T0ACME", installer=None, now=clock())
    assert len(dispatcher.claim()) == 1
