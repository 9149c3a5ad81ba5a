"""Block Kit builders for customers: Slack's limits (DESIGN.md §4) and escaping of user text.

Models are built in memory; nothing here touches a database or Slack.
"""

from __future__ import annotations

import pytest

from handlers.blocks.common import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    Reply,
    button,
    header,
    mention,
    section,
    truncate,
)
from handlers.blocks.customers import (
    customer_created,
    customer_list,
    feedback_recorded,
    list_title,
    profile,
    stage_moved,
    touchpoint_logged,
)
from lifecycle.activity import LoggedTouchpoint, RecordedFeedback
from lifecycle.customers import CustomerList, CustomerRow
from lifecycle.handoffs import HandoffOutcome, HandoffResult
from lifecycle.sentiment import score_text
from lifecycle.stages import Stage, Team
from lifecycle.text import MAX_NOTE_LENGTH, bound_text
from lifecycle.touchpoints import TouchpointKind
from tests.handlers.block_checks import (
    HOSTILE,
    LONG_NAME,
    LONG_NOTE,
    NOW,
    RITA,
    assert_safe_message,
    make_change,
    make_customer,
    make_feedback,
    make_move,
    make_profile,
    make_touchpoint,
    rendered_texts,
)

# --- the pieces ----------------------------------------------------------------------------


def test_truncate_keeps_short_text_and_marks_a_cut() -> None:
    assert truncate("Hooli", 5) == "Hooli"
    assert truncate("Hooli XYZ", 6) == "Hooli…"
    assert len(truncate("x" * 5000, MAX_SECTION_TEXT)) == MAX_SECTION_TEXT


def test_section_and_header_are_cut_to_slacks_limits() -> None:
    assert len(section("s" * 10_000)["text"]["text"]) == MAX_SECTION_TEXT
    assert len(header("h" * 1_000)["text"]["text"]) == MAX_HEADER_TEXT


def test_a_button_label_is_cut_but_an_oversized_value_is_refused() -> None:
    assert len(button("b" * 200, action_id="x", value="1")["text"]["text"]) == MAX_BUTTON_TEXT
    button("ok", action_id="x", value="v" * MAX_BUTTON_VALUE)
    with pytest.raises(ValueError):
        button("too much", action_id="x", value="v" * (MAX_BUTTON_VALUE + 1))


def test_mention_renders_only_well_formed_user_ids() -> None:
    assert mention(RITA) == "<@U0RITA>"
    assert mention("<!channel>") == "&lt;!channel&gt;"


def test_a_reply_never_hands_slack_more_than_fifty_blocks() -> None:
    reply = Reply(text="t" * 5000, blocks=[section(f"line {i}") for i in range(80)])
    kwargs = reply.as_kwargs()
    assert len(kwargs["blocks"]) == MAX_BLOCKS_PER_MESSAGE
    assert len(kwargs["text"]) <= 3000


# --- customer replies ----------------------------------------------------------------------


def test_customer_created_names_the_stage_and_owner() -> None:
    reply = customer_created(make_customer("Wayne Enterprises", Stage.ACQUISITION))
    assert_safe_message(reply)
    text = reply.blocks[0]["text"]["text"]
    assert "*Wayne Enterprises*" in text and "*Acquisition*" in text and "<@U0RITA>" in text


def test_customer_created_with_an_eighty_character_name_escapes_it() -> None:
    reply = customer_created(make_customer(LONG_NAME))
    assert_safe_message(reply)
    assert "AT&amp;T" in reply.blocks[0]["text"]["text"]
    assert "AT&T" not in " ".join(rendered_texts(reply.blocks))


def test_touchpoint_logged_with_a_4000_character_note_stays_within_limits() -> None:
    bounded = bound_text(LONG_NOTE + " and then some" * 100, MAX_NOTE_LENGTH)
    reply = touchpoint_logged(
        LoggedTouchpoint(
            customer=make_customer(LONG_NAME),
            touchpoint=make_touchpoint(note=bounded.text),
            note=bounded,
        )
    )
    assert_safe_message(reply)
    assert "&lt;!channel&gt;" in reply.blocks[1]["text"]["text"]
    assert "kept the first 4,000" in rendered_texts(reply.blocks)[-1]


def test_a_multi_line_note_stays_inside_the_quote() -> None:
    note = "First line\nSecond line\nThird line"
    reply = touchpoint_logged(
        LoggedTouchpoint(
            customer=make_customer(),
            touchpoint=make_touchpoint(note=note),
            note=bound_text(note, MAX_NOTE_LENGTH),
        )
    )
    assert reply.blocks[1]["text"]["text"] == "> First line\n> Second line\n> Third line"
    assert len(reply.blocks) == 2  # nothing was cut, so no truncation notice


def test_touchpoint_logged_without_a_note_is_one_line() -> None:
    reply = touchpoint_logged(
        LoggedTouchpoint(
            customer=make_customer(),
            touchpoint=make_touchpoint(note="", kind=TouchpointKind.DEMO),
            note=bound_text("", MAX_NOTE_LENGTH),
        )
    )
    assert_safe_message(reply)
    assert len(reply.blocks) == 1
    assert "*demo*" in reply.blocks[0]["text"]["text"]


