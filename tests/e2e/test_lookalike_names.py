"""A new name that folds to, or looks like, an existing customer's asks first: [Use Acme Corp] [Create anyway]."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Customer, Touchpoint
from tests.e2e.helpers import buttons, click, reply_text, run, snapshot


@pytest.fixture
def acme(bot):
    run(bot, "/customer", 'add "Acme Corp" retention')
    return bot


def _button(reply, label):
    return next(button for button in buttons(reply) if button["text"]["text"] == label)


def _customers(bot):
    """(name, stage, owner) of every customer."""
    with bot.session_factory() as session:
        rows = session.execute(select(Customer.name, Customer.stage, Customer.owner_user_id)).all()
    return sorted((name, stage.value, owner) for name, stage, owner in rows)


def _touchpoints(bot):
    with bot.session_factory() as session:
        rows = session.execute(
            select(Customer.name, Touchpoint.note).join(Customer, Customer.id == Touchpoint.customer_id)
        ).all()
    return sorted(tuple(row) for row in rows)


@pytest.mark.parametrize(
    "name",
    [
        "Acme Corp.",
        "Acmé Corp",
        "Αcme Corp",  # Greek capital alpha
        "Асme Corp",  # Cyrillic А and с
        "acme, inc.",
        "Acrne Corp",  # r n for m
        "Acme C0rp",  # a zero for an o
        "Acme",
    ],
)
def test_creating_a_name_that_looks_like_an_existing_one_asks_first(acme, name):
    before = snapshot(acme)
    reply = run(acme, "/customer", f'add "{name}"')
    assert f"“{name}” looks like *Acme Corp*, which already exists." in reply_text(reply)
    assert [button["text"]["text"] for button in buttons(reply)] == ["Use Acme Corp", "Create anyway"]
    assert snapshot(acme) == before


def test_the_same_name_in_another_case_is_still_refused_outright(acme):
    reply = reply_text(run(acme, "/customer", 'add "ACME  corp"'))
    assert "There is already a customer called “Acme Corp”" in reply
    assert "Create anyway" not in reply


def test_use_shows_the_existing_customer_and_creates_nothing(acme):
    before = snapshot(acme)
    shown = click(acme, _button(run(acme, "/customer", 'add "Acmé Corp"'), "Use Acme Corp"))
    assert reply_text(shown).startswith("Acme Corp\n") and "Retention" in reply_text(shown)
    assert snapshot(acme) == before


def test_create_anyway_creates_it_as_typed_with_its_stage_and_owner(acme):
    reply = run(acme, "/customer", 'add "Αcme Corp" conversion <@U0BOB|bob>')
    created = click(acme, _button(reply, "Create anyway"))
    assert "Added *Αcme Corp* in *Conversion*" in reply_text(created)
    assert _customers(acme) == [("Acme Corp", "retention", "U0REP"), ("Αcme Corp", "conversion", "U0BOB")]
    again = click(acme, _button(reply, "Create anyway"))
    assert "already done" in reply_text(again)
    assert len(_customers(acme)) == 2
    # Both exist now, and both fold alike: the folded name asks which, each exact name finds its own.
    assert "matches more than one customer" in reply_text(run(acme, "/touch", '"acme corp." call'))
    assert "*Αcme Corp*" in reply_text(run(acme, "/touch", '"Αcme Corp" call'))


def test_the_create_button_of_did_you_mean_asks_too_and_use_runs_the_held_touch_there(acme):
    reply = run(acme, "/touch", '"Acrne Corp" call Renewal next month')
    assert "I couldn't find a customer called “Acrne Corp”" in reply_text(reply)
    before = snapshot(acme)
    asked = click(acme, _button(reply, "➕ Create “Acrne Corp”"))
    assert "“Acrne Corp” looks like *Acme Corp*" in reply_text(asked)
    assert snapshot(acme) == before
    logged = click(acme, _button(asked, "Use Acme Corp"))
    assert "*Acme Corp*" in reply_text(logged)
    assert _touchpoints(acme) == [("Acme Corp", "Renewal next month")]
    assert [name for name, _, _ in _customers(acme)] == ["Acme Corp"]


def test_create_anyway_from_a_held_touch_creates_it_and_logs_there(acme):
    reply = run(acme, "/touch", '"Acrne Corp" call First contact')
    asked = click(acme, _button(reply, "➕ Create “Acrne Corp”"))
    done = click(acme, _button(asked, "Create anyway"))
    assert "Added *Acrne Corp*" in reply_text(done)
    assert _touchpoints(acme) == [("Acrne Corp", "First contact")]
    assert _customers(acme) == [("Acme Corp", "retention", "U0REP"), ("Acrne Corp", "reach", "U0REP")]
