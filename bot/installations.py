"""Where each workspace's bot token lives: slack_sdk's SQLAlchemy installation store, encrypted at rest.

Tokens (and refresh tokens) are sealed with Fernet when LIFECYCLE_ENCRYPTION_KEY is set. Several comma-separated
keys make a MultiFernet: the first encrypts, all decrypt, so a key can be rotated without a moment where some
token cannot be read; `rewrap_tokens` re-encrypts what is stored under the newest key (run at start-up).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Protocol, TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, MetaData, Table, Text, desc, select

logger = logging.getLogger(__name__)

BOTS_TABLE = "slack_bots"
INSTALLATIONS_TABLE = "slack_installations"
STATES_TABLE = "slack_oauth_states"
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
# Refresh a rotating token this long before it expires (Bolt's default too).
ROTATE_MINUTES_BEFORE_EXPIRY = 120
STATE_EXPIRY_SECONDS = 600

Stored = TypeVar("Stored", Bot, Installation)


class TokenUnreadable(Exception):
    """A stored token the configured keys cannot decrypt (the message never contains the token)."""


class TokenCipher:
    """Seals and opens stored tokens: Fernet with the first key, MultiFernet over all keys to read."""

    def __init__(self, keys: Sequence[str]) -> None:
        self._newest = Fernet(keys[0]) if keys else None
        self._all = MultiFernet([Fernet(key) for key in keys]) if keys else None

    @property
    def enabled(self) -> bool:
        """True when tokens are encrypted at rest."""
        return self._all is not None

    def seal(self, value: str | None) -> str | None:
        """The value as stored: encrypted under the newest key (or as given without a key)."""
        if value is None or self._all is None:
            return value
        return self._all.encrypt(value.encode()).decode("ascii")

    def open(self, value: str | None) -> str | None:
        """A stored value as a token; plain tokens (stored before encryption was on) pass through."""
        if value is None or _plain(value):
            return value
        if self._all is None:
            raise TokenUnreadable("stored tokens are encrypted: set LIFECYCLE_ENCRYPTION_KEY to the key they use")
        try:
            return self._all.decrypt(value.encode("ascii")).decode()
        except InvalidToken:
            raise TokenUnreadable(
                "LIFECYCLE_ENCRYPTION_KEY cannot decrypt a stored token: keep the old key after the new one"
            ) from None

    def rewrap(self, value: str | None) -> str | None:
        """The value re-encrypted under the newest key, or None when it already is (or there is no key)."""
        if value is None or self._all is None or self._newest is None:
            return None
        if _plain(value):
            return self.seal(value)
        try:
            self._newest.decrypt(value.encode("ascii"))
            return None
        except InvalidToken:
            pass
        try:
            return self._all.rotate(value.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise TokenUnreadable("LIFECYCLE_ENCRYPTION_KEY cannot decrypt a stored token") from None


def _plain(value: str) -> bool:
    # Slack tokens all start with "xox" (xoxb-, xoxe.xoxb-, xoxe-); Fernet ciphertext starts with "gAAAA".
    return value.startswith("xox")


class _Tables(SQLAlchemyInstallationStore):
    """slack_sdk's store, with token columns wide enough for ciphertext (Fernet more than doubles a token)."""

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        """slack_sdk's installations table, token columns as TEXT."""
        return _widened(super().build_installations_table(metadata, table_name))

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        """slack_sdk's bots table, token columns as TEXT."""
        return _widened(super().build_bots_table(metadata, table_name))


def _widened(table: Table) -> Table:
    for name in TOKEN_COLUMNS:
        if name in table.c:
            table.c[name].type = Text()
    return table


def store_metadata() -> MetaData:
    """The tables of slack_sdk's installation and state stores as migration 0008 creates them."""
    metadata = MetaData()
    _Tables.build_installations_table(metadata, INSTALLATIONS_TABLE)
    _Tables.build_bots_table(metadata, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, STATES_TABLE)
    return metadata


def state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    """The OAuth state store (the install link's CSRF state), in the app's database."""
    return SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRY_SECONDS,
        engine=engine,
        table_name=STATES_TABLE,
        logger=logging.getLogger("slack_sdk.oauth.state_store"),
    )


