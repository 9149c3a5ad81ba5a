"""`lifecycle-bot import …` and `lifecycle-bot export` as an operator runs them (CliRunner), on both databases."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from storage import repositories as repo
from storage.models import Customer
from tests.storage.import_support import NOW, SAMPLES


@pytest.fixture
def cli(database_url, engine):
    """Runs the command line against the test database, with no Slack token unless a test gives one."""

    def run(*args: str, **env: str):
        environment = {"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "", "LOG_LEVEL": "WARNING", **env}
        return CliRunner().invoke(main, list(args), env=environment, catch_exceptions=False)

    return run


def _workspaces(session_factory, *ids: str) -> None:
    with session_factory.begin() as session:
        for workspace in ids:
            repo.ensure_workspace(session, workspace, now=NOW)


def _owners(session_factory) -> dict[str, str]:
    with session_factory.begin() as session:
        return {c.name: c.owner_user_id for c in session.scalars(select(Customer))}


def test_team_may_be_left_out_when_the_database_knows_one_workspace(cli, session_factory):
    _workspaces(session_factory, "T0ACME")
    result = cli("import", "customers", str(SAMPLES / "hubspot_companies.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Customers: 6 rows read; 6 imported, 0 already there, 0 rejected."
    again = cli("import", "customers", str(SAMPLES / "hubspot_companies.csv"))
    assert again.exit_code == 0 and "0 imported, 6 already there" in again.stdout


def test_with_two_workspaces_team_is_required_and_the_error_lists_them(cli, session_factory):
    _workspaces(session_factory, "T0ACME", "T0BETA")
    result = cli("import", "customers", str(SAMPLES / "hubspot_companies.csv"))
    assert result.exit_code == 2
    assert result.stderr == "lifecycle-bot: The database has 2 workspaces: T0ACME, T0BETA. Pass --team with one.\n"
    chosen = cli("import", "customers", str(SAMPLES / "hubspot_companies.csv"), "--team", "T0BETA")
    assert chosen.exit_code == 0
    with session_factory.begin() as session:
        assert set(session.scalars(select(Customer.workspace_id))) == {"T0BETA"}


def test_a_first_import_names_its_workspace_and_a_wrong_one_is_refused(cli, session_factory):
    alone = cli("import", "customers", str(SAMPLES / "hubspot_companies.csv"))
    assert alone.exit_code == 2 and "no workspace yet" in alone.stderr and "--team" in alone.stderr
    assert cli("import", "customers", str(SAMPLES / "hubspot_companies.csv"), "--team", "T0ACME").exit_code == 0
    typo = cli("import", "touchpoints", str(SAMPLES / "hubspot_activities.csv"), "--team", "T0ACNE")
    assert typo.exit_code == 2 and typo.stderr == "lifecycle-bot: There is no workspace T0ACNE here (known: T0ACME).\n"


def test_rejected_rows_are_printed_and_written_to_the_report_and_the_exit_code_says_so(cli, session_factory, tmp_path):
    _workspaces(session_factory, "T0ACME")
    assert cli("import", "customers", str(SAMPLES / "hubspot_companies.csv")).exit_code == 0
    touches = tmp_path / "touches.csv"
    touches.write_text(
        "Associated Company,Activity type,Activity date\nAcme Corp,CALL,2026-11-01\nAcme Crop,CALL,2026-11-01\n"
    )
    report = tmp_path / "rejected.csv"
    result = cli("import", "touchpoints", str(touches), "--report", str(report))
    assert result.exit_code == 1
    assert "1 imported, 0 already there, 1 rejected" in result.stdout
    assert "  line 3: unknown customer “Acme Crop”" in result.stdout
    with report.open(newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["line", "reason"] and rows[1][0] == "3" and rows[1][1].startswith("unknown customer “Acme Crop”")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"Company,Notes\nAcme,hi\n", "lifecycle-bot: The touchpoints file has no occurred_at column. Looked for"),
        (b"", "lifecycle-bot: The touchpoints file is empty"),
        (b"customer,occurred_at\nCaf\xe9,2026-01-01\n", "lifecycle-bot: bad.csv is not UTF-8 text"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_line_and_exit_code_2(cli, session_factory, tmp_path, content, expected):
    _workspaces(session_factory, "T0ACME")
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = cli("import", "touchpoints", str(path))
    assert result.exit_code == 2 and result.stderr.startswith(expected)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_an_unknown_time_zone_is_refused(cli, session_factory):
    _workspaces(session_factory, "T0ACME")
    result = cli("import", "customers", str(SAMPLES / "hubspot_companies.csv"), "--timezone", "Mars/Olympus")
    assert result.exit_code == 2 and "--timezone Mars/Olympus is not a time zone" in result.stderr


def test_owners_given_by_email_are_looked_up_in_slack_once_per_address(cli, session_factory, standin):
    _workspaces(session_factory, "T0ACME")
    standin.respond_with("users.lookupByEmail", {"ok": True, "user": {"id": "U0ANA"}})
    result = cli(
        "import", "customers", str(SAMPLES / "hubspot_companies.csv"),
        SLACK_BOT_TOKEN="xoxb-test-token", SLACK_API_URL=standin.base_url,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    asked = [call.params["email"] for call in standin.calls_to("users.lookupByEmail")]
    assert sorted(asked) == ["ana@acme.example", "ben@acme.example"]  # ana owns two companies: asked once
    owners = _owners(session_factory)
    assert owners["Acme Corp"] == owners["Stark Industries"] == owners["Globex"] == "U0ANA"
    assert "Gavin Belson" in result.stdout and "ana@acme.example" not in result.stdout


def test_an_address_slack_does_not_know_is_kept_and_reported(cli, session_factory, standin):
    _workspaces(session_factory, "T0ACME")
    standin.respond_with("users.lookupByEmail", {"ok": False, "error": "users_not_found"})
    result = cli(
        "import", "customers", str(SAMPLES / "hubspot_companies.csv"),
        SLACK_BOT_TOKEN="xoxb-test-token", SLACK_API_URL=standin.base_url,
    )  # fmt: skip
    assert result.exit_code == 0
    assert "Note: owner kept as ana@acme.example: no Slack user has that email (2 rows)." in result.stdout
    assert _owners(session_factory)["Acme Corp"] == "ana@acme.example"


def test_export_then_import_into_an_empty_database_round_trips(cli, session_factory, tmp_path):
    _workspaces(session_factory, "T0ACME")
    for kind, sample in (
        ("customers", "hubspot_companies.csv"),
        ("touchpoints", "hubspot_activities.csv"),
        ("feedback", "survey_feedback.csv"),
    ):
        assert cli("import", kind, str(SAMPLES / sample)).exit_code == 0
    exported = cli("export", str(tmp_path / "first"))
    assert exported.exit_code == 0
    assert (
        exported.stdout
        == f"Exported workspace T0ACME to {tmp_path / 'first'}: 6 customers, 6 touchpoints, 3 feedback.\n"
    )
    empty = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    for kind in ("customers", "touchpoints", "feedback"):
        result = cli("import", kind, str(tmp_path / "first" / f"{kind}.csv"), "--team", "T0ACME", **empty)
        assert result.exit_code == 0 and ", 0 rejected." in result.stdout
    assert cli("export", str(tmp_path / "second"), **empty).exit_code == 0
    for name in ("customers.csv", "touchpoints.csv", "feedback.csv"):
        assert (tmp_path / "second" / name).read_text() == (tmp_path / "first" / name).read_text(), name


def test_export_needs_a_known_workspace(cli, session_factory, tmp_path):
    result = cli("export", str(tmp_path))
    assert result.exit_code == 2 and "no workspace yet" in result.stderr
    assert not any(Path(tmp_path).iterdir())


def test_the_slack_lookup_asks_once_per_address_and_stops_asking_after_a_refusal(standin):
    from bot.cli import _owner_lookup
    from bot.config import Settings

    settings = Settings(slack_bot_token="xoxb-test-token", slack_api_url=standin.base_url)
    standin.respond_with("users.lookupByEmail", {"ok": True, "user": {"id": "U0ANA"}})
    lookup = _owner_lookup(settings)
    assert lookup is not None and lookup("ana@acme.example") == lookup("ana@acme.example") == "U0ANA"
    assert len(standin.calls_to("users.lookupByEmail")) == 1
    standin.respond_with("users.lookupByEmail", {"ok": False, "error": "missing_scope"})
    refused = _owner_lookup(settings)
    assert refused is not None
    for email in ("ben@acme.example", "cy@acme.example"):
        with pytest.raises(LookupError, match="missing_scope"):
            refused(email)
    assert len(standin.calls_to("users.lookupByEmail")) == 2  # the refusal, then no more questions
    assert _owner_lookup(Settings(slack_bot_token="")) is None


def test_a_file_that_stops_being_utf8_part_way_stops_with_how_far_it_got(cli, session_factory, tmp_path):
    _workspaces(session_factory, "T0ACME")
    assert cli("import", "customers", str(SAMPLES / "hubspot_companies.csv")).exit_code == 0
    good = "".join(f"Acme Corp,call,2026-11-01 10:{n % 60:02d},fine {n}\n" for n in range(400)).encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"customer,kind,occurred_at,note\n" + good + b"Acme Corp,call,2026-11-02,Caf\xe9\n")
    result = cli("import", "touchpoints", str(path))
    assert result.exit_code == 2 and "Touchpoints: " in result.stdout
    assert "the rest of the file is not UTF-8 text" in result.stderr and "run the same command again" in result.stderr
