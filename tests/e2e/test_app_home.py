"""The App Home and the forms' customer picker, as people use them."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from handlers.ids import INPUT_ACTION, ActionId, BlockId, CallbackId
from storage.models import Customer, Handoff, Touchpoint
from tests.e2e.helpers import blocks_text, reply_text, run
from tests.slack_requests import merge_values, plain_input, static_select

SERVICES = "C0ONBOARD"


def published_homes(bot, user_id: str) -> list[dict]:
    views = [call.params["view"] for call in bot.standin.calls_to("views.publish") if call.params["user_id"] == user_id]
    return [json.loads(view) if isinstance(view, str) else view for view in views]


def home_showing(bot, user_id: str, expected: str, timeout: float = 5.0) -> dict:
    """The first Home published for the user that shows `expected` (Homes refresh in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for view in published_homes(bot, user_id):
            if expected in blocks_text(view["blocks"]):
                return view
        time.sleep(0.02)  # polling for the background publish, not waiting for nothing to happen
    shown = [blocks_text(view["blocks"]) for view in published_homes(bot, user_id)]
    raise AssertionError(f"no Home for {user_id} showed {expected!r}: {shown}")


def open_home(bot, user_id: str, expected: str) -> dict:
    sent = bot.slack.event({"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"})
    assert sent.response.status_code == 200
    return home_showing(bot, user_id, expected)


def test_the_home_shows_my_customers_my_risks_the_handoffs_waiting_and_the_funnel(bot):
    run(bot, "/lifecycle", f"route services <#{SERVICES}|onboarding>")
    run(bot, "/customer", 'add "Acme Corp" retention', user_id="U0CSM")
    run(bot, "/feedback", '"Acme Corp" We will not renew next year.', user_id="U0CSM")
    run(bot, "/customer", 'add "Globex" acquisition', user_id="U0REP")
    run(bot, "/stage", "globex conversion Signed", user_id="U0REP")
    view = open_home(bot, "U0CSM", "Handoffs waiting (1)")
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = blocks_text(view["blocks"])
    assert "You own Retention *1*" in text
    assert "🔴 At risk (1)" in text and "*Acme Corp*" in text and "read as churn intent" in text
    assert "Handoffs waiting (1)" in text and "*Globex*: Acquisition → Conversion, for Services" in text
    assert "Workspace funnel:* Reach 0 · Acquisition 0 · Conversion 1 · Retention 1" in text
    buttons = [
        element["action_id"]
        for block in view["blocks"]
        for element in block.get("elements", [])
        if "action_id" in element
    ]
    assert buttons == [ActionId.OPEN_TOUCH_FORM, ActionId.OPEN_STAGE_FORM, ActionId.OPEN_FEEDBACK_FORM]


def test_a_team_member_sees_only_the_handoffs_waiting_for_their_teams(bot):
    run(bot, "/lifecycle", "team services add <@U0ONBOARDER|olga>")
    run(bot, "/customer", 'add "Globex" acquisition')
    run(bot, "/stage", "globex conversion Signed")  # to services
    run(bot, "/customer", 'add "Initech" conversion')
    run(bot, "/stage", "initech retention Live")  # to success
    text = blocks_text(open_home(bot, "U0ONBOARDER", "Handoffs waiting for Services (1)")["blocks"])
    assert "*Globex*" in text and "Initech" not in text
    everyone = blocks_text(open_home(bot, "U0CSM", "Handoffs waiting (2)")["blocks"])  # in no team: all of them
    assert "*Globex*" in everyone and "*Initech*" in everyone


def test_an_accept_refused_on_the_home_is_explained_in_a_dm(bot):
    run(bot, "/lifecycle", "team services add <@U0ONBOARDER|olga>")
    run(bot, "/customer", 'add "Globex" acquisition')
    run(bot, "/stage", "globex conversion Signed")
    view = open_home(bot, "U0CSM", "Handoffs waiting (1)")
    accept = next(block["accessory"] for block in view["blocks"] if block.get("accessory", {}).get("value"))
    sent = bot.slack.block_action(
        ActionId.ACCEPT_HANDOFF, accept["value"], user_id="U0CSM", view={"id": "V0HOME", "type": "home"}
    )
    assert sent.response.status_code == 200
    [told] = [call for call in bot.standin.wait_for_calls("chat.postMessage") if call.params["channel"] == "U0CSM"]
    assert "Only the services team can accept this handoff: <@U0ONBOARDER>." in told.params["text"]


def test_accepting_from_the_home_takes_the_handoff_and_refreshes_the_home(bot):
    run(bot, "/lifecycle", f"route services <#{SERVICES}|onboarding>")
    run(bot, "/customer", 'add "Globex" acquisition')
    run(bot, "/stage", "globex conversion Signed")
    view = open_home(bot, "U0ONBOARDER", "Handoffs waiting (1)")
    accept = next(
        block["accessory"]
        for block in view["blocks"]
        if block.get("accessory", {}).get("text", {}).get("text") == "Accept"
    )
    sent = bot.slack.block_action(
        ActionId.ACCEPT_HANDOFF, accept["value"], user_id="U0ONBOARDER", view={"id": "V0HOME", "type": "home"}
    )
    assert sent.response.status_code == 200
    refreshed = home_showing(bot, "U0ONBOARDER", "Handoffs waiting:* none")
    assert "You own Conversion *1*" in blocks_text(refreshed["blocks"])
    with bot.session_factory() as session:
        assert session.scalars(select(Handoff.accepted_by)).one() == "U0ONBOARDER"


def test_my_own_change_refreshes_my_home(bot):
    run(bot, "/customer", 'add "Acme Corp" retention', user_id="U0CSM")
    home_showing(bot, "U0CSM", "You own Retention *1*")


def test_the_home_buttons_open_the_forms(bot):
    bot.slack.block_action(ActionId.OPEN_STAGE_FORM, "stage", view={"id": "V0HOME", "type": "home"})
    opened = bot.standin.wait_for_calls("views.open")[-1].params["view"]
    opened = json.loads(opened) if isinstance(opened, str) else opened
    assert opened["callback_id"] == CallbackId.STAGE_MODAL


def test_the_customer_picker_finds_customers_as_you_type_and_the_pick_is_used(bot):
    for name in ("Acme Corp", "Acme Labs", "Globex"):
        run(bot, "/customer", f'add "{name}"')
    options = bot.slack.block_suggestion(ActionId.CUSTOMER_SEARCH, "acme").response.json()["options"]
    assert [option["text"]["text"] for option in options] == ["Acme Corp · Reach", "Acme Labs · Reach"]
    everyone = bot.slack.block_suggestion(ActionId.CUSTOMER_SEARCH, "").response.json()["options"]
    assert len(everyone) == 3
    labs = options[1]
    values = merge_values(
        {BlockId.CUSTOMER: {ActionId.CUSTOMER_SEARCH: {"type": "external_select", "selected_option": labs}}},
        static_select(BlockId.KIND, INPUT_ACTION, "demo"),
        plain_input(BlockId.NOTE, INPUT_ACTION, "Showed the dashboard"),
    )
    answer = bot.slack.view_submission(CallbackId.TOUCH_MODAL, values).response.json()
    assert answer["response_action"] == "update"
    assert "*Acme Labs*" in reply_text({"blocks": answer["view"]["blocks"]})
    with bot.session_factory() as session:
        touched = session.scalars(select(Customer.name).join(Touchpoint, Touchpoint.customer_id == Customer.id)).all()
    assert touched == ["Acme Labs"]
