"""Listeners are plain functions: a unit test calls them with a fake ack and respond, no HTTP, no Slack."""

from __future__ import annotations

from handlers.commands import customer_command, lifecycle_command
from handlers.context import DEPS_KEY, Deps


class Recorder:
    """Stands in for Bolt's ack and respond: remembers what the listener said."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.response = None

    def __call__(self, **kwargs) -> None:
        self.calls.append(kwargs)
        self.response = kwargs or True


def slash(text: str, command: str) -> dict:
    return {"team_id": "T0ACME", "user_id": "U0REP", "command": command, "text": text, "response_url": "x"}


def test_lifecycle_help_answers_through_respond_after_acking(session_factory, clock):
    ack, respond = Recorder(), Recorder()
    context = {DEPS_KEY: Deps(session_factory=session_factory, clock=clock)}
    lifecycle_command(ack=ack, command=slash("help", "/lifecycle"), respond=respond, client=None, context=context)
    assert ack.calls == [{}]
    [reply] = respond.calls
    assert reply["response_type"] == "ephemeral"
    assert "lifecycle-bot help" in reply["text"]


def test_adding_a_customer_stores_it_and_confirms(session_factory, clock):
    ack, respond = Recorder(), Recorder()
    context = {DEPS_KEY: Deps(session_factory=session_factory, clock=clock)}
    customer_command(
        ack=ack, command=slash('add "Acme Corp" retention', "/customer"), respond=respond, client=None, context=context
    )
    [reply] = respond.calls
    assert "Added *Acme Corp* in *Retention*" in reply["blocks"][0]["text"]["text"]


def test_bad_input_gets_the_syntax_not_an_exception(session_factory, clock):
    ack, respond = Recorder(), Recorder()
    context = {DEPS_KEY: Deps(session_factory=session_factory, clock=clock)}
    customer_command(ack=ack, command=slash('"Nobody Inc', "/customer"), respond=respond, client=None, context=context)
    [reply] = respond.calls
    assert "opening quote without a closing one" in reply["text"] or "quote" in str(reply["blocks"])
