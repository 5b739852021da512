"""The emulator as one ASGI app: the VoiceOS API and the admin area, with a gate in front of the API (``_ApiGate``).

How the emulator's parts fit together: docs/internals.md, "The emulator".
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from .admin import ADMIN_PREFIX, admin_router
from .api import api_router, request_validation_handler
from .backend import Backend
from .controls import Controls
from .store import Store

__all__ = ["ADMIN_PREFIX", "Controls", "create_app"]

_DROP_MESSAGE: Final = "ASGI callable returned without completing response."

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


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
    """Logging, latency, faults, rate limit and auth for every API request (anything outside ``/_emulator/``).

    It logs the request on arrival, then applies, in order, the injected latency, injected faults, the
    rate limit and bearer authentication. It is plain ASGI rather than FastAPI middleware because it must
    be able to cut a connection mid-response (``drop_connection``) and see the raw, still percent-encoded
    path for the request log.
    """

    def __init__(self, app: ASGIApp, controls: Controls) -> None:
        self.app = app
        self.controls = controls

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

        limit_headers: dict[str, str] = {}

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                if limit_headers:
                    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in limit_headers.items()]
                    message = {**message, "headers": [*message.get("headers", []), *raw]}
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
            limit_headers.update(bucket.limit_headers())
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
        return hmac.compare_digest(presented, self.controls.token) and bool(presented)

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


def create_app(store: Store, *, token: str, controls: Controls | None = None) -> ASGIApp:
    """The emulator as an ASGI app serving ``store``, accepting ``token`` as the bearer token."""
    if not token:
        raise ValueError("the emulator needs a non-empty API token")
    controls = controls or Controls()
    controls.token = token.encode()
    logging.getLogger("uvicorn.error").addFilter(_drop_filter)
    app = FastAPI(
        title="VoiceOS emulator",
        description="A local stand-in for the VoiceOS phone-number API. The admin area is under /_emulator/.",
        docs_url=f"{ADMIN_PREFIX}/docs",
        redoc_url=None,
        openapi_url=f"{ADMIN_PREFIX}/openapi.json",
    )
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    backend = Backend(store)
    app.include_router(api_router(backend))
    app.include_router(admin_router(backend, controls))
    return _ApiGate(app, controls)
