"""Settings from the environment: the only place that reads it."""

from __future__ import annotations

import binascii
from base64 import urlsafe_b64decode

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_DATABASE_URL

HOW_TO_GET = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your app's Basic Information page",
    "SLACK_APP_TOKEN": "create an app-level token (xapp-…) with connections:write under Basic Information",
    "SLACK_CLIENT_ID": "copy the Client ID from your app's Basic Information page (App Credentials)",
    "SLACK_CLIENT_SECRET": "copy the Client Secret from your app's Basic Information page (App Credentials)",
    "LIFECYCLE_ENCRYPTION_KEY": "make one with `python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'`",
}


class ConfigError(Exception):
    """A missing or invalid setting, explained in one line."""


class Settings(BaseSettings):
    """Environment variables of DESIGN.md §5."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str = "https://slack.com/api/"
    port: int = 3000
    log_level: str = "INFO"
    # How long the outbox keeps retrying a message Slack won't take before it gives up (and says so).
    outbox_give_up_hours: float = 24.0
    # Many workspaces: Slack's OAuth install (/slack/install) is on when both are set.
    slack_client_id: str = ""
    slack_client_secret: str = ""
    # Fernet keys, comma-separated: the first encrypts stored tokens, all of them decrypt (key rotation).
    lifecycle_encryption_key: str = ""

    @field_validator(
        "slack_bot_token", "slack_signing_secret", "slack_app_token", "slack_client_id", "slack_client_secret"
    )
    @classmethod
    def _real_secret(cls, value: str) -> str:
        # A value copied from the README ("xoxb-…") or with stray spaces fails later with a cryptic
        # UnicodeEncodeError or invalid_auth; say what is wrong before anything starts.
        value = value.strip()
        if value and ("…" in value or "..." in value or "<" in value):
            raise ValueError("it looks like a placeholder: paste the real value")
        if value and (not value.isascii() or any(character.isspace() for character in value)):
            raise ValueError("it contains spaces or characters a Slack secret never has: paste it again")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: str) -> str:
        if value and not value.startswith(("xoxb-", "xoxe.xoxb-")):
            raise ValueError("a bot token starts with xoxb- (the Bot User OAuth Token, not a user or app token)")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: str) -> str:
        if value and not value.startswith("xapp-"):
            raise ValueError("an app-level token starts with xapp-")
        return value

    @field_validator("slack_client_id")
    @classmethod
    def _client_id_shape(cls, value: str) -> str:
        if value and not all(part.isdigit() for part in value.split(".")):
            raise ValueError("a Client ID is digits and dots, like 1234567890.1234567890")
        return value

    @field_validator("lifecycle_encryption_key")
    @classmethod
    def _fernet_keys(cls, value: str) -> str:
        keys = [key.strip() for key in value.split(",")] if value.strip() else []
        for key in keys:
            try:
                valid = len(urlsafe_b64decode(key.encode("ascii"))) == 32
            except (ValueError, binascii.Error):
                valid = False
            if not valid:
                # Never echo the value: it is a secret, and this line is printed.
                raise ValueError("each comma-separated key must be a Fernet key (32 url-safe base64-encoded bytes)")
        return ",".join(keys)

    @field_validator("slack_api_url")
    @classmethod
    def _ends_with_slash(cls, value: str) -> str:
        # slack_sdk appends method names to the base URL, so it must end with "/".
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("use DEBUG, INFO, WARNING or ERROR")
        return level

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is used when an app-level token is configured."""
        return bool(self.slack_app_token)

    @property
    def oauth_enabled(self) -> bool:
        """Many workspaces: installs go through Slack's OAuth flow and each workspace has its own token."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def encryption_keys(self) -> list[str]:
        """The Fernet keys for stored tokens, newest (the one that encrypts) first; empty: stored as given."""
        return self.lifecycle_encryption_key.split(",") if self.lifecycle_encryption_key else []


def load_settings(*, http: bool | None = None, need_signing_secret: bool = True) -> Settings:
    """Read and check the settings a run needs; raise ConfigError naming what is missing."""
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper()
        message = str(first["msg"]).removeprefix("Value error, ")
        how = f" ({HOW_TO_GET[name]})" if name in HOW_TO_GET else ""
        raise ConfigError(f"{name} is invalid: {message}{how}.") from None
    use_http = http if http is not None else not settings.socket_mode
    required = _oauth_settings(settings, use_http=use_http) or ["SLACK_BOT_TOKEN"]
    if need_signing_secret:
        required.append("SLACK_SIGNING_SECRET" if use_http else "SLACK_APP_TOKEN")
    for name in required:
        if not getattr(settings, name.lower()):
            raise ConfigError(f"{name} is not set: {HOW_TO_GET[name]}.")
    return settings


def _oauth_settings(settings: Settings, *, use_http: bool) -> list[str]:
    """What OAuth mode needs besides the signing secret; [] when OAuth mode is off (one bot token)."""
    if not (settings.slack_client_id or settings.slack_client_secret):
        return []
    if not use_http:
        raise ConfigError(
            "SLACK_CLIENT_ID is set, but Slack's install pages (/slack/install) need HTTP mode: "
            "run with --http or unset SLACK_APP_TOKEN."
        )
    return ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"]
