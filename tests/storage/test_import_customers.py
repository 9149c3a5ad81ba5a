"""Importing customers on SQLite and PostgreSQL: our format, HubSpot and Salesforce exports, bad rows, reruns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lifecycle.customers import add_customer
from lifecycle.digest import funnel_counts
from lifecycle.errors import InvalidInput
from lifecycle.stages import Stage, Team
from lifecycle.transfer.common import choose_workspace
from storage import repositories as repo
from storage.models import AuditEvent, Customer, CustomerTeamOwner, Handoff, OutboxMessage, StageChange, Workspace
from tests.storage.import_support import NOW, TEAM, route_every_team, rows_of, run_import, run_sample

OURS = """name,stage,owner,stage_entered_at,created_at,value,renewal_date
Acme Corp,retention,U0ANA,2026-09-01T00:00:00+00:00,2025-01-15T10:00:00+00:00,12000.50,2027-01-31
Globex,,U0BEN,,2026-11-01,,
Initech,loyalty,,2026-11-20 08:00,,$99,
"""


def _customers(sessions) -> dict[str, Customer]:
    with sessions.begin() as session:
        return {customer.name: customer for customer in session.scalars(select(Customer))}


def test_our_own_format_creates_customers_as_add_customer_does(session_factory):
    result = run_import("customers", session_factory, OURS)
    assert (result.rows, result.imported, result.already_there, result.rejected) == (3, 3, 0, 0)
    assert result.complete and result.committed_line == 4
    found = _customers(session_factory)
    acme = found["Acme Corp"]
    assert (acme.stage, acme.owner_user_id, acme.value, acme.renewal_date) == (
        Stage.RETENTION,
        "U0ANA",
        Decimal("12000.50"),
        date(2027, 1, 31),
    )
    assert acme.created_at == datetime(2025, 1, 15, 10, tzinfo=UTC)
    assert acme.stage_entered_at == datetime(2026, 9, 1, tzinfo=UTC)
    assert acme.created_by == "import" and acme.name_key == "acme corp"
    # Missing stage: reach; missing stage_entered_at: created_at; missing created_at: stage_entered_at.
    assert found["Globex"].stage == Stage.REACH
    assert found["Globex"].stage_entered_at == found["Globex"].created_at == datetime(2026, 11, 1, tzinfo=UTC)
    assert found["Initech"].created_at == found["Initech"].stage_entered_at == datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert found["Initech"].owner_user_id == "import" and found["Initech"].value == Decimal("99.00")
    # Every customer's health is stored after the import, as after add_customer.
    assert all(customer.risk_level is not None and customer.health_assessed_at == NOW for customer in found.values())

    changes = rows_of(session_factory, StageChange, leave_out=("id",))
    assert {(row["customer_id"], row["from_stage"], row["to_stage"], row["changed_at"]) for row in changes} == {
        (customer.id, None, customer.stage, customer.stage_entered_at) for customer in found.values()
    }
    assert {row["reason"] for row in changes} == {"imported"}
    owners = rows_of(session_factory, CustomerTeamOwner)
    assert {(row["customer_id"], row["team"], row["user_id"]) for row in owners} == {
        (acme.id, Team.SUCCESS, "U0ANA"),
        (found["Globex"].id, Team.SALES, "U0BEN"),
        (found["Initech"].id, Team.SUCCESS, "import"),
    }
    audit = rows_of(session_factory, AuditEvent)
    assert [(row["action"], row["actor_user_id"], row["customer_id"]) for row in audit] == [
        ("import.customers", "import", None)
    ]
    assert audit[0]["details"] | {} == {
        "file": "customers.csv",
        "rows": 3,
        "imported": 3,
        "already_there": 0,
        "rejected": 0,
        "complete": True,
        "through_line": 4,
    }


def test_a_hubspot_company_export_imports_with_its_stages_owners_and_revenue(session_factory):
    result = run_sample("customers", session_factory, "hubspot_companies.csv")
    assert (result.imported, result.rejected) == (6, 0)
    found = _customers(session_factory)
    assert {name: customer.stage for name, customer in found.items()} == {
        "Acme Corp": Stage.RETENTION,  # Customer
        "Globex": Stage.ACQUISITION,  # Marketing Qualified Lead
        "Initech": Stage.ACQUISITION,  # Sales Qualified Lead
        "Umbrella Health": Stage.LOYALTY,  # Evangelist
        "Hooli": Stage.ACQUISITION,  # opportunity
        "Stark Industries": Stage.REACH,  # subscriber
    }
    assert found["Acme Corp"].value == Decimal("12000.50") and found["Umbrella Health"].value == Decimal("250000.00")
    assert found["Acme Corp"].created_at == datetime(2024, 1, 31, 10, 15, tzinfo=UTC)
    assert found["Acme Corp"].renewal_date is None  # HubSpot's Close Date is not a renewal
    assert found["Umbrella Health"].owner_user_id == "U0ANA" and found["Initech"].owner_user_id == "import"
    assert found["Acme Corp"].owner_user_id == "ana@acme.example"  # no Slack token in this test: kept
    assert result.notes["owner kept as ana@acme.example: no Slack token to look it up"] == 2
    assert result.notes["owner kept as Gavin Belson: not a Slack user id or an email"] == 1
    assert "Record ID" in result.ignored_columns and "Close Date" in result.ignored_columns


def test_a_salesforce_account_report_and_a_data_loader_export_import(session_factory):
    result = run_sample("customers", session_factory, "salesforce_accounts.csv")
    assert (result.imported, result.rejected) == (4, 0)
    found = _customers(session_factory)
    wayne = found["Wayne Enterprises"]
    assert (wayne.stage, wayne.value, wayne.renewal_date) == (
        Stage.RETENTION,
        Decimal("1200000.00"),
        date(2026, 12, 31),
    )
    assert wayne.created_at == datetime(2024, 1, 31, tzinfo=UTC)
    assert found["Cyberdyne Systems"].stage == Stage.ACQUISITION and found["Cyberdyne Systems"].value is None
    assert found["Tyrell Corp"].renewal_date == date(2027, 6, 30)
    assert found["Soylent Corp"].stage == Stage.CHURNED and found["Soylent Corp"].risk_level is None

    loader = run_sample("customers", session_factory, "salesforce_accounts_dataloader.csv", workspace_id="T0BETA")
    assert (loader.imported, loader.rejected) == (2, 0)
    with session_factory.begin() as session:
        beta = session.scalars(
            select(Customer).where(Customer.workspace_id == "T0BETA", Customer.name == "Wayne Enterprises")
        ).one()
        assert (beta.stage, beta.value, beta.owner_user_id) == (
            Stage.RETENTION,
            Decimal("1200000.00"),
            "0055g00000XyZ12AAA",
        )
        assert beta.created_at == datetime(2024, 1, 31, 10, 15, tzinfo=UTC)


MALFORMED = f"""Company name,Lifecycle Stage,Create Date,Annual Revenue
Good One,lead,2024-01-01,100
,lead,2024-01-01,
{"A" * 81},lead,2024-01-01,
Star *Corp*,lead,2024-01-01,
Partner Co,Technology Partner,2024-01-01,
Bad Date Co,lead,31/01/2024,
Future Co,lead,2099-01-01,
Pricey Co,lead,2024-01-01,a lot
"Quoted, Inc.",customer,2024-02-02,"1,000"
good one,customer,2024-03-03,
"""


def test_bad_rows_are_reported_with_their_line_and_reason_and_good_rows_still_import(session_factory):
    seen = []
    result = run_import("customers", session_factory, MALFORMED, on_reject=seen.append)
    assert (result.rows, result.imported, result.already_there, result.rejected) == (10, 2, 1, 7)
    assert [(item.line, item.code) for item in seen] == [
        (3, "missing name"),
        (4, "name too long"),
        (5, "bad name"),
        (6, "unknown stage"),
        (7, "bad date"),
        (8, "future date"),
        (9, "bad value"),
    ]
    assert (
        "“Technology Partner”" in seen[3].reason
        and "“31/01/2024”" in seen[4].reason
        and "“2099-01-01”" in seen[5].reason
    )
    assert "80" in seen[1].reason
    found = _customers(session_factory)
    assert set(found) == {"Good One", "Quoted, Inc."}
    assert found["Good One"].stage == Stage.REACH  # the second "good one" in the file changed nothing
    assert result.complete and result.committed_line == 11


def test_importing_the_same_file_twice_changes_nothing(session_factory):
    run_sample("customers", session_factory, "hubspot_companies.csv")
    before = {model: rows_of(session_factory, model) for model in (Customer, StageChange, CustomerTeamOwner, Workspace)}
    again = run_sample("customers", session_factory, "hubspot_companies.csv")
    assert (again.imported, again.already_there, again.rejected) == (0, 6, 0)
    assert {model: rows_of(session_factory, model) for model in before} == before


def test_a_customer_already_there_is_left_as_it_is(session_factory):
    with session_factory.begin() as session:
        add_customer(
            session, workspace_id=TEAM, name="ACME corp", stage=Stage.CONVERSION, owner="U0REP", actor="U0REP", now=NOW
        )
    result = run_import("customers", session_factory, "name,stage,value\nAcme Corp,loyalty,5\nNew Co,lead,\n")
    assert (result.imported, result.already_there) == (1, 1)
    acme = _customers(session_factory)["ACME corp"]
    assert (acme.stage, acme.value) == (Stage.CONVERSION, None)


def test_importing_customers_posts_nothing_and_hands_nobody_off(session_factory):
    route_every_team(session_factory)
    run_sample("customers", session_factory, "hubspot_companies.csv")
    run_sample("customers", session_factory, "salesforce_accounts.csv")
    with session_factory.begin() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert session.scalar(select(func.count()).select_from(Handoff)) == 0


def test_the_funnel_counts_imported_customers(session_factory):
    run_sample("customers", session_factory, "hubspot_companies.csv")
    with session_factory.begin() as session:
        counts = funnel_counts(session, workspace_id=TEAM)
    assert (counts[Stage.REACH], counts[Stage.ACQUISITION], counts[Stage.RETENTION], counts[Stage.LOYALTY]) == (
        1,
        3,
        1,
        1,
    )


def test_the_workspace_is_the_one_given_or_the_only_one_there_is(session_factory):
    with session_factory.begin() as session:
        with pytest.raises(InvalidInput, match="no workspace yet"):
            choose_workspace(session, None, may_create=True, now=NOW)
        with pytest.raises(InvalidInput, match="no workspace acme here"):
            choose_workspace(session, "acme", may_create=True, now=NOW)  # not a Slack team id
        assert choose_workspace(session, "T0ACME", may_create=True, now=NOW) == "T0ACME"  # created
        assert choose_workspace(session, None, may_create=False, now=NOW) == "T0ACME"
        with pytest.raises(InvalidInput, match=r"no workspace T0OTHER here \(known: T0ACME\)"):
            choose_workspace(session, "T0OTHER", may_create=False, now=NOW)
        with pytest.raises(InvalidInput, match=r"no workspace T0ACNE here \(known: T0ACME\)"):
            choose_workspace(session, "T0ACNE", may_create=True, now=NOW)  # a typo starts no second workspace
        repo.ensure_workspace(session, "T0BETA", now=NOW)
        with pytest.raises(InvalidInput, match="2 workspaces: T0ACME, T0BETA. Pass --team"):
            choose_workspace(session, None, may_create=False, now=NOW)
        assert choose_workspace(session, "T0BETA", may_create=False, now=NOW) == "T0BETA"
