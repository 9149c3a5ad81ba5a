"""On-demand benchmark: what a manager waits for at 10k and 100k customers, with stored health.

What is measured (each in its own fresh database: a temp SQLite file, then a throwaway PostgreSQL database)
    The workspace of test_health_at_scale (10 touchpoints, 2 feedbacks and 1.5 moves per customer, 300 pending
    handoffs; at 100k: ~1M touchpoints), plus stated intents on ~1% of negative feedback and 0.1% of notes, so
    the red-flag queries have rows to find. Then, median of RUNS runs, each in its own session as a command:

        at-risk reply      what `/lifecycle at-risk` does after its ack: the freshness check, the stored list
                           (one index page) and its Block Kit reply
        watch reply        the same for `/lifecycle watch`
        digest             build_digest (7-day window) and its Block Kit reply, stored health fresh
        profile            customer_profile of PROFILE_SAMPLE random customers (live assessment of one), median
        refresh, no change the scheduler's refresh when nothing changed: assess everything, write nothing
        refresh, first     once: the first refresh after the migration, writing every customer's health

    Baseline, in the same run: the old path, which assessed the whole workspace for every at-risk list and
    digest (assess_customers + filter + sort). Ratio = baseline / new.

Targets (printed as a table; asserted after printing, so a miss is reported, not hidden)
    at-risk reply <= 1 s and digest <= 1 s and profile <= 50 ms at 100k, on both databases;
    and 10x the data costs <= 12x the time (100k over 10k, same run) for the at-risk reply, digest and profile.

How to run (needs PostgreSQL on 127.0.0.1:5432; several minutes):
    .venv/bin/pytest tests/benchmarks/test_risk_at_scale.py -s -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from handlers.blocks.digest import digest_reply
from handlers.blocks.health import at_risk_reply
from lifecycle.assessment import assess_customers
from lifecycle.customers import customer_profile
from lifecycle.digest import build_digest
from lifecycle.health import RiskLevel
from lifecycle.risk import apply_refresh, plan_refresh, refresh_if_stale, risk_list
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from tests.benchmarks.health_workspace import NOW, WORKSPACE, seed
from tests.benchmarks.test_health_at_scale import fresh_database_url  # noqa: F401 - a fixture

SIZES = (10_000, 100_000)
RUNS = 5
PROFILE_SAMPLE = 50
WINDOW = timedelta(days=7)
TARGET_REPLY_S = 1.0
TARGET_DIGEST_S = 1.0
TARGET_PROFILE_S = 0.050
TARGET_SCALING = 12.0
RESULTS: dict[tuple[str, int], dict[str, float]] = {}


def _median(action: Callable[[], object], runs: int = RUNS) -> float:
    action()  # warm-up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _state_intents(engine: Engine) -> None:
    """A few stated intents, as lifecycle.activity stores them, spread over the history."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE feedback SET intent = 'churn', intent_phrase = 'not renewing' "
                "WHERE label = 'negative' AND id % 100 = 0"
            )
        )
        connection.execute(
            text("UPDATE touchpoints SET intent = 'cancel', intent_phrase = 'cancel the contract' WHERE id % 1000 = 0")
        )


