"""Events API listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from handlers.context import deps_of
from handlers.errors import replies_on_error
from handlers.home import home_opened
from lifecycle.workspaces import mark_uninstalled

logger = logging.getLogger(__name__)


def _workspace_of(body: dict[str, Any]) -> str:
    return str(body.get("team_id") or (body.get("authorizations") or [{}])[0].get("team_id") or "")


@replies_on_error
def app_uninstalled(body: dict[str, Any], context: dict[str, Any]) -> None:
    """The workspace removed the app: stop all its work, keep its data (a re-install resumes)."""
    _stop(body, context, reason="app_uninstalled")


@replies_on_error
def tokens_revoked(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
    """The bot's token was revoked: nothing can be sent any more, so work stops as on an uninstall."""
    # A revoked user token alone (we ask for none) leaves the bot working.
    if (event.get("tokens") or {}).get("bot"):
        _stop(body, context, reason="tokens_revoked")


def _stop(body: dict[str, Any], context: dict[str, Any], *, reason: str) -> None:
    workspace_id = _workspace_of(body)
    if not workspace_id:
        return
    deps = deps_of(context)
    with deps.transaction() as session:
        stopped = mark_uninstalled(session, workspace_id=workspace_id, now=deps.clock(), reason=reason)
    if stopped:
        logger.info("workspace %s: %s; its work is stopped and its data kept", workspace_id, reason)


def register(app: App) -> None:
    """Register event listeners; each is idempotent because Slack retries events."""
    app.event("app_home_opened")(home_opened)
    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)
