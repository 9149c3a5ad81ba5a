"""Many workspaces: Bolt's OAuth install flow (/slack/install, /slack/oauth_redirect) on our installation store.

An install stores the workspace's tokens (encrypted), then marks the workspace installed and makes the installer a
lifecycle admin, all before the success page shows. Uninstalls and revoked tokens remove the stored tokens here;
handlers/events.py stops the workspace's work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltRequest
from slack_bolt.error import BoltError
from slack_bolt.listener.builtins import TokenRevocationListeners
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.installations import EncryptedInstallationStore, TokenCipher, state_store
from bot.manifest import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH
from lifecycle.clock import Clock
from lifecycle.workspaces import mark_installed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OAuthStores:
    """Where installs are kept: the (encrypting) installation store and the install link's state store."""

    installations: EncryptedInstallationStore
    states: SQLAlchemyOAuthStateStore


def oauth_stores(settings: Settings, engine: Engine) -> OAuthStores:
    """Both stores, in the app's own database (tables from migration 0008)."""
    cipher = TokenCipher(settings.encryption_keys)
    if not cipher.enabled:
        logger.warning("LIFECYCLE_ENCRYPTION_KEY is not set: bot tokens are stored unencrypted")
    return OAuthStores(
        installations=EncryptedInstallationStore(client_id=settings.slack_client_id, engine=engine, cipher=cipher),
        states=state_store(engine),
    )


class LifecycleOAuthFlow(OAuthFlow):
    """Bolt's OAuth flow; an install also marks the workspace installed and its installer an admin."""

    def __init__(self, *, settings: OAuthSettings, installed: Callable[[Installation], None]) -> None:
        super().__init__(settings=settings, logger=logging.getLogger("slack_bolt.oauth"))
        self._installed = installed

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        """Save the tokens, then the workspace; a failure shows Slack's install failure page (storage_error)."""
        super().store_installation(request, installation)
        try:
            self._installed(installation)
        except Exception as error:
            logger.exception("could not record the install of workspace %s", installation.team_id)
            raise BoltError("the install could not be recorded") from error


def oauth_flow(
    settings: Settings,
    stores: OAuthStores,
    session_factory: sessionmaker[Session],
    *,
    clock: Clock,
    notify: Callable[[], None],
) -> LifecycleOAuthFlow:
    """The install flow at /slack/install and /slack/oauth_redirect, storing bot tokens only."""
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=BOT_SCOPES,
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=stores.installations,
        installation_store_bot_only=True,
        state_store=stores.states,
    )
    return LifecycleOAuthFlow(settings=oauth_settings, installed=record_install(session_factory, clock, notify))


def record_install(
    session_factory: sessionmaker[Session], clock: Clock, notify: Callable[[], None]
) -> Callable[[Installation], None]:
    """What an install changes in our data: the workspace works (again) and its installer is an admin."""

    def installed(installation: Installation) -> None:
        if installation.team_id is None:
            return  # an org-wide Enterprise Grid install: the manifest does not offer it (org_deploy_enabled)
        with session_factory.begin() as session:
            reinstalled = mark_installed(
                session, workspace_id=installation.team_id, installer=installation.user_id, now=clock()
            )
        logger.info("workspace %s %s the app", installation.team_id, "reinstalled" if reinstalled else "installed")
        notify()  # messages held while it was uninstalled are due again

    return installed


def forget_revoked_tokens(store: EncryptedInstallationStore) -> Callable[..., Any]:
    """A Bolt middleware: app_uninstalled and tokens_revoked delete the stored tokens (Bolt's own listeners' work).

    A middleware rather than a listener, because Bolt runs only the first matching listener, and
    handlers/events.py's listener stops the workspace's work.
    """
    revocations = TokenRevocationListeners(store)

    def forget(body: dict[str, Any], context: Any, next: Callable[[], Any]) -> Any:  # noqa: A002 - Bolt's name
        event = body.get("event") or {}
        if body.get("type") == "event_callback" and event.get("type") == "app_uninstalled":
            revocations.handle_app_uninstalled_events(context)
        elif body.get("type") == "event_callback" and event.get("type") == "tokens_revoked":
            revocations.handle_tokens_revoked_events(event, context)
        return next()

    return forget
