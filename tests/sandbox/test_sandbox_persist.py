"""The sandbox's conversations outlive a restart: kept in a JSON file beside the SQLite database."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox.people import SALES
from bot.sandbox.persist import Keeper, conversations_path
from bot.sandbox.workspace import Message, StoredFile, Workspace


def test_conversations_are_kept_beside_a_sqlite_file_only() -> None:
    assert conversations_path("sqlite:///data/lifecycle-sandbox.db") == Path("data/lifecycle-sandbox.db.slack.json")
    assert conversations_path("sqlite://") is None
    assert conversations_path("postgresql+psycopg://u@localhost/db") is None


def test_messages_and_files_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db.slack.json"
    before = Workspace()
    keeper = Keeper(before, path)
    keeper.load()
    with before.cond:
        before.add_message(Message("C0SERVICES", "1700000000.000001", "U0LCBOT", "Handoff", [{"type": "divider"}]))
        before.add_message(Message("C0SALES", "1700000000.000002", "U0LCBOT", "Just you", visible_to=SALES))
        before.files["F1"] = StoredFile("F1", "funnel.png", "Funnel", b"\x89PNG")
        before.changed()
    keeper.stop()

    after = Workspace()
    Keeper(after, path).load()
    assert [(m.channel, m.text, m.visible_to) for m in after.messages] == [
        ("C0SERVICES", "Handoff", None),
        ("C0SALES", "Just you", SALES),
    ]
    assert after.files["F1"].content == b"\x89PNG"


def test_a_keeper_that_never_loaded_never_overwrites_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db.slack.json"
    path.write_text('{"version": 1, "messages": [], "files": []}', encoding="utf-8")
    workspace = Workspace()
    with workspace.cond:
        workspace.changed()
    Keeper(workspace, path).stop()  # the sandbox failed before loading: the file stays as it was
    assert path.read_text(encoding="utf-8") == '{"version": 1, "messages": [], "files": []}'


def test_an_unreadable_file_is_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db.slack.json"
    path.write_text("{not json", encoding="utf-8")
    workspace = Workspace()
    Keeper(workspace, path).load()
    assert workspace.messages == []
