"""The emulator's admin area under ``/_emulator/``: test controls, not part of VoiceOS.

Tests seed numbers and agents here, inject faults, latency and rate limits, and read the log of API requests.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr
from starlette.concurrency import run_in_threadpool

from .api import respond
from .backend import Backend, parse_body
from .controls import Controls, FaultSpec, TokenBucket
from .rules import AgentIdText, MethodName, PhoneNumberText, WebhookWrite

__all__ = ["ADMIN_PREFIX", "MAX_BULK_SEED", "admin_router"]

ADMIN_PREFIX: Final = "/_emulator"
MAX_BULK_SEED: Final = 5_000
"""Numbers one bulk seed may carry; bigger accounts are seeded in several calls."""


class SeedSpec(BaseModel):
    """Body of ``POST /_emulator/numbers``."""

    model_config = ConfigDict(extra="forbid")

    phone_number: PhoneNumberText
    inbound_agent_id: StrictStr | None = None
    webhooks: list[WebhookWrite] = Field(default_factory=list)
    """Held to the rules a PATCH is, and stored as a PATCH stores them."""
    auth_token: str | None = Field(None, min_length=1, repr=False)


class AgentsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[AgentIdText]


class WipeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: StrictStr = Field(min_length=1)
    agents: list[AgentIdText] = []
    numbers: list[PhoneNumberText] = []


class LatencySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ms: int = Field(ge=0, le=600_000)
    method: MethodName | None = None


class RateLimitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    per_second: float = Field(ge=0)
    burst: int | None = Field(None, ge=1)
    headers: bool = True
    """RateLimit-* and X-RateLimit-* headers on every answer; false: only 429 with Retry-After."""


class BulkSeedSpec(BaseModel):
    """Body of ``POST /_emulator/numbers/bulk``."""

    model_config = ConfigDict(extra="forbid")

    numbers: list[SeedSpec] = Field(max_length=MAX_BULK_SEED)


PathNumber = Annotated[PhoneNumberText, Path(description="E.164; '+' may be sent raw or as %2B")]


def _hooks(webhooks: list[WebhookWrite]) -> list[dict[str, Any]]:
    # As sent: fields left out stay out (the backend gives them the write defaults), unknown ones stay.
    return [w.model_dump(exclude_unset=True) for w in webhooks]


def admin_router(backend: Backend, controls: Controls) -> APIRouter:
    """The ``/_emulator/`` routes: seed numbers (one at a time, in bulk, or from raw JSON holding whatever a
    real account may hold), make agents known, inject faults, latency and rate limits, read the request log.

    Requests here are neither logged nor authenticated, nor subject to injected trouble.
    """
    router = APIRouter(prefix=ADMIN_PREFIX)
    store = backend.store

    @router.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @router.post("/numbers")
    async def seed_number(spec: SeedSpec) -> Response:
        seeded = await run_in_threadpool(
            lambda: backend.seed(
                spec.phone_number,
                inbound_agent_id=spec.inbound_agent_id,
                webhooks=_hooks(spec.webhooks),
                auth_token=spec.auth_token,
            )
        )
        return JSONResponse(seeded)

    @router.post("/numbers/bulk")
    async def seed_numbers(spec: BulkSeedSpec) -> dict[str, int]:
        rows = [
            {
                "phone_number": n.phone_number,
                "inbound_agent_id": n.inbound_agent_id,
                "webhooks": _hooks(n.webhooks),
                "auth_token": n.auth_token,
            }
            for n in spec.numbers
        ]
        return {"seeded": await run_in_threadpool(backend.seed_many, rows)}

    @router.get("/numbers/count")
    async def count_numbers() -> dict[str, int]:
        return {"count": await run_in_threadpool(store.count)}

    @router.get("/numbers/{phone_number}")
    async def peek_number(phone_number: PathNumber) -> Response:
        # What the account holds, for tests to compare with: not an API request, so never logged or faulted.
        found = await run_in_threadpool(store.get, phone_number)
        if found is None:
            return JSONResponse({"detail": f"phone number {phone_number} is not in the account"}, status_code=404)
        return JSONResponse(found)

    @router.put("/numbers/{phone_number}/raw")
    async def seed_raw_number(phone_number: PathNumber, request: Request) -> Response:
        """The number as exactly this JSON object: any of its fields, any values (see ``Backend.seed_raw``)."""
        fields, invalid = parse_body(await request.body())
        if invalid is not None:
            return respond(invalid)
        return respond(await run_in_threadpool(backend.seed_raw, phone_number, fields))

    @router.delete("/numbers/{phone_number}")
    async def remove_number(phone_number: PathNumber) -> dict[str, bool]:
        return {"removed": await run_in_threadpool(store.delete, phone_number)}

    @router.post("/agents")
    async def add_agents(spec: AgentsSpec) -> dict[str, list[str]]:
        await run_in_threadpool(store.add_agents, spec.ids)
        return {"agents": sorted(await run_in_threadpool(store.agents))}

    @router.post("/faults")
    async def add_fault(spec: FaultSpec) -> dict[str, int]:
        controls.add_fault(spec)
        return {"faults": len(controls.faults)}

    @router.delete("/faults")
    async def clear_faults() -> dict[str, int]:
        controls.faults.clear()
        return {"faults": 0}

    @router.post("/latency")
    async def set_latency(spec: LatencySpec) -> dict[str, Any]:
        controls.latency_ms = spec.ms
        controls.latency_method = spec.method if spec.ms else None
        return {"ms": controls.latency_ms, "method": controls.latency_method}

    @router.post("/rate_limit")
    async def set_rate_limit(spec: RateLimitSpec) -> dict[str, Any]:
        if spec.per_second == 0:
            controls.bucket = None
            return {"per_second": 0, "burst": None}
        burst = spec.burst or max(1, math.ceil(spec.per_second))
        controls.bucket = TokenBucket(
            per_second=spec.per_second, burst=burst, tokens=float(burst), headers=spec.headers
        )
        return {"per_second": spec.per_second, "burst": burst, "headers": spec.headers}

    @router.get("/requests")
    async def list_requests() -> dict[str, Any]:
        return {"requests": [dict(e) for e in controls.log], "overflow": controls.log_overflow}

    @router.delete("/requests")
    async def clear_requests() -> dict[str, int]:
        controls.clear_log()
        return {"requests": 0}

    @router.post("/reset")
    async def reset() -> dict[str, bool]:
        controls.reset()
        return {"ok": True}

    @router.post("/wipe")
    async def wipe(spec: WipeSpec) -> dict[str, bool]:
        # The emulator as a new process would start: a test reuses it without paying for a start.
        def fresh() -> None:
            backend.store.wipe()
            backend.store.add_agents(spec.agents)
            for number in spec.numbers:
                backend.store.ensure(number)

        await run_in_threadpool(fresh)
        controls.reset()
        controls.token = spec.token.encode()
        return {"ok": True}

    return router
