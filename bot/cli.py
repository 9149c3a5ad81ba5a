"""The `lifecycle-bot` command line: run, db upgrade, digest send, manifest, sandbox, import and export."""

from __future__ import annotations

import csv
import functools
import logging
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from pydantic import ValidationError

from bot.config import ConfigError, Settings, load_settings
from lifecycle.clock import utc_now
from lifecycle.text import plural
from storage.db import DEFAULT_DATABASE_URL

if TYPE_CHECKING:
    from datetime import tzinfo

    from rich.progress import Progress
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from lifecycle.errors import LifecycleError
    from lifecycle.transfer.report import Rejected

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
    from bot.runtime import migrate_database

    settings = Settings()
    _configure_logging(settings.log_level)
    migrate_database(settings.database_url or DEFAULT_DATABASE_URL)
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
    click.echo(f"Queued {plural(queued, 'due digest')}; delivered {plural(delivered, 'message')}.")


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


@main.group("import")
def import_group() -> None:
    """Bring customers, touchpoints or feedback in from CSV (HubSpot and Salesforce exports are read as they are)."""


def _import_command(kind: str, summary: str) -> None:
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--team", default=None, help="Slack workspace (team) id; not needed when the database knows one.")
    @click.option(
        "--report",
        "report_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write every rejected row (line, reason) to this CSV file.",
    )
    @click.option(
        "--timezone", "zone_name", default="UTC", show_default=True, help="Zone of times written without one."
    )
    @click.option(
        "--workers", type=click.IntRange(min=0), default=None, help="Processes scoring text (default: by file size)."
    )
    def command(file: Path, team: str | None, report_path: Path | None, zone_name: str, workers: int | None) -> None:
        _run_import(kind, file, team=team, report_path=report_path, zone_name=zone_name, workers=workers)

    import_group.command(kind, help=summary)(command)


_import_command("customers", "Create the customers of FILE.csv (name, stage, owner, created_at, value, renewal_date…).")
_import_command("touchpoints", "Log the touchpoints of FILE.csv (customer, kind, note, occurred_at, author).")
_import_command("feedback", "Record and score the feedback of FILE.csv (customer, text, created_at, author).")


def _run_import(
    kind: str, file: Path, *, team: str | None, report_path: Path | None, zone_name: str, workers: int | None
) -> None:
    """Import one file and print the report; exit 0 when every row is stored, 1 when some were rejected, else 2."""
    from lifecycle.errors import InvalidInput
    from lifecycle.transfer.activity import import_feedback, import_touchpoints
    from lifecycle.transfer.common import ImportOptions, ImportStopped
    from lifecycle.transfer.customers import import_customers
    from lifecycle.transfer.scoring import workers_for
    from storage.db import make_session_factory

    importers = {"customers": import_customers, "touchpoints": import_touchpoints, "feedback": import_feedback}
    settings = _transfer_settings()
    zone = _zone(zone_name)
    sessions = make_session_factory(_migrated_engine(settings.database_url))
    workspace_id = _choose_workspace(sessions, team, may_create=kind == "customers")
    stopped: ImportStopped | None = None
    with ExitStack() as stack:
        options = ImportOptions(
            workspace_id=workspace_id,
            now=utc_now(),
            source=file.name,
            zone=zone,
            resolve_owner=_owner_lookup(settings),
            workers=workers if workers is not None else workers_for(file.stat().st_size),
            on_reject=_report_writer(stack, report_path),
        )
        progress = stack.enter_context(_progress())
        # utf-8-sig: Excel and HubSpot start their CSV files with a byte order mark.
        stream = progress.open(file, "rt", encoding="utf-8-sig", newline="", description=f"Importing {kind}")
        stack.enter_context(stream)
        try:
            result = importers[kind](sessions.begin, stream, options)
        except InvalidInput as error:
            _stop(_sentence(error))
        except UnicodeDecodeError:
            _stop(f"{file.name} is not UTF-8 text: save it as “CSV UTF-8” and run again.")
        except ImportStopped as error:
            stopped, result = error, error.result
    for line in result.summary_lines():
        click.echo(line)
    if report_path is not None and result.rejected:
        click.echo(f"Every rejected row is listed in {report_path}.")
    if stopped is not None:
        cause = str(stopped)
        if isinstance(stopped.cause, KeyboardInterrupt):
            cause = "interrupted"
        elif isinstance(stopped.cause, UnicodeDecodeError):
            cause = "the rest of the file is not UTF-8 text: save it as “CSV UTF-8”"
        _stop(
            f"the import stopped ({cause}). Rows up to line {result.committed_line} are stored or reported; "
            "run the same command again to finish (rows already stored are skipped)."
        )
    sys.exit(1 if result.rejected else 0)


