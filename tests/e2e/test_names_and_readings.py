"""Names found the way people type them (folded, aliases, archived), and unquoted lines read the way they meant."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from handlers.ids import ActionId
from storage.models import Customer, Touchpoint
from tests.e2e.helpers import buttons, click, reply_text, run, snapshot


def _labels(reply):
    return [button["text"]["text"] for button in buttons(reply)]


def _touch_notes(bot):
    """(customer name, kind, note) of every touchpoint."""
    with bot.session_factory() as session:
        rows = session.execute(
            select(Customer.name, Touchpoint.kind, Touchpoint.note).join(
                Customer, Customer.id == Touchpoint.customer_id
            )
        ).all()
    return sorted((name, kind.value, note) for name, kind, note in rows)


def _set(bot, name, **values):
    """Change a customer's row as the merge and archive commands would (they are tested on their own)."""
    with bot.session_factory.begin() as session:
        session.execute(update(Customer).where(Customer.name == name).values(**values))


def _id_of(bot, name):
    with bot.session_factory() as session:
        return session.scalars(select(Customer.id).where(Customer.name == name)).one()


def _options(bot, typed):
    response = bot.slack.block_suggestion(ActionId.CUSTOMER_SEARCH, typed).response
    assert response.status_code == 200, response.text
    return [option["text"]["text"].split(" · ")[0] for option in response.json()["options"]]


def test_names_are_found_ignoring_case_accents_punctuation_emoji_and_legal_suffixes(bot):
    for name in ("Café Müller", "🚀 Rocket Labs", "Acme Corp", "Globex"):
        run(bot, "/customer", f'add "{name}"')
    assert "*Café Müller*" in reply_text(run(bot, "/touch", "cafe call"))
    assert "*🚀 Rocket Labs*" in reply_text(run(bot, "/touch", "rocket email"))
    assert "*Acme Corp*" in reply_text(run(bot, "/touch", "ACME meeting"))
    assert "*Acme Corp*" in reply_text(run(bot, "/touch", '"Acmé Corp." note Sent the deck'))
    assert "*Acme Corp*" in reply_text(run(bot, "/stage", "acme inc acquisition"))
    assert reply_text(run(bot, "/customer", '"CAFE MULLER GmbH"')).startswith("Café Müller\n")
    assert len(_touch_notes(bot)) == 4


