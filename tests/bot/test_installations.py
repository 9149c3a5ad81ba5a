"""Bot tokens at rest: encrypted with LIFECYCLE_ENCRYPTION_KEY, readable through a key rotation, never in the clear."""

from __future__ import annotations

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, select

from bot.config import ConfigError, Settings, load_settings
from bot.installations import EncryptedInstallationStore, TokenCipher, TokenUnreadable, store_metadata
from bot.oauth import oauth_stores
from bot.runtime import rewrap_stored_tokens
from tests.conftest import CLIENT_ID, CLIENT_SECRET, ENCRYPTION_KEYS

NEW_KEY, OLD_KEY = ENCRYPTION_KEYS
# A rotating token is long; encrypted, it is longer than slack_sdk's VARCHAR(200).
BOT_TOKEN = "xoxe.xoxb-1-" + "MS0yLTEyMzQ1Njc4OTAtMTIzNDU2Nzg5MDEyMy0xMjM0NTY3ODkwMTIzNC0" * 3
REFRESH_TOKEN = "xoxe-1-" + "My0xLTEyMzQ1Njc4OTAtMTIzNDU2Nzg5MDEyMy0xMjM0NTY3ODkwMTIzNC0" * 3


@pytest.fixture
def slack_tables(engine: Engine):
    yield engine
    with engine.begin() as connection:
        for table in reversed(store_metadata().sorted_tables):
            connection.execute(table.delete())


def store(engine: Engine, *keys: str) -> EncryptedInstallationStore:
    return EncryptedInstallationStore(client_id=CLIENT_ID, engine=engine, cipher=TokenCipher(list(keys)))


def save_acme(target: EncryptedInstallationStore, *, enterprise_id: str | None = None) -> None:
    target.save(
        Installation(
            app_id="A0LIFECYCLE",
            enterprise_id=enterprise_id,
            team_id="T0ACME",
            bot_token=BOT_TOKEN,
            bot_id="B0BOT",
            bot_user_id="U0BOT",
            bot_scopes="commands,chat:write",
            bot_refresh_token=REFRESH_TOKEN,
            bot_token_expires_in=43200,
            user_id="U0ANA",
        )
    )


def rows_at_rest(engine: Engine) -> str:
    """Every stored row of both token tables, as text."""
    tables = store_metadata().tables
    with engine.connect() as connection:
        return repr(
            [
                dict(row)
                for name in ("slack_bots", "slack_installations")
                for row in connection.execute(select(tables[name])).mappings()
            ]
        )


def acme_token(target: EncryptedInstallationStore) -> str | None:
    bot = target.find_bot(enterprise_id=None, team_id="T0ACME")
    return bot.bot_token if bot else None


def test_with_a_key_the_token_columns_hold_ciphertext_and_read_back_as_tokens(slack_tables):
    keyed = store(slack_tables, NEW_KEY)
    save_acme(keyed)
    at_rest = rows_at_rest(slack_tables)
    assert BOT_TOKEN not in at_rest and REFRESH_TOKEN not in at_rest and "gAAAA" in at_rest
    bot = keyed.find_bot(enterprise_id=None, team_id="T0ACME")
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == (BOT_TOKEN, REFRESH_TOKEN)
    installation = keyed.find_installation(enterprise_id=None, team_id="T0ACME")
    assert installation is not None and installation.bot_token == BOT_TOKEN


