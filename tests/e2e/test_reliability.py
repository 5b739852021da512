"""Faults and load through the real engine: blips do not fail a deploy, real failures
say what happened, and reruns converge with no binding duplicated or lost."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from .harness import Deployment, deployment

TOKEN = "SENTINEL-RELIABILITY-TOKEN-e81f"
AGENTS = ["agent_support", "agent_sales"]
EVENT = "phone_call:connection_requested"


def numbers(count: int, prefix: str = "+1628") -> list[str]:
    return [f"{prefix}555{i:04d}" for i in range(count)]


def bindings_for(nums: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "name": f"line-{i}",
            "phone_number": n,
            "inbound_agent_id": AGENTS[i % 2],
            "webhooks": [{"events": [EVENT], "url": f"https://hooks.example.com/{i}"}],
        }
        for i, n in enumerate(nums)
    ]


def assert_converged(d: Deployment, nums: list[str]) -> None:
    """Every number has exactly its declared binding, and state holds one resource per number."""
    for i, n in enumerate(nums):
        held = d.emulator.get_number(n)
        assert held is not None
        assert held["inbound_agent_id"] == AGENTS[i % 2], n
        assert [w["url"] for w in held["webhooks"]] == [f"https://hooks.example.com/{i}"], n
    ids = sorted(r["id"] for r in d.resources())
    assert ids == sorted(nums)


@pytest.fixture
def twenty(tmp_path: Path) -> Any:
    nums = numbers(20)
    with deployment(tmp_path, token=TOKEN, numbers=nums, agents=AGENTS, fresh_emulator=True) as d:
        d.set_bindings(bindings_for(nums))
        yield d, nums


def test_intermittent_5xx_and_dropped_connections_do_not_fail_an_up(twenty: Any) -> None:
    d, nums = twenty
    d.emulator.inject_fault(status=503, probability=0.25, seed=7)
    d.emulator.inject_fault(status=502, probability=0.1, seed=8, drop_connection=True)
    d.up(parallel=8)
    log = d.emulator.requests()
    failed = [r for r in log if r["status"] != 200]
    assert failed, "the fault injection did not fire; the test proves nothing"
    d.emulator.clear_faults()
    assert_converged(d, nums)
    print(f"\nintermittent faults: {len(log)} requests, {len(failed)} failed and retried, 20/20 bound")


def test_rate_limit_retry_after_is_honoured_through_the_engine(tmp_path: Path) -> None:
    nums = numbers(1)
    with deployment(tmp_path, token=TOKEN, numbers=nums, agents=AGENTS, fresh_emulator=True) as d:
        d.set_bindings(bindings_for(nums))
        d.emulator.inject_fault(status=429, count=1, retry_after=2, method="PATCH")
        d.up()
        patches = [r for r in d.emulator.requests() if r["method"] == "PATCH"]
        assert [r["status"] for r in patches] == [429, 200]
        gap = patches[1]["time"] - patches[0]["time"]
        assert gap >= 2.0
        print(f"\n429 with Retry-After: 2 -> retried after {gap:.2f}s")


def test_a_permanent_failure_names_the_number_and_a_rerun_converges(tmp_path: Path) -> None:
    nums = numbers(3)
    broken = nums[1]
    extra = {"VOICEOS_MAX_RETRY_SECONDS": "3", "VOICEOS_MAX_ATTEMPTS": "3"}
    with deployment(tmp_path, token=TOKEN, numbers=nums, agents=AGENTS, extra_env=extra, fresh_emulator=True) as d:
        d.set_bindings(bindings_for(nums))
        d.emulator.inject_fault(status=500, permanent=True, phone_number=broken, method="PATCH")
        with pytest.raises(auto.CommandError) as exc:
            d.up()
        message = str(exc.value)
        assert f"PATCH /phone_numbers/{broken}" in message and "500" in message
        assert TOKEN not in message
        assert sorted(r["id"] for r in d.resources()) == sorted([nums[0], nums[2]])
        d.emulator.clear_faults()
        d.up()
        assert_converged(d, nums)


def test_emulator_killed_mid_up_then_rerun_converges(tmp_path: Path) -> None:
    nums = numbers(20)
    extra = {"VOICEOS_MAX_RETRY_SECONDS": "2", "VOICEOS_MAX_ATTEMPTS": "2"}
    with deployment(tmp_path, token=TOKEN, numbers=nums, agents=AGENTS, extra_env=extra, fresh_emulator=True) as d:
        d.set_bindings(bindings_for(nums))
        d.emulator.set_latency(150)
        errors: list[BaseException] = []

        def run_up() -> None:
            try:
                d.up(parallel=4)
            except auto.CommandError as exc:
                errors.append(exc)

        worker = threading.Thread(target=run_up)
        worker.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if sum(1 for r in d.emulator.requests() if r["method"] == "PATCH") >= 4:
                break
            time.sleep(0.05)
        d.emulator.kill()
        worker.join(timeout=120)
        assert not worker.is_alive()
        assert errors, "up should fail while the API is down"
        d.emulator.start()
        d.env_vars["VOICEOS_API_URL"] = d.emulator.url
        d.emulator.set_latency(0)
        d.refresh()
        d.up()
        assert_converged(d, nums)


@pytest.mark.slow
def test_two_hundred_bindings_under_a_rate_limit(tmp_path: Path) -> None:
    nums = numbers(200, prefix="+1646")
    with deployment(tmp_path, token=TOKEN, numbers=nums, agents=AGENTS, fresh_emulator=True) as d:
        d.set_bindings(bindings_for(nums))
        figures: dict[str, dict[str, float]] = {}
        for name, step in (
            ("up", lambda: d.up(parallel=16)),
            ("refresh", lambda: d.refresh(parallel=16)),
            ("destroy", lambda: d.destroy(parallel=16)),
        ):
            d.emulator.clear_requests()
            d.emulator.set_rate_limit(20, burst=20)
            started = time.monotonic()
            step()
            d.emulator.set_rate_limit(0)  # the checks below read through the same API
            log = d.emulator.requests()
            figures[name] = {
                "seconds": round(time.monotonic() - started, 1),
                "requests": len(log),
                "rate_limited": sum(1 for r in log if r["status"] == 429),
            }
            if name == "up":
                assert_converged(d, nums)
        for n in nums:
            held = d.emulator.get_number(n)
            assert held is not None and held["inbound_agent_id"] is None and held["webhooks"] == []
        # The pacer reads the emulator's RateLimit headers and keeps to the limit, so few or no requests are
        # refused; the limit still shaped the run: it took at least what the bucket allows beyond its burst.
        up = figures["up"]
        assert up["seconds"] >= (up["requests"] - up["rate_limited"] - 20) / 20, "the rate limit never bit"
        assert up["rate_limited"] <= 0.05 * up["requests"]
        print("\nload, 200 bindings at 20 req/s:", json.dumps(figures))


def test_sigint_mid_up_leaves_state_consistent_after_refresh(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess

    nums = numbers(20)
    with deployment(tmp_path, token=TOKEN, numbers=nums, agents=AGENTS, fresh_emulator=True) as d:
        d.set_bindings(bindings_for(nums))
        d.emulator.set_latency(200)
        up = subprocess.Popen(
            ["pulumi", "up", "--yes", "--skip-preview", "--parallel", "2", "--stack", "test", "--non-interactive"],
            cwd=d.work_dir,
            env={**os.environ, **d.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and up.poll() is None:
            if sum(1 for r in d.emulator.requests() if r["method"] == "PATCH") >= 3:
                break
            time.sleep(0.05)
        up.send_signal(signal.SIGINT)
        output, _ = up.communicate(timeout=120)
        assert up.returncode != 0, output
        d.emulator.set_latency(0)
        d.refresh()
        recorded = {r["id"]: r["outputs"] for r in d.resources()}
        assert 0 < len(recorded) < 20, "the interrupt should land mid-run"
        for number, outputs in recorded.items():
            held = d.emulator.get_number(number)
            assert held is not None and held["inbound_agent_id"] == outputs["inbound_agent_id"]
        d.up()
        assert_converged(d, nums)
