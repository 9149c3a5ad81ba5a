"""Delivers the outbox to Slack: claims due messages, renders them from the database, retries with backoff."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.blocks.digest import chart_title, digest_reply
from handlers.blocks.feedback_alerts import negative_feedback_alert
from handlers.blocks.funnel_chart import funnel_png
from handlers.blocks.handoffs import handoff_alert, handoff_escalation, handoff_reminder
from handlers.blocks.red_flags import red_flag_alert
from lifecycle.assessment import assess_customers
from lifecycle.audit import record_audit
from lifecycle.clock import Clock, utc_now
from lifecycle.digest import build_digest, funnel_counts
from lifecycle.handoffs import alert_key, handoff_view
from lifecycle.health import RedFlag
from lifecycle.outbox import RetryPolicy, claim_due, enqueue, postpone, record_delivered, record_failure
from lifecycle.risk import refresh_if_stale
from lifecycle.stages import Team, owning_team
from lifecycle.states import HandoffStatus, OutboxKind, OutboxStatus
from storage import repositories as repo
from storage.models import Customer, Feedback, Handoff, OutboxMessage, Touchpoint

logger = logging.getLogger(__name__)

# Slack errors that no retry will fix; the message is marked failed and shown in /lifecycle routes.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "not_authed",
        "missing_scope",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "cant_update_message",
        "edit_window_closed",
        "method_not_supported_for_channel_type",
        "is_private",
        "user_not_found",
        "cannot_dm_bot",
        "message_not_found",
        "invalid_arguments",
    }
)
WAIT_FOR_ALERT = timedelta(seconds=30)


def dispatcher_client(token: str, base_url: str, *, retry_interval: float = 0.5) -> WebClient:
    """A Web API client that retries brief blips (connection resets, 500, 503) before the outbox does."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=_fixed(retry_interval)),
            ServerErrorRetryHandler(max_retry_count=1, interval_calculator=_fixed(retry_interval)),
        ],
    )


def _delivered(session: Session, workspace_id: str, dedupe_key: str) -> bool:
    status = session.scalar(
        select(OutboxMessage.status).where(
            OutboxMessage.workspace_id == workspace_id, OutboxMessage.dedupe_key == dedupe_key
        )
    )
    return status in (None, OutboxStatus.DELIVERED, OutboxStatus.FAILED)


def _quoted_text(session: Session, anchor: str, customer_id: int, flag: RedFlag) -> str | None:
    """The words behind a flag: the feedback or note a stated intent came from ("feedback:12", "note:40"), or
    the latest feedback for the flags that feedback raises."""
    if flag in (RedFlag.REPEATED_NEGATIVE, RedFlag.LOYALTY_BACKSLIDE, RedFlag.UNANSWERED_COMPLAINT):
        latest = repo.recent_feedback(session, customer_id, limit=1)
        return latest[0].text if latest else None
    source, _, row_id = anchor.partition(":")
    if flag != RedFlag.LEAVING_INTENT or not row_id.isdigit():
        return None
    if source == "feedback":
        feedback = session.get(Feedback, int(row_id))
        return feedback.text if feedback else None
    touchpoint = session.get(Touchpoint, int(row_id))
    return touchpoint.note if touchpoint else None


def _fixed(seconds: float) -> FixedValueRetryIntervalCalculator:
    return FixedValueRetryIntervalCalculator(fixed_internal=seconds)


@dataclass(frozen=True)
class Claim:
    """A message this dispatcher leased, and the token that proves it."""

    message_id: int
    token: str


@dataclass(frozen=True)
class Settle:
    """A message that needs no Slack call now: done, to try later, or failed for good."""

    outcome: str  # "done", "postpone", "retry" or "fail"
    until: datetime | None = None
    error: str = ""

    @classmethod
    def done(cls) -> Settle:
        return cls("done")

    @classmethod
    def postpone(cls, until: datetime) -> Settle:
        return cls("postpone", until=until)

    @classmethod
    def fail(cls, error: str) -> Settle:
        return cls("fail", error=error)

    @classmethod
    def fail_later(cls, error: str) -> Settle:
        """A failed attempt that may succeed on retry."""
        return cls("retry", error=error)


@dataclass
class SlackCall:
    """One Web API call to make, and what to write back once it succeeded."""

    method: str
    arguments: dict[str, Any]
    rendered_version: int | None = None


