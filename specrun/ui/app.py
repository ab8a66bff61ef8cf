"""The `specrun ui` web app: Starlette routes over a `Service`, HTML from the templates, JSON
under /api/ for the page and for scripts.

Security: actions are POST only, need the page's CSRF token in `X-CSRF-Token` and, when the
browser sends one, an `Origin` equal to the server's; on a loopback address the `Host` must be
a loopback name too (no DNS rebinding). `--read-only` refuses every action. Pages carry a
Content-Security-Policy that allows no inline script and no other origin.
"""

from __future__ import annotations

import secrets
from typing import Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import SpecrunError
from . import live
from .render import STATIC, graph_data, render
from .service import Service

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _count(request: Request, name: str, default: int) -> int:
    """A non-negative integer query parameter (a SpecrunError, so a 400, when it is not one)."""
    text = request.query_params.get(name, str(default))
    if not text.isdigit():
        raise SpecrunError(f"{name}={text!r}: expected a whole number >= 0")
    return int(text)


def create_app(service: Service, read_only: bool = False, loopback: bool = True) -> Starlette:
    """The ASGI app for `service` (`loopback`: the server listens on a loopback address)."""
    app = Starlette(routes=_Handlers(service, read_only, secrets.token_urlsafe(32)).routes())
    if loopback:
        app.add_middleware(_LoopbackHost)
    return app


async def _guarded(fn: Callable[[], Any]) -> Any:
    """Run a blocking `fn` off the event loop; specrun's errors become a 400 with the message."""
    try:
        return await run_in_threadpool(fn)
    except LookupError as e:
        return _error(404, str(e.args[0]) if e.args else "not found")
    except SpecrunError as e:
        return _error(400, str(e))


async def _api(fn: Callable[[], Any]) -> Response:
    """`fn()`'s result as JSON (or the error response `_guarded` made)."""
    result = await _guarded(fn)
    return result if isinstance(result, Response) else JSONResponse(result)


class _Handlers:
    """The app's request handlers over one service: the HTML pages, the JSON API under /api/,
    and the actions (POST, with the pages' CSRF token `csrf`)."""

    def __init__(self, service: Service, read_only: bool, csrf: str) -> None:
        self.service, self.read_only, self.csrf = service, read_only, csrf

    def routes(self) -> list[Any]:
        return [
            Route("/", self.graph_page), Route("/assets/{key:path}", self.asset_page),
            Route("/runs", self.runs_page), Route("/runs/{run_id}", self.run_page),
            Route("/api/graph", self.api_graph), Route("/api/graph/state", self.api_state),
            Route("/api/graph/stream", self.api_state_stream),
            Route("/api/runs/{run_id}/stream", self.api_run_stream),
            Route("/api/select", self.api_select), Route("/api/plan", self.api_plan),
            Route("/api/assets/{key:path}", self.api_asset), Route("/api/runs", self.api_runs),
            Route("/api/runs/{run_id}", self.api_run), Route("/api/runs/{run_id}/events", self.api_events),
            Route("/api/launch", self.api_launch, methods=["POST"]),
            Route("/api/runs/{run_id}/reexecute", self.api_reexecute, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]

    # The pages

    def page(self, template: str, **context: Any) -> HTMLResponse:
        html = render(template, spec_name=self.service.compiled.name, read_only=self.read_only, csrf=self.csrf,
                      base="", inline=False, **context)
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                                           "Referrer-Policy": "same-origin"})

    async def graph_page(self, request: Request) -> Response:
        def build() -> Response:
            states = self.service.states()
            return self.page("graph.html", model=self.service.model, graph=graph_data(self.service.model, states),
                             select=request.query_params.get("select", ""))
        return await _guarded(build)

    async def asset_page(self, request: Request) -> Response:
        key = request.path_params["key"]
        return await _guarded(lambda: self.page("asset.html", runs_read=50, **self.service.asset(key)))

    async def runs_page(self, request: Request) -> Response:
        return await _guarded(lambda: self.page("runs.html", runs=self.service.lister.runs()))

    async def run_page(self, request: Request) -> Response:
        return await _guarded(lambda: self.page("run.html", run=self.service.run(request.path_params["run_id"])))

    # The JSON API

    async def api_graph(self, request: Request) -> Response:
        return await _api(self.service.model.to_json)

    async def api_state(self, request: Request) -> Response:
        return await _api(self.service.states)

    async def api_state_stream(self, request: Request) -> Response:
        return live.stream(request, "states", self.service.states, live.states_key)

    async def api_run_stream(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        found = await _guarded(lambda: self.service.run(run_id))  # an unknown run is a 404, not a stream
        if isinstance(found, Response):
            return found
        return live.stream(request, "run", lambda: self.service.run(run_id),
                           key=lambda r: f"{r['event_count']}-{r['status']}", done=lambda r: r["finished"])

    async def api_select(self, request: Request) -> Response:
        return await _api(lambda: self.service.select(request.query_params.get("q", "")))

    async def api_plan(self, request: Request) -> Response:
        q = request.query_params
        return await _api(lambda: self.service.plan(q.get("select", ""), q.get("partitions", ""), q.get("force") == "1"))

    async def api_asset(self, request: Request) -> Response:
        def data() -> Any:
            info = self.service.asset(request.path_params["key"])
            node = info.pop("node")
            return {**info, "id": node.id, "group": node.group, "upstream": node.upstream,
                    "downstream": node.downstream, "checks": [c.name for c in node.checks]}
        return await _api(data)

    async def api_runs(self, request: Request) -> Response:
        return await _api(lambda: self.service.lister.runs(_count(request, "limit", 50)))

    async def api_run(self, request: Request) -> Response:
        return await _api(lambda: self.service.run(request.path_params["run_id"]))

    async def api_events(self, request: Request) -> Response:
        filters = {k: request.query_params.get(k, "") for k in ("level", "step", "q")}
        return await _api(lambda: self.service.events(request.path_params["run_id"], _count(request, "offset", 0),
                                                      min(_count(request, "limit", 500), 5000), filters))

    # The actions

    def check_action(self, request: Request) -> None | JSONResponse:
        if self.read_only:
            return _error(403, "this server was started with --read-only: no actions")
        if not secrets.compare_digest(request.headers.get("x-csrf-token", ""), self.csrf):
            return _error(403, "missing or wrong CSRF token (reload the page)")
        origin = request.headers.get("origin")
        if origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host', '')}":
            return _error(403, f"cross-origin request from {origin} refused")
        return None

    async def action(self, request: Request, fn: Callable[[dict], Any]) -> Response:
        refused = self.check_action(request)
        if refused is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            body = {}
        launched = await _guarded(lambda: fn(body if isinstance(body, dict) else {}))
        if isinstance(launched, Response):
            return launched
        return JSONResponse({"run_id": launched.run_id, "pid": launched.pid, "message": launched.message,
                             "exit_code": launched.exit_code}, status_code=202)

    async def api_launch(self, request: Request) -> Response:
        return await self.action(request, lambda b: self.service.launch(str(b.get("select") or ""),
                                                                        str(b.get("partitions") or ""),
                                                                        bool(b.get("force"))))

    async def api_reexecute(self, request: Request) -> Response:
        return await self.action(request, lambda b: self.service.reexecute(request.path_params["run_id"]))


class _LoopbackHost:
    """Refuse requests whose Host is not a loopback name: a page of another site that resolves
    its own name to 127.0.0.1 (DNS rebinding) must not reach the UI."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in LOOPBACK_NAMES:
                await _error(400, f"unexpected Host {host!r}")(scope, receive, send)
                return
        await self.app(scope, receive, send)
