"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.models import Base


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_create_the_lookup_indexes(engine):
    inspector = inspect(engine)
    customer_indexes = {index["name"] for index in inspector.get_indexes("customers")}
    assert {
        "ix_customers_workspace_stage_updated",
        "ix_customers_workspace_owner_updated",
        "ix_customers_workspace_updated",
    } <= customer_indexes
    touchpoint_indexes = {index["name"]: index["column_names"] for index in inspector.get_indexes("touchpoints")}
    assert touchpoint_indexes["ix_touchpoints_customer_occurred"] == ["customer_id", "occurred_at"]
    uniques = {constraint["name"] for constraint in inspector.get_unique_constraints("customers")}
    assert "uq_customers_workspace_name_key" in uniques
