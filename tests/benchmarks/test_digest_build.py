"""Benchmark: how long a manager's digest takes to build at 10k and 100k customers (SQLite and PostgreSQL).

Run on demand: .venv/bin/pytest tests/benchmarks/test_digest_build.py -s -p no:cacheprovider
Seeds the same workspace as test_health_at_scale (10 touchpoints, 2 feedbacks, 1.5 stage moves per customer,
300 pending handoffs), then times, median of a few runs: the digest's data (build_digest, 7-day window), its
Block Kit rendering, and the funnel PNG. Baseline, in the same run: the whole-workspace health assessment
alone, which the digest used to contain (it now reads stored health, refreshed by the scheduler); the ratio
shows how much cheaper the digest is than that assessment.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import pytest

from handlers.blocks.digest import chart_title, digest_reply
from handlers.blocks.funnel_chart import funnel_png
from lifecycle.assessment import assess_customers
from lifecycle.digest import build_digest, funnel_counts
from lifecycle.risk import refresh_in_session
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from tests.benchmarks.health_workspace import NOW, WORKSPACE, seed
from tests.benchmarks.test_health_at_scale import fresh_database_url  # noqa: F401 - a fixture

SIZES = (10_000, 100_000)
RUNS = 3
WINDOW = timedelta(days=7)
TARGET_SECONDS_100K = 1.0


def _median_seconds(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("customer_count", SIZES, ids=[f"{size // 1000}k" for size in SIZES])
def test_digest_build_time(fresh_database_url: str, customer_count: int) -> None:  # noqa: F811
    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        seed(engine, customer_count)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:  # the digest reads stored health, as the scheduler keeps it
            refresh_in_session(session, workspace_id=WORKSPACE, now=NOW, force=True)

        def build() -> object:
            with sessions() as session:
                return build_digest(session, workspace_id=WORKSPACE, now=NOW, window_start=NOW - WINDOW, window_end=NOW)

        def assess_only() -> object:
            with sessions() as session:
                return assess_customers(session, workspace_id=WORKSPACE, now=NOW)

        def chart() -> bytes:
            with sessions() as session:
                return funnel_png(funnel_counts(session, workspace_id=WORKSPACE), title=chart_title(NOW, "UTC"))

        digest = build()
        reply = digest_reply(digest, timezone="Europe/Berlin")  # type: ignore[arg-type]
        build_s, assess_s = _median_seconds(build), _median_seconds(assess_only)
        render_s = _median_seconds(lambda: digest_reply(digest, timezone="Europe/Berlin"))  # type: ignore[arg-type]
        chart_s, png = _median_seconds(chart), chart()
    finally:
        engine.dispose()
    backend = engine.dialect.name
    print(
        f"\n[{backend}, {customer_count:,} customers] digest data {build_s:.2f} s (health assessment alone "
        f"{assess_s:.2f} s, ratio {build_s / assess_s:.2f}); Block Kit {render_s * 1000:.1f} ms, "
        f"{len(reply.blocks)} blocks; funnel PNG {chart_s * 1000:.0f} ms, {len(png):,} bytes; "
        f"{digest.at_risk.total:,} at risk"
    )  # type: ignore[attr-defined]
    assert len(reply.blocks) <= 50
    if customer_count == max(SIZES):
        assert build_s < TARGET_SECONDS_100K, f"digest took {build_s:.1f} s at {customer_count:,} customers"
