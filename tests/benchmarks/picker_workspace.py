"""The workspaces the customer-picker benchmark seeds: many customers, some archived, emoji and accents in names."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import Engine, insert

from lifecycle.stages import Stage
from storage.models import Customer, Workspace
from tests.benchmarks.lookup_workspace import INSERT_CHUNK_ROWS, NOW, _customer_name, _customer_row, _owner

# One name in EMOJI_EVERY starts with an emoji (a prime, so most of them stay live); one in ARCHIVED_EVERY is
# archived (the picker must never offer it).
EMOJI_EVERY = 37
ARCHIVED_EVERY = 20
EMOJI = ("🚀", "🌟", "☕")


@dataclass(frozen=True)
class PickerWorkspace:
    """What the probes check their answers against."""

    workspace_id: str
    names: list[str]
    archived: frozenset[str]


def seed_picker_workspace(engine: Engine, workspace_id: str, count: int, *, seed: int) -> PickerWorkspace:
    """`count` customers named like "Brave Falcon Labs 4242" (some "🚀 …", some "… Café …"), as add_customer stores."""
    rng = random.Random(seed)
    stages = list(Stage)
    names, rows, archived = [], [], set()
    for number in range(1, count + 1):
        name = _customer_name(rng, number)
        if number % EMOJI_EVERY == 0:
            name = f"{rng.choice(EMOJI)} {name}"
        row = _customer_row(workspace_id, name, rng.choice(stages), _owner(rng.randrange(20)), rng)
        row["archived_at"] = NOW if number % ARCHIVED_EVERY == 0 else None
        if row["archived_at"] is not None:
            archived.add(name)
        names.append(name)
        rows.append(row)
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": workspace_id, "created_at": NOW}])
        for start in range(0, len(rows), INSERT_CHUNK_ROWS):
            connection.execute(insert(Customer), rows[start : start + INSERT_CHUNK_ROWS])
    return PickerWorkspace(workspace_id=workspace_id, names=names, archived=frozenset(archived))
