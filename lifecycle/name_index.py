"""Keeping every customer's folded name (lifecycle.names.fold_name) filled in, the key forgiving lookups use."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from lifecycle.names import fold_name
from storage.models import Customer

logger = logging.getLogger(__name__)

BACKFILL_BATCH = 1000


def backfill_fold_keys(sessions: sessionmaker[Session]) -> int:
    """Fold the names of customers stored before fold keys existed (after the upgrade to 0010); how many."""
    done = 0
    while True:
        with sessions.begin() as session:
            rows = session.execute(
                select(Customer.id, Customer.name).where(Customer.fold_key.is_(None)).limit(BACKFILL_BATCH)
            ).all()
            for row in rows:
                session.execute(update(Customer).where(Customer.id == row.id).values(fold_key=fold_name(row.name)))
        done += len(rows)
        if len(rows) < BACKFILL_BATCH:
            break
    if done:
        logger.info("folded the names of %s customer(s) for forgiving lookups", done)
    return done
