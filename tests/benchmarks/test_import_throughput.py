"""On-demand benchmark: `lifecycle-bot import touchpoints` with 1M rows, in rows/s and peak memory.

What is measured (a temp SQLite file, then a throwaway PostgreSQL database)
    Files generated in a temp dir from a seeded RNG, in HubSpot's export headers (VARIANTS):
        customers           CUSTOMERS companies (company export: name, lifecycle stage, owner, create date)
        touchpoints         ROWS activities (activity export) over the last two years, newest first as HubSpot
                            sorts them; kinds mostly calls, emails, meetings, notes and tasks, 2% purchases and
                            renewals; notes 30% empty, 50% one of 100 templated lines ("Left voicemail again"),
                            20% distinct (a template plus a ticket number): ~200k distinct texts at 1M rows
        first 20%           the first fifth of that file: peak memory at ROWS / 5 against ROWS
        shuffled            ROWS / 5 rows of the same mix in random order (every index takes random pages)
        every note distinct ROWS / 10 rows whose every note is new: the scoring-bound worst case
        no notes            ROWS / 10 rows without notes: the load path alone

    Each file goes into a workspace of its own (after the customers file), with the real command line in a
    subprocess (`python -c` calling bot.cli.main, so spawned scoring workers start clean), workers chosen by
    file size as for an operator; the first file is imported a second time (the idempotent rerun). Each run
    reports wall time, CPU of the import process and of its scoring workers, and peak RSS (ru_maxrss) of each.

    Baselines in the same run:
        csv parsing only        csv.reader over touchpoints.csv doing nothing: the ceiling of any Python import
        log_touchpoint per row  what /touch does (ORM, one transaction per row) for NAIVE_SAMPLE rows
        scoring per text        score_text + detect_intents for SCORE_SAMPLE distinct notes, in-process

Targets (asserted after the table is printed, so a miss is reported, not hidden)
    SQLite: touchpoints >= TARGET_ROWS_PER_S; everywhere: peak RSS of the import process at 1M rows is within
    MEMORY_SLACK of its peak at 200k (memory bounded by batches, not by the file).

How to run (several minutes; needs PostgreSQL on 127.0.0.1:5432 for the second half, or add -k sqlite):
    .venv/bin/pytest tests/benchmarks/test_import_throughput.py -s -p no:cacheprovider -o addopts=""
IMPORT_BENCH_ROWS=200000 runs a smaller file. The machine's load average is printed: other processes on the
same cores lower rows/s (CPU seconds are printed too, which they change far less).
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lifecycle.activity import log_touchpoint
from lifecycle.intent import detect_intents
from lifecycle.sentiment import score_text
from lifecycle.touchpoints import TouchpointKind
from storage import repositories as repo
from storage.db import make_engine, make_session_factory
from tests.benchmarks.test_health_at_scale import fresh_database_url  # noqa: F401 - a fixture

ROWS = int(os.environ.get("IMPORT_BENCH_ROWS", "1000000"))
CUSTOMERS = 10_000
NAIVE_SAMPLE = 2_000
SCORE_SAMPLE = 2_000
SEED = 20261203
TARGET_ROWS_PER_S = 20_000
MEMORY_SLACK = 1.25  # peak RSS at ROWS may be at most this times the peak at ROWS / 5 (plus 16 MB)
KINDS = ["CALL"] * 30 + ["EMAIL"] * 35 + ["MEETING"] * 15 + ["NOTE"] * 10 + ["TASK"] * 8 + ["PURCHASE", "RENEWAL"]
OPENINGS = [
    "Left voicemail",
    "Sent the proposal",
    "Followed up on pricing",
    "Quarterly review went well",
    "Asked about SSO",
    "Discussed renewal terms",
    "They are unhappy with support response times",
    "Demo of the new dashboard",
    "Onboarding call",
    "Invoice question",
]
ENDINGS = ["", " again", " - next steps agreed", " with the CFO", " (see email)", ", positive",
           ", they want a discount", " and the team", " after the outage", " for Q3"]  # fmt: skip
TEMPLATES = [opening + ending for opening in OPENINGS for ending in ENDINGS]
# Each touchpoint file and the rows it has; the first is the target, imported twice (the rerun changes nothing).
VARIANTS = [
    ("touchpoints", ROWS),
    ("first 20%", ROWS // 5),
    ("shuffled", ROWS // 5),
    ("every note distinct", ROWS // 10),
    ("no notes", ROWS // 10),
]
RUNNER = """
import json, resource, sys, time
from bot.cli import main
started = time.perf_counter()
try:
    main(sys.argv[1:])
