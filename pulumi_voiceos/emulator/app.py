"""The emulator's HTTP surface: the VoiceOS phone-number API and an admin area.

``create_app`` returns an ASGI app made of two layers:

- ``_ApiGate``, a plain ASGI wrapper in front of every API request (anything
  outside ``/_emulator/``). It logs the request on arrival, then applies, in
  order, the injected latency, injected faults, the rate limit and bearer
  authentication. It is plain ASGI rather than FastAPI middleware because it
  must be able to cut a connection mid-response (``drop_connection``) and see
  the raw, still percent-encoded path for the request log.
- A FastAPI app with the documented routes, answering the way VoiceOS does
  (FastAPI-style 422s, ``{"detail": ...}`` errors), plus the ``/_emulator/``
  admin routes that tests and demos use to seed data and inject trouble.

Every validation error is rendered without the offending input: webhook header
values routinely hold the receiver's credentials, and a test server must not be
the thing that leaks them into a CI log.

The controls (faults, latency, rate limit, request log) live in memory and are
only touched from the event loop thread (the gate and the ``async`` admin
routes), so they need no lock; the store is used from the thread pool and
carries its own.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from fastapi import FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool

from ..models import AgentId, HttpMethod, PhoneNumberStr, PhoneNumberUpdate, Webhook
from .store import Store

__all__ = ["ADMIN_PREFIX", "Controls", "create_app"]

ADMIN_PREFIX: Final = "/_emulator"
MAX_LOGGED_REQUESTS: Final = 100_000
"""Oldest entries go first beyond this, so a long benchmark cannot exhaust memory."""

_HIDDEN: Final = "<value hidden>"
_DROP_MESSAGE: Final = "ASGI callable returned without completing response."

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# -- validation errors without values -------------------------------------------------------


def _hide_input(msg: str, value: Any) -> str:
    # Validators in models.py quote some values in their messages (a URL, an
    # event name); the input itself is never shown, so neither is its quote.
    if not isinstance(value, str) or len(value) < 4:
        return msg
    for form in {value, repr(value)[1:-1]}:
        msg = msg.replace(form, _HIDDEN)
    return msg


def _error_detail(errors: list[Any], *, prefix: tuple[str | int, ...] = ()) -> list[dict[str, Any]]:
    """FastAPI's ``{loc, msg, type}`` items, minus ``input``, ``ctx`` and ``url``."""
    detail = []
    for error in errors:
        loc = [*prefix, *error.get("loc", ())]
        msg = str(error.get("msg", ""))
        if loc[:1] == ["body"]:
            msg = _hide_input(msg, error.get("input"))
        detail.append({"loc": loc, "msg": msg, "type": str(error.get("type", "value_error"))})
    return detail


def _validation_response(detail: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=422)


def _body_detail(exc: ValidationError) -> list[dict[str, Any]]:
    # errors() with inputs is used only to know what to hide from the messages;
    # the structure returned is built from the input-free form.
    safe = exc.errors(include_input=False, include_url=False, include_context=False)
    full = exc.errors(include_url=False, include_context=False)
    merged = [{**s, "input": f.get("input")} for s, f in zip(safe, full, strict=True)]
    return _error_detail(merged, prefix=("body",))


async def _request_validation_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return _validation_response(_error_detail(list(exc.errors())))


