from tests.e2e.helpers import reply_text, run


def test_rep_adds_and_views_a_customer(bot):
    body = run(bot, "/customer", 'add "Acme Corp" acquisition')
    print(body)
    assert "Acme Corp" in reply_text(body)
    body = run(bot, "/touch", "acme call Talked about pricing &amp; terms <@U0BOB|bob>")
    print(reply_text(body))
    body = run(bot, "/stage", "acme conversion signed!")
    print(reply_text(body))
    body = run(bot, "/feedback", "acme We love it, but the invoice was late")
    print(reply_text(body))
    body = run(bot, "/customer", "acme")
    print(reply_text(body))