def test_a_folded_start_shared_by_two_customers_still_asks_which(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    run(bot, "/customer", 'add "Acme Labs"')
    before = snapshot(bot)
    reply = run(bot, "/touch", "acmé call")
    assert "matches more than one customer" in reply_text(reply)
    assert _labels(reply)[:2] == ["Acme Corp (Reach)", "Acme Labs (Reach)"]
    assert snapshot(bot) == before
    # The whole name, typed any way, is not a start: it finds the one customer.
    assert "*Acme Corp*" in reply_text(run(bot, "/touch", '"ACME Corp." call'))


def test_a_merged_duplicates_name_finds_the_customer_it_was_merged_into(bot):
    run(bot, "/customer", 'add "Acme Corp"')
    run(bot, "/customer", 'add "Acme Old Account"')
    run(bot, "/customer", 'add "Acme Older"')
    # Older was merged into Old Account, which was later merged into Acme Corp: the chain is followed.
    _set(bot, "Acme Old Account", merged_into_id=_id_of(bot, "Acme Corp"), archived_at=bot.clock())
    _set(bot, "Acme Older", merged_into_id=_id_of(bot, "Acme Old Account"), archived_at=bot.clock())
    assert "*Acme Corp*" in reply_text(run(bot, "/touch", '"Acme Old Account" call'))
    assert "*Acme Corp*" in reply_text(run(bot, "/touch", '"acme older, inc." email'))
    assert [name for name, _, _ in _touch_notes(bot)] == ["Acme Corp", "Acme Corp"]
    # The picker never offers a merged duplicate itself (Acme Corp is offered as a close name).
    assert _options(bot, "acme old") == ["Acme Corp"]


def test_an_archived_customer_is_found_by_its_exact_name_only(bot):
    run(bot, "/customer", 'add "Initech"')
    run(bot, "/customer", 'add "Initrode"')
    _set(bot, "Initech", archived_at=bot.clock() - timedelta(days=1))
    assert "Initech (archived)" in reply_text(run(bot, "/customer", "initech"))
    assert "Initech (archived)" in reply_text(run(bot, "/customer", '"INITECH Inc."'))
    # A start of the name, a typo, the picker: only the live customer.
    assert "*Initrode*" in reply_text(run(bot, "/touch", "init call"))
    typo = run(bot, "/touch", "initekh call")
    assert "Initech" not in " ".join(_labels(typo)) and "Initrode (Reach)" in _labels(typo)
    assert _options(bot, "ini") == ["Initrode"]
    assert _options(bot, "") == ["Initrode"]


def test_close_names_are_suggested_however_their_accents_are_typed(bot):
    run(bot, "/customer", 'add "Café Müller"')
    reply = run(bot, "/touch", '"Cafe Mueler" call')
    assert "I couldn't find a customer called “Cafe Mueler”" in reply_text(reply)
    assert _labels(reply) == ["Café Müller (Reach)", "➕ Create “Cafe Mueler”"]


def test_the_picker_matches_folded_starts_then_words_then_close_names(bot):
    for name in ("Café Müller", "🚀 Rocket Labs", "Rocketry Supplies", "Acme Corp", "Cosmic Labs"):
        run(bot, "/customer", f'add "{name}"')
    assert _options(bot, "cafe") == ["Café Müller"]
    assert _options(bot, "CAFÉ MÜ") == ["Café Müller"]
    assert _options(bot, "rocket") == ["🚀 Rocket Labs", "Rocketry Supplies"]
    assert _options(bot, "labs") == ["Cosmic Labs", "🚀 Rocket Labs"]  # a later word's start
    assert _options(bot, "acme inc") == ["Acme Corp"]
    assert _options(bot, "rocekt") == ["🚀 Rocket Labs", "Rocketry Supplies"]  # a typo: close names
    assert _options(bot, "100%_") == []


# --- Unquoted lines with several readings ------------------------------------------------------------------------


def test_a_note_after_an_unknown_name_is_never_offered_as_part_of_a_new_name(bot):
    before = snapshot(bot)
    reply = run(bot, "/touch", "blue called them about the renewal")
    labels = _labels(reply)
    assert "I couldn't find a customer called “blue”" in reply_text(reply)
    assert labels == ["➕ Create “blue”"]
    assert not any("called" in label for label in labels)
    assert snapshot(bot) == before
    created = reply_text(click(bot, buttons(reply)[0]))
    assert "Added *blue*" in created
    assert _touch_notes(bot) == [("blue", "call", "called them about the renewal")]


def test_the_reading_that_names_an_existing_customer_wins(bot):
    run(bot, "/customer", 'add "Blue Bottle"')
    reply = reply_text(run(bot, "/touch", "blue called them about the renewal"))
    assert "*Blue Bottle*" in reply
    run(bot, "/customer", 'add "Acme Corp"')
    run(bot, "/customer", 'add "Acme Renewal Partners"')
    # Read as "acme" + renewal, "acme" is ambiguous; read as "acme renewal partners" + call, it names a customer.
    assert "*Acme Renewal Partners*" in reply_text(run(bot, "/touch", "acme renewal partners call Kickoff"))
    assert _touch_notes(bot) == [
        ("Acme Renewal Partners", "call", "Kickoff"),
        ("Blue Bottle", "call", "called them about the renewal"),
    ]


def test_a_customer_called_blue_gets_the_call_too(bot):
    run(bot, "/customer", 'add "Blue"')
    run(bot, "/customer", 'add "Blueberry Farms"')
    assert "*Blue*" in reply_text(run(bot, "/touch", "blue called them about the renewal"))
    assert _touch_notes(bot) == [("Blue", "call", "called them about the renewal")]


def test_text_that_reads_like_a_note_gets_no_create_button_but_says_how_to_quote(bot):
    run(bot, "/customer", 'add "Globex"')
    before = snapshot(bot)
    reply = run(bot, "/touch", "we talked to them call")
    text = reply_text(reply)
    assert "I couldn't find a customer called “we talked to them”" in text
    assert not any(label.startswith("➕") for label in _labels(reply))
    assert "doesn't read like a customer's name" in text and '`/touch "Blue Bottle" call' in text
    assert snapshot(bot) == before


def test_a_quoted_name_is_a_name_whatever_it_says(bot):
    reply = run(bot, "/touch", '"We Talked To Them" call')
    assert _labels(reply) == ["➕ Create “We Talked To Them”"]