def _old_at_risk(session: Session) -> int:
    """The path this replaces: assess everyone, keep the at-risk ones, worst first."""
    risky = [
        item
        for item in assess_customers(session, workspace_id=WORKSPACE, now=NOW)
        if item.report.level == RiskLevel.AT_RISK
    ]
    risky.sort(key=lambda item: (item.report.score, item.name.casefold()))
    return len(risky)


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("customer_count", SIZES, ids=[f"{size // 1000}k" for size in SIZES])
def test_risk_at_scale(fresh_database_url: str, customer_count: int) -> None:  # noqa: F811, C901 - reads top to bottom
    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    backend = engine.dialect.name
    try:
        seeded = seed(engine, customer_count)
        _state_intents(engine)
        sessions: sessionmaker[Session] = make_session_factory(engine)
        reading = make_session_factory(engine, read_only=True)

        started = time.perf_counter()
        with reading.begin() as session:
            plan = plan_refresh(session, workspace_id=WORKSPACE, now=NOW, force=True)
        with sessions.begin() as session:
            assert plan is not None
            raised = apply_refresh(session, plan)
        first_refresh = time.perf_counter() - started

        def unchanged_refresh() -> object:
            with reading.begin() as session:
                return plan_refresh(session, workspace_id=WORKSPACE, now=NOW, force=True)

        def reply(level: RiskLevel) -> Callable[[], object]:
            def run() -> object:
                refresh_if_stale(reading.begin, sessions.begin, workspace_id=WORKSPACE, now=NOW)
                with reading.begin() as session:
                    return at_risk_reply(risk_list(session, workspace_id=WORKSPACE, level=level))

            return run

        def digest() -> object:
            refresh_if_stale(reading.begin, sessions.begin, workspace_id=WORKSPACE, now=NOW)
            with reading.begin() as session:
                built = build_digest(
                    session, workspace_id=WORKSPACE, now=NOW, window_start=NOW - WINDOW, window_end=NOW
                )
            return digest_reply(built, timezone="Europe/Berlin")

        sample = random.Random(7).sample(seeded.assessed_ids, PROFILE_SAMPLE)

        def profiles() -> list[float]:
            timings = []
            for customer_id in sample:
                began = time.perf_counter()
                with reading.begin() as session:
                    customer_profile(session, workspace_id=WORKSPACE, customer=customer_id, now=NOW)
                timings.append(time.perf_counter() - began)
            return timings

        def old() -> object:
            with reading.begin() as session:
                return _old_at_risk(session)

        profiles()  # warm-up
        times = {
            "at-risk reply": _median(reply(RiskLevel.AT_RISK)),
            "watch reply": _median(reply(RiskLevel.WATCH)),
            "digest (data + blocks)": _median(digest),
            "profile (median of 50)": statistics.median(profiles()),
            "refresh, no change": _median(unchanged_refresh, runs=3),
            "refresh, first (once)": first_refresh,
            "OLD: whole-workspace at-risk": _median(old, runs=3),
        }
        with reading.begin() as session:
            at_risk = risk_list(session, workspace_id=WORKSPACE, level=RiskLevel.AT_RISK, limit=1).total
            watch = risk_list(session, workspace_id=WORKSPACE, level=RiskLevel.WATCH, limit=1).total
            old_total = _old_at_risk(session)
    finally:
        engine.dispose()

    RESULTS[(backend, customer_count)] = times
    title = f"[{backend}, {customer_count:,} customers, {seeded.rows.get('touchpoints', 0):,} touchpoints]"
    baseline = times["OLD: whole-workspace at-risk"]
    print(
        f"\n\n{title} {at_risk:,} at risk ({old_total:,} by the old path), {watch:,} on watch, "
        f"{len(raised):,} flags raised"
    )
    print(f"{'operation':<32} {'median':>10} {'vs old':>9} {'vs 10k':>8}")
    smaller = RESULTS.get((backend, min(SIZES)))
    for name, seconds in times.items():
        ratio = f"{baseline / seconds:>8.1f}x" if not name.startswith("OLD") else "      1x"
        scaling = f"{seconds / smaller[name]:>7.1f}x" if smaller and customer_count != min(SIZES) else "      -"
        print(f"{name:<32} {seconds * 1000:>8.1f}ms {ratio} {scaling}")

    assert at_risk == old_total, "the stored list and the old whole-workspace assessment disagree"
    misses = []
    if customer_count == max(SIZES):
        for name, target in (
            ("at-risk reply", TARGET_REPLY_S),
            ("digest (data + blocks)", TARGET_DIGEST_S),
            ("profile (median of 50)", TARGET_PROFILE_S),
        ):
            if times[name] > target:
                misses.append(f"{name}: {times[name]:.3f} s > {target} s")
            if smaller and times[name] / smaller[name] > TARGET_SCALING:
                misses.append(f"{name}: 10x data cost {times[name] / smaller[name]:.1f}x time")
    for miss in misses:
        print(f"{title} TARGET MISSED: {miss}")
    assert not misses, "; ".join(misses)