finally:
    me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print("BENCH " + json.dumps({"wall": time.perf_counter() - started, "cpu": me.ru_utime + me.ru_stime,
        "worker_cpu": workers.ru_utime + workers.ru_stime, "rss_mb": me.ru_maxrss / 1024,
        "worker_rss_mb": workers.ru_maxrss / 1024}), file=sys.stderr)
"""


def _company(number: int) -> str:
    return f"Company {number:05d}"


HEADER = ["Activity ID", "Activity type", "Activity date", "Associated Company", "Created by", "Notes"]


def _note(rng: random.Random, notes: str, number: int) -> str:
    if notes == "none":
        return ""
    template = rng.choice(TEMPLATES)
    if notes == "distinct":
        return f"Call {number}: {template}, order {rng.randint(1, 10**7)}"
    draw = rng.random()
    return "" if draw < 0.3 else template if draw < 0.8 else f"{template} (ticket {rng.randint(1, 10**7)})"


def _write_activity(
    path: Path, rng: random.Random, count: int, now: datetime, *, newest_first: bool, notes: str
) -> None:
    """An activity export of `count` rows over the last two years, newest first (as HubSpot sorts) or shuffled."""
    ages = [rng.randint(60, 60 * 24 * 730) for _ in range(count)]
    if newest_first:
        ages.sort()
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for number, age in enumerate(ages):
            when = (now - timedelta(minutes=age)).strftime("%Y-%m-%d %H:%M")
            customer, author = _company(rng.randint(1, CUSTOMERS)), f"U0REP{rng.randint(0, 29):02d}"
            writer.writerow([number, rng.choice(KINDS), when, customer, author, _note(rng, notes, number)])


def _write_files(directory: Path, now: datetime) -> dict[str, Path]:
    rng = random.Random(SEED)
    paths = {name: directory / f"{name}.csv" for name, _ in VARIANTS} | {"customers": directory / "customers.csv"}
    with paths["customers"].open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Record ID", "Company name", "Lifecycle Stage", "Company owner", "Create Date"])
        for number in range(1, CUSTOMERS + 1):
            stage = rng.choice(["Lead", "Opportunity", "Customer", "Customer", "Customer", "Evangelist"])
            writer.writerow([number, _company(number), stage, f"U0REP{number % 30:02d}", "2024-01-02 09:00"])
    _write_activity(paths["touchpoints"], rng, ROWS, now, newest_first=True, notes="mix")
    with paths["touchpoints"].open(newline="") as full, paths["first 20%"].open("w", newline="") as part:
        part.writelines(line for _, line in zip(range(ROWS // 5 + 1), full, strict=False))
    _write_activity(paths["shuffled"], rng, ROWS // 5, now, newest_first=False, notes="mix")
    _write_activity(paths["every note distinct"], rng, ROWS // 10, now, newest_first=True, notes="distinct")
    _write_activity(paths["no notes"], rng, ROWS // 10, now, newest_first=True, notes="none")
    return paths


def _cli(database_url: str, *args: str) -> dict[str, float]:
    """Run `lifecycle-bot <args>` in a fresh process; its timings and peak memory."""
    environment = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-c", RUNNER, *args], capture_output=True, text=True, env=environment)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(next(line for line in done.stderr.splitlines() if line.startswith("BENCH "))[6:])
    measured["summary"] = done.stdout.splitlines()[0] if done.stdout else ""
    return measured


def _add_workspaces(database_url: str, workspaces: tuple[str, ...], now: datetime) -> None:
    """The workspaces the imports go to (an import refuses an id the database does not know)."""
    engine = make_engine(database_url)
    with make_session_factory(engine).begin() as session:
        for workspace in workspaces:
            repo.ensure_workspace(session, workspace, now=now)
    engine.dispose()


def _csv_only(path: Path) -> float:
    started = time.perf_counter()
    with path.open(newline="") as stream:
        count = sum(1 for _ in csv.reader(stream))
    return (count - 1) / (time.perf_counter() - started)


def _naive(database_url: str, path: Path, now: datetime) -> float:
    """log_touchpoint for the first NAIVE_SAMPLE rows, each in its own transaction, as /touch does."""
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    with path.open(newline="") as stream:
        rows = [row for _, row in zip(range(NAIVE_SAMPLE + 1), csv.reader(stream), strict=False)][1:]
    started = time.perf_counter()
    for _, kind, _, company, author, note in rows:
        chosen = TouchpointKind.NOTE if kind == "TASK" else TouchpointKind(kind.lower())
        with sessions.begin() as session:
            log_touchpoint(
                session, workspace_id="T0NAIVE", customer=company, kind=chosen, note=note, actor=author, now=now
            )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return len(rows) / elapsed


def _scoring_per_text() -> float:
    texts = [f"{TEMPLATES[n % len(TEMPLATES)]} (ticket {n})" for n in range(SCORE_SAMPLE)]
    started = time.perf_counter()
    for text in texts:
        score_text(text)
        detect_intents(text)
    return (time.perf_counter() - started) / len(texts)


@pytest.mark.timeout(7200)
def test_import_throughput(fresh_database_url: str, tmp_path: Path) -> None:  # noqa: F811 - a fixture
    now = datetime.now(UTC)
    backend = "postgresql" if fresh_database_url.startswith("postgresql") else "sqlite"
    load_before = os.getloadavg()
    paths = _write_files(tmp_path, now)
    url = fresh_database_url
    _cli(url, "db", "upgrade")
    teams = {name: f"T0BENCH{index}" for index, (name, _) in enumerate(VARIANTS)}
    _add_workspaces(url, (*teams.values(), "T0NAIVE"), now)
    steps: dict[str, dict[str, float]] = {}
    counts = {"customers": CUSTOMERS, "same file again": ROWS} | dict(VARIANTS)
    for name, _ in VARIANTS:
        customers = _cli(url, "import", "customers", str(paths["customers"]), "--team", teams[name])
        steps.setdefault("customers", customers)
        steps[name] = _cli(url, "import", "touchpoints", str(paths[name]), "--team", teams[name])
        if name == "touchpoints":
            steps["same file again"] = _cli(url, "import", "touchpoints", str(paths[name]), "--team", teams[name])
    _cli(url, "import", "customers", str(paths["customers"]), "--team", "T0NAIVE")
    csv_rate = _csv_only(paths["touchpoints"])
    naive_rate = _naive(url, paths["touchpoints"], now)
    per_text = _scoring_per_text()
    load_after = os.getloadavg()

    print(f"\n\n[{backend}, {ROWS:,} touchpoints for {CUSTOMERS:,} customers] {os.cpu_count()} cores, "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")  # fmt: skip
    print(f"{'step':<22} {'rows':>9} {'wall s':>7} {'rows/s':>8} {'cpu s':>6} {'workers':>7} {'rows/cpu-s':>10} "
          f"{'RSS MB':>6} {'workers':>7}")  # fmt: skip
    for name, measured in steps.items():
        rate = counts[name] / measured["wall"]
        per_cpu = counts[name] / (measured["cpu"] + measured["worker_cpu"])
        print(
            f"{name:<22} {counts[name]:>9,} {measured['wall']:>7.1f} {rate:>8,.0f} {measured['cpu']:>6.1f} "
            f"{measured['worker_cpu']:>7.1f} {per_cpu:>10,.0f} {measured['rss_mb']:>6.0f} "
            f"{measured['worker_rss_mb']:>7.0f}"
        )
    import_rate = ROWS / steps["touchpoints"]["wall"]
    print(f"{'csv parsing only':<22} {ROWS:>9,} {ROWS / csv_rate:>7.1f} {csv_rate:>8,.0f}")
    print(f"{'log_touchpoint per row':<22} {NAIVE_SAMPLE:>9,} {NAIVE_SAMPLE / naive_rate:>7.1f} {naive_rate:>8,.0f}")
    print(f"scoring: {per_text * 1e6:.0f} µs per distinct text in one process (score_text + detect_intents)")
    print(f"import vs log_touchpoint per row: {import_rate / naive_rate:.1f}x; vs csv parsing only: "
          f"{import_rate / csv_rate:.2f}x")  # fmt: skip
    print(f"summary line of the 1M import: {steps['touchpoints']['summary']}")

    misses = []
    if backend == "sqlite" and import_rate < TARGET_ROWS_PER_S:
        misses.append(f"{import_rate:,.0f} rows/s < {TARGET_ROWS_PER_S:,}")
    small, large = steps["first 20%"]["rss_mb"], steps["touchpoints"]["rss_mb"]
    if large > small * MEMORY_SLACK + 16:
        misses.append(f"peak RSS {large:.0f} MB at {ROWS:,} rows vs {small:.0f} MB at {ROWS // 5:,}: not bounded")
    for miss in misses:
        print(f"[{backend}] TARGET MISSED: {miss}")
    assert not misses, "; ".join(misses)