def test_stage_moved_escapes_the_reason_and_flags_a_backward_move() -> None:
    move = make_move(
        Stage.RETENTION,
        Stage.ACQUISITION,
        reason=HOSTILE,
        name=LONG_NAME,
        from_team=Team.SUCCESS,
        to_team=Team.SALES,
        backward=True,
        handoff=HandoffOutcome(HandoffResult.ALERTED, Team.SALES, "C0SALES"),
    )
    reply = stage_moved(move)
    assert_safe_message(reply)
    notes = " ".join(rendered_texts(reply.blocks[1:]))
    assert "backward" in notes
    assert "Handoff to Sales: I'm alerting <#C0SALES>" in notes


def test_a_handoff_to_a_team_without_a_channel_says_how_to_route_one() -> None:
    move = make_move(
        Stage.ACQUISITION,
        Stage.CONVERSION,
        from_team=Team.SALES,
        to_team=Team.SERVICES,
        handoff=HandoffOutcome(HandoffResult.NO_ROUTE, Team.SERVICES),
    )
    notes = " ".join(rendered_texts(stage_moved(move).blocks))
    assert "Services has no alert channel yet" in notes and "/lifecycle route services #channel" in notes


def test_a_forward_move_within_one_team_carries_no_notes() -> None:
    reply = stage_moved(make_move(Stage.REACH, Stage.ACQUISITION))
    assert_safe_message(reply)
    assert len(reply.blocks) == 1
    assert "*Reach* → *Acquisition*" in reply.blocks[0]["text"]["text"]


def test_feedback_recorded_with_4000_hostile_characters_stays_within_limits() -> None:
    bounded = bound_text(LONG_NOTE, MAX_NOTE_LENGTH)
    sentiment = score_text(bounded.text)
    reply = feedback_recorded(
        RecordedFeedback(
            customer=make_customer(LONG_NAME),
            feedback=make_feedback(text=bounded.text),
            sentiment=sentiment,
            text=bounded,
        )
    )
    assert_safe_message(reply)
    assert sentiment.label in reply.blocks[0]["text"]["text"]


def test_profile_of_a_busy_customer_stays_within_limits_and_escapes_everything() -> None:
    customer = make_customer(LONG_NAME, Stage.RETENTION)
    view = make_profile(
        customer,
        touchpoints=[make_touchpoint(i, LONG_NOTE, hours_ago=i) for i in range(1, 9)],
        changes=[make_change(i, Stage.CONVERSION, Stage.RETENTION, LONG_NOTE, hours_ago=i + 0.5) for i in range(1, 9)],
        feedback=[make_feedback(i, LONG_NOTE, hours_ago=i + 0.25) for i in range(1, 9)],
    )
    reply = profile(view, now=NOW)
    assert_safe_message(reply)
    assert reply.blocks[0] == header(LONG_NAME)


def test_profile_timeline_is_newest_first_and_at_most_eight_entries() -> None:
    view = make_profile(
        make_customer(),
        touchpoints=[make_touchpoint(i, f"touch number {i}", hours_ago=i * 2) for i in range(1, 7)],
        changes=[make_change(1, None, Stage.REACH, "created", hours_ago=100)],
        feedback=[make_feedback(i, f"feedback number {i}", hours_ago=i * 2 + 1) for i in range(1, 7)],
    )
    timeline = next(
        text for text in rendered_texts(profile(view, now=NOW).blocks) if text.startswith("*Recent activity*")
    )
    entries = timeline.splitlines()[1:]
    assert len(entries) == 8
    assert "touch number 1" in entries[0]
    assert "feedback number 1" in entries[1]
    assert "created in Reach" not in timeline


def test_profile_of_a_quiet_customer_says_nothing_is_logged() -> None:
    reply = profile(make_profile(make_customer()), now=NOW)
    assert_safe_message(reply)
    texts = " ".join(rendered_texts(reply.blocks))
    assert "Nothing logged yet" in texts and "No feedback yet" in texts


def test_customer_list_of_long_escaped_names_splits_into_sections_and_counts_the_rest() -> None:
    rows = [
        CustomerRow(customer=make_customer(LONG_NAME[:-2] + f"{i:02d}", id=i), last_touch_at=NOW) for i in range(20)
    ]
    reply = customer_list(CustomerList(rows=rows, total=137), title="All customers", now=NOW)
    assert_safe_message(reply)
    body = [block for block in reply.blocks if block["type"] == "section"]
    assert len(body) > 1
    assert sum(block["text"]["text"].count("• ") for block in body) == 20
    assert reply.blocks[0]["text"]["text"] == "All customers (137)"
    assert "…and 117 more" in rendered_texts(reply.blocks)[-1]


def test_an_empty_customer_list_says_how_to_add_one() -> None:
    reply = customer_list(CustomerList(rows=[], total=0), title=list_title(Stage.LOYALTY, False), now=NOW)
    assert_safe_message(reply)
    assert "Customers in Loyalty" in reply.blocks[0]["text"]["text"]
    assert "/customer add" in reply.blocks[0]["text"]["text"]


def test_list_titles() -> None:
    assert list_title(None, True) == "Your customers"
    assert list_title(None, False) == "All customers"
    assert list_title(Stage.CHURNED, False) == "Customers in Churned"
