"""The `lifecycle-bot` command line: run, db upgrade, digest send, manifest, sandbox."""

from __future__ import annotations

import logging
import sys

import click
from pydantic import ValidationError

from bot.config import ConfigError, Settings, load_settings
from storage.db import DEFAULT_DATABASE_URL

logger = logging.getLogger("lifecycle_bot")


def _fail(message: str) -> None:
    click.echo(f"lifecycle-bot: {message}", err=True)
    sys.exit(2)


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@click.group()
def main() -> None:
    """lifecycle-bot: a Slack app for the customer lifecycle."""


@main.command()
@click.option("--http", "force_http", is_flag=True, help="Serve HTTP even if SLACK_APP_TOKEN is set.")
@click.option("--port", type=int, default=None, help="HTTP port (default: $PORT or 3000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP interface to bind.")
def run(force_http: bool, port: int | None, host: str) -> None:
    """Apply migrations, then serve Slack: Socket Mode if SLACK_APP_TOKEN is set, else HTTP."""
    try:
        settings = load_settings(http=True if force_http else None)
    except ConfigError as error:
        _fail(str(error))
        return
    _configure_logging(settings.log_level)
    from bot.preflight import check_slack
    from bot.runtime import build_runtime

    try:
        check_slack(settings)
    except ConfigError as error:
        _fail(str(error))
        return
    runtime = build_runtime(settings)
    if settings.socket_mode and not force_http:
        runtime.run_socket_mode()
    else:
        runtime.run_http(host=host, port=port if port is not None else settings.port)


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
def upgrade() -> None:
    """Apply all pending migrations to DATABASE_URL."""
    from storage.migrate import upgrade as apply_migrations

    settings = Settings()
    _configure_logging(settings.log_level)
    apply_migrations(settings.database_url or DEFAULT_DATABASE_URL)
    click.echo("Database is up to date.")


@main.group()
def digest() -> None:
    """Manager digests."""


@digest.command("send")
def digest_send() -> None:
    """Send every digest that is due and not yet sent, once, and exit (for cron; safe beside running bots)."""
    try:
        settings = load_settings(http=True, need_signing_secret=False)
    except ConfigError as error:
        _fail(str(error))
        return
    _configure_logging(settings.log_level)
    from bot.runtime import send_due_digests

    queued, delivered = send_due_digests(settings)
    click.echo(f"Queued {queued} due digest(s); delivered {delivered} message(s).")


@main.command()
@click.option("--socket", "socket_mode", is_flag=True, help="For Socket Mode (no public URL needed).")
@click.option("--url", "request_url", default=None, help="Public URL of POST /slack/events (HTTP mode).")
def manifest(socket_mode: bool, request_url: str | None) -> None:
    """Print the Slack app manifest to paste into api.slack.com/apps."""
    from bot.manifest import PLACEHOLDER_URL, manifest_json

    click.echo(manifest_json(socket_mode=socket_mode, request_url=request_url or PLACEHOLDER_URL), nl=False)


@main.command()
@click.option("--demo", is_flag=True, help="Seed a realistic workspace first (re-running adds nothing twice).")
@click.option("--port", type=int, default=3001, show_default=True, help="Port of the page; 0 picks a free one.")
@click.option("--no-browser", is_flag=True, help="Print the address without opening a browser.")
def sandbox(demo: bool, port: int, no_browser: bool) -> None:
    """A stand-in Slack workspace in your browser, with the real bot behind it (SQLite unless DATABASE_URL is set)."""
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        _fail(f"{str(first['loc'][0]).upper()} is invalid: {first['msg']}")
        return
    # Quiet by default: the page is the interface. LOG_LEVEL, when set, is honoured.
    _configure_logging(settings.log_level if "log_level" in settings.model_fields_set else "WARNING")
    from bot.sandbox.run import SANDBOX_DATABASE_URL, Sandbox, SandboxError, serve

    database_url = settings.database_url if "database_url" in settings.model_fields_set else SANDBOX_DATABASE_URL
    try:
        stand_in = Sandbox(database_url=database_url, port=port, demo=demo)
        serve(stand_in, open_browser=not no_browser, announce=click.echo)
    except SandboxError as error:
        _fail(str(error))


if __name__ == "__main__":
    main()