def test_after_a_key_rotation_old_tokens_still_read_and_are_rewrapped_under_the_new_key(slack_tables):
    save_acme(store(slack_tables, OLD_KEY))
    rotated = store(slack_tables, NEW_KEY, OLD_KEY)  # step 1: the new key first, the old one still listed
    assert acme_token(rotated) == BOT_TOKEN
    with pytest.raises(TokenUnreadable):
        acme_token(store(slack_tables, NEW_KEY))  # not yet: the rows are still under the old key
    # What `lifecycle-bot run` does at start: one bot row and one installation row re-encrypted.
    assert rotated.rewrap_tokens() == (2, 0)
    assert rotated.rewrap_tokens() == (0, 0)
    assert acme_token(store(slack_tables, NEW_KEY)) == BOT_TOKEN  # step 2: the old key can go
    with pytest.raises(TokenUnreadable) as unreadable:
        acme_token(store(slack_tables, OLD_KEY))
    assert BOT_TOKEN not in str(unreadable.value) and "LIFECYCLE_ENCRYPTION_KEY" in str(unreadable.value)
    assert store(slack_tables, OLD_KEY).rewrap_tokens() == (0, 2)  # a lost key: reported, the rows left alone
    assert acme_token(store(slack_tables, NEW_KEY)) == BOT_TOKEN


def test_turning_encryption_on_encrypts_the_tokens_stored_in_the_clear_at_start(slack_tables):
    save_acme(store(slack_tables))
    assert BOT_TOKEN in rows_at_rest(slack_tables)
    settings = Settings(slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET, lifecycle_encryption_key=NEW_KEY)
    stores = oauth_stores(settings, slack_tables)
    assert acme_token(stores.installations) == BOT_TOKEN  # readable before the rewrap too
    rewrap_stored_tokens(stores)
    assert BOT_TOKEN not in rows_at_rest(slack_tables)
    assert acme_token(store(slack_tables, NEW_KEY)) == BOT_TOKEN


def test_encrypted_tokens_without_the_key_are_an_error_naming_the_setting(slack_tables):
    save_acme(store(slack_tables, NEW_KEY))
    with pytest.raises(TokenUnreadable, match="set LIFECYCLE_ENCRYPTION_KEY"):
        acme_token(store(slack_tables))


def test_the_outbox_finds_a_workspaces_bot_whatever_its_enterprise_grid_org(slack_tables):
    keyed = store(slack_tables, NEW_KEY)
    save_acme(keyed, enterprise_id="E0GRID")
    bot = keyed.bot_of_workspace("T0ACME")
    assert bot is not None and bot.bot_token == BOT_TOKEN
    assert keyed.bot_of_workspace("T0BETA") is None


def oauth_env(monkeypatch, **env: str) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "0123456789abcdef")
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_oauth_mode_needs_no_bot_token_but_both_client_settings(monkeypatch):
    oauth_env(monkeypatch, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET)
    assert load_settings(http=True).oauth_enabled
    oauth_env(monkeypatch, SLACK_CLIENT_ID=CLIENT_ID)
    with pytest.raises(ConfigError, match=r"^SLACK_CLIENT_SECRET is not set: copy the Client Secret from your app"):
        load_settings(http=True)
    oauth_env(monkeypatch, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SLACK_APP_TOKEN="xapp-1-A")
    with pytest.raises(ConfigError, match="need HTTP mode"):
        load_settings()


@pytest.mark.parametrize("key", ["not-a-key", f"{NEW_KEY},short", NEW_KEY[:-4]])
def test_a_bad_encryption_key_is_one_line_that_never_echoes_it(monkeypatch, key):
    oauth_env(monkeypatch, SLACK_BOT_TOKEN="xoxb-1", LIFECYCLE_ENCRYPTION_KEY=key)
    with pytest.raises(ConfigError) as raised:
        load_settings(http=True)
    message = str(raised.value)
    assert message.startswith("LIFECYCLE_ENCRYPTION_KEY is invalid: each comma-separated key must be a Fernet key")
    assert "Fernet.generate_key()" in message and "\n" not in message and key not in message


def test_several_keys_are_read_newest_first(monkeypatch):
    oauth_env(monkeypatch, SLACK_BOT_TOKEN="xoxb-1", LIFECYCLE_ENCRYPTION_KEY=f" {NEW_KEY} , {OLD_KEY} ")
    assert load_settings(http=True).encryption_keys == [NEW_KEY, OLD_KEY]