class EncryptedInstallationStore(InstallationStore):
    """slack_sdk's SQLAlchemy installation store in our database, with every token sealed by a TokenCipher."""

    def __init__(self, *, client_id: str, engine: Engine, cipher: TokenCipher) -> None:
        self.tables = _Tables(
            client_id=client_id,
            engine=engine,
            bots_table_name=BOTS_TABLE,
            installations_table_name=INSTALLATIONS_TABLE,
            logger=logging.getLogger("slack_sdk.oauth.installation_store"),
        )
        self.cipher = cipher

    @property
    def logger(self) -> logging.Logger:
        """The store's logger (slack_sdk's interface)."""
        return self.tables.logger

    def save(self, installation: Installation) -> None:
        """Store an installation (and its bot) with sealed tokens."""
        self.tables.save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        """Store a bot (e.g. after its token was rotated) with sealed tokens."""
        self.tables.save_bot(self._sealed(bot))

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        """The latest bot of a workspace, tokens decrypted."""
        bot = self.tables.find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        return self._opened(bot) if bot is not None else None

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The latest installation of a workspace (or of one user), tokens decrypted."""
        found = self.tables.find_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, is_enterprise_install=is_enterprise_install
        )
        return self._opened(found) if found is not None else None

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget a workspace's bot tokens."""
        self.tables.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget a workspace's installations (or one user's)."""
        self.tables.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)

    def bot_of_workspace(self, workspace_id: str) -> Bot | None:
        """The latest bot of a workspace, whatever its Enterprise Grid org (the outbox knows only team ids)."""
        bots = self.tables.bots
        query = (
            bots.select()
            .where(
                bots.c.client_id == self.tables.client_id,
                bots.c.team_id == workspace_id,
                bots.c.bot_token.is_not(None),
            )
            .order_by(desc(bots.c.installed_at))
            .limit(1)
        )
        with self.tables.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return self._opened(self.tables.build_bot_entity(row)) if row is not None else None

    def rewrap_tokens(self) -> tuple[int, int]:
        """Re-encrypt stored tokens under the newest key (and encrypt plain ones); returns rows changed, unreadable."""
        changed = unreadable = 0
        with self.tables.engine.begin() as connection:
            for table in (self.tables.bots, self.tables.installations):
                columns = [table.c[name] for name in TOKEN_COLUMNS if name in table.c]
                for row in connection.execute(select(table.c.id, *columns)).mappings().all():
                    try:
                        values = {column.name: self.cipher.rewrap(row[column.name]) for column in columns}
                    except TokenUnreadable:
                        unreadable += 1  # under a key no longer configured: left as it is
                        continue
                    values = {name: value for name, value in values.items() if value is not None}
                    if values:
                        connection.execute(table.update().where(table.c.id == row["id"]).values(**values))
                        changed += 1
        return changed, unreadable

    def _sealed(self, stored: Stored) -> Stored:
        sealed = copy.copy(stored)
        for name in TOKEN_COLUMNS:
            if hasattr(sealed, name):
                setattr(sealed, name, self.cipher.seal(getattr(sealed, name)))
        return sealed

    def _opened(self, stored: Stored) -> Stored:
        for name in TOKEN_COLUMNS:
            if hasattr(stored, name):
                setattr(stored, name, self.cipher.open(getattr(stored, name)))
        return stored


class TokenSource(Protocol):
    """Which bot token to use for a workspace."""

    per_workspace: bool

    def bot_token(self, workspace_id: str) -> str | None:
        """The workspace's bot token; None when it has none (not installed)."""
        ...


class SingleToken:
    """One deployment, one workspace: SLACK_BOT_TOKEN for everything."""

    per_workspace = False

    def __init__(self, token: str) -> None:
        self._token = token

    def bot_token(self, workspace_id: str) -> str | None:
        """The configured token, whatever the workspace."""
        return self._token or None


class StoredTokens:
    """Many workspaces: each workspace's token from the installation store, rotated when about to expire."""

    per_workspace = True

    def __init__(self, store: EncryptedInstallationStore, *, client_id: str, client_secret: str, api: WebClient):
        self.store = store
        # Rotation calls oauth.v2.access on the configured Slack API (SLACK_API_URL), like Bolt's own authorize.
        self._rotator = TokenRotator(client_id=client_id, client_secret=client_secret, client=api)

    def bot_token(self, workspace_id: str) -> str | None:
        """The workspace's bot token, refreshed first when a rotating token is close to expiry."""
        try:
            bot = self.store.bot_of_workspace(workspace_id)
        except TokenUnreadable as error:
            logger.error("no usable token for workspace %s: %s", workspace_id, error)
            return None
        if bot is None:
            return None
        if bot.bot_refresh_token is not None:
            try:
                refreshed = self._rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=ROTATE_MINUTES_BEFORE_EXPIRY
                )
            except SlackTokenRotationError as error:
                # Rotation starts well before expiry, so the current token usually still works: try it.
                logger.warning("could not rotate the token of workspace %s: %s", workspace_id, _api_error(error))
                return bot.bot_token
            if refreshed is not None:
                self.store.save_bot(refreshed)
                logger.info("rotated the bot token of workspace %s", workspace_id)
                return refreshed.bot_token
        return bot.bot_token


def _api_error(error: SlackTokenRotationError) -> str:
    # Only Slack's error code: the exception's text could carry the request or response.
    cause = error.api_error
    return str(cause.response.get("error")) if isinstance(cause, SlackApiError) else error.__class__.__name__
