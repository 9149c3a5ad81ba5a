"""Slack's escaped command text to plain text, and plain text back to safe mrkdwn."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handlers.slack_text import (
    escape_mrkdwn,
    is_channel_id,
    is_user_id,
    parse_channel_mention,
    parse_user_mention,
    to_plain_text,
    unescape_entities,
)

# --- to_plain_text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [
        # People stay real mentions: Slack shows their current name, never the escaped markup.
        ("<@U0RITA|rita>", "<@U0RITA>"),
        ("<@U123|bob>", "<@U123>"),
        ("<@U123>", "<@U123>"),
        ("<@not-a-user|x>", "@x"),
        ("<#C123|sales>", "#sales"),
        ("<#C123>", "#C123"),
        ("<!channel>", "@channel"),
        ("<!here>", "@here"),
        ("<!everyone>", "@everyone"),
        ("<!subteam^S0CS|@cs-team>", "@cs-team"),
        ("<!date^1700000000^{date_short}|Nov 14>", "Nov 14"),
        ("<https://x.io|site>", "site (https://x.io)"),
        ("<https://x.io>", "https://x.io"),
        ("<https://x.io|https://x.io>", "https://x.io"),
        # Pasted emails and links read as the plain address that was typed.
        ("<mailto:miles@cyberdyne.io|miles@cyberdyne.io>", "miles@cyberdyne.io"),
        ("<mailto:miles@cyberdyne.io>", "miles@cyberdyne.io"),
        ("<http://cyberdyne.io|cyberdyne.io>", "cyberdyne.io"),
        ("<https://cyberdyne.io/|cyberdyne.io>", "cyberdyne.io"),
        ("<mailto:miles@cyberdyne.io|Miles>", "Miles (miles@cyberdyne.io)"),
    ],
)
def test_slack_markup_becomes_readable_text(escaped: str, plain: str) -> None:
    assert to_plain_text(escaped) == plain


def test_html_entities_are_unescaped() -> None:
    assert to_plain_text("AT&amp;T said 3 &lt; 4 &gt; 2") == "AT&T said 3 < 4 > 2"


def test_an_escaped_entity_is_unescaped_only_once() -> None:
    # The user typed "&lt;" literally; Slack sent "&amp;lt;".
    assert unescape_entities("&amp;lt;") == "&lt;"
    assert to_plain_text("&amp;lt;!channel&amp;gt;") == "&lt;!channel&gt;"


def test_text_the_user_typed_as_angle_brackets_is_not_taken_for_markup() -> None:
    # Typing "<!channel>" as text arrives as entities; it stays text, it does not turn into "@channel".
    assert to_plain_text("ping &lt;!channel&gt; now") == "ping <!channel> now"


def test_a_whole_sentence_keeps_its_spacing() -> None:
    escaped = "met <@U0RITA|rita>  and <@U0BOB|bob> in <#C0SALES|sales>, see <https://x.io|site> &amp; more"
    assert to_plain_text(escaped) == "met <@U0RITA>  and <@U0BOB> in #sales, see site (https://x.io) & more"


# --- escape_mrkdwn -------------------------------------------------------------------------


def test_escape_mrkdwn_makes_special_mentions_harmless() -> None:
    escaped = escape_mrkdwn("<!channel> <!here> <!everyone> <!subteam^S1> <#C123> <https://evil.io|bank>")
    assert "<" not in escaped and ">" not in escaped
    assert escaped.startswith("&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt;")


def test_escape_mrkdwn_keeps_a_person_a_real_mention_and_nothing_more() -> None:
    assert escape_mrkdwn("ask <@U123> & <@W0ABC>") == "ask <@U123> &amp; <@W0ABC>"
    # Only the exact mention shape survives: no labels, no special mentions smuggled inside.
    assert escape_mrkdwn("<@U123|x> <@U123><!here>") == "&lt;@U123|x&gt; <@U123>&lt;!here&gt;"


def test_escape_mrkdwn_escapes_ampersands_first_so_nothing_is_double_escaped() -> None:
    assert escape_mrkdwn("AT&T <3") == "AT&amp;T &lt;3"
    assert escape_mrkdwn("&lt;") == "&amp;lt;"


def test_escape_mrkdwn_cannot_forge_a_link() -> None:
    assert escape_mrkdwn("<https://evil.example|Your invoice>") == "&lt;https://evil.example|Your invoice&gt;"


def test_escaping_then_unescaping_gives_back_the_text() -> None:
    text = "O'Brien & <Sons> &amp; <!channel>"
    assert unescape_entities(escape_mrkdwn(text)) == text


# --- mentions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "user_id"),
    [("<@U123|bob>", "U123"), ("<@U0RITA>", "U0RITA"), ("<@W0ENTERPRISE|dana>", "W0ENTERPRISE")],
)
def test_user_mentions_give_their_user_id(token: str, user_id: str) -> None:
    assert parse_user_mention(token) == user_id


@pytest.mark.parametrize(
    "token",
    [
        "@bob",
        "U123",
        "<@u123|bob>",  # lower case
        "<@U1>",  # too short
        "<@C123|sales>",  # a channel id in a user mention
        "<#C123|sales>",  # a channel mention
        "<!channel>",
        "<@U123|bob> extra",
        "<@U123|bob",
        "<@U12 3>",
        "<@>",
        "<@U" + "A" * 40 + ">",  # too long
    ],
)
def test_malformed_user_mentions_are_rejected(token: str) -> None:
    assert parse_user_mention(token) is None


@pytest.mark.parametrize(
    ("token", "channel_id"),
    [("<#C123|sales>", "C123"), ("<#C0CS|cs-team>", "C0CS"), ("<#G0PRIVATE>", "G0PRIVATE")],
)
def test_channel_mentions_give_their_channel_id(token: str, channel_id: str) -> None:
    assert parse_channel_mention(token) == channel_id


@pytest.mark.parametrize(
    "token",
    ["#sales", "C123", "<#c123|sales>", "<#C1>", "<#U123|bob>", "<@U123|bob>", "<#C123|sales> x", "<#C123"],
)
def test_malformed_channel_mentions_are_rejected(token: str) -> None:
    assert parse_channel_mention(token) is None


@pytest.mark.parametrize("value", ["U0RITA", "W0DANA"])
def test_well_formed_user_ids_are_user_ids(value: str) -> None:
    assert is_user_id(value)
    assert not is_channel_id(value)


@pytest.mark.parametrize("value", ["", "u0rita", "U1", "C0SALES", "<@U0RITA>", "U0 RITA", "U0RITA>"])
def test_other_strings_are_not_user_ids(value: str) -> None:
    assert not is_user_id(value)


@pytest.mark.parametrize(("check", "value"), [(is_user_id, "U0RITA\n"), (is_channel_id, "C0SALES\n")])
def test_an_id_followed_by_a_newline_is_not_an_id(check: Callable[[str], bool], value: str) -> None:
    # A `$`-anchored re.match would accept the newline and render a broken "<@U0RITA\n>" mention.
    assert not check(value)


def test_a_mention_of_an_id_followed_by_a_newline_is_rejected() -> None:
    assert parse_user_mention("<@U0RITA\n>") is None
    assert parse_channel_mention("<#C0SALES\n|sales>") is None
