"""The sandbox's web server (WSGI, served by waitress): the page, its JSON endpoints, and Slack's side for the bot.

GET  /                      the page (static/index.html) and GET /static/<file> its CSS, JS and images
GET  /sandbox/config        people, channels, slash commands and message shortcuts (from the app manifest)
GET  /sandbox/state         what one person sees; long-polls with ?since=<version>
POST /sandbox/<verb>        what a person does (see PageActions)
GET  /sandbox/files/<id>    an uploaded file, e.g. the digest's funnel chart
POST /api/<method>          the Slack Web API the bot calls
POST /response/<token>      response_urls
POST /upload/<file_id>      files_upload_v2's upload URLs
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from bot.sandbox.page_actions import PageActions, PageError
from bot.sandbox.people import BOT_USER_ID, CHANNELS, PEOPLE, TEAM_ID
from bot.sandbox.slack_api import SlackApi, parse_params
from bot.sandbox.workspace import JsonDict, Workspace, dm_channel

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
CONTENT_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
MAX_BODY = 5 * 1024 * 1024
LONG_POLL_SECONDS = 15.0

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = dict[str, Any]


class Response:
    """Status, content type and body of one answer."""

    def __init__(self, status: int, body: bytes | str | JsonDict, content_type: str = "") -> None:
        self.status = status
        if isinstance(body, dict):
            self.body, self.content_type = json.dumps(body).encode(), "application/json; charset=utf-8"
        else:
            self.body = body.encode() if isinstance(body, str) else body
            self.content_type = content_type or "text/plain; charset=utf-8"


STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
}


class SandboxServer:
    """The WSGI application: routes requests to the page, the page's verbs and the Web API stand-in."""

    def __init__(
        self,
        workspace: Workspace,
        api: SlackApi,
        actions: PageActions,
        commands: list[JsonDict],
        shortcuts: list[JsonDict] | None = None,
    ) -> None:
        self.workspace = workspace
        self.api = api
        self.actions = actions
        self.commands = commands  # the manifest's slash_commands, for the composer's hints
        self.shortcuts = shortcuts or []  # the manifest's message shortcuts, for each message's menu

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one request."""
        try:
            response = self.route(environ)
        except PageError as error:
            response = Response(400, {"ok": False, "error": str(error)})
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("bad sandbox request %s: %r", environ.get("PATH_INFO"), error)
            response = Response(400, {"ok": False, "error": "bad_request"})
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            ("Cache-Control", "no-store"),
        ]
        start_response(f"{response.status} {STATUS_TEXT.get(response.status, 'Error')}", headers)
        return [response.body]

    def route(self, environ: Environ) -> Response:
        """Pick the handler for the method and path."""
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        if not _local_host(environ.get("HTTP_HOST", "")):
            # Only this machine's names: a web page elsewhere cannot reach the sandbox through DNS rebinding.
            return Response(403, "the sandbox answers only to 127.0.0.1 and localhost")
        if method == "GET":
            return self.get(path, parse_qs(environ.get("QUERY_STRING", "")))
        if method != "POST":
            return Response(405, "method not allowed")
        body = _read_body(environ)
        if path.startswith("/api/"):
            token = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
            params = parse_params(environ.get("QUERY_STRING", ""), body, environ.get("CONTENT_TYPE", ""))
            return Response(200, self.api.call(path.removeprefix("/api/"), params, token=token))
        if path.startswith("/response/"):
            data = json.loads(body or b"{}")
            status, text = self.api.respond(path.removeprefix("/response/"), data if isinstance(data, dict) else {})
            return Response(status, text)
        if path.startswith("/upload/"):
            status, text = self.api.upload(path.removeprefix("/upload/"), body)
            return Response(status, text)
        if path.startswith("/sandbox/"):
            if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
                # JSON only, so a cross-site form post can never act for the person at the page.
                return Response(415, "the page's verbs take application/json")
            data = json.loads(body or b"{}")
            return Response(200, self.verb(path.removeprefix("/sandbox/"), data))
        return Response(404, "not found")

    def get(self, path: str, query: dict[str, list[str]]) -> Response:
        """The page, its static files, its config and state, and uploaded files."""
        if path in ("/", "/index.html"):
            return _static("index.html")
        if path == "/favicon.ico":
            return _static("favicon.svg")
        if path.startswith("/static/"):
            return _static(path.removeprefix("/static/"))
        if path == "/sandbox/config":
            return Response(200, self.config())
        if path == "/sandbox/state":
            return Response(200, self.state(query))
        if path.startswith("/sandbox/files/"):
            found = self.api.file_content(path.removeprefix("/sandbox/files/"))
            return Response(404, "not found") if found is None else Response(200, found[1], found[0])
        return Response(404, "not found")

    def config(self) -> JsonDict:
        """Who and what the page lists: people, channels, the bot, the slash commands and the message shortcuts."""
        return {
            "team_id": TEAM_ID,
            "bot_user_id": BOT_USER_ID,
            "people": [
                {"id": p.user_id, "name": p.name, "real_name": p.real_name, "role": p.role, "is_admin": p.is_admin}
                | {"dm": dm_channel(p.user_id)}
                for p in PEOPLE
            ],
            "channels": [{"id": c.channel_id, "name": c.name, "purpose": c.purpose} for c in CHANNELS],
            "commands": self.commands,
            "shortcuts": [
                {key: shortcut.get(key, "") for key in ("name", "callback_id", "description")}
                for shortcut in self.shortcuts
            ],
        }

    def state(self, query: dict[str, list[str]]) -> JsonDict:
        """One person's view of the workspace, once it is newer than `since` (or after the long-poll timeout)."""

        def arg(name: str, default: str = "") -> str:
            return query.get(name, [default])[0]

        user = PageActions.check_user(arg("user"))
        since = int(arg("since", "-1"))
        wait = min(float(arg("wait", str(LONG_POLL_SECONDS))), LONG_POLL_SECONDS)
        if since >= 0:
            self.workspace.wait_for_change(since, wait)
        return self.workspace.snapshot(user, arg("channel"), arg("thread"))

    def verb(self, name: str, data: JsonDict) -> JsonDict:
        """One of the page's verbs, with its JSON arguments."""
        actions, user = self.actions, str(data.get("user", ""))
        if name == "command":
            return actions.run_command(user, str(data["channel"]), str(data["text"]))
        if name == "message":
            return actions.post_message(user, str(data["channel"]), str(data["text"]), str(data.get("thread_ts", "")))
        if name == "action":
            action = data["action"]
            if not isinstance(action, dict):
                raise PageError("action must be an object")
            return actions.click(
                user,
                action,
                channel=str(data.get("channel", "")),
                ts=str(data.get("ts", "")),
                view_id=str(data.get("view_id", "")),
                values=data.get("values") or {},
            )
        if name == "shortcut":
            return actions.run_shortcut(user, str(data["callback_id"]), str(data["channel"]), str(data["ts"]))
        if name == "suggest":
            args = (str(data["view_id"]), str(data["block_id"]), str(data["action_id"]), str(data.get("value", "")))
            return actions.suggest(user, *args)
        if name == "submit":
            return actions.submit(user, str(data["view_id"]), data.get("values") or {})
        if name == "close":
            return actions.close(user, str(data["view_id"]))
        if name == "home":
            return actions.open_home(user)
        raise PageError(f"unknown verb {name!r}")


def _local_host(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in ("127.0.0.1", "localhost", "")


def _read_body(environ: Environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        raise ValueError("request body too large")
    stream = environ["wsgi.input"]
    return bytes(stream.read(length)) if length else b""


def _static(name: str) -> Response:
    """A file from static/, never outside it."""
    path = (STATIC_DIR / name).resolve()
    if STATIC_DIR.resolve() not in path.parents or not path.is_file():
        return Response(404, "not found")
    content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    return Response(200, path.read_bytes(), content_type)
