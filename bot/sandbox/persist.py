"""The sandbox's conversations survive a restart: messages and files are kept in a JSON file beside the database.

The bot's outbox never re-sends what it delivered, so without this a second `lifecycle-bot sandbox` would show
empty channels next to a database full of history.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.sandbox.workspace import Message, StoredFile, Workspace

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
SAVE_EVERY_SECONDS = 0.5


def conversations_path(database_url: str) -> Path | None:
    """`<database>.slack.json` beside a SQLite file; None for in-memory or server databases (nothing is kept)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(f"{url.database}.slack.json")


def dump(workspace: Workspace) -> dict[str, Any]:
    """The workspace's messages and uploaded files as JSON-ready data."""
    with workspace.cond:
        messages = [
            {
                "channel": m.channel,
                "ts": m.ts,
                "user": m.user,
                "text": m.text,
                "blocks": m.blocks,
                "thread_ts": m.thread_ts,
                "visible_to": m.visible_to,
                "files": m.files,
                "edited": m.edited,
            }
            for m in workspace.messages
        ]
        files = [
            {"file_id": f.file_id, "name": f.name, "title": f.title, "content": base64.b64encode(f.content).decode()}
            for f in workspace.files.values()
            if f.content is not None
        ]
    return {"version": FORMAT_VERSION, "messages": messages, "files": files}


def load(workspace: Workspace, data: dict[str, Any]) -> None:
    """Put saved messages and files back into an empty workspace."""
    if data.get("version") != FORMAT_VERSION:
        return
    with workspace.cond:
        for item in data.get("messages", []):
            workspace.messages.append(Message(**item))
        for item in data.get("files", []):
            content = base64.b64decode(item.pop("content"))
            workspace.files[item["file_id"]] = StoredFile(**item, content=content)
        workspace.changed()


class Keeper:
    """Loads the conversations at start, then saves them (at most twice a second) until stopped."""

    def __init__(self, workspace: Workspace, path: Path) -> None:
        self.workspace = workspace
        self.path = path
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved_version = -1
        self._loaded = False  # never save over a file that was not read first

    def load(self) -> None:
        """Read the saved conversations, if any; an unreadable file is logged and replaced, not fatal."""
        self._loaded = True
        if not self.path.exists():
            return
        try:
            load(self.workspace, json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, TypeError, KeyError) as error:
            logger.warning("ignoring unreadable %s (%s)", self.path, error)
        self._saved_version = self.workspace.version

    def start(self) -> None:
        """Save in the background whenever the workspace changed."""
        self._thread = threading.Thread(target=self._loop, name="sandbox-keeper", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.workspace.wait_for_change(self._saved_version, timeout=SAVE_EVERY_SECONDS)
            if self._stop.wait(SAVE_EVERY_SECONDS):
                break
            self.save()

    def save(self) -> None:
        """Write the conversations now if they changed (atomically: a crash never leaves half a file)."""
        version = self.workspace.version
        if not self._loaded or version == self._saved_version:
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(dump(self.workspace)), encoding="utf-8")
        os.replace(temporary, self.path)
        self._saved_version = version

    def stop(self) -> None:
        """Stop the background saver and save one last time."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.save()