async def _json_body(request: Request) -> tuple[Any, list[dict[str, Any]] | None]:
    """The parsed body, or the 422 detail saying why there is none."""
    raw = await request.body()
    if not raw.strip():
        return None, [{"loc": ["body"], "msg": "Field required", "type": "missing"}]
    try:
        return json.loads(raw), None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, [{"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}]


# -- controls -------------------------------------------------------------------------------


class FaultSpec(BaseModel):
    """Body of ``POST /_emulator/faults``."""

    model_config = ConfigDict(extra="forbid")

    status: int = Field(503, ge=400, le=599)
    count: int | None = Field(None, ge=1)
    permanent: bool = False
    probability: float | None = Field(None, gt=0, le=1)
    seed: int | None = None
    retry_after: int | None = Field(None, ge=0)
    method: HttpMethod | None = None
    phone_number: PhoneNumberStr | None = None
    drop_connection: bool = False

    @model_validator(mode="after")
    def _one_duration(self) -> FaultSpec:
        if self.permanent and self.count is not None:
            raise ValueError("give either count or permanent, not both")
        return self


@dataclass
class _Fault:
    spec: FaultSpec
    remaining: int | None  # None: until cleared
    rng: random.Random

    def matches(self, method: str, phone_number: str | None) -> bool:
        if self.spec.method is not None and self.spec.method != method:
            return False
        return self.spec.phone_number is None or self.spec.phone_number == phone_number


@dataclass
class _TokenBucket:
    per_second: float
    burst: int
    tokens: float
    stamp: float = field(default_factory=time.monotonic)

    def take(self) -> int | None:
        """None if a token was available, else the whole seconds to wait (at least 1)."""
        now = time.monotonic()
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self.tokens) / self.per_second))


class Controls:
    """What the admin area changes: faults, latency, rate limit, and the request log."""

    def __init__(self) -> None:
        self.faults: list[_Fault] = []
        self.latency_ms = 0
        self.latency_method: str | None = None
        self.bucket: _TokenBucket | None = None
        self.log: deque[dict[str, Any]] = deque(maxlen=MAX_LOGGED_REQUESTS)
        self.log_overflow = 0
        self._seq = 0

    def add_fault(self, spec: FaultSpec) -> None:
        # A probability alone fires until cleared; a count bounds any fault.
        until_cleared = spec.permanent or (spec.probability is not None and spec.count is None)
        remaining = None if until_cleared else (spec.count or 1)
        self.faults.append(_Fault(spec, remaining, random.Random(spec.seed)))

    def take_fault(self, method: str, phone_number: str | None) -> FaultSpec | None:
        """The first matching fault that fires for this request, consuming one of its count."""
        for fault in self.faults:
            if not fault.matches(method, phone_number):
                continue
            if fault.spec.probability is not None and fault.rng.random() >= fault.spec.probability:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.faults.remove(fault)
            return fault.spec
        return None

    def latency_for(self, method: str) -> float:
        if self.latency_ms and self.latency_method in (None, method):
            return self.latency_ms / 1000.0
        return 0.0

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        self._seq += 1
        entry["seq"] = self._seq
        if len(self.log) == self.log.maxlen:
            self.log_overflow += 1
        self.log.append(entry)
        return entry

    def clear_log(self) -> None:
        self.log.clear()
        self.log_overflow = 0
        self._seq = 0

    def reset(self) -> None:
        self.faults.clear()
        self.latency_ms, self.latency_method = 0, None
        self.bucket = None
        self.clear_log()


# -- the gate in front of the API -----------------------------------------------------------


class _DroppedConnectionFilter(logging.Filter):
    # uvicorn reports an unfinished response as an application error; for an
    # injected drop that is the whole point, so it is not worth a log line.
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _DROP_MESSAGE


_drop_filter = _DroppedConnectionFilter()


