"""Importing customers: one row per customer, keyed by its folded name, stored as add_customer stores one."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy.orm import Session

from lifecycle.errors import InvalidCustomerName
from lifecycle.names import MAX_NAME_LENGTH, clean_customer_name, fold_name, name_key
from lifecycle.risk import mark_stale
from lifecycle.stages import Stage, owning_team
from lifecycle.transfer.columns import FileKind
from lifecycle.transfer.common import (
    ImportOptions,
    ImportStopped,
    People,
    SessionScope,
    batched,
    finish_import,
    record_stopped,
    start_result,
)
from lifecycle.transfer.report import ImportResult
from lifecycle.transfer.source import Cells, Row, open_rows
from lifecycle.transfer.values import PLACEHOLDER_USER, BadValue, parse_crm_stage, parse_day, parse_moment, parse_money
from storage import bulk
from storage.models import Customer, CustomerTeamOwner, StageChange

# The reason of the first stage change of an imported customer (add_customer writes "created").
IMPORTED_REASON = "imported"


@dataclass(frozen=True, slots=True)
class _Customer:
    line: int
    name: str
    key: str
    stage: Stage
    owner: str
    created_at: datetime
    stage_entered_at: datetime
    value: Decimal | None
    renewal_date: date | None


def import_customers(writing: SessionScope, stream: TextIO, options: ImportOptions) -> ImportResult:
    """Create the customers of a CSV file that do not exist yet; existing ones (by folded name) are left as they are."""
    result = start_result(FileKind.CUSTOMERS.value, options)
    layout, rows = open_rows(stream, FileKind.CUSTOMERS, result)
    cells = Cells(layout)
    people = People(options.resolve_owner, result, "owner")
    try:
        for batch in batched(rows, options.batch_size):
            result.rows += len(batch)
            parsed = [found for row in batch if (found := _parse(row, cells, people, result, options)) is not None]
            with writing() as session:
                _store(session, parsed, result, options)
            result.committed_line = batch[-1].line
    except (Exception, KeyboardInterrupt) as error:
        record_stopped(writing, result, options)
        raise ImportStopped(result, error) from error
    return finish_import(writing, result, options)


def _parse(row: Row, cells: Cells, people: People, result: ImportResult, options: ImportOptions) -> _Customer | None:
    written = cells.get(row, "name")
    try:
        name = clean_customer_name(written)
    except InvalidCustomerName as error:
        if not written:
            result.reject(row.line, "missing name", "missing name")
        elif len(unicodedata.normalize("NFC", written)) > MAX_NAME_LENGTH:
            result.reject(row.line, "name too long", f"name too long: {error.message}")
        else:
            result.reject(row.line, "bad name", f"bad name “{written}”: {error.message}")
        return None
    try:
        stage = parse_crm_stage(cells.get(row, "stage"))
        created = _moment(cells.get(row, "created_at"), "created_at", options)
        entered = _moment(cells.get(row, "stage_entered_at"), "stage_entered_at", options)
        value_text = cells.get(row, "value")
        value = parse_money(value_text) if value_text else None
        renewal_text = cells.get(row, "renewal_date")
        renewal = parse_day(renewal_text, zone=options.zone) if renewal_text else None
    except BadValue as error:
        result.reject(row.line, error.code, error.message)
        return None
    created = created or entered or options.now
    entered = entered or created
    if entered < created:
        result.note("stage_entered_at before created_at: created_at set to stage_entered_at")
        created = entered
    owner = people.user_id(cells.get(row, "owner"))
    return _Customer(row.line, name, name_key(name), stage, owner, created, entered, value, renewal)


def _moment(text: str, column: str, options: ImportOptions) -> datetime | None:
    if not text:
        return None
    moment = parse_moment(text, zone=options.zone)
    if moment > options.now:
        raise BadValue("future date", f"{column} “{text}” is in the future")
    return moment


def _store(session: Session, parsed: list[_Customer], result: ImportResult, options: ImportOptions) -> None:
    """Insert the batch's new customers with their first stage and team owner; count the rest as already there."""
    first: dict[str, _Customer] = {}
    for customer in parsed:
        first.setdefault(customer.key, customer)
    result.already_there += len(parsed) - len(first)
    table = bulk.table_of(Customer)
    rows = [_row(customer, options.workspace_id) for customer in first.values()]
    ids = {key: customer_id for key, customer_id in bulk.insert_new(session, table, rows, table.c.name_key, table.c.id)}
    result.already_there += len(first) - len(ids)
    result.imported += len(ids)
    if not ids:
        return
    new = [customer for customer in first.values() if customer.key in ids]
    # The same first records add_customer writes, dated when the customer entered its stage, so the funnel
    # and "newly loyal" (which matches stage_entered_at) read imported customers like the others.
    bulk.insert_all(
        session,
        bulk.table_of(StageChange),
        [
            {
                "workspace_id": options.workspace_id,
                "customer_id": ids[customer.key],
                "from_stage": None,
                "to_stage": customer.stage,
                "actor_user_id": PLACEHOLDER_USER,
                "reason": IMPORTED_REASON,
                "changed_at": customer.stage_entered_at,
            }
            for customer in new
        ],
    )
    bulk.insert_all(
        session,
        bulk.table_of(CustomerTeamOwner),
        [
            {
                "customer_id": ids[customer.key],
                "team": owning_team(customer.stage),
                "user_id": customer.owner,
                "assigned_at": customer.stage_entered_at,
            }
            for customer in new
        ],
    )
    mark_stale(session, workspace_id=options.workspace_id)


def _row(customer: _Customer, workspace_id: str) -> dict[str, Any]:
    return {
        "workspace_id": workspace_id,
        "name": customer.name,
        "name_key": customer.key,
        "fold_key": fold_name(customer.name),
        "stage": customer.stage,
        "stage_entered_at": customer.stage_entered_at,
        "owner_user_id": customer.owner,
        "created_by": PLACEHOLDER_USER,
        "created_at": customer.created_at,
        "updated_at": max(customer.created_at, customer.stage_entered_at),
        "loyalty_events": 0,
        "value": customer.value,
        "renewal_date": customer.renewal_date,
    }
