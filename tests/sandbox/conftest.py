"""Sandboxes for the tests: the real bot behind the stand-in workspace, in this process, on free ports."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.sandbox.run import Sandbox
from bot.sandbox.workspace import JsonDict

T = TypeVar("T")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def wait_until(probe: Callable[[], T | None], *, timeout: float = 10.0, what: str = "it") -> T:
    """Poll until `probe` returns something truthy: the bot acks first and works (and delivers) afterwards."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        time.sleep(0.05)


def messages(sandbox: Sandbox, user: str, channel: str) -> list[JsonDict]:
    """What `user` sees in `channel` (top-level messages)."""
    return list(sandbox.workspace.snapshot(user, channel)["messages"])


def text_of(message: JsonDict) -> str:
    """All the text of a message, blocks included, for assertions."""
    parts: list[str] = [str(message.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(parts)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """An empty sandbox workspace (no demo) on a fresh SQLite file."""
    database = tmp_path_factory.mktemp("sandbox") / "sandbox.db"
    with Sandbox(database_url=f"sqlite:///{database}", port=0) as running:
        yield running


@pytest.fixture(scope="module")
def demo_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The sandbox as `lifecycle-bot sandbox --demo` starts it, on a fresh SQLite file."""
    database = tmp_path_factory.mktemp("demo") / "sandbox.db"
    with Sandbox(database_url=f"sqlite:///{database}", port=0, demo=True) as running:
        yield running
