"""Settings from the environment: the only place that reads it."""

from __future__ import annotations

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_DATABASE_URL

HOW_TO_GET = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "copy the Signing Secret from your app's Basic Information page",
    "SLACK_APP_TOKEN": "create an app-level token (xapp-…) with connections:write under Basic Information",
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

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token")
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
    required = ["SLACK_BOT_TOKEN"]
    use_http = http if http is not None else not settings.socket_mode
    if need_signing_secret:
        required.append("SLACK_SIGNING_SECRET" if use_http else "SLACK_APP_TOKEN")
    for name in required:
        if not getattr(settings, name.lower()):
            raise ConfigError(f"{name} is not set: {HOW_TO_GET[name]}.")
    return settings
