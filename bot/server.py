"""HTTP mode: Slack's request URL and a health check, served by waitress (multi-threaded)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from waitress.server import create_server

from handlers.blocks.errors import unexpected_error_reply

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]


def make_wsgi_app(
    app: App, health_check: Callable[[], bool]
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """A WSGI app serving POST /slack/events and GET /healthz."""

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = WsgiHttpRequest(environ)
        if request.path == SLACK_PATH and request.method == "POST":
            response = _dispatch(app, request)
        elif request.path == HEALTH_PATH and request.method == "GET":
            healthy = health_check()
            response = WsgiHttpResponse(
                status=200 if healthy else 503,
                headers={"content-type": ["application/json"]},
                body=json.dumps({"ok": healthy, "database": "up" if healthy else "down"}),
            )
        else:
            response = WsgiHttpResponse(status=404, headers={"content-type": ["text/plain"]}, body="Not Found")
        start_response(response.status, response.get_headers())
        return response.get_body()

    return wsgi


def _dispatch(app: App, request: WsgiHttpRequest) -> WsgiHttpResponse:
    try:
        bolt_response = app.dispatch(
            BoltRequest(body=request.get_body(), query=request.query_string, headers=request.get_headers())
        )
    except Exception:  # noqa: BLE001 - the last line of defence: Slack must never see a 5xx
        logger.exception("unhandled error dispatching a Slack request")
        bolt_response = BoltResponse(status=500)
    if bolt_response.status >= 500:
        # Slack shows a 5xx as a cryptic failure; an apology in a 200 reads better and nothing was saved.
        reply = unexpected_error_reply()
        bolt_response = BoltResponse(
            status=200,
            headers={"content-type": "application/json"},
            body=json.dumps({"response_type": "ephemeral", **reply.as_kwargs()}),
        )
    return WsgiHttpResponse(status=bolt_response.status, headers=bolt_response.headers, body=bolt_response.body)


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
