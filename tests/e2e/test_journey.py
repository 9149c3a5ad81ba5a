"""The 'done when' of issue 2, as a rep would do it in Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import AuditEvent, Customer, Feedback, StageChange, TeamRoute, Touchpoint
from tests.e2e.helpers import reply_text, run


def test_a_rep_routes_teams_adds_customers_logs_moves_and_reads_a_profile(bot):
    for team, channel in [
        ("sales", "<#C0SALES|sales>"),
        ("services", "<#C0ONBOARD|onboarding>"),
        ("cs", "<#C0CS|customer-success>"),
        ("managers", "<#C0MGMT|managers>"),
    ]:
        assert "now go to" in reply_text(run(bot, "/lifecycle", f"route {team} {channel}"))
    routes = reply_text(run(bot, "/lifecycle", "routes"))
    assert "*Customer success*: <#C0CS>" in routes and "*Services*: <#C0ONBOARD>" in routes
    assert len(bot.standin.calls_to("conversations.join")) == 4

    assert "Added *Acme Corp* in *Reach*" in reply_text(run(bot, "/customer", 'add "Acme Corp"'))
    added = reply_text(run(bot, "/customer", "add “Globex Industries” acquisition <@U0BOB|bob>"))
    assert "*Globex Industries* in *Acquisition*, owned by <@U0BOB>" in added
    assert "Added *initech*" in reply_text(run(bot, "/customer", "add initech"))

    logged = reply_text(run(bot, "/touch", '"Acme Corp" call Asked for a quote; budget approved'))
    assert "Logged a *call* with *Acme Corp*" in logged and "budget approved" in logged
    assert "Logged a *demo* with *Globex Industries*" in reply_text(run(bot, "/touch", "globex demo Went well"))
    assert "Logged an *email* with *initech*" in reply_text(run(bot, "/touch", "INITECH email"))

    moved = reply_text(run(bot, "/stage", '"Acme Corp" acquisition Qualified lead'))
    assert "*Reach* → *Acquisition*" in moved and "Qualified lead" in moved
    moved = reply_text(run(bot, "/stage", "acme purchase Signed the contract"))
    assert "*Acquisition* → *Conversion*" in moved and "Handoff to Services: I'm alerting <#C0ONBOARD>" in moved
    bot.clock.advance(days=3)
    assert "*Conversion* → *Retention*" in reply_text(run(bot, "/stage", "acme retention Onboarding done"))

    feedback = reply_text(run(bot, "/feedback", "acme The onboarding was quick and the team was great!"))
    assert "*positive*" in feedback

    bot.clock.advance(days=2)
    profile = reply_text(run(bot, "/customer", '"acme corp"'))
    assert "Acme Corp" in profile
    assert "Retention · for 2 days" in profile
    assert "<@U0REP> · Customer success" in profile
    assert "latest positive" in profile
    for event in [
        "Conversion → Retention by <@U0REP>: Onboarding done",
        "Acquisition → Conversion",
        "call by <@U0REP>: Asked for a quote",
        "created in Reach",
        "feedback (+",
    ]:
        assert event in profile

    with bot.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 3
        assert session.scalar(select(func.count()).select_from(Touchpoint)) == 3
        assert session.scalar(select(func.count()).select_from(StageChange)) == 3 + 3
        assert session.scalar(select(func.count()).select_from(Feedback)) == 1
        assert session.scalar(select(func.count()).select_from(TeamRoute)) == 4
        actions = session.scalars(select(AuditEvent.action)).all()
    assert sorted(set(actions)) == [
        "customer.created",
        "feedback.recorded",
        "handoff.opened",
        "route.set",
        "stage.changed",
        "touchpoint.logged",
    ]
    # 4 routes, 3 customers, 3 touchpoints, 3 moves (2 of them handoffs), 1 feedback
    assert len(actions) == 4 + 3 + 3 + 3 + 2 + 1


def test_a_rep_lists_customers_by_stage_and_their_own(bot):
    run(bot, "/customer", 'add "Acme Corp" acquisition')
    run(bot, "/customer", "add globex acquisition <@U0BOB|bob>")
    run(bot, "/customer", "add initech")
    run(bot, "/touch", "acme call")

    everything = reply_text(run(bot, "/customer", "list"))
    assert "All customers (3)" in everything
    in_acquisition = reply_text(run(bot, "/customer", "list consideration"))
    assert "Customers in Acquisition (2)" in in_acquisition and "initech" not in in_acquisition
    assert "last touch just now" in in_acquisition and "no touchpoints yet" in in_acquisition
    mine = reply_text(run(bot, "/customer", "list mine"))
    assert "Your customers (2)" in mine and "globex" not in mine


def test_a_long_list_ends_with_and_n_more(bot):
    for number in range(25):
        run(bot, "/customer", f"add customer-{number:02d}")
    listing = run(bot, "/customer", "list")
    assert "All customers (25)" in reply_text(listing)
    assert "…and 5 more" in reply_text(listing)
    assert len(listing["blocks"]) <= 50


def test_help_explains_every_command(bot):
    text = reply_text(run(bot, "/lifecycle", "help"))
    for command in [
        "/customer add",
        "/touch",
        "/stage",
        "/feedback",
        "/lifecycle route",
        "/lifecycle routes",
    ]:
        assert command in text
    assert "Stages: reach, acquisition" in text
