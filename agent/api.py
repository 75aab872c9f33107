"""The HTTP face: routes under /v1, bearer auth, the 1 MiB body limit, one error shape, OpenAPI.

Who may call (the caller's address, Host, Origin and bearer token) is checked by `CallerGuard`, a plain ASGI
layer in front of the routes rather than a route dependency: FastAPI's dependency solving for it cost every
request ~0.2 ms (bench/agent.py, a sale's two requests 0.4 ms); the OpenAPI document still names the bearer
scheme on every guarded operation.

Routes that reach the platform hand the desk's step to the thread pool (`run_in_threadpool`), so the event loop and
the event streams never wait on the platform; reads touch the journal only and run on the loop. Every route
is `async`: FastAPI validates the answer of a plain `def` route in the thread pool too, a second trip per
request that bench/agent.py measured.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from agent import auth
from agent.desk import AgentError, Desk
from agent.schemas import (CodeIn, ErrorBody, Health, RefundIn, RefundOut, SaleIn, SaleList, SaleOut, StatusOut)
from terminal import logs

MAX_BODY = 1024 * 1024
OPEN_PATHS = ("/healthz", "/openapi.json")  # no token needed
BEARER = {"HTTPBearer": {"type": "http", "scheme": "bearer",
                         "description": "the token from ECPOS_AGENT_TOKEN or the agent's token file"}}
TOO_LARGE = "请求体超过 1 MiB：请减少一次推送的项目数"
KEY_HEADER = dict(alias="Idempotency-Key", min_length=1, max_length=255,
                  description="the caller's unique key for this request; a retry sends the same key and body")


def _errors(*codes: int) -> dict:
    return {c: {"model": ErrorBody} for c in (401, 413, 422, *codes)}


class BodyLimit:
    """413 for a body over MAX_BODY: by Content-Length at once, or while a chunked body streams in."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY:
            return await _too_large(send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:  # FastAPI re-raises an HTTPException met while reading the body
                raise StarletteHTTPException(413)
            return message
        await self.app(scope, counted, send)


async def _too_large(send) -> None:
    body = ErrorBody(error={"key": "body_too_large", "message": TOO_LARGE})
    data = body.model_dump_json(exclude_none=True).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


class CallerGuard:
    """403 unless the caller is on loopback or in [agent] allow, names this machine in `Host` and, from a web
    page, comes from one of [agent] cors_origins; 401 unless it sends our bearer token.

    Host and Origin guard against DNS rebinding: a page of evil.example whose name the attacker then points at
    127.0.0.1 reaches the agent from loopback, as its own origin; its requests carry `Host: evil.example` and
    `Origin: http://evil.example`, which no caller of ours sends (a HIS uses an address or localhost; a
    browser-based HIS's origin is listed). A token does not make them welcome: it may have leaked to the page."""

    def __init__(self, app, token: str, allow: tuple[str, ...], origins: tuple[str, ...] = (),
                 names: tuple[str, ...] = ()):
        self.app, self.token = app, token
        self.allow = {ipaddress.ip_address(a) for a in allow}
        self.origins = {o.lower().encode("latin-1") for o in origins}
        self.names = {"localhost", *(n.lower() for n in names)}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        name = _host_name(headers.get(b"host"))
        if name is not None and not self._our_name(name):
            answer = error_response(403, "host_not_allowed",
                                    f"请求头 Host 不是本机（{name}）：请用 127.0.0.1、localhost 或本机 IP 地址访问接口")
            return await answer(scope, receive, send)
        origin = headers.get(b"origin")
        if origin is not None and origin.lower() not in self.origins:
            shown = origin.decode("latin-1")[:100]
            answer = error_response(403, "origin_not_allowed",
                                    f"不允许来自网页 {shown} 的访问：浏览器中的 HIS 页面须列在 [agent] cors_origins 中")
            return await answer(scope, receive, send)
        if scope["path"] in OPEN_PATHS:
            return await self.app(scope, receive, send)
        host = scope["client"][0] if scope.get("client") else ""
        if not self._allowed(host):
            answer = error_response(403, "client_not_allowed",
                                    f"不允许来自 {host} 的访问：请在 [agent] allow 中加入该地址")
            return await answer(scope, receive, send)
        scheme, _, given = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not auth.same(given.strip(), self.token):
            answer = error_response(401, "unauthorized",
                                    "缺少或错误的接口令牌：请在请求头加 Authorization: Bearer <令牌>")
            return await answer(scope, receive, send)
        await self.app(scope, receive, send)

    def _our_name(self, name: str) -> bool:
        """An address (no DNS name can rebind to it), localhost, or the name the agent was told to serve on."""
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return name in self.names or name.endswith(".localhost")

    def _allowed(self, host: str) -> bool:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return host == "testclient"  # starlette's in-process test client
        return ip.is_loopback or ip in self.allow


def _host_name(value: bytes | None) -> str | None:
    """The host in a Host header, lowercased, without port or IPv6 brackets (None without the header)."""
    if value is None:
        return None
    text = value.decode("latin-1").strip().lower()
    if text.startswith("["):  # [::1]:17777
        return text[1:].partition("]")[0]
    return text.rpartition(":")[0] if text.count(":") == 1 else text


def error_response(status: int, key: str, message: str, **extra) -> JSONResponse:
    """The one error shape: {"error": {"key", "message", ...}}."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": {"key": key, "message": message, **extra}}, status_code=status,
                        headers=headers)


def create_app(desk: Desk, token: str, allow: tuple[str, ...] = (), origins: tuple[str, ...] = (),
               names: tuple[str, ...] = ()) -> FastAPI:
    """The FastAPI application over a Desk, accepting `token` from loopback and the `allow` addresses, and
    from web pages of `origins` in a browser ([agent] cors_origins); `names`: the host name the agent serves
    on, besides addresses and localhost."""
    @asynccontextmanager
    async def lifespan(app):
        desk.hub.loop = asyncio.get_running_loop()  # streams are fed from the desk's threads
        logs.event("agent_started", profile=desk.cfg.profile)
        yield

    app = FastAPI(title="ecpos agent", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="医保电子凭证结算终端的本地接口：HIS/ERP 推送账单，终端读码、预结算、确认结算、退费。")
    app.add_middleware(BodyLimit)
    app.add_middleware(CallerGuard, token=token, allow=allow, origins=origins, names=names)  # before the body is read
    if origins:  # outermost: a browser's preflight carries no token; every answer, a 401 too, says who may read it
        # allow_private_network: a page of the hospital's network calling this machine's loopback (Chrome asks)
        app.add_middleware(CORSMiddleware, allow_origins=list(origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"],
                           allow_private_network=True, max_age=600)

    def openapi() -> dict:
        """FastAPI's document, with the bearer scheme CallerGuard asks for on every operation it guards."""
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, description=app.description,
                              routes=app.routes)
            doc.setdefault("components", {})["securitySchemes"] = BEARER
            for path, ops in doc["paths"].items():
                for op in ops.values():
                    if path not in OPEN_PATHS:
                        op["security"] = [{"HTTPBearer": []}]
            app.openapi_schema = doc
        return app.openapi_schema
    app.openapi = openapi

    @app.exception_handler(AgentError)
    async def agent_error(request: Request, e: AgentError):
        return error_response(e.status, e.key, e.message, **e.extra)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError):
        fields = [{"field": ".".join(str(p) for p in err["loc"][1:] if p != "body") or str(err["loc"][0]),
                   "message": err["msg"]} for err in e.errors()]
        first = fields[0] if fields else {"field": "body", "message": ""}
        return error_response(422, "invalid_request", f"请求字段有误：{first['field']}（{first['message']}）；"
                              f"请按接口文档修改后重试", field=first["field"], fields=fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException):
        if e.status_code == 400:  # a body FastAPI could not even decode (not UTF-8): a field error like any
            return error_response(422, "invalid_request", "请求体不是有效的 UTF-8 JSON：请按接口文档发送 JSON",
                                  field="body", fields=[{"field": "body", "message": str(e.detail)}])
        key = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(e.status_code, "http_error")
        msg = {404: "没有这个接口：请核对路径（/v1/...）", 405: "该接口不支持这个 HTTP 方法",
               413: TOO_LARGE}.get(e.status_code, str(e.detail))
        return error_response(e.status_code, key, msg)

    @app.exception_handler(Exception)
    async def internal(request: Request, e: Exception):
        logging.getLogger("ecpos").exception("agent_internal_error path=%s", request.url.path)
        return error_response(500, "internal_error", "终端内部错误，操作未完成：请稍后查询这笔结算的状态，"
                              "并把数据目录中的 ecpos.log 交给信息科")

    @app.get("/healthz", response_model=Health, tags=["status"])
    async def healthz():
        """Alive (no token needed)."""
        return {"status": "ok"}

    @app.get("/v1/status", response_model=StatusOut, responses=_errors(), tags=["status"])
    async def status():
        """Platform, refund queue, unknown outcomes, scanner, and the sale at the scanner."""
        return desk.status()

    @app.post("/v1/sales", response_model=SaleOut, status_code=201,
              responses={200: {"model": SaleOut, "description": "the same key and body again: the same sale"},
                         **_errors(409)}, tags=["sales"])
    async def create_sale(body: SaleIn, idempotency_key: str = Header(**KEY_HEADER)):
        """Push a bill: 201 with the new sale (quoted already when `qr` was given)."""
        view, created = await run_in_threadpool(desk.create, idempotency_key, body.model_dump())
        return view if created else JSONResponse(SaleOut(**view).model_dump(mode="json"), status_code=200)

    @app.get("/v1/sales", response_model=SaleList, responses=_errors(), tags=["sales"])
    async def list_sales(day: date | None = Query(None, description="local date, YYYY-MM-DD; today when left out"),
                         external_id: str | None = Query(None, min_length=1, max_length=64,
                                                         description="only this bill's sales that day")):
        """The sales pushed on a day, oldest first: the HIS's day-end reconciliation (a bill's state, split and
        setl_id). Read in the thread pool: a few hundred views would hold up the event streams on the loop."""
        return await run_in_threadpool(desk.sales_on, day or date.today(), external_id)

    @app.get("/v1/sales/{sale_id}", response_model=SaleOut, responses=_errors(404),
             tags=["sales"])
    async def get_sale(sale_id: str):
        """The sale as it stands: state, masked patient, split, setl_id, receipt, error."""
        return desk.view(sale_id)

    @app.post("/v1/sales/{sale_id}/code", response_model=SaleOut,
              responses=_errors(404, 409), tags=["sales"])
    async def post_code(sale_id: str, body: CodeIn):
        """A code the caller scanned: identify and pre-settle (a refused code keeps the sale waiting)."""
        return await run_in_threadpool(desk.code, sale_id, body.qr)

    @app.post("/v1/sales/{sale_id}/confirm", response_model=SaleOut,
              responses=_errors(404, 409), tags=["sales"])
    async def confirm(sale_id: str):
        """Settle the quoted sale; asked again, answers the sale as it stands (never settles twice)."""
        return await run_in_threadpool(desk.confirm, sale_id)

    @app.post("/v1/sales/{sale_id}/cancel", response_model=SaleOut,
              responses=_errors(404, 409, 502), tags=["sales"])
    async def cancel(sale_id: str):
        """Give up a sale that is not settled (clinic: the visit is undone with the platform)."""
        return await run_in_threadpool(desk.cancel, sale_id)

    @app.post("/v1/refunds", response_model=RefundOut, status_code=201,
              responses={200: {"model": RefundOut, "description": "the same key and body again"},
                         **_errors(403, 409)}, tags=["refunds"])
    async def refund(body: RefundIn, idempotency_key: str | None = Header(None, **{k: v for k, v in KEY_HEADER.items()
                                                                              if k != "min_length"})):
        """Refund a settlement offline with a supervisor's PIN: refunded, or queued until the platform answers."""
        view, created = await run_in_threadpool(desk.refund, idempotency_key, body.model_dump())
        return view if created else JSONResponse(RefundOut(**view).model_dump(mode="json"), status_code=200)

    @app.get("/v1/refunds/{refund_id}", response_model=RefundOut, responses=_errors(404),
             tags=["refunds"])
    async def get_refund(refund_id: int = Path(ge=1, le=2**63 - 1)):  # a journal row id (SQLite's integer)
        """A refund as it stands: queued until the platform answers, then refunded (or failed, with why)."""
        return desk.refund_view(refund_id)

    @app.get("/v1/events", tags=["events"],
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "server-sent events: sale.*, refund.*, device.*, platform.status"},
                        **_errors()})
    async def events(request: Request, last_event_id: str | None = Header(None, alias="Last-Event-ID")):
        """Server-sent events, so the caller's screen follows without polling."""
        last = int(last_event_id) if last_event_id and last_event_id.isdigit() else None

        async def stream():
            async for ev in desk.hub.stream(last):
                yield ev.sse()
        return EventSourceResponse(stream(), ping=15)

    return app
