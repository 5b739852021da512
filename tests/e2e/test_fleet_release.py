"""A fleet's release through the real CLI: it decides on a listing read at release time, not the deployment's."""

from __future__ import annotations

import threading
import time
from collections import Counter

from .test_fleet import Fleet, entries, fleet, numbers, seed

__all__ = ["fleet"]


def _rebind_once_patched(f: Fleet, patched: str, rebound: str, done: threading.Event) -> None:
    """Re-bind ``rebound`` in the dashboard as soon as the first PATCH of ``patched`` has been refused."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(r["method"] == "PATCH" and r["phone_number"] == patched for r in f.d.emulator.requests()):
            f.d.emulator.seed(rebound, inbound_agent_id="agent_billing")
            done.set()
            return
        time.sleep(0.05)


def test_a_number_rebound_after_the_deployments_listing_is_left_alone_when_its_entry_is_removed(
    fleet: Fleet,
) -> None:
    nums = numbers(21)
    seed(fleet, nums)
    fleet.declare([{"name": "us", "bindings": entries(nums[:20])}])
    fleet.d.up()
    # One up adds nums[20] (reading the deployment's listing first) and removes nums[15:20]. The added
    # number's first PATCH is refused with a Retry-After, and while the fleet waits to send it again,
    # nums[19] is re-bound in the dashboard: after the deployment's listing, before the release.
    fleet.d.emulator.inject_fault(status=503, retry_after=3, method="PATCH", phone_number=nums[20])
    fleet.declare([{"name": "us", "bindings": entries([*nums[:15], nums[20]])}])
    fleet.d.emulator.clear_requests()
    rebound = threading.Event()
    watcher = threading.Thread(target=_rebind_once_patched, args=(fleet, nums[20], nums[19], rebound))
    watcher.start()
    try:
        fleet.d.up()
    finally:
        watcher.join()
    assert rebound.is_set()
    # Two listings (the deployment's, then the release's), no GET of a number, and the PATCHes: the
    # added number's twice (refused, then sent again), each removed one still the fleet's once.
    assert fleet.requests() == Counter({("GET", False): 2, ("PATCH", True): 6})
    assert fleet.live(nums[19]) == "agent_billing"
    assert [fleet.live(n) for n in nums[15:19]] == [None] * 4 and fleet.live(nums[20]) == "agent_support"
    assert f"left {nums[19]} as it is" in "".join(fleet.d.output)
    assert sorted(fleet.state()["us"]["records"]) == sorted([*nums[:15], nums[20]])
