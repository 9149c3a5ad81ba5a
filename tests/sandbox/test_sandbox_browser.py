"""The sandbox page in headless Chromium (Debian's, driven by Playwright): what a newcomer does in the first minutes.

Without a browser these tests skip with a loud reason; LIFECYCLE_REQUIRE_BROWSER=1 (set by .ci/run) makes that
a failure. Screenshots land in tests/artifacts/sandbox/; with LIFECYCLE_SAVE_SCREENSHOTS=1 the README's two
pictures are written to bot/sandbox/static/screenshots/ too.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from bot.manifest import build_manifest
from bot.sandbox import demo
from bot.sandbox.demo_cast import DEMO_LATE_HANDOFF_CUSTOMER
from bot.sandbox.run import Sandbox
from tests.sandbox.conftest import ARTIFACTS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

CHROMIUM = Path(os.environ.get("LIFECYCLE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SHOTS = ARTIFACTS / "sandbox"
README_SHOTS = Path(__file__).resolve().parents[2] / "bot" / "sandbox" / "static" / "screenshots"
WAIT_MS = 10_000


def _why_no_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set LIFECYCLE_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium; Playwright's own browser download is never used."""
    reason = _why_no_browser()
    if reason is not None:
        message = f"BROWSER TESTS NOT RUN: {reason}. LIFECYCLE_REQUIRE_BROWSER=1 turns this into a failure."
        if os.environ.get("LIFECYCLE_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab at a laptop's size; page errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 820})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(WAIT_MS)
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shoot(page: Page, name: str, *, readme: str | None = None) -> None:
    """Save a screenshot as a test artifact (and as a README picture when asked to)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    if readme and os.environ.get("LIFECYCLE_SAVE_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(README_SHOTS / readme))


def type_command(page: Page, text: str) -> None:
    """Type in the composer and press Enter."""
    page.locator("#composer-input").fill(text)
    page.locator("#composer-input").press("Enter")


def go_to(page: Page, place: str) -> None:
    """Click a channel (by id) or the App Home in the sidebar."""
    page.locator(f'#sidebar .nav-item[data-place="{place}"]').click()


def be(page: Page, user: str) -> None:
    """Use the user switcher."""
    page.locator(f'#people [data-user="{user}"]').click()


def pick_customer(page: Page, modal: Locator, name: str) -> None:
    """The form's customer field: an external select (asks the bot as you type) or, before it, free text."""
    from playwright.sync_api import expect

    modal.locator('[data-block-id="customer"]').wait_for()  # the form is drawn: which kind of field it has is known
    picker = modal.locator('[data-block-id="customer"] .ext-input')
    if picker.count():
        picker.fill(name[:6])
        option = modal.locator(".ext-option", has_text=name).first
        expect(option).to_be_visible()
        option.click()
        expect(picker).to_have_value(re.compile(re.escape(name)))
    else:
        modal.locator('[data-block-id="customer"] input').fill(name)


def test_a_handoff_is_accepted_a_touch_is_logged_and_the_app_home_shows_who_is_at_risk(
    demo_sandbox: Sandbox, page: Page
) -> None:
    from playwright.sync_api import expect

    customer = demo.DEMO_HANDOFF_CUSTOMER
    page.goto(f"{demo_sandbox.url}/#/{demo.people.SALES}/C0SALES")

    # The composer lists commands as you type "/".
    page.locator("#composer-input").fill("/st")
    expect(page.locator("#hints .hint", has_text="/stage")).to_be_visible()
    shoot(page, "01-command-hints")

    # 1. The rep moves a customer to conversion; the reply is theirs alone.
    type_command(page, f'/stage "{customer}" conversion signed')
    reply = page.locator(".message.ephemeral", has_text=customer).last
    expect(reply).to_contain_text("Only visible to you")
    shoot(page, "02-stage-reply")

    # 2. The handoff alert appears in #services.
    go_to(page, "C0SERVICES")
    alert = page.locator("#messages .message", has=page.locator(".bk-header", has_text=customer)).last
    expect(alert.get_by_role("button", name="Accept")).to_be_visible()
    alert.scroll_into_view_if_needed()
    shoot(page, "03-handoff-alert", readme="channel-handoff-alert.png")

    # 3. Services accepts it; the same message changes in place.
    be(page, demo.people.SERVICES)
    alert.get_by_role("button", name="Accept").click()
    expect(alert).to_contain_text("Accepted by")
    expect(alert).to_contain_text("(edited)")
    expect(alert.get_by_role("button", name="Accept")).to_have_count(0)
    shoot(page, "04-handoff-accepted")

    # 4. A bare /touch opens the form; pick the customer, choose a kind, submit.
    type_command(page, "/touch")
    modal = page.locator(".modal[data-callback-id]")
    expect(modal).to_contain_text("Log a touchpoint")
    pick_customer(page, modal, customer)
    modal.locator('[data-block-id="kind"] select').select_option("call")
    modal.locator('[data-block-id="note"] textarea').fill("Kickoff call; training booked for Monday")
    shoot(page, "05-touch-form")
    modal.locator('[data-role="submit"]').click()
    expect(page.locator(".modal", has_text="Log a touchpoint")).to_have_count(0)  # closed, or turned into the result
    if page.locator(".modal").count():
        expect(page.locator(".modal")).to_contain_text(customer)
        shoot(page, "06-touch-logged")
        page.locator('.modal [data-role="cancel"]').click()
    expect(page.locator(".modal")).to_have_count(0)

    # 5. Customer success opens the App Home: who is at risk, and why.
    be(page, demo.people.SUCCESS)
    go_to(page, "home")
    home = page.locator(".home-view")
    expect(home).to_contain_text("At risk")
    at_risk = home.locator(".bk-section", has_text=demo.DEMO_AT_RISK_CUSTOMERS[0]).first
    expect(at_risk).to_be_visible()
    lines = [line for line in at_risk.inner_text().splitlines() if line.strip()]
    assert len(lines) >= 2, f"no reason under the at-risk customer: {lines}"
    expect(home).to_contain_text("On watch")
    shoot(page, "07-app-home", readme="app-home.png")


def test_a_digest_shows_its_chart_and_a_handoff_reminder_opens_in_a_thread(demo_sandbox: Sandbox, page: Page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{demo_sandbox.url}/#/{demo.people.MANAGER}/C0MANAGERS")
    type_command(page, "/lifecycle digest now")
    chart = page.locator("#messages .file img").last
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    chart.scroll_into_view_if_needed()
    shoot(page, "08-digest-chart")

    go_to(page, "C0SERVICES")
    replies = page.locator("#messages .replies").first
    expect(replies).to_be_visible()
    replies.click()
    expect(page.locator("#thread")).to_be_visible()
    expect(page.locator("#thread .thread-count")).to_contain_text(re.compile(r"[1-9]\d* repl"))
    shoot(page, "09-thread")


def test_a_modal_refuses_to_submit_with_a_required_field_empty(demo_sandbox: Sandbox, page: Page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{demo_sandbox.url}/#/{demo.people.SALES}/C0SALES")
    type_command(page, "/feedback")
    modal = page.locator(".modal[data-callback-id]")
    modal.locator('[data-role="submit"]').click()
    expect(modal.locator(".bk-error").first).to_contain_text("required")
    page.keyboard.press("Escape")
    expect(page.locator(".modal")).to_have_count(0)


def test_mrkdwn_is_drawn_as_slack_draws_it(demo_sandbox: Sandbox, page: Page) -> None:
    from playwright.sync_api import expect
    from slack_sdk import WebClient

    from bot.sandbox.slack_api import BOT_TOKEN

    text = (
        "*bold* _italic_ ~gone~ `code` for <@U0SERVICES|sofia> in <#C0SALES|sales>, "
        "<!date^1700000000^{date_num}|a date> <https://example.com|a link> &lt;b&gt;not html&lt;/b&gt; "
        "<!date^1700000000^{date_short}^https://example.com/day|Nov 14> <mailto:ann@example.com|ann@example.com>\n"
        "> quoted\n```pre *not bold*```"
    )
    client = WebClient(token=BOT_TOKEN, base_url=f"{demo_sandbox.url}/api/")
    client.chat_postMessage(channel="C0GENERAL", text=text)
    page.goto(f"{demo_sandbox.url}/#/{demo.people.SALES}/C0GENERAL")
    body = page.locator("#messages .message .mrkdwn").last
    expect(body.locator("b")).to_have_text("bold")
    expect(body.locator("i")).to_have_text("italic")
    expect(body.locator("s")).to_have_text("gone")
    expect(body.locator("code")).to_have_text("code")
    expect(body.locator(".mention")).to_have_text("@Sofia Services")
    expect(body.locator(".channel-link")).to_have_text("#sales")
    expect(body.locator("a[href='https://example.com']")).to_have_text("a link")
    expect(body.locator("blockquote")).to_have_text("quoted")
    expect(body.locator("pre")).to_have_text("pre *not bold*")
    expect(body).to_contain_text("2023-11-14")
    expect(body).to_contain_text("<b>not html</b>")
    expect(body.locator("a[href='https://example.com/day']")).to_have_text("Nov 14, 2023")  # a date that links
    expect(body.locator("a[href='mailto:ann@example.com']")).to_have_text("ann@example.com")


def declared_message_shortcuts() -> list[str]:
    """The names of the message shortcuts the app's manifest declares (what each message's menu lists)."""
    return [s["name"] for s in build_manifest()["features"]["shortcuts"] if s["type"] == "message"]


@pytest.mark.parametrize("shortcut", ["Record as feedback", "Log as touchpoint"])
def test_a_message_shortcut_from_the_more_actions_menu_opens_the_bot_s_form_and_links_back(
    demo_sandbox: Sandbox, page: Page, shortcut: str
) -> None:
    from playwright.sync_api import expect

    if shortcut not in declared_message_shortcuts():
        pytest.skip(f"bot/manifest.py declares no {shortcut!r} message shortcut, so the sandbox has none to show")
    customer = "Everly Studio"
    words = f"Everly Studio called: the training for {shortcut.lower()} went really well"
    page.goto(f"{demo_sandbox.url}/#/{demo.people.SUCCESS}/C0SUCCESS")
    type_command(page, words)
    message = page.locator("#messages .message", has_text=words).last
    expect(message).to_be_visible()
    ts = message.get_attribute("data-ts") or ""

    # 1. Hover, open ⋯ More actions, pick the shortcut: the bot opens its form with the message's words.
    message.hover()
    message.get_by_role("button", name="More actions").click()
    menu = page.get_by_role("menu", name="More actions")
    expect(menu.get_by_role("menuitem")).to_have_count(len(declared_message_shortcuts()))
    shoot(page, f"10-message-menu-{shortcut.split()[0].lower()}")
    menu.get_by_role("menuitem", name=shortcut).click()
    modal = page.locator(".modal[data-callback-id]")
    expect(modal.locator("textarea")).to_have_value(words)
    pick_customer(page, modal, customer)
    if modal.locator('[data-block-id="kind"]').count():
        modal.locator('[data-block-id="kind"] select').select_option("call")
    shoot(page, f"11-shortcut-form-{shortcut.split()[0].lower()}")
    modal.locator('[data-role="submit"]').click()

    # 2. The form turns into the bot's confirmation.
    done = page.locator('.modal[data-callback-id=""]')  # the result view the bot put in the form's place
    expect(done).to_contain_text(customer)
    page.locator('.modal [data-role="cancel"]').click()

    # 3. The profile credits the message and links to it; the link scrolls back to the message and marks it.
    type_command(page, f'/customer "{customer}"')
    link = page.locator(f'#messages .message.ephemeral a[href*="/archives/C0SUCCESS/p{ts.replace(".", "")}"]').last
    expect(link).to_have_text("message")
    page.locator("#messages").evaluate("box => { box.scrollTop = box.scrollHeight; }")
    link.click()
    expect(page.locator("#messages .message.highlight")).to_contain_text(words)
    expect(page).to_have_url(re.compile(r"/#/U0SUCCESS/C0SUCCESS$"))  # still in the sandbox, not on slack.com


def test_a_date_the_bot_refuses_is_shown_under_the_date_picker(demo_sandbox: Sandbox, page: Page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{demo_sandbox.url}/#/{demo.people.SALES}/C0SALES")
    type_command(page, "/touch")
    modal = page.locator(".modal[data-callback-id]")
    pick_customer(page, modal, demo.DEMO_HANDOFF_CUSTOMER)
    modal.locator('[data-block-id="kind"] select').select_option("call")
    when = modal.locator('[data-block-id="when"]')
    tomorrow = (datetime.now(ZoneInfo(demo.TIMEZONE)) + timedelta(days=2)).date().isoformat()
    when.locator('input[type="date"]').fill(tomorrow)
    modal.locator('[data-role="submit"]').click()
    expect(when.locator(".bk-error")).to_contain_text("future")
    shoot(page, "12-date-refused")
    page.keyboard.press("Escape")


def test_an_escalation_s_link_opens_the_waiting_alert_in_its_channel(demo_sandbox: Sandbox, page: Page) -> None:
    from playwright.sync_api import expect

    page.goto(f"{demo_sandbox.url}/#/{demo.people.MANAGER}/C0MANAGERS")
    escalation = page.locator("#messages .message", has_text="has waited more than twice").first
    escalation.get_by_role("link", name="open it").click()
    expect(page.locator("#place-title")).to_have_text("# services")
    alert = page.locator("#messages .message.highlight")
    expect(alert).to_contain_text(DEMO_LATE_HANDOFF_CUSTOMER)
    expect(alert.get_by_role("button", name="Accept")).to_be_visible()
    shoot(page, "13-escalation-link-followed")
