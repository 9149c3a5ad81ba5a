"""Delivers the outbox to Slack: claims due messages, renders them from the database, retries with backoff.

The mechanics live here: claiming with a token per claim, renewing the lease before each send and on a
heartbeat while it lasts, looking in Slack for a post whose outcome is unknown before posting it again, calling
Slack with the workspace's own bot token, recording the outcome. What a message shows is drawn by
handlers/blocks/outbox_renderers.py; whether it is still worth sending, waits for another one, and where it goes
is decided in lifecycle/deliveries.py.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.installations import TokenSource
from bot.slack_calls import (
    AUTH_ERRORS,
    CONNECTION_ERRORS,
    PERMANENT_ERRORS,
    Failure,
    classify,
    dispatcher_client,
    find_posted,
    for_token,
    send,
)
from handlers.blocks.outbox_renderers import SlackCall, render
from lifecycle.audit import record_audit
from lifecycle.clock import Clock, utc_now
from lifecycle.deliveries import Outcome, Settle, record_posted, refresh_before_rendering
from lifecycle.outbox import (
    TOKEN_CAUSES,
    RetryPolicy,
    block_cause,
    claim,
    keep_leased,
    postpone,
    record_blocked,
    record_delivered,
    record_failure,
    retry_at,
    revive_blocked,
)
from lifecycle.states import OutboxKind, OutboxStatus
from lifecycle.workspaces import is_active
from storage.models import OutboxMessage

__all__ = ["PERMANENT_ERRORS", "Claim", "Dispatcher", "Settle", "SlackCall", "dispatcher_client"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """A message this dispatcher leased, and the token that proves it."""

    message_id: int
    token: str
    # Set when an earlier send of the message may have reached Slack: look for it (posted since then) first.
    unconfirmed_since: datetime | None = None


@dataclass
class Dispatcher:
    """Sends outbox messages; several dispatchers (threads or processes) may run on one database."""

    session_factory: sessionmaker[Session]
    # With one bot token, the client that sends everything; with `tokens`, the model (API URL, timeouts,
    # retries) of the client each workspace's token gets.
    client: WebClient
    clock: Clock = utc_now
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    read_session_factory: sessionmaker[Session] | None = None  # for rendering; defaults to session_factory
    poll_interval: float = 1.0
    batch_size: int = 20
    # Claim tokens go in outbox.claimed_by (64 characters): a long pod name is cut, the pid and random part kept.
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
    # Many workspaces: each workspace's own bot token (from the installation store). None: `client` as it is.
    tokens: TokenSource | None = None

    def __post_init__(self) -> None:
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # The client of the message being sent, per delivering thread (a test may deliver beside the thread).
        self._voice = threading.local()

    # --- running in the background -------------------------------------------------------------

    def start(self) -> Dispatcher:
        """Deliver on a daemon thread until stop()."""
        self._thread = threading.Thread(target=self._run, name="outbox-dispatcher", daemon=True)
        self._thread.start()
        return self

    def nudge(self) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the current message and stop."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                self.deliver_due()
            except Exception:
                logger.exception("outbox dispatcher pass failed; retrying at the next poll")
            self._wake.wait(self.poll_interval)

    # --- one pass --------------------------------------------------------------------------------

    def deliver_due(self) -> int:
        """Claim and send every due message; returns how many were delivered."""
        delivered = 0
        while not self._stopping.is_set():
            claims = self.claim()
            if not claims:
                break
            delivered += sum(self.deliver(claim) for claim in claims)
        return delivered

    def claim(self) -> list[Claim]:
        """Claim due messages (a batch); each claim carries its own token, so only its holder may send it."""
        token = f"{self.worker_id}/{uuid.uuid4().hex[:8]}"
        with self.session_factory.begin() as session:
            claimed = claim(session, worker=token, now=self.clock(), policy=self.policy, limit=self.batch_size)
            return [Claim(each.message.id, token, each.unconfirmed_since) for each in claimed]

    def deliver(self, claim: Claim) -> bool:
        """Render and send one claimed message, then record the outcome; True when delivered.

        Never raises: whatever goes wrong is recorded on the message as a failed attempt, so one bad message
        cannot hold up the others or sit in 'sending' without its attempts being counted.
        """
        try:
            return self._deliver(claim)
        except Exception as error:  # noqa: BLE001 - recorded on the message, logged with its traceback
            logger.exception("delivering outbox message %s failed", claim.message_id)
            # It may have failed after Slack posted (recording the outcome): look before posting it again.
            self._record_failure(claim, Failure(f"unexpected error: {error!r}", unconfirmed=True))
            return False

    def _deliver(self, claim: Claim) -> bool:
        renewed = self._renew_lease(claim)
        if renewed is None:
            return False  # our lease ran out and someone else took it over
        kind, workspace_id, active = renewed
        unconfirmed = claim.unconfirmed_since is not None
        if not active:
            # Uninstalled since the claim: held (due, but not claimed) until the workspace installs again.
            self._settle(claim, Settle.postpone(self.clock()), unconfirmed=unconfirmed)
            return False
        client = self._client_for(workspace_id)
        if client is None:
            failure = Failure("no bot token for this workspace (is the app installed?)", unconfirmed=unconfirmed)
            self._record_failure(claim, failure)
            return False
        with keep_leased(
            self.session_factory.begin,
            message_id=claim.message_id,
            token=claim.token,
            clock=self.clock,
            policy=self.policy,
        ) as lost:
            reading = self.read_session_factory or self.session_factory
            if refresh_before_rendering(
                reading.begin, self.session_factory.begin, kind=kind, workspace_id=workspace_id, now=self.clock()
            ):
                self.nudge()  # the refresh raised red flags: their alerts are queued
            call = self._render_claimed(claim)
            if isinstance(call, Settle):
                self._settle(claim, call, unconfirmed=unconfirmed)
                return False
            if lost.is_set():
                return False  # rendering outlasted our lease (a frozen process): the message has a new holder
            self._voice.client = client
            try:
                return self._send(claim, call, workspace_id)
            finally:
                self._voice.client = None

    def _send(self, claim: Claim, call: SlackCall, workspace_id: str) -> bool:
        """Post (or update) once: first, for a send whose outcome is unknown, look for it in Slack."""
        where = str(call.arguments.get("channel") or "") or None
        if claim.unconfirmed_since is not None and call.tag is not None:
            try:
                found = self._find(call, since=claim.unconfirmed_since)
            except SlackApiError as error:
                self._record_refusal(claim, replace(classify(error), channel=where, unconfirmed=True), workspace_id)
                return False
            except CONNECTION_ERRORS as error:
                self._record_failure(claim, Failure(f"connection error: {error!r}", unconfirmed=True))
                return False
            if found is not None:
                logger.info(
                    "outbox message %s was posted before (ts %s): not posting it again", claim.message_id, found["ts"]
                )
                self._record_sent(claim, call, found, rendered_version=found["version"])
                return True
        try:
            response = self._call(call)
        except SlackApiError as error:
            self._record_refusal(claim, replace(classify(error), channel=where), workspace_id)
            return False
        except CONNECTION_ERRORS as error:
            # A timeout or a dropped connection after the request went out: Slack may have posted it.
            failure = Failure(f"connection error: {error!r}", unconfirmed=call.tag is not None)
            self._record_failure(claim, failure)
            return False
        self._record_sent(claim, call, response.data if hasattr(response, "data") else {})
        return True

    def _renew_lease(self, claim: Claim) -> tuple[OutboxKind, str, bool] | None:
        """Renew the lease for this send, so a slow batch never lets another dispatcher take it over mid-way.

        Returns the message's kind, workspace, and whether that workspace still has the app installed.
        """
        with self.session_factory.begin() as session:
            message = session.get(OutboxMessage, claim.message_id)
            if message is None or message.status != OutboxStatus.SENDING or message.claimed_by != claim.token:
                return None
            message.claim_expires_at = self.clock() + self.policy.lease
            return message.kind, message.workspace_id, is_active(session, workspace_id=message.workspace_id)

    def _client_for(self, workspace_id: str) -> WebClient | None:
        """The client that speaks for this workspace: its own bot token, or the one configured client."""
        if self.tokens is None:
            return self.client
        token = self.tokens.bot_token(workspace_id)
        return for_token(self.client, token) if token else None

    def _render_claimed(self, claim: Claim) -> SlackCall | Settle:
        # Rendering reads a lot (a digest assesses every customer) but writes nothing: a read-only session.
        with (self.read_session_factory or self.session_factory).begin() as session:
            message = session.get(OutboxMessage, claim.message_id)
            assert message is not None
            try:
                return self._render(session, message)
            except Exception as error:  # noqa: BLE001 - a message we cannot render must not block the queue
                logger.exception("could not render outbox message %s", claim.message_id)
                return Settle.fail_later(f"render error: {error}")

    def _render(self, session: Session, message: OutboxMessage) -> SlackCall | Settle:
        """The call to make for a message, or how to settle it without one (read-only: writes nothing)."""
        return render(session, message, now=self.clock())

    def _call(self, call: SlackCall) -> Any:
        """Make the call as the workspace whose message is being delivered."""
        return send(getattr(self._voice, "client", None) or self.client, call)

    def _find(self, call: SlackCall, *, since: datetime) -> dict[str, Any] | None:
        """Look, as the workspace whose message it is, for what the call posted before."""
        return find_posted(getattr(self._voice, "client", None) or self.client, call, since=since)

    # --- outcomes --------------------------------------------------------------------------------

    def _record_sent(
        self, claim: Claim, call: SlackCall, data: dict[str, Any], *, rendered_version: int | None = None
    ) -> None:
        version = call.rendered_version if rendered_version is None else rendered_version
        with self.session_factory.begin() as session:
            message = session.get(OutboxMessage, claim.message_id)
            assert message is not None
            record_delivered(session, message, now=self.clock())
            # Slack took the workspace's token: messages parked because it was refused can go too.
            revived = revive_blocked(session, workspace_id=message.workspace_id, now=self.clock(), causes=TOKEN_CAUSES)
            refresh_queued = False
            if message.handoff_id is not None and version is not None:
                refresh_queued = record_posted(
                    session,
                    message=message,
                    rendered_version=version,
                    channel=data.get("channel"),
                    ts=data.get("ts"),
                    now=self.clock(),
                )
        if refresh_queued or revived:
            self.nudge()

    def _settle(self, claim: Claim, settle: Settle, *, unconfirmed: bool = False) -> None:
        if settle.outcome in (Outcome.FAIL, Outcome.RETRY):
            failure = Failure(settle.error, permanent=settle.outcome == Outcome.FAIL, unconfirmed=unconfirmed)
            self._record_failure(claim, failure)
            return
        with self.session_factory.begin() as session:
            message = session.get(OutboxMessage, claim.message_id)
            if message is None or message.claimed_by != claim.token:
                return
            if settle.outcome == Outcome.DONE:
                record_delivered(session, message, now=self.clock())
            else:
                assert settle.until is not None
                postpone(message, until=settle.until, unconfirmed=unconfirmed)

    def _record_refusal(self, claim: Claim, failure: Failure, workspace_id: str) -> None:
        """Slack said no: held if the workspace uninstalled meanwhile, parked if a person can fix it, else retried."""
        if failure.error in AUTH_ERRORS:
            with self.session_factory.begin() as session:
                active = is_active(session, workspace_id=workspace_id)
            if not active:  # uninstalled mid-send: held, not failed
                self._settle(claim, Settle.postpone(self.clock()), unconfirmed=failure.unconfirmed)
                return
        if failure.blocked:
            self._record_blocked(claim, failure)
            return
        self._record_failure(claim, failure)

    def _record_blocked(self, claim: Claim, failure: Failure) -> None:
        with self.session_factory.begin() as session:
            message = session.get(OutboxMessage, claim.message_id)
            if message is None or message.claimed_by != claim.token:
                return  # someone else holds it now; their outcome counts
            cause = block_cause(failure.error, failure.channel)
            record_blocked(message, cause=cause)
            logger.warning("outbox message %s (%s) blocked until fixed: %s", message.id, message.kind, cause)
            record_audit(
                session,
                workspace_id=message.workspace_id,
                actor="lifecycle-bot",
                action="outbox.blocked",
                now=self.clock(),
                message_id=message.id,
                kind=message.kind.value,
                error=cause,
            )

    def _record_failure(self, claim: Claim, failure: Failure) -> None:
        with self.session_factory.begin() as session:
            message = session.get(OutboxMessage, claim.message_id)
            if message is None or message.claimed_by != claim.token:
                return  # someone else holds it now; their outcome counts
            now = self.clock()
            gave_up = record_failure(
                session,
                message,
                error=failure.error,
                now=now,
                policy=self.policy,
                permanent=failure.permanent,
                retry_after=failure.retry_after,
                unconfirmed=failure.unconfirmed,
            )
            if not gave_up:
                logger.warning(
                    "outbox message %s (%s) failed (%s); retrying at %s%s",
                    message.id,
                    message.kind,
                    failure.error,
                    retry_at(message),
                    ", looking first whether it was posted" if failure.unconfirmed else "",
                )
                return
            logger.error(
                "gave up delivering outbox message %s (%s) after %s attempts: %s",
                message.id,
                message.kind,
                message.attempts,
                failure.error,
            )
            record_audit(
                session,
                workspace_id=message.workspace_id,
                actor="lifecycle-bot",
                action="outbox.failed",
                now=now,
                message_id=message.id,
                kind=message.kind.value,
                error=failure.error,
            )
