"""The queries the bot runs on every command are served by the indexes meant for them.

The statements are captured from the real lifecycle functions and EXPLAINed on the same database, so a
change to a query that stops it using its index fails here rather than at 100k customers.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event

from lifecycle.activity import log_touchpoint
from lifecycle.assessment import assess_customers
from lifecycle.customers import add_customer, list_customers, resolve_customer
from lifecycle.errors import AmbiguousCustomer
from lifecycle.health import RiskLevel
from lifecycle.risk import refresh_in_session, risk_list
from lifecycle.stages import Stage
from lifecycle.touchpoints import TouchpointKind

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@contextmanager
def captured_statements(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def plan_of(engine: Engine, statement: str, parameters: object) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            return "\n".join(str(row[-1]) for row in rows)
        # Statistics as autovacuum would have them; and on a tiny table the planner would rightly scan it (or
        # sort a handful of rows), so forbid scans and sorts to see whether an index can serve the query.
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_bitmapscan = off")
        connection.exec_driver_sql("SET enable_sort = off")
        return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))


@pytest.fixture
def seeded(session_factory):
    with session_factory.begin() as session:
        for number in range(30):
            stage, owner = list(Stage)[number % 6], f"U0OWNER{number % 10}"
            customer = add_customer(
                session, workspace_id="T0ACME", name=f"Acme {number}", stage=stage, owner=owner, actor="U0REP", now=NOW
            )
            log_touchpoint(
                session,
                workspace_id="T0ACME",
                customer=customer.id,
                kind=TouchpointKind.CALL,
                note="",
                actor="U0REP",
                now=NOW,
            )
    return session_factory


def _page_query(statements):
    return next((s, p) for s, p in statements if "ORDER BY" in s.upper() and "LIMIT" in s.upper())


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"stage": Stage.RETENTION}, "ix_customers_workspace_stage_updated"),
        ({"owner": "U0OWNER3"}, "ix_customers_workspace_owner_updated"),
        ({}, "ix_customers_workspace_updated"),
    ],
    ids=["by stage", "by owner", "all"],
)
def test_a_customer_list_page_walks_its_index_in_order(engine, seeded, filters, index):
    with captured_statements(engine) as statements, seeded() as session:
        list_customers(session, workspace_id="T0ACME", **filters)
    plan = plan_of(engine, *_page_query(statements))
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan  # no sorting of the whole stage


@pytest.mark.parametrize("query", ["Acme 1", "acme 2", "acm"], ids=["exact", "prefix", "ambiguous prefix"])
def test_name_lookups_use_the_name_index(engine, seeded, query):
    # An ambiguous prefix raises; only the plans matter here.
    with captured_statements(engine) as statements, seeded() as session, contextlib.suppress(AmbiguousCustomer):
        resolve_customer(session, workspace_id="T0ACME", customer=query)
    for statement, parameters in statements:
        if "FROM customers" in statement and re.search(r"customers\.name_key (=|>=) ", statement):
            plan = plan_of(engine, statement, parameters)
            assert "uq_customers_workspace_name_key" in plan or "sqlite_autoindex_customers" in plan, plan


@pytest.mark.parametrize("level", [RiskLevel.AT_RISK, RiskLevel.WATCH], ids=["at risk", "watch"])
def test_a_risk_list_reads_one_page_of_its_index_worst_first(engine, seeded, level):
    with seeded.begin() as session:
        refresh_in_session(session, workspace_id="T0ACME", now=NOW, force=True)
    with captured_statements(engine) as statements, seeded() as session:
        risk_list(session, workspace_id="T0ACME", level=level)
    plan = plan_of(engine, *_page_query(statements))
    assert "ix_customers_workspace_risk_score" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_one_customers_health_reads_by_customer_not_by_workspace(engine, seeded):
    if engine.dialect.name != "sqlite":
        # PostgreSQL plans on table statistics, meaningless for these few rows; the benchmark covers it at 100k.
        pytest.skip("SQLite's planner only: it picks by index shape, as it does at any size")
    with seeded() as session:
        customer = resolve_customer(session, workspace_id="T0ACME", customer="Acme 7")
    with captured_statements(engine) as statements, seeded() as session:
        assess_customers(session, workspace_id="T0ACME", now=NOW, customer_ids=[customer.id])
    for statement, parameters in statements:
        if "FROM feedback" in statement or "FROM touchpoints" in statement:
            plan = plan_of(engine, statement, parameters)
            assert "customer" in plan and "workspace_created" not in plan and "workspace_occurred" not in plan, plan
