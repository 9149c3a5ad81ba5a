"""HTTP mode: Slack's request URL and a health check, served by waitress (multi-threaded)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from waitress.server import create_server

from handlers.blocks.errors import unexpected_error_reply

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


class LifecycleRequestHandler(SlackRequestHandler):
    """Bolt's WSGI handler, plus GET /healthz and the rule that Slack never sees a 5xx."""

    def __init__(self, app: App, health_check: Callable[[], bool]) -> None:
        super().__init__(app, path=SLACK_PATH)
        self.health_check = health_check

    def _get_http_response(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        if request.method == "GET" and request.path == HEALTH_PATH:
            healthy = self.health_check()
            return WsgiHttpResponse(
                status=200 if healthy else 503,
                headers={"content-type": ["application/json"]},
                body=json.dumps({"ok": healthy, "database": "up" if healthy else "down"}),
            )
        return super()._get_http_response(request)

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        """Bolt's dispatch, with any failure (or 5xx) turned into a 200 apology: nothing was saved."""
        try:
            response = super().dispatch(request)
        except Exception:  # noqa: BLE001 - the last line of defence: Slack must never see a 5xx
            logger.exception("unhandled error dispatching a Slack request")
            response = BoltResponse(status=500)
        if response.status < 500:
            return response
        # Slack shows a 5xx as a cryptic failure; an apology in a 200 reads better.
        reply = unexpected_error_reply()
        return BoltResponse(
            status=200,
            headers={"content-type": "application/json"},
            body=json.dumps({"response_type": "ephemeral", **reply.as_kwargs()}),
        )


def make_wsgi_app(app: App, health_check: Callable[[], bool]) -> LifecycleRequestHandler:
    """A WSGI app serving POST /slack/events and GET /healthz."""
    return LifecycleRequestHandler(app, health_check)


class HttpServer:
    """A waitress server that can run in the foreground or on a background thread (tests)."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], *, host: str, port: int, threads: int = 8) -> None:
        self._server = create_server(wsgi_app, host=host, port=port, threads=threads, ident="lifecycle-bot")
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
            self._server.asyncore.loop(timeout=0.05, map=self._server._map, count=1)
        self._server.task_dispatcher.shutdown()
        self._server.asyncore.close_all(self._server._map)

    def close(self) -> None:
        """Stop serving and free the port."""
        if self._thread is None:
            self._server.close()
            return
        self._stopping.set()
        self._thread.join(timeout=5)
