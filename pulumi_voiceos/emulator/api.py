"""The VoiceOS phone-number routes of the contract (``shared/voiceos-api.md``), as HTTP.

Each route hands the request to ``backend``, where the API's behaviour is written once, and sends back its answer.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from .backend import Answer, Backend

__all__ = ["api_router", "request_validation_handler", "respond"]


def respond(answer: Answer) -> Response:
    status, body = answer
    return Response(status_code=status) if body is None else JSONResponse(body, status_code=status)


async def request_validation_handler(_: Request, exc: Exception) -> Response:
    """FastAPI's own 422s (the admin area's bodies), as ``{loc, msg, type}`` without the input."""
    assert isinstance(exc, RequestValidationError)
    detail: list[dict[str, Any]] = [
        {
            "loc": list(error.get("loc", ())),
            "msg": str(error.get("msg", "")).removeprefix("Value error, "),
            "type": str(error.get("type", "value_error")),
        }
        for error in exc.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def api_router(backend: Backend) -> APIRouter:
    """The documented ``/phone_numbers`` routes over ``backend``."""
    router = APIRouter()

    @router.get("/phone_numbers/{phone_number}")
    async def get_phone_number(phone_number: str) -> Response:
        return respond(await run_in_threadpool(backend.get, phone_number))

    @router.patch("/phone_numbers/{phone_number}")
    async def update_phone_number(phone_number: str, request: Request) -> Response:
        body = await request.body()
        return respond(await run_in_threadpool(backend.patch, phone_number, body))

    @router.delete("/phone_numbers/{phone_number}")
    async def delete_phone_number(phone_number: str, request: Request) -> Response:
        release = request.query_params.get("release_phone_number")
        return respond(await run_in_threadpool(backend.delete, phone_number, release))

    @router.get("/phone_numbers")
    async def list_phone_numbers(request: Request) -> Response:
        query = request.query_params
        return respond(await run_in_threadpool(backend.page, query.get("index"), query.get("limit")))

    return router