def _is_admin(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def _number_in_path(path: str) -> str | None:
    prefix = "/phone_numbers/"
    return path[len(prefix) :].strip() if path.startswith(prefix) else None


async def _send_json(send: Send, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class _ApiGate:
    """Logging, latency, faults, rate limit and auth for every API request."""

    def __init__(self, app: ASGIApp, controls: Controls, token: str) -> None:
        self.app = app
        self.controls = controls
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_admin(scope["path"]):
            await self.app(scope, receive, send)
            return
        body, replay = await self._buffer(receive)
        method = str(scope["method"]).upper()
        number = _number_in_path(scope["path"])
        entry = self.controls.record(
            {
                "seq": 0,
                "time": time.time(),
                "method": method,
                "path": bytes(scope.get("raw_path") or scope["path"].encode()).decode("latin-1"),
                "query": bytes(scope.get("query_string", b"")).decode("latin-1"),
                "phone_number": number,
                "status": None,
                "dropped": False,
                "body": _parsed_or_none(body),
            }
        )

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        delay = self.controls.latency_for(method)
        if delay:
            await asyncio.sleep(delay)
        fault = self.controls.take_fault(method, number)
        if fault is not None:
            if fault.drop_connection:
                entry["dropped"] = True
                await self._drop(send, fault.status)
                return
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
            await _send_json(send_and_record, fault.status, {"detail": "injected fault"}, headers)
            return
        bucket = self.controls.bucket
        if bucket is not None:
            wait = bucket.take()
            if wait is not None:
                detail = {"detail": f"rate limit exceeded: at most {bucket.per_second:g} requests per second"}
                await _send_json(send_and_record, 429, detail, {"Retry-After": str(wait)})
                return
        if not self._authorised(scope):
            detail = {"detail": "missing or invalid bearer token: send 'Authorization: Bearer <token>'"}
            await _send_json(send_and_record, 401, detail, {"WWW-Authenticate": "Bearer"})
            return
        await self.app(scope, replay, send_and_record)

    def _authorised(self, scope: Scope) -> bool:
        presented = b""
        for name, value in scope["headers"]:
            if name.lower() == b"authorization":
                scheme, _, credentials = bytes(value).partition(b" ")
                if scheme.lower() == b"bearer":
                    presented = credentials.strip()
                break
        # Compared even when absent, so timing says nothing about which case it was.
        return hmac.compare_digest(presented, self._token) and bool(presented)

    @staticmethod
    async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
        # The body is read up front to log it, then replayed to the app.
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return body, replay

    @staticmethod
    async def _drop(send: Send, status: int) -> None:
        # Promise a body, send none and return: the server closes the socket,
        # and the client sees a connection lost mid-response (an httpx
        # RemoteProtocolError), like a proxy or a crashed backend would cause.
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
            }
        )