@dataclass
class Dispatcher:
    """Sends outbox messages; several dispatchers (threads or processes) may run on one database."""

    session_factory: sessionmaker[Session]
    client: WebClient
    clock: Clock = utc_now
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    read_session_factory: sessionmaker[Session] | None = None  # for rendering; defaults to session_factory
    poll_interval: float = 1.0
    batch_size: int = 20
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")

    def __post_init__(self) -> None:
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

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
            messages = claim_due(session, worker=token, now=self.clock(), policy=self.policy, limit=self.batch_size)
            return [Claim(message.id, token) for message in messages]

    def deliver(self, claim: Claim) -> bool:
        """Render and send one claimed message, then record the outcome; True when delivered.

        Never raises: whatever goes wrong is recorded on the message as a failed attempt, so one bad message
        cannot hold up the others or sit in 'sending' without its attempts being counted.
        """
        try:
            return self._deliver(claim)
        except Exception as error:  # noqa: BLE001 - recorded on the message, logged with its traceback
            logger.exception("delivering outbox message %s failed", claim.message_id)
            self._record_failure(claim, f"unexpected error: {error!r}")
            return False

    def _deliver(self, claim: Claim) -> bool:
        message_id = claim.message_id
        with self.session_factory.begin() as session:
            message = session.get(OutboxMessage, message_id)
            if message is None or message.status != OutboxStatus.SENDING or message.claimed_by != claim.token:
                return False  # our lease ran out and someone else took it over
            # Renew the lease for this send, so a slow batch never lets another dispatcher take it over mid-way.
            message.claim_expires_at = self.clock() + self.policy.lease
            kind, workspace_id = message.kind, message.workspace_id
        if kind == OutboxKind.DIGEST:
            # A digest tells the truth as of now: stored health older than its freshness is brought up to date.
            raised = refresh_if_stale(
                (self.read_session_factory or self.session_factory).begin,
                self.session_factory.begin,
                workspace_id=workspace_id,
                now=self.clock(),
            )
            if raised:
                self.nudge()
        # Rendering reads a lot (a digest assesses every customer) but writes nothing: a read-only session.
        with (self.read_session_factory or self.session_factory).begin() as session:
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            try:
                call = self._render(session, message)
            except Exception as error:  # noqa: BLE001 - a message we cannot render must not block the queue
                logger.exception("could not render outbox message %s", message_id)
                call = Settle.fail_later(f"render error: {error}")
        if isinstance(call, Settle):
            self._settle(claim, call)
            return False
        try:
            response = self._call(call)
        except SlackApiError as error:
            self._failed(claim, error)
            return False
        except (URLError, OSError, TimeoutError, HTTPException, SlackRequestError) as error:
            self._record_failure(claim, f"connection error: {error!r}")
            return False
        with self.session_factory.begin() as session:
            message = session.get(OutboxMessage, message_id)
            assert message is not None
            record_delivered(session, message, now=self.clock())
            self._after_delivery(session, message, call, response.data if hasattr(response, "data") else {})
        return True

    def _call(self, call: SlackCall) -> Any:
        method = getattr(self.client, call.method)
        if call.method == "files_upload_v2" and str(call.arguments["channel"])[:1] in "UW":
            # A file for a person goes to our DM with them, which needs its channel id.
            opened = self.client.conversations_open(users=call.arguments["channel"])
            call.arguments["channel"] = opened["channel"]["id"]
        try:
            return method(**call.arguments)
        except SlackApiError as error:
            if error.response.get("error") != "not_in_channel" or "channel" not in call.arguments:
                raise
        # Public channels can be joined, then the same call succeeds; a private one stays "not_in_channel".
        try:
            self.client.conversations_join(channel=call.arguments["channel"])
        except SlackApiError:
            raise SlackApiError("not_in_channel (and cannot join)", {"ok": False, "error": "not_in_channel"}) from None
        return method(**call.arguments)

    # --- rendering -------------------------------------------------------------------------------

    def _render(self, session: Session, message: OutboxMessage) -> SlackCall | Settle:
        """The call to make for a message, or how to settle it without one (read-only: writes nothing)."""
        now = self.clock()
        if message.kind == OutboxKind.FEEDBACK_ALERT:
            return self._render_feedback_alert(session, message)
        if message.kind == OutboxKind.RED_FLAG:
            return self._render_red_flag(session, message)
        if message.kind in (OutboxKind.DIGEST, OutboxKind.DIGEST_CHART):
            return self._render_digest(session, message)
        assert message.handoff_id is not None, f"{message.kind} without a handoff"
        view = handoff_view(session, handoff_id=message.handoff_id)
        handoff = view.handoff
        match message.kind:
            case OutboxKind.HANDOFF_ALERT:
                route = repo.get_route(session, handoff.workspace_id, handoff.to_team)
                if route is None:
                    return Settle.fail("team has no channel")
                reply = handoff_alert(view, now=now)
                return SlackCall(
                    "chat_postMessage",
                    {"channel": route.channel_id, "unfurl_links": False, **reply.as_kwargs()},
                    handoff.version,
                )
            case OutboxKind.HANDOFF_REFRESH:
                if handoff.message_ts is None:
                    return Settle.done()  # the alert itself will show the latest state
                reply = handoff_alert(view, now=now)
                return SlackCall(
                    "chat_update",
                    {"channel": handoff.channel_id, "ts": handoff.message_ts, **reply.as_kwargs()},
                    handoff.version,
                )
            case OutboxKind.HANDOFF_REMINDER:
                if handoff.status != HandoffStatus.PENDING:
                    return Settle.done()  # accepted or moved on meanwhile: nothing to remind
                if handoff.message_ts is None:
                    if _delivered(session, message.workspace_id, alert_key(handoff.id)):
                        # The alert itself failed for good, so there is no thread to remind in.
                        return Settle.fail("the alert was never posted")
                    else:
                        # The alert has not gone out yet (Slack down?): the reminder waits for its thread.
                        return Settle.postpone(now + WAIT_FOR_ALERT)
                reply = handoff_reminder(view)
                return SlackCall(
                    "chat_postMessage",
                    {"channel": handoff.channel_id, "thread_ts": handoff.message_ts, **reply.as_kwargs()},
                )
            case OutboxKind.HANDOFF_ESCALATION:
                if handoff.status != HandoffStatus.PENDING:
                    return Settle.done()  # accepted or moved on meanwhile
                managers = repo.get_route(session, handoff.workspace_id, Team.MANAGERS)
                if managers is None:
                    return Settle.fail("managers have no channel")
                reply = handoff_escalation(view, now=now)
                return SlackCall(
                    "chat_postMessage",
                    {"channel": managers.channel_id, "unfurl_links": False, **reply.as_kwargs()},
                )
        raise ValueError(f"unknown outbox kind {message.kind}")

    def _render_feedback_alert(self, session: Session, message: OutboxMessage) -> SlackCall | Settle:
        now = self.clock()
        feedback = session.get(Feedback, message.feedback_id)
        assert feedback is not None
        customer = feedback.customer
        # The team owning the customer's stage now, not when the feedback was recorded.
        route = repo.get_route(session, customer.workspace_id, owning_team(customer.stage))
        if route is None:
            return Settle.fail("team has no channel")
        assessed = assess_customers(session, workspace_id=customer.workspace_id, now=now, customer_ids=[customer.id])
        reply = negative_feedback_alert(
            customer=customer,
            feedback=feedback,
            touchpoints=repo.recent_touchpoints(session, customer.id, limit=3),
            health=assessed[0].report if assessed else None,
            now=now,
        )
        return SlackCall("chat_postMessage", {"channel": route.channel_id, "unfurl_links": False, **reply.as_kwargs()})

    def _render_red_flag(self, session: Session, message: OutboxMessage) -> SlackCall | Settle:
        now = self.clock()
        payload = message.payload or {}
        customer = session.get(Customer, payload.get("customer_id"))
        if customer is None:
            return Settle.done()  # erased meanwhile
        flag = RedFlag(str(payload.get("flag")))
        assessed = assess_customers(session, workspace_id=customer.workspace_id, now=now, customer_ids=[customer.id])
        report = assessed[0].report if assessed else None
        reason = next((item.text for item in report.reasons if item.flag == flag), None) if report else None
        if report is None or reason is None:
            return Settle.done()  # the flag went down before we could post it (touched, churned…): no stale alert
        route = repo.get_route(session, customer.workspace_id, owning_team(customer.stage))
        if route is None:
            return Settle.fail("team has no channel")
        anchor = str(message.dedupe_key or "").split(":", 3)[-1]
        reply = red_flag_alert(
            customer=customer,
            flag=flag,
            reason=reason,
            health=report,
            touchpoints=repo.recent_touchpoints(session, customer.id, limit=3),
            quote=_quoted_text(session, anchor, customer.id, flag),
            now=now,
        )
        return SlackCall("chat_postMessage", {"channel": route.channel_id, "unfurl_links": False, **reply.as_kwargs()})

    def _render_digest(self, session: Session, message: OutboxMessage) -> SlackCall | Settle:
        now = self.clock()
        payload = message.payload or {}
        channel = payload.get("channel_id") or payload.get("user_id")
        if not channel:
            managers = repo.get_route(session, message.workspace_id, Team.MANAGERS)
            channel = managers.channel_id if managers else None
        if channel is None:
            return Settle.fail("managers have no channel")
        timezone = str(payload.get("timezone") or "UTC")
        if message.kind == OutboxKind.DIGEST_CHART:
            if message.dedupe_key and not _delivered(
                session, message.workspace_id, message.dedupe_key.removesuffix(":chart")
            ):
                return Settle.postpone(now + WAIT_FOR_ALERT)  # the chart follows its digest, never precedes it
            png = funnel_png(
                funnel_counts(session, workspace_id=message.workspace_id), title=chart_title(now, timezone)
            )
            return SlackCall(
                "files_upload_v2", {"channel": channel, "content": png, "filename": "funnel.png", "title": "Funnel"}
            )
        digest = build_digest(
            session,
            workspace_id=message.workspace_id,
            now=now,
            window_start=datetime.fromisoformat(str(payload["window_start"])),
            window_end=datetime.fromisoformat(str(payload["window_end"])),
        )
        reply = digest_reply(digest, timezone=timezone, catch_up=bool(payload.get("catch_up")))
        return SlackCall("chat_postMessage", {"channel": channel, "unfurl_links": False, **reply.as_kwargs()})

    def _after_delivery(self, session: Session, message: OutboxMessage, call: SlackCall, data: dict[str, Any]) -> None:
        if message.handoff_id is None or call.rendered_version is None:
            return
        # Lock and re-read: an Accept committing right now must either see our ts or be seen by us.
        handoff = session.scalars(
            select(Handoff)
            .where(Handoff.id == message.handoff_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if message.kind == OutboxKind.HANDOFF_ALERT:
            handoff.channel_id, handoff.message_ts = data.get("channel"), data.get("ts")
        handoff.rendered_version = call.rendered_version
        if handoff.version != call.rendered_version:
            # The handoff changed (accepted, moved on) while we were posting: bring the message up to date.
            enqueue(
                session,
                workspace_id=handoff.workspace_id,
                kind=OutboxKind.HANDOFF_REFRESH,
                now=self.clock(),
                handoff_id=handoff.id,
            )
            self.nudge()

    # --- failures --------------------------------------------------------------------------------

    def _settle(self, claim: Claim, settle: Settle) -> None:
        if settle.outcome in ("fail", "retry"):
            self._record_failure(claim, settle.error, permanent=settle.outcome == "fail")
            return
        with self.session_factory.begin() as session:
            message = session.get(OutboxMessage, claim.message_id)
            if message is None or message.claimed_by != claim.token:
                return
            if settle.outcome == "done":
                record_delivered(session, message, now=self.clock())
            else:
                assert settle.until is not None
                postpone(message, until=settle.until)

    def _failed(self, claim: Claim, error: SlackApiError) -> None:
        response = error.response
        if isinstance(response, dict):  # raised by _call itself: a channel we cannot join
            self._record_failure(claim, str(response.get("error")), permanent=True)
            return
        if response.status_code >= 500:
            code = f"HTTP {response.status_code}"
        else:
            code = str(response.get("error") or f"HTTP {response.status_code}")
        retry_after = None
        if response.status_code == 429:
            retry_after = float(response.headers.get("Retry-After", response.headers.get("retry-after", 30)))
        permanent = code in PERMANENT_ERRORS
        self._record_failure(claim, code, permanent=permanent, retry_after=retry_after)

    def _record_failure(
        self, claim: Claim, error: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        with self.session_factory.begin() as session:
            message = session.get(OutboxMessage, claim.message_id)
            if message is None or message.claimed_by != claim.token:
                return  # someone else holds it now; their outcome counts
            gave_up = record_failure(
                session,
                message,
                error=error,
                now=self.clock(),
                policy=self.policy,
                permanent=permanent,
                retry_after=retry_after,
            )
            if gave_up:
                logger.error(
                    "gave up delivering outbox message %s (%s) after %s attempts: %s",
                    message.id,
                    message.kind,
                    message.attempts,
                    error,
                )
                record_audit(
                    session,
                    workspace_id=message.workspace_id,
                    actor="lifecycle-bot",
                    action="outbox.failed",
                    now=self.clock(),
                    message_id=message.id,
                    kind=message.kind.value,
                    error=error,
                )
            else:
                logger.warning(
                    "outbox message %s (%s) failed (%s); retrying at %s",
                    message.id,
                    message.kind,
                    error,
                    message.next_attempt_at.isoformat(),
                )
