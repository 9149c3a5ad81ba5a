"""Handoffs and their SLA: one alert each, updated not repeated, accepted once; reminder and escalation once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lifecycle.activity import move_stage
from lifecycle.customers import add_customer
from lifecycle.errors import LifecycleError
from lifecycle.handoffs import HandoffAlreadyAccepted, HandoffResult, accept_handoff, alert_key
from lifecycle.routing import set_route
from lifecycle.sla import SlaChange, check_slas, late_handoffs, update_sla
from lifecycle.stages import Stage, Team
from lifecycle.states import HandoffStatus, OutboxKind, OutboxStatus
from storage.models import AuditEvent, Customer, CustomerTeamOwner, Handoff, OutboxMessage, Workspace

WS = "T0ACME"
CHANNELS = {Team.SALES: "C0SALES", Team.SERVICES: "C0ONBOARD", Team.SUCCESS: "C0CS", Team.MANAGERS: "C0MGMT"}
SETUP = {"actor": "U0ADMIN", "announce": False}  # routes set up for a test: no announcement to the managers


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def desk(session_factory, clock):
    """A workspace where people add, move and accept customers, one transaction each, at the clock's time."""

    class Desk:
        def route(self, *teams: Team) -> None:
            with session_factory.begin() as session:
                for team in teams:
                    set_route(session, workspace_id=WS, team=team, channel_id=CHANNELS[team], now=clock(), **SETUP)

        def add(self, name: str, stage: Stage, owner: str = "U0REP") -> int:
            with session_factory.begin() as session:
                customer = add_customer(
                    session, workspace_id=WS, name=name, stage=stage, owner=owner, actor=owner, now=clock()
                )
                return customer.id

        def move(self, customer: int, to: Stage, actor: str = "U0REP") -> HandoffResult:
            with session_factory.begin() as session:
                moved = move_stage(
                    session, workspace_id=WS, customer=customer, to=to, actor=actor, reason="moving on", now=clock()
                )
                return moved.handoff.result

        def accept(self, handoff_id: int, user: str, workspace: str = WS) -> None:
            with session_factory.begin() as session:
                accept_handoff(session, workspace_id=workspace, handoff_id=handoff_id, user=user, now=clock())

        def sweep(self) -> int:
            with session_factory.begin() as session:
                return check_slas(session, now=clock())

        def handoffs(self) -> list[Handoff]:
            with session_factory() as session:
                return list(session.scalars(select(Handoff).order_by(Handoff.id)))

        def outbox(self) -> list[OutboxMessage]:
            with session_factory() as session:
                return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

        def kinds(self) -> Counter[OutboxKind]:
            return Counter(message.kind for message in self.outbox())

        def alert_posted(self, handoff_id: int) -> None:
            """What the dispatcher records once the alert is in Slack: where it is, and which version it shows."""
            with session_factory.begin() as session:
                handoff = session.get(Handoff, handoff_id)
                handoff.channel_id, handoff.message_ts = CHANNELS[handoff.to_team], "1700000000.000100"
                handoff.rendered_version = handoff.version
                for message in session.scalars(select(OutboxMessage)):
                    message.status = OutboxStatus.DELIVERED

    return Desk()


# --- handoffs -------------------------------------------------------------------------------------------


def test_a_move_into_another_team_opens_one_pending_handoff_with_one_alert(desk):
    desk.route(Team.SERVICES)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    assert desk.move(acme, Stage.CONVERSION) == HandoffResult.ALERTED
    [handoff] = desk.handoffs()
    assert (handoff.status, handoff.from_team, handoff.to_team, handoff.version) == (
        HandoffStatus.PENDING,
        Team.SALES,
        Team.SERVICES,
        1,
    )
    [alert] = desk.outbox()
    assert (alert.kind, alert.handoff_id, alert.dedupe_key) == (
        OutboxKind.HANDOFF_ALERT,
        handoff.id,
        alert_key(handoff.id),
    )


def test_a_move_within_one_team_is_no_handoff(desk):
    desk.route(Team.SALES, Team.SERVICES)
    acme = desk.add("Acme Corp", Stage.REACH)
    assert desk.move(acme, Stage.ACQUISITION) == HandoffResult.NONE
    assert desk.handoffs() == [] and desk.outbox() == []


