"""The native provider's Cancel and a fleet's progress, with its hooks called as the gRPC server calls them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping

import pytest
from pulumi.provider.experimental.provider import CreateRequest, UpdateRequest

from pulumi_voiceos.api.pacing import STATUS
from pulumi_voiceos.core.config import Settings
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.native.errors import InitFailed
from pulumi_voiceos.native.provider import VoiceOSProvider

from ..helpers import native_provider
from .test_fleet import URN, checked, fleet_inputs, native, run

__all__ = ["native"]

BOUND = {"inboundAgentId": "agent_support"}


def _seed(api: EmulatorProcess, count: int, block: str) -> list[str]:
    numbers = [f"+1{block}{i:04d}" for i in range(count)]
    api.seed_many([{"phone_number": n} for n in numbers])
    api.clear_requests()
    return numbers


def _patched(api: EmulatorProcess) -> list[str]:
    return [r["phone_number"] for r in api.requests() if r["method"] == "PATCH" and r["status"] == 200]


def test_a_cancel_during_a_fleet_create_starts_no_new_write_and_the_next_up_writes_only_the_rest(
    native: VoiceOSProvider, api: EmulatorProcess
) -> None:
    numbers = _seed(api, 300, "808555")
    props = checked(native, fleet_inputs(dict.fromkeys(numbers, BOUND)))
    api.set_latency(20, method="PATCH")

    cancelled_at: list[float] = []

    async def create_then_cancel() -> None:
        creating = asyncio.ensure_future(native.create(CreateRequest(URN, props, 60, preview=False)))
        # Cancel once writes are under way, however long a loaded machine takes to start them.
        while not await asyncio.to_thread(_patched, api):
            await asyncio.sleep(0.02)
        cancelled_at.append(time.time())
        await native.cancel()
        await creating

    with pytest.raises(InitFailed) as exc:
        run(create_then_cancel())
    written = _patched(api)
    assert 0 < len(written) < len(numbers)
    patches = [r for r in api.requests() if r["method"] == "PATCH"]
    # Every write that reached the API finished. Those that arrived after the cancel (the log stamps arrivals)
    # can only be the ones already sent, at most a pool's worth: a loaded machine delays an arrival, not a start.
    assert len(patches) == len(written)
    late = [r for r in patches if r["time"] >= cancelled_at[0]]
    assert len(late) <= Settings.max_concurrency, late  # the default, which this provider runs with
    recorded = exc.value.properties["records"].value
    assert isinstance(recorded, Mapping) and set(recorded) == set(written)
    message = str(exc.value)
    left = len(numbers) - len(written)
    assert f"{left} of {len(numbers)} numbers were not bound: the update was cancelled" in message
    assert "could not be bound" not in message
    # The engine records that state; the next up (a new provider process) writes the rest, once each.
    api.set_latency(0)
    api.clear_requests()
    native = native_provider(api.url)  # the next up: a new provider process
    news = checked(native, fleet_inputs(dict.fromkeys(numbers, BOUND)), props)
    run(native.update(UpdateRequest(URN, exc.value.resource_id, exc.value.properties, news, 60, [], preview=False)))
    assert sorted(_patched(api)) == sorted(set(numbers) - set(written))
    assert all(api.peek(n)["inbound_agent_id"] == "agent_support" for n in numbers)  # type: ignore[index]


def test_a_long_fleet_write_reports_its_progress_as_a_status_and_a_short_one_does_not(
    native: VoiceOSProvider, api: EmulatorProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pulumi_voiceos")
    numbers = _seed(api, 120, "808556")
    api.set_latency(150, method="PATCH")  # 120 writes, 16 at once: about 1.2 s
    run(native.create(CreateRequest(URN, checked(native, fleet_inputs(dict.fromkeys(numbers, BOUND))), 60, False)))
    statuses = [r.getMessage() for r in caplog.records if hasattr(r, STATUS)]
    assert statuses and statuses[-1] == "bound 120 of 120 numbers"
    caplog.clear()
    api.set_latency(0)
    short = _seed(api, 5, "808557")
    native = native_provider(api.url)  # a new provider process: its own status period
    run(native.create(CreateRequest(URN, checked(native, fleet_inputs(dict.fromkeys(short, BOUND))), 60, False)))
    assert not [r for r in caplog.records if hasattr(r, STATUS)]
