"""Who is a workspace admin or owner, as Slack says (users.info), cached for a few minutes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)

# Long enough that a burst of admin commands asks Slack once; short enough that a demoted admin loses
# the right within minutes.
CACHE_SECONDS = 300


class WorkspaceAdmins:
    """users.info answers about admins and owners, cached per (workspace, user); one per running app."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self._cache: TTLCache[tuple[str, str], bool] = TTLCache(maxsize=10_000, ttl=ttl)
        self._lock = threading.Lock()

    def is_admin(self, client: WebClient, *, workspace_id: str, user_id: str) -> bool:
        """True for workspace admins and owners; False when Slack can't say (never an error for the user)."""
        key = (workspace_id, user_id)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except SlackApiError as error:
            logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
            return False  # not cached: the next request asks again
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        with self._lock:
            self._cache[key] = admin
        return admin

    def check(self, client: WebClient, *, workspace_id: str, user_id: str) -> Callable[[], bool]:
        """A lazy check, so Slack is asked only when the database does not already allow the action."""
        return lambda: self.is_admin(client, workspace_id=workspace_id, user_id=user_id)
