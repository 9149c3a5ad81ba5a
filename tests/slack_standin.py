"""A local stand-in for the Slack Web API that records every call, for end-to-end tests."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.standin_history import ChannelHistory

AUTH_TEST = {"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "lifecycle"}
AUTH_TEST |= {"team_id": "T0ACME", "user_id": "U0BOT", "bot_id": "B0BOT"}
USER_DEFAULTS = {"team_id": "T0ACME", "real_name": "Rita Rep", "is_bot": False}
USER_DEFAULTS |= {"tz": "Europe/Berlin", "tz_offset": 3600}
# Params that slack_sdk sends as JSON strings inside form bodies; decoded so tests can read them as data.
JSON_PARAMS = ("blocks", "attachments", "user_auth_blocks", "view", "files", "metadata")


@dataclass
class ApiCall:
    """One request to `/api/<method>`, including attempts that were made to fail."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    failed_with: int | str | None = None


@dataclass
class ResponsePost:
    """One JSON POST to a `response_url` handed out by `new_response_url()`."""

    url: str
    body: dict[str, Any]


@dataclass
class _Reply:
    """What the stand-in answers."""

    status: int = 200
    body: dict[str, Any] | str = ""  # a dict is sent as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to hold the answer back, after the call took effect (a client's timeout)