@main.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--team", default=None, help="Slack workspace (team) id; not needed when the database knows one.")
def export_command(directory: Path, team: str | None) -> None:
    """Write customers.csv, touchpoints.csv and feedback.csv into DIRECTORY, in the formats import reads."""
    from lifecycle.transfer.columns import FileKind
    from lifecycle.transfer.export import export_workspace
    from storage.db import make_session_factory

    settings = _transfer_settings()
    engine = _migrated_engine(settings.database_url)
    workspace_id = _choose_workspace(make_session_factory(engine), team, may_create=False)
    # One read-only transaction: the three files are one consistent snapshot, and writers are never held up.
    with _progress() as progress, make_session_factory(engine, read_only=True).begin() as session:
        tasks = {kind: progress.add_task(f"Exporting {kind.value}", total=None) for kind in FileKind}
        exported = export_workspace(
            session,
            workspace_id=workspace_id,
            directory=directory,
            progress=lambda kind, rows: progress.advance(tasks[kind], rows),
        )
    counts = ", ".join(f"{rows} {kind.value}" for kind, rows in exported.rows.items())
    click.echo(f"Exported workspace {workspace_id} to {directory}: {counts}.")


def _stop(message: str) -> NoReturn:
    _fail(message)
    raise SystemExit(2)  # _fail exits already; this tells type checkers so


def _transfer_settings() -> Settings:
    """Settings for import and export: DATABASE_URL, and a bot token if there is one (to look owners up)."""
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        _stop(f"{str(first['loc'][0]).upper()} is invalid: {first['msg']}")
    _configure_logging(settings.log_level if "log_level" in settings.model_fields_set else "WARNING")
    return settings


def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        _stop(f"--timezone {name} is not a time zone (e.g. UTC, Europe/Berlin, America/New_York).")


def _migrated_engine(database_url: str) -> Engine:
    from storage.db import make_engine
    from storage.migrate import upgrade as apply_migrations

    apply_migrations(database_url)
    return make_engine(database_url)


def _choose_workspace(sessions: sessionmaker[Session], team: str | None, *, may_create: bool) -> str:
    from lifecycle.errors import InvalidInput
    from lifecycle.transfer.common import choose_workspace

    try:
        with sessions.begin() as session:
            return choose_workspace(session, team, may_create=may_create, now=utc_now())
    except InvalidInput as error:
        _stop(_sentence(error))


def _report_writer(stack: ExitStack, path: Path | None) -> Callable[[Rejected], None] | None:
    """Streams every rejected row to a CSV file (line, reason), if one was asked for."""
    if path is None:
        return None
    writer = csv.writer(stack.enter_context(path.open("w", encoding="utf-8", newline="")))
    writer.writerow(["line", "reason"])

    def write(rejected: Rejected) -> None:
        writer.writerow([rejected.line, rejected.reason])

    return write


def _owner_lookup(settings: Settings) -> Callable[[str], str | None] | None:
    """Slack's users.lookupByEmail, once per address; None without a bot token."""
    if not settings.slack_bot_token:
        return None
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10)
    broken: list[str] = []  # after a refused token or an unreachable Slack, stop asking

    @functools.cache
    def lookup(email: str) -> str | None:
        if broken:
            raise LookupError(broken[0])
        try:
            return str(client.users_lookupByEmail(email=email)["user"]["id"])
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                return None
            broken.append(str(error.response.get("error") or error))
        except OSError as error:
            broken.append(f"Slack unreachable: {error}")
        raise LookupError(broken[0])

    return lookup


def _progress() -> Progress:
    """A progress bar on stderr, drawn only on a terminal."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    return Progress(console=console, disable=not console.is_terminal)


def _sentence(error: LifecycleError) -> str:
    return f"{error.message} {error.hint}" if error.hint else error.message


if __name__ == "__main__":
    main()
