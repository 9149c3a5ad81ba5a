"""Scoring imported notes and feedback exactly as Slack's do, cached and, for big files, on a process pool.

Scoring is most of an import's cost (~50 µs of VADER and ~70 µs of intent detection per text, against
~50 µs to parse and store a row), so: empty notes are not scored (as in log_touchpoint), a text seen before
is scored once (CRM notes repeat: "Left voicemail"), and big files score in worker processes while the main
process parses and stores, at most WINDOW batches ahead so memory stays bounded.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from types import TracebackType
from typing import Generic, NamedTuple, TypeVar

from lifecycle.intent import detect_intents
from lifecycle.sentiment import score_text

CACHE_SIZE = 50_000  # distinct texts remembered (a few MB); cleared, not evicted one by one, when full
WINDOW = 2  # batches scored ahead of the one being stored
POOL_FROM_BYTES = 2_000_000  # smaller files score in-process: starting workers costs ~1 s
INTENT_PHRASE_LENGTH = 200
WORKER_NICENESS = 10

Batch = TypeVar("Batch")


class Scored(NamedTuple):
    """What a stored note or feedback carries: VADER's scores and label, and the first stated intent."""

    compound: float
    pos: float
    neu: float
    neg: float
    label: str
    intent: str | None
    intent_phrase: str | None


_UNSCORED = Scored(0.0, 0.0, 0.0, 0.0, "", None, None)


def score_texts(texts: list[str]) -> list[Scored]:
    """Score texts as lifecycle.activity does (score_text, then the most decisive intent of detect_intents)."""
    scored = []
    for text in texts:
        sentiment = score_text(text)
        intents = detect_intents(text)
        first = intents[0] if intents else None
        scored.append(
            Scored(
                sentiment.compound,
                sentiment.pos,
                sentiment.neu,
                sentiment.neg,
                sentiment.label,
                first.kind.value if first else None,
                first.phrase[:INTENT_PHRASE_LENGTH] if first else None,
            )
        )
    return scored


def workers_for(size_bytes: int) -> int:
    """How many scoring processes a file of this size deserves: none when small, else one per core (at most 4)."""
    if size_bytes < POOL_FROM_BYTES:
        return 0
    return max(1, min(4, os.cpu_count() or 1))


def _start_worker() -> None:
    # Ctrl-C is the main process's to handle (it reports how far the import got); workers just stop with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Below the importing process: it parses and stores on a core of its own whenever it can run, and the
    # workers take every cycle left (all of both cores when notes are all new, a share when they repeat).
    os.nice(WORKER_NICENESS)
    score_text("warm up")  # load VADER's lexicon once, before the first batch arrives


class TextScorer(Generic[Batch]):
    """Scores the texts of a stream of batches, in order, in-process or on `workers` processes."""

    def __init__(self, workers: int = 0, *, cache_size: int = CACHE_SIZE) -> None:
        self._workers = workers
        self._cache: dict[str, Scored] = {}
        self._in_flight: set[str] = set()  # asked of the pool by a batch not finished yet
        self._cache_size = cache_size
        self._pool = (
            ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker)
            if workers
            else None
        )
        self.scored = 0  # texts actually scored (not found in the cache)

    def __enter__(self) -> TextScorer[Batch]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def run(
        self, batches: Iterable[Batch], texts: Callable[[Batch], Iterable[str]]
    ) -> Iterator[tuple[Batch, Mapping[str, Scored]]]:
        """Each batch with the scores of its texts, in the order given."""
        pending: deque[tuple[Batch, dict[str, Scored], list[str], list[Future[list[Scored]]]]] = deque()
        window = WINDOW if self._pool is not None else 0
        for batch in batches:
            known: dict[str, Scored] = {}
            wanted: list[str] = []
            for text in texts(batch):
                if text in known:
                    continue
                hit = self._cache.get(text)
                if hit is None and text not in self._in_flight:
                    wanted.append(text)
                    self._in_flight.add(text)
                # Filled in when the batch is finished: from its own results, or from an earlier batch's.
                known[text] = hit or _UNSCORED
            pending.append((batch, known, wanted, self._submit(wanted)))
            while len(pending) > window:
                yield self._finish(*pending.popleft())
        while pending:
            yield self._finish(*pending.popleft())

    def _submit(self, wanted: list[str]) -> list[Future[list[Scored]]]:
        if self._pool is None or not wanted:
            return []
        size = -(-len(wanted) // self._workers)
        return [self._pool.submit(score_texts, wanted[start : start + size]) for start in range(0, len(wanted), size)]

    def _finish(
        self, batch: Batch, known: dict[str, Scored], wanted: list[str], futures: list[Future[list[Scored]]]
    ) -> tuple[Batch, Mapping[str, Scored]]:
        results = [item for future in futures for item in future.result()] if futures else score_texts(wanted)
        self.scored += len(wanted)
        self._in_flight.difference_update(wanted)
        if len(self._cache) + len(wanted) > self._cache_size:
            self._cache.clear()
        for text, scored in zip(wanted, results, strict=True):
            known[text] = scored
            self._cache[text] = scored
        # Texts an earlier batch was scoring when this one was read; scored again only if the cache was cleared.
        waiting = [text for text, scored in known.items() if scored is _UNSCORED]
        missed = [text for text in waiting if text not in self._cache]
        self.scored += len(missed)
        for text, scored in zip(missed, score_texts(missed), strict=True):
            self._cache[text] = scored
        for text in waiting:
            known[text] = self._cache[text]
        return batch, known
