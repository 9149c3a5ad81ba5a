"""Replies for fixing a customer's record (rename, merge, owner, archive, value, renewal, currency) and undoing it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from handlers.blocks.common import Reply, actions, bold_name, button, context, mention, section
from handlers.ids import ActionId
from handlers.slack_text import escape_mrkdwn
from lifecycle.currency import currency_name
from lifecycle.customer_edits import Edit
from lifecycle.merge import Merged, MergePlan
from lifecycle.money import format_money
from lifecycle.text import feedback_count, plural
from lifecycle.undo import Undone
from storage.models import AuditEvent

UNDO_NOTE = "You can undo this for 10 minutes."


def undo_button(event_id: int) -> dict[str, Any]:
    """The Undo button of a change; its value is the change's audit entry."""
    return button("Undo", action_id=ActionId.UNDO_CHANGE, value=str(event_id))


def with_undo(reply: Reply, event_id: int) -> Reply:
    """Any change's reply, with an Undo button under it (also for replies built elsewhere, e.g. /touch)."""
    return Reply(text=reply.text, blocks=[*reply.blocks, actions(undo_button(event_id)), context(UNDO_NOTE)])


def _reply(text: str, event: AuditEvent, *notes: str) -> Reply:
    blocks = [section(text), actions(undo_button(event.id)), context(*notes, UNDO_NOTE)]
    return Reply(text=text, blocks=blocks)


def renamed(edit: Edit) -> Reply:
    """✏️ Renamed *Old* to *New*."""
    old = str(edit.event.details["old_name"])
    return _reply(f"✏️ Renamed {bold_name(old)} to {bold_name(edit.customer.name)}.", edit.event)


def owner_set(edit: Edit) -> Reply:
    """The new owner, as a real mention."""
    previous = edit.event.details.get("previous")
    was = f" (was {mention(str(previous))})" if previous and previous != edit.customer.owner_user_id else ""
    text = f"👤 {mention(edit.customer.owner_user_id)} now owns {bold_name(edit.customer.name)}{was}."
    return _reply(text, edit.event)


def archived(edit: Edit) -> Reply:
    """Archived or restored."""
    name = bold_name(edit.customer.name)
    if edit.customer.archived_at is None:
        return _reply(f"📤 Restored {name}: it is back in lists, health and digests.", edit.event)
    text = f"🗄️ Archived {name}: it is hidden from lists, health and digests, and its data is kept."
    how = f'`/customer "{escape_mrkdwn(edit.customer.name)}"` still opens it; `/customer restore` brings it back.'
    return _reply(text, edit.event, how)


def _fact(fact: str, value: Decimal | date | str | None, currency: str | None) -> str:
    if value is None:
        return "no value" if fact == "value" else "no renewal date"
    if fact == "value":
        return f"a value of {format_money(Decimal(str(value)), currency)} a year"
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"a renewal date of {day.day} {day.strftime('%B %Y')}"


def fact_set(edit: Edit, *, currency: str | None) -> Reply:
    """The value or renewal date as now on record."""
    fact = str(edit.event.details["fact"])
    value = edit.customer.value if fact == "value" else edit.customer.renewal_date
    emoji = "💰" if fact == "value" else "📅"
    text = f"{emoji} {bold_name(edit.customer.name)} now has {_fact(fact, value, currency)}."
    notes = []
    if fact == "value" and value is not None and currency is None:
        notes.append("No currency is set for this workspace; admins set one with `/lifecycle currency EUR`.")
    return _reply(text, edit.event, *notes)


def currency_set(event: AuditEvent) -> Reply:
    """The workspace's new currency, announced to the managers too."""
    code = str(event.details["code"])
    previous = event.details.get("previous")
    was = f" (was {previous})" if previous else ""
    text = f"💱 Customer values are now in {code} ({escape_mrkdwn(currency_name(code))}){was}."
    return _reply(text, event, "Values already on record keep their numbers.")


