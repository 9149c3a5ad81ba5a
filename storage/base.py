"""The declarative base and column types shared by every model."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, Enum, Integer, String
from sqlalchemy.orm import DeclarativeBase, mapped_column

from lifecycle.health import RiskLevel
from lifecycle.stages import Stage, Team
from lifecycle.states import HandoffStatus, OutboxKind, OutboxStatus
from lifecycle.touchpoints import TouchpointKind
from storage.types import UTCDateTime

# Slack IDs (team, user, channel) are short upper-case strings.
SlackId = Annotated[str, mapped_column(String(32))]
Timestamp = Annotated[datetime, mapped_column(UTCDateTime())]
# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")
# Names are matched by prefix; a binary collation lets a plain B-tree index serve range scans on PostgreSQL.
NameKey = String(120).with_variant(String(120, collation="C"), "postgresql")


def enum_type(enum_class: type[enum.Enum]) -> Enum:
    """A column type for an enum."""
    # Store the enum's value ("reach"), not its Python name, as plain VARCHAR (no native enum to migrate).
    return Enum(
        enum_class,
        values_callable=lambda members: [member.value for member in members],
        native_enum=False,
        length=20,
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Declarative base with enums stored by value."""

    type_annotation_map = {
        Stage: enum_type(Stage),
        Team: enum_type(Team),
        TouchpointKind: enum_type(TouchpointKind),
        HandoffStatus: enum_type(HandoffStatus),
        OutboxStatus: enum_type(OutboxStatus),
        OutboxKind: enum_type(OutboxKind),
        RiskLevel: enum_type(RiskLevel),
        dict[str, Any]: JSON(),
        dict[str, Any] | None: JSON(),
    }