class StandInSlack:
    """Serves a fake Slack Web API on 127.0.0.1 and records what the app asks of it."""

    def __init__(self) -> None:
        """Prepare an unstarted stand-in; call `start()` or use it as a context manager."""
        self._cond = threading.Condition()  # guards all state below; notified on every record
        self.calls: list[ApiCall] = []
        self.response_posts: list[ResponsePost] = []
        self.uploads: dict[str, bytes] = {}
        self._failures: dict[str, list[tuple[_Reply, int | str]]] = {}  # method -> (reply, failed_with)
        self._overrides: dict[str, dict[str, Any]] = {}
        self._stalls: dict[str, list[float]] = {}  # method -> how long to hold back each of its next answers
        self._released = threading.Event()  # set on stop(): held answers go out at once
        self._counter = 0  # never reset, so ts values stay unique across reset()
        self._last_micros = 0
        # Every conversation's messages, as the app can read them back; kept across reset() (it is Slack's state).
        self.history = ChannelHistory()
        # Unix seconds for new ts values (e.g. the test's clock); None: 1700000000.000100, .000200, ...
        self.clock: Callable[[], float] | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.root_url = ""  # "http://127.0.0.1:<port>" once started
        # Who users.info reports as workspace admins: the default sender (rita) installed the app.
        self.workspace_admins: set[str] = {"U0REP"}

    def start(self) -> StandInSlack:
        """Bind to a free port and serve in a daemon thread."""
        self._released.clear()
        server = self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self.root_url = f"http://127.0.0.1:{server.server_address[1]}"
        # A short poll interval makes stop() take milliseconds instead of half a second.
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        self._released.set()
        if self._server and self._thread:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> StandInSlack:
        """Start on entering the `with` block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop on leaving the `with` block."""
        self.stop()

    @property
    def base_url(self) -> str:
        """The Web API base URL for `WebClient(base_url=...)`; ends with `/` as slack_sdk requires."""
        return f"{self.root_url}/api/"

    def new_response_url(self) -> str:
        """A fresh response_url whose POSTs land in `response_posts`."""
        return f"{self.root_url}/response/{uuid.uuid4().hex}"

    def fail_next(
        self,
        method: str,
        times: int = 1,
        status: int = 500,
        retry_after: float | str | None = None,
        error: str | None = None,
    ) -> None:
        """Make the next `times` calls to `method` fail: 429, 5xx, or 200 with `ok: false` and `error`."""
        if status == 429:
            # Sent as given ("-5", "soon", "1e12"): slack_sdk's RateLimitErrorRetryHandler int()s it, the app must not.
            headers = {"Retry-After": str(1 if retry_after is None else retry_after)}
            reply = _Reply(429, {"ok": False, "error": error or "ratelimited"}, headers=headers)
        elif status >= 500:
            reply = _Reply(status, body=error or "upstream failure")  # Slack's edge answers 5xx in plain text
        else:
            reply = _Reply(status, {"ok": False, "error": error or "fatal_error"})
        failed_with = (error or "fatal_error") if status == 200 else status
        with self._cond:
            self._failures.setdefault(method, []).extend([(reply, failed_with)] * times)

    def stall_after_success(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls to `method` take effect (a post is in the channel), then the answer is held back."""
        with self._cond:
            self._stalls.setdefault(method, []).extend([seconds] * times)

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """What a person sees in a conversation (a person's id: our DM with them), oldest first."""
        with self._cond:
            return self.history.in_conversation(channel)

    def respond_with(self, method: str, payload: dict[str, Any]) -> None:
        """Always answer `method` with `payload` (HTTP 200) until `clear_overrides()`."""
        with self._cond:
            self._overrides[method] = payload

    def clear_overrides(self) -> None:
        """Forget all `respond_with` overrides."""
        with self._cond:
            self._overrides.clear()

    def reset(self) -> None:
        """Forget recorded calls, posts and uploads, queued failures and overrides."""
        with self._cond:
            for store in (self.calls, self.response_posts, self.uploads, self._failures, self._overrides):
                store.clear()

    def calls_to(self, method: str) -> list[ApiCall]:
        """All recorded calls to `method` (failed attempts included), oldest first."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[ApiCall]:
        """Block until at least `count` calls to `method` were made; return them all."""
        # The app acks Slack first and calls the API afterwards, so tests must wait, not just look.
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.calls_to(method)) >= count, timeout):
                made = ", ".join(_describe(c) for c in self.calls) or "nothing"
                got = len(self.calls_to(method))
                raise AssertionError(f"expected {count} call(s) to {method} in {timeout}s, got {got}: {made}")
            return self.calls_to(method)

    def wait_for_response_posts(
        self, count: int = 1, timeout: float = 5.0, url: str | None = None
    ) -> list[ResponsePost]:
        """Block until at least `count` response_url posts (to `url`, if given) arrived; return them."""

        def matching() -> list[ResponsePost]:
            """Posts to `url`, or all posts."""
            return [p for p in self.response_posts if url is None or p.url == url]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout):
                posts = [(p.url, p.body) for p in self.response_posts]
                raise AssertionError(f"expected {count} response_url post(s) to {url or 'any url'}: {posts}")
            return matching()

    def _handle_api(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> _Reply:
        """Record a Web API call and choose its reply: queued failure, override, or canned success."""
        with self._cond:
            queue = self._failures.get(method)
            override = self._overrides.get(method)
            failed: int | str | None = None
            if queue:
                reply, failed = queue.pop(0)
            elif override is not None:
                reply = _Reply(body=override)
                failed = None if override.get("ok", True) else str(override.get("error", "error"))
            else:
                reply = _Reply(body=self._canned(method, params))
                stalls = self._stalls.get(method)
                reply.delay = stalls.pop(0) if stalls else 0.0
            self.calls.append(ApiCall(method, params, headers, time.time(), failed))
            self._cond.notify_all()
            return reply

    def _handle_other(self, path: str, body: bytes, content_type: str) -> _Reply:
        """Record a response_url post or a file upload."""
        with self._cond:
            if path.startswith("/response/"):
                payload = json.loads(body) if content_type.startswith("application/json") else {}
                self.response_posts.append(ResponsePost(self.root_url + path, payload))
                reply = _Reply(body="ok")
            elif path.startswith("/upload/"):
                self.uploads[path.removeprefix("/upload/")] = body
                reply = _Reply(body=f"OK - {len(body)}")  # what files.slack.com answers
            else:
                return _Reply(404, body="not found")
            self._cond.notify_all()
            return reply

    def _next_ts(self) -> str:
        """A unique, increasing ts: "1700000000.000100", "1700000000.000200", ..., or from `clock` (lock held)."""
        self._counter += 1
        wanted = 1700000000_000000 + self._counter * 100 if self.clock is None else int(self.clock() * 1_000_000)
        micros = self._last_micros = max(wanted, self._last_micros + 1)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _canned(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        """The successful answer for `method` (lock held)."""
        channel = p.get("channel") or p.get("channel_id") or "C0SALES"
        if method == "auth.test":
            return dict(AUTH_TEST)
        if method == "chat.postMessage":
            ts = self._next_ts()
            message = {"type": "message", "user": "U0BOT", "bot_id": "B0BOT", "ts": ts, "text": p.get("text")}
            message |= {"blocks": p["blocks"]} if "blocks" in p else {}
            self.history.post(channel, message, p)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            self.history.update(p)
            return {"ok": True, "channel": channel, "ts": p.get("ts"), "text": p.get("text", "")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.getPermalink":
            ts = str(p.get("message_ts", "")).replace(".", "")
            link = f"https://acme.slack.com/archives/{channel}/p{ts}"
            return {"ok": True, "channel": channel, "permalink": link}
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            view = p["view"] if isinstance(p.get("view"), dict) else {}
            view_id = p.get("view_id") or "V" + uuid.uuid4().hex[:10].upper()
            return {"ok": True, "view": view | {"id": view_id, "team_id": "T0ACME", "state": {"values": {}}}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(p.get("users", "U0REP")).lstrip("UW")}}
        if method in ("conversations.join", "conversations.info"):
            info = {"id": channel, "name": channel.lower(), "is_channel": True, "is_private": False}
            return {"ok": True, "channel": info | {"is_member": True}}
        if method == "users.info":
            user = p.get("user", "U0REP")
            roles = {"is_admin": user in self.workspace_admins, "is_owner": False}
            return {"ok": True, "user": {"id": user, "name": user.lower(), **USER_DEFAULTS, **roles}}
        if method == "files.getUploadURLExternal":
            file_id = "F" + uuid.uuid4().hex[:10].upper()
            self.history.file_names[file_id] = str(p.get("filename", ""))
            return {"ok": True, "upload_url": f"{self.root_url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = p["files"] if isinstance(p.get("files"), list) else []
            self.history.share_files(self._next_ts(), p)
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}
        return _MORE_CANNED.get(method, lambda _standin, _params: {"ok": True})(self, p)


def _oauth_v2_access(standin: StandInSlack, p: dict[str, Any]) -> dict[str, Any]:
    """An install (or a token refresh) answered as Slack does with token rotation on (lock held).

    The code names the workspace and installer: "T0BETA.U0BEA.<anything>". Each answer is a new bot token for
    that workspace plus a refresh token; a refresh_token grant answers the same for the refresh token's workspace.
    Tokens name their workspace, so a test can tell which workspace's token a call used.
    """
    if p.get("grant_type") == "refresh_token":
        team, user = str(p.get("refresh_token", "xoxe-1-T0ACME-0")).split("-")[2], ""
    else:
        team, user = (str(p.get("code", "")).split(".") + ["", ""])[:2]
    standin._counter += 1
    n = standin._counter
    return {
        "ok": True,
        "app_id": "A0LIFECYCLE",
        "authed_user": {"id": user},
        "scope": "commands,chat:write,chat:write.public,channels:join,users:read,im:write,files:write",
        "token_type": "bot",
        "access_token": f"xoxe.xoxb-1-{team}-{n}",
        "refresh_token": f"xoxe-1-{team}-{n}",
        "expires_in": 43200,
        "bot_user_id": "U0BOT",
        "team": {"id": team, "name": team.title()},
        "enterprise": None,
        "is_enterprise_install": False,
    }


# Canned answers beyond the ones in StandInSlack._canned.
_MORE_CANNED: dict[str, Callable[[StandInSlack, dict[str, Any]], dict[str, Any]]] = {
    "oauth.v2.access": _oauth_v2_access,
    "conversations.history": lambda standin, p: standin.history.history(p),
    "conversations.replies": lambda standin, p: standin.history.replies(p),
}


def _describe(call: ApiCall) -> str:
    """A short label for a call, for assertion messages."""
    details = [f"channel={call.params['channel']}"] if "channel" in call.params else []
    details += [f"failed_with={call.failed_with}"] if call.failed_with is not None else []
    return f"{call.method}({' '.join(details)})"


def _parse_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Merge query-string, form and JSON params; decode JSON-string params like `blocks`."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if content_type.startswith("application/json"):
        params.update(json.loads(body or b"{}"))
    elif content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in JSON_PARAMS:
        if isinstance(params.get(key), str) and params[key][:1] in ("[", "{"):
            params[key] = json.loads(params[key])
    return params


def _make_handler(standin: StandInSlack) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to `standin`."""

    class Handler(BaseHTTPRequestHandler):
        """Routes /api/<method> to the Web API, everything else to response_url/upload recording."""

        def do_POST(self) -> None:
            """Read the request, let the stand-in record it, write its reply."""
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            content_type = self.headers.get("Content-Type", "")
            if parts.path.startswith("/api/"):
                params = _parse_params(parts.query, body, content_type)
                headers = dict(self.headers.items())
                reply = standin._handle_api(parts.path.removeprefix("/api/"), params, headers)
            else:
                reply = standin._handle_other(parts.path, body, content_type)
            if isinstance(reply.body, dict):
                data, ctype = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
            else:
                data, ctype = reply.body.encode(), "text/plain; charset=utf-8"
            if reply.delay:
                standin._released.wait(reply.delay)  # the client gives up first: a timeout after the fact
            try:
                self.send_response(reply.status)
                headers = {"Content-Type": ctype, "Content-Length": str(len(data)), **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and left

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler
