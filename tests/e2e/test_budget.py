"""``voiceos:maxRequestsPerSecond`` through the real CLI: the run's rate, read from the emulator's request log."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.pacing import peak_rate

from ..docs import one_block
from .harness import deployment
from .test_fleet import Fleet, entries, numbers
from .test_flows import AGENTS, TOKEN

pytestmark = [pytest.mark.e2e]


def test_the_docs_budget_holds_a_fleet_and_bindings_to_it_over_the_run_and_every_two_seconds(tmp_path: Path) -> None:
    """docs/plans-and-long-runs.md's settings, run as a user types them, then an up of a fleet and bindings."""
    block = one_block("docs-command", "budget", "sh")
    assert "voiceos:maxRequestsPerSecond 20" in block
    budget = 20.0
    nums, alone = numbers(150, prefix="+1629"), numbers(10, prefix="+1630")
    with deployment(tmp_path, program="fleet", token=TOKEN, numbers=nums + alone, agents=AGENTS) as d:
        fleet = Fleet(d)
        bindings = [
            {"name": f"b{i}", "phone_number": n, "inbound_agent_id": "agent_support"} for i, n in enumerate(alone)
        ]
        fleet.declare([{"name": "us", "bindings": entries(nums)}], bindings)
        d.emulator.clear_requests()
        run = d.bash(f"{block}\npulumi up --yes --non-interactive --parallel 16\n", {**os.environ, **d.env})
        assert run.returncode == 0, run.stdout + run.stderr
        log = d.emulator.requests()
        assert set(fleet.live_all(nums + alone).values()) == {"agent_support"}
    times = sorted(r["time"] for r in log)
    # The preview's reads count too: every request of the provider process waits its turn.
    assert sum(1 for r in log if r["method"] == "PATCH") == len(nums) + len(alone)
    # Requests start 1/budget apart; slack for a loaded machine, where answers may arrive bunched.
    whole = (len(times) - 1) / (times[-1] - times[0])
    assert whole <= 1.05 * budget, f"{whole:.1f} requests/s over the run"
    assert peak_rate(times, 2.0) <= 1.5 * budget, f"{peak_rate(times, 2.0):.1f} requests/s in two seconds"


@pytest.mark.parametrize(
    ("value", "words"), [("0", "must be more than 0"), ("1.5", "must be at most 1")], ids=["zero", "above-one"]
)
def test_a_budget_out_of_range_fails_the_preview_naming_the_setting(tmp_path: Path, value: str, words: str) -> None:
    nums = numbers(2, prefix="+1631")
    with deployment(tmp_path, program="fleet", token=TOKEN, numbers=nums, agents=AGENTS) as d:
        Fleet(d).declare([{"name": "us", "bindings": entries(nums)}])
        key = "voiceos:maxRequestsPerSecond" if value == "0" else "voiceos:rateLimitShare"
        run = d.bash(f"pulumi config set {key} {value}\npulumi preview --non-interactive\n", {**os.environ, **d.env})
        assert run.returncode != 0
        assert f"{key} must be {words.split('must be ')[1]}" in run.stdout + run.stderr
        assert [r for r in d.emulator.requests() if r["method"] == "PATCH"] == []
