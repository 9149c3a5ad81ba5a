"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from bot.installations import store_metadata
from storage.models import Base


def _models_and_slack_stores() -> MetaData:
    """Our models plus slack_sdk's installation and state store tables (as the bot's store builds them)."""
    combined = MetaData()
    for metadata in (Base.metadata, store_metadata()):
        for table in metadata.sorted_tables:
            table.to_metadata(combined)
    return combined


def test_migrated_schema_matches_the_models_and_the_slack_stores(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, _models_and_slack_stores()) == []


def test_the_slack_store_tables_keep_slack_sdks_columns_with_room_for_encrypted_tokens(engine):
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    slack_bots = SQLAlchemyInstallationStore.build_bots_table(MetaData(), "slack_bots")
    stored = {column["name"]: column for column in inspect(engine).get_columns("slack_bots")}
    assert set(stored) == {column.name for column in slack_bots.columns}
    assert str(stored["bot_token"]["type"]).upper() == "TEXT"  # slack_sdk's VARCHAR(200) is too short for ciphertext


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


def test_upgrading_reads_stated_intents_and_counts_repeat_business_already_stored(tmp_path):
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, text

    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0005")
    engine = create_engine(url)
    now = datetime(2026, 11, 1, tzinfo=UTC).isoformat()
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspaces (id, timezone, created_at) VALUES ('T0', 'UTC', :now)"), {"now": now}
        )
        connection.execute(
            text(
                "INSERT INTO customers (id, workspace_id, name, name_key, stage, stage_entered_at, owner_user_id, "
                "created_by, created_at, updated_at) VALUES (1, 'T0', 'Acme', 'acme', 'retention', :now, 'U0', 'U0', "
                ":now, :now)"
            ),
            {"now": now},
        )
        for row_id, words in ((1, "We will not renew next year."), (2, "Love the new reports!")):
            connection.execute(
                text(
                    "INSERT INTO feedback (id, workspace_id, customer_id, text, author_user_id, source, compound, "
                    "pos, neu, neg, label, created_at) "
                    "VALUES (:id, 'T0', 1, :text, 'U0', 'command', 0, 0, 1, 0, 'neutral', :now)"
                ),
                {"id": row_id, "text": words, "now": now},
            )
        connection.execute(
            text(
                "INSERT INTO touchpoints (id, workspace_id, customer_id, kind, note, author_user_id, occurred_at, "
                "created_at) VALUES (1, 'T0', 1, 'call', 'They want to cancel the contract in May', 'U0', :now, :now), "
                "(2, 'T0', 1, 'renewal', '', 'U0', :now, :now)"
            ),
            {"now": now},
        )
    upgrade(url)
    with engine.connect() as connection:
        feedback = connection.execute(text("SELECT id, intent, intent_phrase FROM feedback ORDER BY id")).all()
        note = connection.execute(text("SELECT intent, intent_phrase FROM touchpoints WHERE id = 1")).one()
        loyalty_events = connection.execute(text("SELECT loyalty_events FROM customers")).scalar_one()
    engine.dispose()
    assert feedback == [(1, "churn", "will not renew"), (2, None, None)]
    assert note == ("cancel", "want to cancel")
    assert loyalty_events == 1  # the renewal, counted as log_touchpoint would have