def _parsed_or_none(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


# -- admin request bodies -------------------------------------------------------------------


class SeedSpec(BaseModel):
    """Body of ``POST /_emulator/numbers``."""

    model_config = ConfigDict(extra="forbid")

    phone_number: PhoneNumberStr
    inbound_agent_id: AgentId | None = None
    webhooks: list[Webhook] = Field(default_factory=list)
    auth_token: str | None = Field(None, min_length=1, repr=False)


class AgentsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[AgentId]


class LatencySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ms: int = Field(ge=0, le=600_000)
    method: HttpMethod | None = None


class RateLimitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    per_second: float = Field(ge=0)
    burst: int | None = Field(None, ge=1)


# -- the app --------------------------------------------------------------------------------

PathNumber = Annotated[PhoneNumberStr, Path(description="E.164; '+' may be sent raw or as %2B")]


def create_app(store: Store, *, token: str, controls: Controls | None = None) -> ASGIApp:
    """The emulator as an ASGI app serving ``store``, accepting ``token`` as the bearer token."""
    if not token:
        raise ValueError("the emulator needs a non-empty API token")
    controls = controls or Controls()
    logging.getLogger("uvicorn.error").addFilter(_drop_filter)
    api = FastAPI(
        title="VoiceOS emulator",
        description="A local stand-in for the VoiceOS phone-number API. The admin area is under /_emulator/.",
        docs_url=f"{ADMIN_PREFIX}/docs",
        redoc_url=None,
        openapi_url=f"{ADMIN_PREFIX}/openapi.json",
    )
    api.add_exception_handler(RequestValidationError, _request_validation_handler)

    def not_found(phone_number: str) -> JSONResponse:
        detail = f"phone number {phone_number} not found in account {store.account_id}"
        return JSONResponse({"detail": detail}, status_code=404)

    # -- the VoiceOS API ---------------------------------------------------------------------

    @api.get("/phone_numbers/{phone_number}")
    async def get_phone_number(phone_number: PathNumber) -> Response:
        found = await run_in_threadpool(store.get, phone_number)
        return not_found(phone_number) if found is None else JSONResponse(found)

    @api.patch("/phone_numbers/{phone_number}")
    async def update_phone_number(phone_number: PathNumber, request: Request) -> Response:
        data, problem = await _json_body(request)
        if problem is not None:
            return _validation_response(problem)
        try:
            update = PhoneNumberUpdate.model_validate(data)
        except ValidationError as exc:
            return _validation_response(_body_detail(exc))
        if await run_in_threadpool(store.get, phone_number) is None:
            return not_found(phone_number)
        changes = update.to_wire()
        agent = changes.get("inbound_agent_id")
        if agent is not None and not await run_in_threadpool(store.has_agent, agent):
            return JSONResponse({"detail": f"agent {agent} not found in account {store.account_id}"}, 404)
        updated = await run_in_threadpool(store.update, phone_number, changes)
        return not_found(phone_number) if updated is None else JSONResponse(updated)

    @api.delete("/phone_numbers/{phone_number}", status_code=204)
    async def delete_phone_number(phone_number: PathNumber, release_phone_number: bool = False) -> Response:
        # Releasing to the carrier has no separate effect here: either way the
        # number leaves the account.
        if not await run_in_threadpool(store.delete, phone_number):
            return not_found(phone_number)
        return Response(status_code=204)

    @api.get("/phone_numbers")
    async def list_phone_numbers(
        index: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=200)] = 50
    ) -> Response:
        items, has_more = await run_in_threadpool(store.page, index, limit)
        return JSONResponse({"items": items, "index": index, "has_more": has_more})

    # -- the admin area ----------------------------------------------------------------------

    @api.get(f"{ADMIN_PREFIX}/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @api.post(f"{ADMIN_PREFIX}/numbers")
    async def seed_number(spec: SeedSpec) -> Response:
        seeded = await run_in_threadpool(
            lambda: store.seed(
                spec.phone_number,
                inbound_agent_id=spec.inbound_agent_id,
                webhooks=[w.to_wire() for w in spec.webhooks],
                auth_token=spec.auth_token,
            )
        )
        return JSONResponse(seeded)

    @api.delete(f"{ADMIN_PREFIX}/numbers/{{phone_number}}")
    async def remove_number(phone_number: PathNumber) -> dict[str, bool]:
        return {"removed": await run_in_threadpool(store.delete, phone_number)}

    @api.post(f"{ADMIN_PREFIX}/agents")
    async def add_agents(spec: AgentsSpec) -> dict[str, list[str]]:
        await run_in_threadpool(store.add_agents, spec.ids)
        return {"agents": sorted(await run_in_threadpool(store.agents))}

    @api.post(f"{ADMIN_PREFIX}/faults")
    async def add_fault(spec: FaultSpec) -> dict[str, int]:
        controls.add_fault(spec)
        return {"faults": len(controls.faults)}

    @api.delete(f"{ADMIN_PREFIX}/faults")
    async def clear_faults() -> dict[str, int]:
        controls.faults.clear()
        return {"faults": 0}

    @api.post(f"{ADMIN_PREFIX}/latency")
    async def set_latency(spec: LatencySpec) -> dict[str, Any]:
        controls.latency_ms = spec.ms
        controls.latency_method = spec.method if spec.ms else None
        return {"ms": controls.latency_ms, "method": controls.latency_method}

    @api.post(f"{ADMIN_PREFIX}/rate_limit")
    async def set_rate_limit(spec: RateLimitSpec) -> dict[str, Any]:
        if spec.per_second == 0:
            controls.bucket = None
            return {"per_second": 0, "burst": None}
        burst = spec.burst or max(1, math.ceil(spec.per_second))
        controls.bucket = _TokenBucket(per_second=spec.per_second, burst=burst, tokens=float(burst))
        return {"per_second": spec.per_second, "burst": burst}

    @api.get(f"{ADMIN_PREFIX}/requests")
    async def list_requests() -> dict[str, Any]:
        return {"requests": [dict(e) for e in controls.log], "overflow": controls.log_overflow}

    @api.delete(f"{ADMIN_PREFIX}/requests")
    async def clear_requests() -> dict[str, int]:
        controls.clear_log()
        return {"requests": 0}

    @api.post(f"{ADMIN_PREFIX}/reset")
    async def reset() -> dict[str, bool]:
        controls.reset()
        return {"ok": True}

    return _ApiGate(api, controls, token)
