"""/customer merge: asks first, then moves everything into the kept customer; the duplicate's name stays an alias."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from lifecycle.states import HandoffStatus
from storage.models import AuditEvent, Customer, CustomerTeamOwner, Feedback, Handoff, StageChange, Touchpoint
from tests.e2e.helpers import buttons, click, reply_text, route, run, snapshot
from tests.e2e.test_handoffs import SERVICES

TABLES = (Touchpoint, Feedback, StageChange, Handoff)


def two_acmes(bot, clock) -> tuple[int, int]:
    """Acme Corp (to keep) and Acme Holdings (the duplicate), each with touchpoints, feedback, moves and a handoff."""
    route(bot, "services", SERVICES)
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/touch", '"Acme Corp" call kickoff')
    run(bot, "/touch", '"Acme Corp" purchase signed')
    run(bot, "/feedback", '"Acme Corp" love the dashboards')
    run(bot, "/stage", '"Acme Corp" conversion signed the deal')
    run(bot, "/customer", 'add "Acme Holdings" reach <@U0OLGA|olga>')
    clock.advance(hours=2)
    run(bot, "/touch", '"Acme Holdings" call intro')
    run(bot, "/touch", '"Acme Holdings" renewal renewed early')
    run(bot, "/touch", '"Acme Holdings" email follow-up')
    run(bot, "/feedback", '"Acme Holdings" the reports are slow')
    run(bot, "/feedback", '"Acme Holdings" support was great')
    run(bot, "/stage", '"Acme Holdings" acquisition qualified')
    run(bot, "/stage", '"Acme Holdings" conversion bought too')
    run(bot, "/customer", 'set "Acme Holdings" value 5000')
    with bot.session_factory() as session:
        ids = dict(session.execute(select(Customer.name, Customer.id)).all())
    return ids["Acme Holdings"], ids["Acme Corp"]


def counts(bot, customer_id: int) -> dict[str, int]:
    with bot.session_factory() as session:
        return {
            model.__tablename__: session.scalar(
                select(func.count()).select_from(model).where(model.customer_id == customer_id)
            )
            for model in TABLES
        }


def row(bot, customer_id: int) -> Customer:
    with bot.session_factory() as session:
        return session.get(Customer, customer_id)


def test_merge_asks_first_with_what_will_move(bot, clock):
    two_acmes(bot, clock)
    before = snapshot(bot)
    asked = run(bot, "/customer", 'merge "Acme Holdings" into "Acme Corp"')
    text = reply_text(asked)
    assert "🔀 Merge *Acme Holdings* into *Acme Corp*? This moves 3 touchpoints, 2 pieces of feedback, " in text
    assert "3 stage changes and 1 handoff to *Acme Corp*" in text
    assert [button["text"]["text"] for button in buttons(asked)] == ["Merge", "Cancel"]
    assert snapshot(bot) == before
    assert "Nothing was merged." in reply_text(click(bot, buttons(asked)[1]))
    assert snapshot(bot) == before


def test_nothing_is_lost_and_the_counts_add_up(bot, clock):
    duplicate, keep = two_acmes(bot, clock)
    before = {customer: counts(bot, customer) for customer in (duplicate, keep)}
    kept_before, duplicate_before = row(bot, keep), row(bot, duplicate)
    [merge, _] = buttons(run(bot, "/customer", "merge acme holdings into acme corp"))
    done = click(bot, merge)
    assert reply_text(done).startswith("🔀 Merged *Acme Holdings* into *Acme Corp*: moved 3 touchpoints,")
    assert [button["text"]["text"] for button in buttons(done)] == ["Undo"]
    assert counts(bot, keep) == {table: before[keep][table] + before[duplicate][table] for table in before[keep]}
    assert set(counts(bot, duplicate).values()) == {0}
    kept, alias = row(bot, keep), row(bot, duplicate)
    assert kept.loyalty_events == kept_before.loyalty_events + duplicate_before.loyalty_events == 2
    assert kept.last_touch_at == max(kept_before.last_touch_at, duplicate_before.last_touch_at)
    assert kept.value == Decimal("5000") and kept.stage.value == "conversion"
    assert (alias.merged_into_id, alias.loyalty_events, alias.risk_level) == (keep, 0, None)
    assert alias.archived_at is not None
    with bot.session_factory() as session:
        # One open handoff per customer: the kept one's stays, the duplicate's is superseded by it.
        statuses = sorted(handoff.status for handoff in session.scalars(select(Handoff)))
        assert statuses == [HandoffStatus.PENDING, HandoffStatus.SUPERSEDED]
        # The kept customer's own owner for a team wins over the duplicate's.
        assert session.get(CustomerTeamOwner, (keep, "sales")).user_id == "U0REP"
        entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "customer.merged")).one()
        assert sorted(entry.details["moved"]["touchpoints"]) == sorted(
            session.scalars(select(Touchpoint.id).where(Touchpoint.note.in_(["intro", "renewed early", "follow-up"])))
        )


def test_the_duplicates_name_finds_the_kept_customer_and_it_leaves_the_lists(bot, clock):
    duplicate, keep = two_acmes(bot, clock)
    [merge, _] = buttons(run(bot, "/customer", 'merge "Acme Holdings" into "Acme Corp"'))
    click(bot, merge)
    assert "Acme Corp" in reply_text(run(bot, "/customer", '"Acme Holdings"'))
    run(bot, "/touch", '"Acme Holdings" call after the merge')
    assert counts(bot, keep)["touchpoints"] == 6
    listed = reply_text(run(bot, "/customer", "list"))
    assert "Acme Corp" in listed and "Acme Holdings" not in listed
    again = reply_text(run(bot, "/customer", 'merge "Acme Holdings" into "Acme Corp"'))
    assert "Both names find the same customer, Acme Corp: there is nothing to merge." in again


def test_merging_a_customer_into_itself_is_refused(bot, clock):
    two_acmes(bot, clock)
    before = snapshot(bot)
    reply = reply_text(run(bot, "/customer", 'merge "Acme Corp" into "acme corp"'))
    assert "there is nothing to merge" in reply
    assert "Put `into` between them" in reply_text(run(bot, "/customer", 'merge "Acme Corp" "Acme Holdings"'))
    assert snapshot(bot) == before


def test_an_erased_customer_cannot_be_merged(bot, clock):
    duplicate, keep = two_acmes(bot, clock)
    [merge, _] = buttons(run(bot, "/customer", 'merge "Acme Holdings" into "Acme Corp"'))
    [erase, _] = buttons(run(bot, "/customer", 'erase "Acme Holdings"'))
    click(bot, erase)
    before = snapshot(bot)
    assert "an erased customer can't be merged" in reply_text(click(bot, merge))
    assert snapshot(bot) == before


def test_an_old_confirmation_merges_nothing(bot, clock):
    two_acmes(bot, clock)
    [merge, _] = buttons(run(bot, "/customer", 'merge "Acme Holdings" into "Acme Corp"'))
    clock.advance(minutes=31)
    before = snapshot(bot)
    assert "This confirmation expired" in reply_text(click(bot, merge))
    assert snapshot(bot) == before


def test_undo_takes_the_merge_back_row_for_row(bot, clock):
    duplicate, keep = two_acmes(bot, clock)
    before = {customer: counts(bot, customer) for customer in (duplicate, keep)}
    value_before = row(bot, keep).value
    touched_before = (row(bot, duplicate).last_touch_at, row(bot, keep).last_touch_at)
    [merge, _] = buttons(run(bot, "/customer", 'merge "Acme Holdings" into "Acme Corp"'))
    [undo] = buttons(click(bot, merge))
    clock.advance(minutes=5)
    undone = reply_text(click(bot, undo))
    assert "↩️ Undone: *Acme Holdings* is a customer of its own again" in undone
    assert {customer: counts(bot, customer) for customer in (duplicate, keep)} == before
    alias = row(bot, duplicate)
    assert (alias.merged_into_id, alias.archived_at, alias.loyalty_events) == (None, None, 1)
    assert row(bot, keep).loyalty_events == 1 and row(bot, keep).value == value_before
    assert (alias.last_touch_at, row(bot, keep).last_touch_at) == touched_before
    with bot.session_factory() as session:
        assert [handoff.status for handoff in session.scalars(select(Handoff))] == [HandoffStatus.PENDING] * 2
        undo_entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "change.undone")).one()
        merged_entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "customer.merged")).one()
        assert undo_entry.details["undid"] == merged_entry.id and isinstance(merged_entry.undone_at, datetime)
    listed = reply_text(run(bot, "/customer", "list"))
    assert "Acme Corp" in listed and "Acme Holdings" in listed