def test_moving_again_within_the_receiving_team_updates_the_handoff_and_its_unsent_alert_shows_the_latest(desk):
    desk.route(Team.SUCCESS)
    acme = desk.add("Acme Corp", Stage.CONVERSION)
    desk.move(acme, Stage.RETENTION)
    assert desk.move(acme, Stage.LOYALTY) == HandoffResult.UPDATED
    [handoff] = desk.handoffs()
    assert (handoff.to_stage, handoff.version, handoff.status) == (Stage.LOYALTY, 2, HandoffStatus.PENDING)
    assert desk.kinds() == {OutboxKind.HANDOFF_ALERT: 1}  # rendered when sent, so it shows loyalty already


def test_once_the_alert_is_posted_changes_queue_one_refresh_not_one_each(desk):
    desk.route(Team.SUCCESS)
    acme = desk.add("Acme Corp", Stage.CONVERSION)
    desk.move(acme, Stage.RETENTION)
    [handoff] = desk.handoffs()
    desk.alert_posted(handoff.id)
    desk.move(acme, Stage.LOYALTY)
    desk.move(acme, Stage.RETENTION, actor="U0CSM")  # back again, before the refresh went out
    assert desk.kinds() == {OutboxKind.HANDOFF_ALERT: 1, OutboxKind.HANDOFF_REFRESH: 1}
    assert [h.version for h in desk.handoffs()] == [3]


def test_moving_on_to_another_team_supersedes_the_pending_handoff_and_alerts_the_next_team(desk):
    desk.route(Team.SERVICES, Team.SUCCESS)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    assert desk.move(acme, Stage.RETENTION) == HandoffResult.ALERTED
    first, second = desk.handoffs()
    assert (first.status, first.superseded_by_id, first.to_team) == (HandoffStatus.SUPERSEDED, second.id, Team.SERVICES)
    assert (second.status, second.to_team) == (HandoffStatus.PENDING, Team.SUCCESS)
    assert sorted(m.dedupe_key for m in desk.outbox()) == sorted([alert_key(first.id), alert_key(second.id)])


def test_a_superseded_alert_already_posted_is_updated_to_say_so(desk):
    desk.route(Team.SERVICES, Team.SUCCESS)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    [first] = desk.handoffs()
    desk.alert_posted(first.id)
    desk.move(acme, Stage.RETENTION)
    refresh = [m for m in desk.outbox() if m.kind == OutboxKind.HANDOFF_REFRESH]
    assert [m.handoff_id for m in refresh] == [first.id]


def test_a_handoff_to_a_team_without_a_channel_waits_for_one(desk, session_factory, clock):
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    assert desk.move(acme, Stage.CONVERSION) == HandoffResult.NO_ROUTE
    assert desk.outbox() == []
    with session_factory.begin() as session:
        routed = set_route(
            session, workspace_id=WS, team=Team.SERVICES, channel_id="C0ONBOARD", actor="U0ADMIN", now=clock()
        )
    assert routed.waiting_alerts == 1
    assert desk.kinds() == {OutboxKind.HANDOFF_ALERT: 1}


def test_accepting_makes_the_accepter_the_teams_owner_and_the_customers(desk, session_factory):
    desk.route(Team.SERVICES)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    [handoff] = desk.handoffs()
    desk.accept(handoff.id, "U0ONBOARDER")
    [accepted] = desk.handoffs()
    assert (accepted.status, accepted.accepted_by, accepted.version) == (HandoffStatus.ACCEPTED, "U0ONBOARDER", 2)
    with session_factory() as session:
        assert session.get(CustomerTeamOwner, (acme, Team.SERVICES)).user_id == "U0ONBOARDER"
        assert session.get(Customer, acme).owner_user_id == "U0ONBOARDER"
        assert session.scalars(
            select(AuditEvent.actor_user_id).where(AuditEvent.action == "handoff.accepted")
        ).all() == ["U0ONBOARDER"]


def test_a_second_accept_is_told_who_was_first_and_changes_nothing(desk):
    desk.route(Team.SERVICES)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    [handoff] = desk.handoffs()
    desk.accept(handoff.id, "U0FIRST")
    with pytest.raises(HandoffAlreadyAccepted) as refused:
        desk.accept(handoff.id, "U0SECOND")
    assert refused.value.accepted_by == "U0FIRST"
    assert [(h.accepted_by, h.version) for h in desk.handoffs()] == [("U0FIRST", 2)]


def test_a_superseded_handoff_cannot_be_accepted(desk):
    desk.route(Team.SERVICES, Team.SUCCESS)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    desk.move(acme, Stage.RETENTION)
    first, _ = desk.handoffs()
    with pytest.raises(LifecycleError, match="superseded"):
        desk.accept(first.id, "U0LATE")


