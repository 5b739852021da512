"""The VoiceOS phone-number API as the contract describes it (``shared/voiceos-api.md``).

Only the documented routes live here, answering the way VoiceOS does
(FastAPI-style 422s, ``{"detail": ...}`` errors). Test controls are in
``admin.py``; logging, latency, faults, rate limit and auth are applied in
front of these routes by the gate in ``app.py``.

Every validation error is rendered without the offending input: webhook header
values routinely hold the receiver's credentials, and a test server must not be
the thing that leaks them into a CI log.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..models import MAX_PAGE_SIZE, PhoneNumberStr, PhoneNumberUpdate
from .store import Store

__all__ = ["PathNumber", "api_router", "request_validation_handler"]

_HIDDEN: Final = "<value hidden>"

PathNumber = Annotated[PhoneNumberStr, Path(description="E.164; '+' may be sent raw or as %2B")]


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


async def request_validation_handler(_: Request, exc: Exception) -> Response:
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


# -- the routes -----------------------------------------------------------------------------


def api_router(store: Store) -> APIRouter:
    """The documented ``/phone_numbers`` routes over ``store``."""
    router = APIRouter()

    def not_found(phone_number: str) -> JSONResponse:
        detail = f"phone number {phone_number} not found in account {store.account_id}"
        return JSONResponse({"detail": detail}, status_code=404)

    @router.get("/phone_numbers/{phone_number}")
    async def get_phone_number(phone_number: PathNumber) -> Response:
        found = await run_in_threadpool(store.get, phone_number)
        return not_found(phone_number) if found is None else JSONResponse(found)

    @router.patch("/phone_numbers/{phone_number}")
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

    @router.delete("/phone_numbers/{phone_number}", status_code=204)
    async def delete_phone_number(phone_number: PathNumber, release_phone_number: bool = False) -> Response:
        # Releasing to the carrier has no separate effect here: either way the
        # number leaves the account.
        if not await run_in_threadpool(store.delete, phone_number):
            return not_found(phone_number)
        return Response(status_code=204)

    @router.get("/phone_numbers")
    async def list_phone_numbers(
        index: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50
    ) -> Response:
        items, has_more = await run_in_threadpool(store.page, index, limit)
        return JSONResponse({"items": items, "index": index, "has_more": has_more})

    return router
