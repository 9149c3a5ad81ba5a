"""Replies for exporting and erasing one customer's data."""

from __future__ import annotations

import json

from handlers.blocks.common import Reply, actions, bold_name, button, context, section
from handlers.ids import ActionId
from lifecycle.customer_data import erased_name
from storage.models import Customer


def export_sent(name: str) -> Reply:
    """The file is in the caller's DM."""
    text = f"📦 I sent you everything stored about {bold_name(name)} as a JSON file in our DM."
    return Reply(text=text, blocks=[section(text), context("The export is recorded in `/lifecycle audit`.")])


def erase_confirmation(customer: Customer, *, issued_at: int) -> Reply:
    """What erasing removes and keeps, and the button that does it."""
    name = bold_name(customer.name)
    text = (
        f"⚠️ Erase {name} for good? Its name, every touchpoint note, feedback text and reason go, and are "
        "redacted in the audit trail. Its stage and the number of touchpoints, moves and feedback stay, "
        "without names, so the funnel still adds up. This can't be undone."
    )
    value = json.dumps({"c": customer.id, "t": issued_at})
    buttons = actions(
        button(f"Erase {customer.name}"[:75], action_id=ActionId.ERASE_CUSTOMER, value=value, style="danger"),
        button("Cancel", action_id=ActionId.ERASE_CANCEL, value="cancel"),
    )
    return Reply(text=f"Erase {customer.name}?", blocks=[section(text), buttons])


def erased(customer_id: int, cleared: int) -> Reply:
    """Done: what is left."""
    rows = "row" if cleared == 1 else "rows"
    text = (
        f"🧹 Erased. The customer is now *{erased_name(customer_id)}*; personal text was removed from {cleared} {rows}."
    )
    return Reply(text=text, blocks=[section(text)])


def erase_cancelled() -> Reply:
    """The admin changed their mind."""
    text = "Nothing was erased."
    return Reply(text=text, blocks=[section(text)])