def test_a_handoff_of_another_workspace_cannot_be_accepted(desk):
    desk.route(Team.SERVICES)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    [handoff] = desk.handoffs()
    with pytest.raises(LifecycleError, match="no longer exists"):
        desk.accept(handoff.id, "U0INTRUDER", workspace="T0OTHER")
    assert desk.handoffs()[0].status == HandoffStatus.PENDING


def test_moving_into_a_team_where_you_own_the_customer_already_needs_no_alert(desk):
    desk.route(Team.SERVICES, Team.SUCCESS)
    acme = desk.add("Acme Corp", Stage.CONVERSION)
    desk.move(acme, Stage.RETENTION)
    desk.accept(desk.handoffs()[0].id, "U0CSM")
    desk.move(acme, Stage.CONVERSION, actor="U0CSM")
    assert desk.move(acme, Stage.RETENTION, actor="U0CSM") == HandoffResult.SELF_ACCEPTED
    assert desk.handoffs()[-1].status == HandoffStatus.ACCEPTED
    assert desk.kinds() == {OutboxKind.HANDOFF_ALERT: 2}  # to success once, to services once; not to success again


# --- SLA: business hours, reminder at the SLA, escalation at twice it ---------------------------------------


def sweep_every(desk, clock, *, minutes: int, until: datetime) -> list[tuple[datetime, int]]:
    """Sweep like the scheduler does; the moments something was queued, and how much."""
    queued = []
    while clock() < until:
        clock.advance(minutes=minutes)
        if count := desk.sweep():
            queued.append((clock(), count))
    return queued


def test_a_handoff_is_reminded_once_at_its_sla_and_escalated_once_at_twice_it(desk, clock):
    desk.route(Team.SERVICES, Team.MANAGERS)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)  # Monday 09:00 UTC; 4 business hours, 09:00–17:00 mon-fri
    queued = sweep_every(desk, clock, minutes=5, until=utc(2026, 11, 26, 9, 0))
    assert queued == [(utc(2026, 11, 23, 13, 0), 1), (utc(2026, 11, 23, 17, 0), 1)]
    assert desk.kinds() == {
        OutboxKind.HANDOFF_ALERT: 1,
        OutboxKind.HANDOFF_REMINDER: 1,
        OutboxKind.HANDOFF_ESCALATION: 1,
    }
    [handoff] = desk.handoffs()
    assert (handoff.reminded_at, handoff.escalated_at) == (utc(2026, 11, 23, 13, 0), utc(2026, 11, 23, 17, 0))


def test_nights_and_weekends_do_not_count_towards_the_sla(desk, clock):
    desk.route(Team.SERVICES, Team.MANAGERS)
    clock.now = utc(2026, 11, 20, 16, 0)  # Friday 16:00: one business hour left this week
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    queued = sweep_every(desk, clock, minutes=10, until=utc(2026, 11, 24, 17, 0))
    assert queued == [(utc(2026, 11, 23, 12, 0), 1), (utc(2026, 11, 23, 16, 0), 1)]  # Monday 12:00 and 16:00


def test_a_sweep_that_comes_late_queues_the_reminder_and_the_escalation_together_once(desk, clock):
    desk.route(Team.SERVICES, Team.MANAGERS)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    clock.advance(days=2)  # the scheduler was down
    assert desk.sweep() == 2
    assert desk.sweep() == 0
    clock.advance(days=7)
    assert desk.sweep() == 0


def test_a_shorter_sla_applies_to_handoffs_already_waiting(desk, session_factory, clock):
    desk.route(Team.SERVICES, Team.MANAGERS)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    with session_factory.begin() as session:
        update_sla(session, workspace_id=WS, change=SlaChange(hours=1), actor="U0MGR", now=clock())
    queued = sweep_every(desk, clock, minutes=5, until=utc(2026, 11, 23, 17, 0))
    assert queued == [(utc(2026, 11, 23, 10, 0), 1), (utc(2026, 11, 23, 11, 0), 1)]


def test_the_sla_counts_in_the_workspaces_own_hours_and_zone(desk, session_factory, clock):
    desk.route(Team.SERVICES, Team.MANAGERS)
    with session_factory.begin() as session:
        # Sunday to Thursday, 09:00-17:00 local (03:30-11:30 UTC).
        change = SlaChange(hours=2, timezone="Asia/Kolkata", weekdays=frozenset({6, 0, 1, 2, 3}))
        update_sla(session, workspace_id=WS, change=change, actor="U0MGR", now=clock())
    clock.now = utc(2026, 11, 20, 10, 30)  # Friday 16:00 in Kolkata: not a working day there
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    queued = sweep_every(desk, clock, minutes=10, until=utc(2026, 11, 23, 0, 0))
    assert queued == [(utc(2026, 11, 22, 5, 30), 1), (utc(2026, 11, 22, 7, 30), 1)]  # Sunday 11:00 and 13:00 local


