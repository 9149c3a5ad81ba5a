"""HTTP mode: Slack's request URL and a health check, served by waitress (multi-threaded)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from waitress.server import create_server

from bot import inbound
from bot.inbound import MAX_BODY_BYTES, Refused, read_body, signed_by_slack
from handlers.blocks.errors import unexpected_error_reply

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class LifecycleRequestHandler(SlackRequestHandler):
    """Bolt's WSGI handler, plus GET /healthz, strangers refused before Bolt parses a byte, and no 5xx for Slack."""

    def __init__(self, app: App, health_check: Callable[[], bool], *, signing_secret: str = "") -> None:
        super().__init__(app, path=SLACK_PATH)
        self.health_check = health_check
        # Empty (no secret configured): every Slack request is refused, never let through unchecked.
        self.signing_secret = signing_secret

    def _get_http_response(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        if request.method == "GET" and request.path == HEALTH_PATH:
            healthy = self.health_check()
            return WsgiHttpResponse(
                status=200 if healthy else 503,
                headers={"content-type": ["application/json"]},
                body=json.dumps({"ok": healthy, "database": "up" if healthy else "down"}),
            )
        if request.method == "POST" and request.path == self.path:
            try:
                bolt_response = self.dispatch(request)
            except Refused as refusal:
                return _refusal(refusal)
            return WsgiHttpResponse(status=bolt_response.status, headers=bolt_response.headers, body=bolt_response.body)
        return super()._get_http_response(request)

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        """Bolt's dispatch, after the size, signature and shape checks (Refused otherwise), never with a 5xx."""
        environ = request.environ
        body = read_body(environ)
        signed = signed_by_slack(
            body,
            timestamp=environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
            signature=environ.get("HTTP_X_SLACK_SIGNATURE"),
            signing_secret=self.signing_secret,
            now=time.time(),
        )
        if not signed:
            # One line, and nothing the sender wrote: neither its body nor its headers.
            logger.info("refused a request without a valid Slack signature (401)")
            raise Refused(401, "invalid request")
        bolt_request = inbound.bolt_request(body, query=request.query_string, headers=request.get_headers())
        return self._dispatch_without_5xx(bolt_request)

    def _dispatch_without_5xx(self, request: BoltRequest) -> BoltResponse:
        try:
            response = self.app.dispatch(request)
        except Exception:  # noqa: BLE001 - the last line of defence: Slack must never see a 5xx
            logger.exception("unhandled error dispatching a Slack request")
            response = BoltResponse(status=500)
        if response.status < 500:
            return response
        # A signed, well-formed request whose listener failed: Slack shows a 5xx as a cryptic failure, and an
        # apology in a 200 reads better (nothing was saved).
        reply = unexpected_error_reply()
        return BoltResponse(
            status=200,
            headers={"content-type": "application/json"},
            body=json.dumps({"response_type": "ephemeral", **reply.as_kwargs()}),
        )


def _refusal(refusal: Refused) -> WsgiHttpResponse:
    return WsgiHttpResponse(
        status=refusal.status,
        headers={"content-type": ["application/json"]},
        body=json.dumps({"error": refusal.reason}),
    )


def make_wsgi_app(app: App, health_check: Callable[[], bool], *, signing_secret: str = "") -> LifecycleRequestHandler:
    """A WSGI app serving POST /slack/events (signed with `signing_secret`) and GET /healthz."""
    return LifecycleRequestHandler(app, health_check, signing_secret=signing_secret)


# Waitress reads requests on one event loop and runs the app on a pool of threads; a connection costs a socket
# and a few kilobytes until its request is whole. With no proxy in front, a stranger can hold connections open
# (slowloris): waitress's default of 100 lets 100 of them shut everyone else out for its 120 s channel timeout.
WAITRESS_SETTINGS: dict[str, int | bool] = {
    # Room for hundreds of idle or half-sent connections beside Slack's.
    "connection_limit": 1000,
    # A connection silent this long is closed (Slack sends a whole request in milliseconds) ...
    "channel_timeout": 15,
    # ... checked this often.
    "cleanup_interval": 2,
    # poll(), not select(): select() can't watch a socket numbered above 1023.
    "asyncore_use_poll": True,
    # Waitress refuses a longer body with a 413 before reading it (Content-Length), or as soon as a chunked
    # one passes it; waitress refuses at >= this size, so a body of exactly MAX_BODY_BYTES still passes.
    "max_request_body_size": MAX_BODY_BYTES + 1,
    "max_request_header_size": 64 * 1024,
}
# A request holds its thread until its change is stored and acked (up to ~2 s when another writer holds a
# lock), so a burst of Slack requests needs a thread each to be answered within 3 s; threads are cheap.
DEFAULT_THREADS = 64


class HttpServer:
    """A waitress server that can run in the foreground or on a background thread (tests)."""

    def __init__(
        self, wsgi_app: Callable[..., Iterable[bytes]], *, host: str, port: int, threads: int = DEFAULT_THREADS
    ) -> None:
        self._server = create_server(
            wsgi_app, host=host, port=port, threads=threads, ident="lifecycle-bot", **WAITRESS_SETTINGS
        )
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:3000 (the real port when 0 was asked for)."""
        host, port = self._server.effective_host, self._server.effective_port
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        """Serve until interrupted."""
        self._server.run()

    def start_in_background(self) -> HttpServer:
        """Serve on a daemon thread until close()."""
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop_until_stopped, name="http-server", daemon=True)
        self._thread.start()
        return self

    def _loop_until_stopped(self) -> None:
        # waitress has no stop(); run its event loop in short slices and check a flag between them,
        # so sockets are closed by this thread and never under a running select().
        while not self._stopping.is_set():
            self._server.asyncore.loop(
                timeout=0.05, map=self._server._map, count=1, use_poll=self._server.adj.asyncore_use_poll
            )
        self._server.task_dispatcher.shutdown()
        self._server.asyncore.close_all(self._server._map)

    def close(self) -> None:
        """Stop serving and free the port."""
        if self._thread is None:
            self._server.close()
            return
        self._stopping.set()
        self._thread.join(timeout=5)
