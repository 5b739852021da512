"""A refresh of a fleet reads the account through one paged listing, not one GET per binding."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import deployment
from .test_reliability import AGENTS, TOKEN, assert_converged, bindings_for, numbers


@pytest.mark.alone  # 120 bindings through the engine take the machine
def test_refreshing_120_bindings_lists_the_account_once_and_drift_is_still_corrected(tmp_path: Path) -> None:
    nums = numbers(120, prefix="+1629")
    with deployment(tmp_path, token=TOKEN, numbers=nums, agents=AGENTS) as d:
        d.set_bindings(bindings_for(nums))
        d.up(parallel=8)
        drifted = nums[7], nums[55], nums[119]
        for number in drifted:
            d.emulator.seed(number, inbound_agent_id="agent_support" if nums.index(number) % 2 else "agent_sales")
        d.emulator.clear_requests()

        result = d.refresh()
        log = d.emulator.requests()
        assert [(r["method"], r["path"], r["query"]) for r in log] == [("GET", "/phone_numbers", "index=0&limit=200")]
        assert {str(k): v for k, v in (result.summary.resource_changes or {}).items()}.get("update") == 3

        d.emulator.clear_requests()
        d.up()
        patched = sorted(r["phone_number"] for r in d.emulator.requests() if r["method"] == "PATCH")
        assert patched == sorted(drifted)
        assert_converged(d, nums)

        # A plain `pulumi refresh` previews in a provider process of its own first: two listings in all.
        d.emulator.seed(nums[3], inbound_agent_id="agent_support")
        d.emulator.clear_requests()
        d.cli("refresh", "--yes")
        assert [r["path"] for r in d.emulator.requests()] == ["/phone_numbers", "/phone_numbers"]
        print(f"\nrefresh of 120 bindings: {len(log)} request (one page of the listing), 3 drifts found and corrected")