def test_accepted_and_superseded_handoffs_are_never_reminded(desk, clock):
    desk.route(Team.SERVICES, Team.SUCCESS, Team.MANAGERS)
    accepted = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(accepted, Stage.CONVERSION)
    superseded = desk.add("Globex", Stage.ACQUISITION)
    desk.move(superseded, Stage.CONVERSION)
    desk.accept(desk.handoffs()[0].id, "U0ONBOARDER")
    desk.move(superseded, Stage.RETENTION)
    desk.accept(desk.handoffs()[-1].id, "U0CSM")
    clock.advance(days=7)
    assert desk.sweep() == 0
    assert all(h.reminded_at is None and h.escalated_at is None for h in desk.handoffs())


def test_without_the_teams_channel_there_is_no_thread_to_remind_in_but_managers_still_hear(desk, clock):
    desk.route(Team.MANAGERS)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    clock.advance(hours=8)
    assert desk.sweep() == 1
    assert desk.kinds() == {OutboxKind.HANDOFF_ESCALATION: 1}
    [handoff] = desk.handoffs()
    assert handoff.reminded_at is not None  # decided once, not retried every sweep


def test_an_escalation_with_no_managers_channel_is_audited_once(desk, session_factory, clock):
    desk.route(Team.SERVICES)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    for _ in range(3):
        clock.advance(hours=8)
        desk.sweep()
    assert desk.kinds() == {OutboxKind.HANDOFF_ALERT: 1, OutboxKind.HANDOFF_REMINDER: 1}
    with session_factory() as session:
        unrouted = session.scalars(select(AuditEvent).where(AuditEvent.action == "escalation.unrouted")).all()
    assert len(unrouted) == 1


def test_two_replicas_sweeping_at_the_same_moment_queue_each_message_once(desk, session_factory, clock):
    desk.route(Team.SERVICES, Team.MANAGERS)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    clock.advance(days=1)
    barrier = threading.Barrier(2)
    queued: list[int] = []

    def replica() -> None:
        barrier.wait()
        queued.append(desk.sweep())

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(queued) == [0, 2]
    assert desk.kinds() == {
        OutboxKind.HANDOFF_ALERT: 1,
        OutboxKind.HANDOFF_REMINDER: 1,
        OutboxKind.HANDOFF_ESCALATION: 1,
    }


def test_late_handoffs_count_business_hours_past_the_sla_latest_first(desk, session_factory, clock):
    desk.route(Team.SERVICES)
    early = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(early, Stage.CONVERSION)  # Monday 09:00
    clock.advance(hours=2)
    later = desk.add("Globex", Stage.ACQUISITION)
    desk.move(later, Stage.CONVERSION)  # Monday 11:00
    clock.advance(hours=2, minutes=30)
    fresh = desk.add("Initech", Stage.ACQUISITION)
    desk.move(fresh, Stage.CONVERSION)  # Monday 13:30
    clock.now = utc(2026, 11, 24, 10, 0)  # Tuesday 10:00: 9, 7 and 4.5 business hours
    with session_factory() as session:
        workspace = session.get(Workspace, WS)
        late = late_handoffs(session, workspace, now=clock())
    assert [(item.customer_name, item.business_hours_late) for item in late] == [
        ("Acme Corp", pytest.approx(5)),
        ("Globex", pytest.approx(3)),
        ("Initech", pytest.approx(0.5)),
    ]
    assert late[0].team == Team.SERVICES
    clock.advance(minutes=-31)  # 09:29: Initech is not late yet
    with session_factory() as session:
        assert [item.customer_name for item in late_handoffs(session, session.get(Workspace, WS), now=clock())] == [
            "Acme Corp",
            "Globex",
        ]


def test_late_handoffs_leave_out_accepted_ones(desk, session_factory, clock):
    desk.route(Team.SERVICES)
    acme = desk.add("Acme Corp", Stage.ACQUISITION)
    desk.move(acme, Stage.CONVERSION)
    desk.accept(desk.handoffs()[0].id, "U0ONBOARDER")
    clock.advance(days=3)
    with session_factory() as session:
        assert late_handoffs(session, session.get(Workspace, WS), now=clock() + timedelta(days=1)) == []
