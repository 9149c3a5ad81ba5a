"""The lookups the bot does on every command are served by indexes, not table scans."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite

from lifecycle.stages import Stage
from storage.models import Customer, Touchpoint
from storage.repositories import _prefix_upper_bound


def _queries():
    return {
        "name prefix": select(Customer.id).where(
            Customer.workspace_id == "T0ACME",
            Customer.name_key >= "acm",
            Customer.name_key < _prefix_upper_bound("acm"),
        ),
        "by stage": select(Customer.id).where(
            Customer.workspace_id == "T0ACME", Customer.stage == Stage.RETENTION
        ),
        "last touchpoint": select(Touchpoint.occurred_at)
        .where(Touchpoint.customer_id == 42)
        .order_by(Touchpoint.occurred_at.desc())
        .limit(1),
    }


@pytest.mark.parametrize("name", ["name prefix", "by stage", "last touchpoint"])
def test_hot_lookups_use_an_index(engine, name):
    query = _queries()[name]
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            compiled = query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
            plan = " ".join(
                str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            )
            assert "USING" in plan and "INDEX" in plan, plan
        else:
            compiled = query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
            # With sequential scans off, the planner still picks a scan unless an index can serve the query.
            connection.execute(text("SET enable_seqscan = off"))
            plan = " ".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))
            assert "Index" in plan, plan
