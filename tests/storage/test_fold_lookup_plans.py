"""Folded-name lookups (resolving a name, the picker's type-ahead) read a range of the fold key index.

As in test_query_plans: statements captured from the real lifecycle functions are EXPLAINed on the same database,
so a change that stops them using ix_customers_workspace_fold_key fails here rather than at 100k customers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from lifecycle.customers import add_customer, resolve_customer, search_customers
from lifecycle.stages import Stage
from tests.storage.test_query_plans import captured_statements, plan_of

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FOLD_INDEX = "ix_customers_workspace_fold_key"


@pytest.fixture
def seeded(session_factory):
    with session_factory.begin() as session:
        for number in range(30):
            name = f"Café Müller {number}" if number % 2 else f"🚀 Rocket Labs {number}"
            add_customer(session, workspace_id="T0ACME", name=name, stage=Stage.REACH, owner="U0", actor="U0", now=NOW)
    return session_factory


def _fold_range_statements(statements):
    """The statements that look up a range or a value of the folded name."""
    found = [(s, p) for s, p in statements if re.search(r"customers\.fold_key (>=|=|IN) ", s)]
    assert found, "no folded-name lookup was run"
    return found


@pytest.mark.parametrize("typed", ["cafe", "ROCKET LABS 2", "rockt labs"], ids=["prefix", "folded", "close"])
def test_the_picker_reads_ranges_of_the_fold_key_index(engine, seeded, typed):
    with captured_statements(engine) as statements, seeded() as session:
        search_customers(session, workspace_id="T0ACME", query=typed)
    for statement, parameters in _fold_range_statements(statements):
        plan = plan_of(engine, statement, parameters)
        assert FOLD_INDEX in plan, plan


def test_resolving_a_folded_name_reads_the_fold_key_index(engine, seeded):
    with captured_statements(engine) as statements, seeded() as session:
        assert resolve_customer(session, workspace_id="T0ACME", customer="cafe muller 3").name == "Café Müller 3"
    for statement, parameters in _fold_range_statements(statements):
        plan = plan_of(engine, statement, parameters)
        assert FOLD_INDEX in plan, plan


def test_wildcards_typed_into_the_picker_are_plain_text(seeded):
    with seeded() as session:
        for typed in ("%", "_", "c%fe", "r_cket", "\\", "%%%"):
            assert search_customers(session, workspace_id="T0ACME", query=typed) == [], typed