def _moved(counts: Mapping[str, int]) -> str:
    parts = [
        plural(counts.get("touchpoints", 0), "touchpoint"),
        feedback_count(counts.get("feedback", 0)),
        plural(counts.get("stage_changes", 0), "stage change"),
        plural(counts.get("handoffs", 0), "handoff"),
    ]
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def merge_confirmation(plan: MergePlan, *, issued_at: int) -> Reply:
    """What merging will do, with the buttons that do it or not."""
    duplicate, keep = bold_name(plan.duplicate.name), bold_name(plan.keep.name)
    text = (
        f"🔀 Merge {duplicate} into {keep}? This moves {_moved(plan.counts)} to {keep}. "
        f"{keep} keeps its stage, owner, value and renewal date (empty ones are taken from {duplicate}); "
        f"{duplicate} stays as another name that finds {keep}."
    )
    value = json.dumps({"d": plan.duplicate.id, "k": plan.keep.id, "t": issued_at})
    buttons = actions(
        button("Merge", action_id=ActionId.MERGE_CUSTOMERS, value=value, style="primary"),
        button("Cancel", action_id=ActionId.MERGE_CANCEL, value="cancel"),
    )
    return Reply(text=f"Merge {plan.duplicate.name} into {plan.keep.name}?", blocks=[section(text), buttons])


def merged(result: Merged) -> Reply:
    """Done: what moved, and the Undo button."""
    duplicate, keep = bold_name(result.duplicate.name), bold_name(result.keep.name)
    text = f"🔀 Merged {duplicate} into {keep}: moved {_moved(result.counts)}. {duplicate} now finds {keep}."
    return _reply(text, result.event)


def merge_cancelled() -> Reply:
    """The user changed their mind."""
    text = "Nothing was merged."
    return Reply(text=text, blocks=[section(text)])


def _undone_text(undone: Undone, currency: str | None) -> str:
    details: Mapping[str, Any] = undone.original.details or {}
    name = bold_name(undone.customer.name) if undone.customer is not None else "the customer"
    describe: dict[str, Callable[[], str]] = {
        "customer.renamed": lambda: f"{bold_name(str(details['new_name']))} is called {name} again.",
        "customer.owner_changed": lambda: f"{mention(str(details['previous']))} owns {name} again.",
        "customer.archived": lambda: f"{name} is back in lists, health and digests.",
        "customer.restored": lambda: f"{name} is archived again.",
        "customer.fact_set": lambda: (
            f"{name} has {_fact(str(details['fact']), details.get('previous'), currency)} again."
        ),
        "customer.merged": lambda: (
            f"{bold_name(str(details.get('name', '')))} is a customer of its own again, with everything the merge "
            f"moved to {name}."
        ),
        "touchpoint.logged": lambda: (
            f"the {escape_mrkdwn(str(details.get('kind', 'touchpoint')))} with {name} is no longer logged."
        ),
        "currency.changed": lambda: (
            f"customer values are in {details['previous']} again."
            if details.get("previous")
            else "the workspace has no currency again."
        ),
    }
    return describe[undone.original.action]()


def undone(result: Undone, *, currency: str | None) -> Reply:
    """What was put back (in place of the change's reply)."""
    text = f"↩️ Undone: {_undone_text(result, currency)}"
    return Reply(text=text, blocks=[section(text), context("The change and its undo are both in `/lifecycle audit`.")])


# --- the audit trail's words for these changes (merged into handlers.blocks.audit.DESCRIBERS) ----------------


def _quoted(value: object) -> str:
    return f"*{escape_mrkdwn(str(value))}*" if value not in (None, "") else "a customer"


def _fact_change(details: Mapping[str, Any]) -> str:
    fact = "renewal date" if details.get("fact") == "renewal" else "value"
    value = details.get("value")
    return f"set its {fact} to {escape_mrkdwn(str(value))}" if value is not None else f"cleared its {fact}"


UNDONE_WORDS = {
    "customer.renamed": "a rename",
    "customer.owner_changed": "a change of owner",
    "customer.archived": "archiving it",
    "customer.restored": "restoring it",
    "customer.fact_set": "a change of its value or renewal date",
    "customer.merged": "a merge",
    "touchpoint.logged": "a touchpoint",
}

EDIT_DESCRIBERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "customer.renamed": lambda d: f"renamed it from {_quoted(d.get('old_name'))} to {_quoted(d.get('new_name'))}",
    "customer.owner_changed": lambda d: f"made {mention(str(d.get('owner')))} its owner",
    "customer.archived": lambda d: "archived it",
    "customer.restored": lambda d: "restored it from the archive",
    "customer.fact_set": _fact_change,
    "customer.merged": lambda d: f"merged {_quoted(d.get('name'))} into it",
    "change.undone": lambda d: f"undid {UNDONE_WORDS.get(str(d.get('undid_action')), 'a change')}",
    "currency.changed": lambda d: (
        (f"set the currency to {d.get('code')}" if d.get("code") else "cleared the currency")
        + (" (an undo)" if d.get("undid") else "")
    ),
}
