"""Customer storage rules on SQLite and PostgreSQL: uniqueness, matching, workspaces, time, locking."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from lifecycle.activity import log_touchpoint, move_stage
from lifecycle.customers import add_customer, list_customers, resolve_customer
from lifecycle.errors import AmbiguousCustomer, CustomerNotFound, DuplicateCustomer
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind
from storage import repositories as repo
from storage.models import StageChange

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _add(session_factory, name, *, workspace="T0ACME", stage=Stage.REACH):
    # confirmed: "Acme" and "Acme Corp" fold alike; these tests seed look-alikes on purpose (asking is tested in
    # tests/e2e/test_lookalike_names.py).
    with session_factory.begin() as session:
        return add_customer(
            session,
            workspace_id=workspace,
            name=name,
            stage=stage,
            owner="U0REP",
            actor="U0REP",
            now=NOW,
            confirmed=True,
        ).id


def test_names_are_unique_per_workspace_ignoring_case(session_factory):
    _add(session_factory, "Acme Corp")
    with pytest.raises(DuplicateCustomer), session_factory.begin() as session:
        add_customer(
            session,
            workspace_id="T0ACME",
            name="ACME  corp",
            stage=Stage.REACH,
            owner="U1",
            actor="U1",
            now=NOW,
        )
    _add(session_factory, "Acme Corp", workspace="T0OTHER")


def test_the_database_itself_refuses_a_duplicate_name_key(session_factory):
    _add(session_factory, "Acme Corp")
    with pytest.raises(Exception, match="(?i)unique"), session_factory.begin() as session:
        session.execute(
            text(
                "INSERT INTO customers (workspace_id, name, name_key, stage, stage_entered_at, "
                "owner_user_id, created_by, created_at, updated_at) "
                "VALUES ('T0ACME', 'x', 'acme corp', 'reach', :now, 'U', 'U', :now, :now)"
            ),
            {"now": NOW},
        )


def test_a_customer_is_found_by_exact_name_then_unique_prefix(session_factory):
    _add(session_factory, "Acme")
    _add(session_factory, "Acme Corp")
    _add(session_factory, "Globex")
    with session_factory() as session:
        assert resolve_customer(session, workspace_id="T0ACME", customer="ACME").name == "Acme"
        assert resolve_customer(session, workspace_id="T0ACME", customer="acme c").name == "Acme Corp"
        assert resolve_customer(session, workspace_id="T0ACME", customer="gl").name == "Globex"
        with pytest.raises(AmbiguousCustomer) as ambiguous:
            resolve_customer(session, workspace_id="T0ACME", customer="ac")
        assert [choice.name for choice in ambiguous.value.candidates] == ["Acme", "Acme Corp"]


def test_like_wildcards_in_a_query_match_nothing_special(session_factory):
    _add(session_factory, "Acme")
    with session_factory() as session, pytest.raises(CustomerNotFound):
        resolve_customer(session, workspace_id="T0ACME", customer="%")
    with session_factory() as session, pytest.raises(CustomerNotFound):
        resolve_customer(session, workspace_id="T0ACME", customer="_cme")


def test_nothing_crosses_workspaces(session_factory):
    _add(session_factory, "Acme Corp", workspace="T0OTHER")
    with session_factory() as session, pytest.raises(CustomerNotFound):
        resolve_customer(session, workspace_id="T0ACME", customer="acme")


def test_times_come_back_timezone_aware_in_utc(session_factory):
    customer_id = _add(session_factory, "Acme")
    with session_factory() as session:
        customer = repo.get_customer(session, "T0ACME", customer_id)
        assert customer.created_at == NOW and customer.created_at.tzinfo is not None


def test_list_shows_the_last_touchpoint_of_each_customer(session_factory):
    acme, _ = _add(session_factory, "Acme"), _add(session_factory, "Globex")
    for hours in (1, 5, 3):
        with session_factory.begin() as session:
            log_touchpoint(
                session,
                workspace_id="T0ACME",
                customer=acme,
                kind=TouchpointKind.CALL,
                note="",
                actor="U0REP",
                now=NOW + timedelta(hours=hours),
            )
    with session_factory() as session:
        listing = list_customers(session, workspace_id="T0ACME")
    last = {row.customer.name: row.last_touch_at for row in listing.rows}
    assert last == {"Acme": NOW + timedelta(hours=5), "Globex": None}


def test_concurrent_stage_changes_queue_up_and_none_is_lost(session_factory):
    customer_id = _add(session_factory, "Acme")
    targets = [Stage.ACQUISITION, Stage.CONVERSION, Stage.RETENTION, Stage.LOYALTY, Stage.CHURNED] * 2
    errors: list[Exception] = []
    barrier = threading.Barrier(len(targets))

    def move(target: Stage) -> None:
        barrier.wait()
        try:
            with session_factory.begin() as session:
                move_stage(
                    session,
                    workspace_id="T0ACME",
                    customer=customer_id,
                    to=target,
                    actor="U0REP",
                    reason="parallel",
                    now=NOW,
                )
        except Exception as error:  # noqa: BLE001 - collected and inspected below
            errors.append(error)

    threads = [threading.Thread(target=move, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Only "already in that stage" may fail; every change that succeeded starts where the previous ended.
    assert all("already in" in str(error) for error in errors), errors
    with session_factory() as session:
        changes = session.scalars(
            select(StageChange).where(StageChange.customer_id == customer_id).order_by(StageChange.id)
        ).all()
        final = repo.get_customer(session, "T0ACME", customer_id).stage
    assert len(changes) - 1 + len(errors) == len(targets)
    for previous, current in zip(changes, changes[1:], strict=False):
        assert current.from_stage == previous.to_stage
    assert final == changes[-1].to_stage
