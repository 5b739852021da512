"""``voiceos:maxRequestsPerSecond`` through the real CLI: the run's rate, read from the emulator's request log."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi import automation as auto

from benchmarks.pacing import peak_rate

from .harness import deployment
from .test_fleet import Fleet, entries, numbers
from .test_flows import AGENTS, TOKEN

pytestmark = [pytest.mark.e2e]

BUDGET = 20.0


def test_a_budget_holds_a_fleet_and_bindings_to_it_over_the_run_and_over_every_two_seconds(tmp_path: Path) -> None:
    nums = numbers(150, prefix="+1629")
    alone = numbers(10, prefix="+1630")
    with deployment(tmp_path, program="fleet", token=TOKEN, numbers=nums + alone, agents=AGENTS) as d:
        d.stack.set_config("voiceos:maxRequestsPerSecond", auto.ConfigValue(f"{BUDGET:g}"))
        fleet = Fleet(d)
        bindings = [
            {"name": f"b{i}", "phone_number": n, "inbound_agent_id": "agent_support"} for i, n in enumerate(alone)
        ]
        fleet.declare([{"name": "us", "bindings": entries(nums)}], bindings)
        d.emulator.clear_requests()
        d.up(parallel=16)
        log = d.emulator.requests()
        assert set(fleet.live_all(nums + alone).values()) == {"agent_support"}
    times = sorted(r["time"] for r in log)
    # The previews' reads count too: every request of the provider process waits its turn.
    assert sum(1 for r in log if r["method"] == "PATCH") == len(nums) + len(alone)
    # Requests start 1/budget apart; slack for a loaded machine: answers may arrive bunched.
    whole = (len(times) - 1) / (times[-1] - times[0])
    assert whole <= 1.05 * BUDGET, f"{whole:.1f} requests/s over the run"
    assert peak_rate(times, 2.0) <= 1.5 * BUDGET, f"{peak_rate(times, 2.0):.1f} requests/s in two seconds"
