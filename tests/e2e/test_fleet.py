"""``PhoneNumberFleet`` through the real CLI and engine, each flow reading the LIVE numbers back.

The dynamic fleet runs from a Python program (tests/e2e/programs/fleet, which
reads ``declared.json`` beside it), the native one from YAML. The request log
shows that a fleet reads through one listing and writes only what changes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto

from pulumi_voiceos.core.fleet_record import FleetRecord

from ..helpers import fleet_knows
from .harness import NEEDS_SDK_3_269, PROJECT, Deployment, deployment
from .test_flows import AGENTS, CARRIER, TOKEN, summary

HOOK: dict[str, Any] = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/fleet"}
WEBHOOK_SECRET = "SENTINEL-FLEET-WEBHOOK-SECRET-2b2b"


def numbers(count: int, prefix: str = "+1628") -> list[str]:
    return [f"{prefix}{index:07d}" for index in range(count)]


def entries(nums: list[str], agent: str = "agent_support", **extra: Any) -> dict[str, Any]:
    return {n: {"inbound_agent_id": agent, **extra} for n in nums}


class Fleet:
    """A stack of the fleet program, declared by rewriting its declared.json."""

    def __init__(self, d: Deployment) -> None:
        self.d = d

    def declare(self, fleets: list[dict[str, Any]], bindings: list[dict[str, Any]] | None = None) -> None:
        (self.d.work_dir / "declared.json").write_text(json.dumps({"fleets": fleets, "bindings": bindings or []}))

    def requests(self) -> Counter[tuple[str, bool]]:
        """Requests by method and whether they name a number (a listing names none)."""
        return Counter((r["method"], r["phone_number"] is not None) for r in self.d.emulator.requests())

    def patched(self) -> list[str]:
        return sorted(r["phone_number"] for r in self.d.emulator.requests() if r["method"] == "PATCH")

    def patches(self) -> list[tuple[str, Any]]:
        return sorted(
            (r["phone_number"], json.dumps(r["body"], sort_keys=True))
            for r in self.d.emulator.requests()
            if r["method"] == "PATCH"
        )

    def live(self, number: str) -> str | None:
        got = self.d.emulator.get_number(number)
        assert got is not None, number
        agent: str | None = got["inbound_agent_id"]
        return agent

    def live_all(self, nums: list[str]) -> dict[str, str | None]:
        """Every number's live agent, from the emulator's own listing (the admin area, not the API)."""
        return {n: self.live(n) for n in nums}

    def state(self, part: str = "outputs") -> dict[str, Any]:
        """The fleets in state, by name, with their outputs (or ``part``: their inputs)."""
        deployment = json.loads(self.d.cli("stack", "export", "--show-secrets").stdout)["deployment"]
        return {
            r["urn"].rsplit("::", 1)[-1]: r[part]
            for r in deployment.get("resources", [])
            if r["type"].endswith("PhoneNumberFleet")
        }


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    with deployment(tmp_path, program="fleet", token=TOKEN, numbers=[], agents=AGENTS) as d:
        d.stack.set_config("webhookSecret", auto.ConfigValue(WEBHOOK_SECRET, secret=True))
        yield Fleet(d)


def seed(f: Fleet, nums: list[str]) -> None:
    f.d.emulator.seed_many([{"phone_number": n, "auth_token": CARRIER} for n in nums])
    f.d.emulator.clear_requests()


@pytest.mark.alone  # a thousand entries through the engine take the machine
def test_a_fleet_of_a_thousand_is_one_resource_one_listing_and_a_patch_per_number(fleet: Fleet) -> None:
    nums = numbers(1000)
    seed(fleet, nums)
    fleet.declare([{"name": "us", "bindings": entries(nums, webhooks=[HOOK])}])
    result = fleet.d.up()
    assert summary(result) == {"create": 2}  # the fleet and the stack
    # ceil(1000 / 200) pages of the listing (the account holds exactly these numbers), one PATCH each.
    assert fleet.requests() == Counter({("GET", False): 5, ("PATCH", True): 1000})
    assert set(fleet.live_all(nums).values()) == {"agent_support"}
    [outputs], [inputs] = fleet.state().values(), fleet.state("inputs").values()
    assert len(inputs["bindings"]) == 1000 and inputs["bindings"][nums[0]]["webhooks"][0]["url"] == HOOK["url"]
    assert len(outputs["records"]) == 1000 and fleet_knows(outputs, nums[0], fleet.d.emulator.get_number(nums[0]))
    assert FleetRecord.parse(outputs["records"][nums[0]]).provider == "twilio"
    assert result.outputs["us.count"].value == 1000 and result.outputs["us.tokens"].secret

    fleet.d.emulator.clear_requests()
    assert summary(fleet.d.preview()) == {"same": 2}
    assert fleet.d.emulator.requests() == []  # a no-change preview reads nothing

    # Ten entries change their agent: ten PATCHes, each of the agent alone.
    changed = nums[:10]
    fleet.declare(
        [
            {
                "name": "us",
                "bindings": {**entries(nums, webhooks=[HOOK]), **entries(changed, "agent_sales", webhooks=[HOOK])},
            }
        ]
    )
    fleet.d.emulator.clear_requests()
    assert summary(fleet.d.up()) == {"update": 1, "same": 1}
    assert fleet.patches() == [(n, json.dumps({"inbound_agent_id": "agent_sales"})) for n in changed]
    assert fleet.requests() == Counter({("PATCH", True): 10})
    assert {n: fleet.live(n) for n in changed} == dict.fromkeys(changed, "agent_sales")
    assert fleet.live(nums[10]) == "agent_support"

    fleet.d.emulator.clear_requests()
    fleet.d.destroy()
    # A release decides on a listing read at release time (someone may have re-bound a number since the last one).
    assert fleet.requests() == Counter({("GET", False): 5, ("PATCH", True): 1000})
    assert set(fleet.live_all(nums).values()) == {None}
    assert fleet.state() == {}


def test_the_dynamic_fleets_preview_diff_shows_the_whole_map_with_the_changed_entry_marked(fleet: Fleet) -> None:
    # What the README says the engine shows for a dynamic provider: every entry, `~` on the changed one.
    nums = numbers(4)
    seed(fleet, nums)
    fleet.declare([{"name": "us", "bindings": entries(nums)}])
    fleet.d.up()
    fleet.declare([{"name": "us", "bindings": {**entries(nums), nums[2]: {"inbound_agent_id": "agent_sales"}}}])
    fleet.d.emulator.clear_requests()
    preview = fleet.d.cli("preview", "--diff")
    assert preview.returncode == 0 and fleet.d.emulator.requests() == []
    shown = preview.stdout
    assert all(n in shown for n in nums)
    assert f"~ {nums[2]}: {{" in shown and 'inbound_agent_id: "agent_support" => "agent_sales"' in shown
    assert f"~ {nums[1]}" not in shown
    assert fleet.live(nums[2]) == "agent_support"


def test_removed_entries_are_unbound_but_one_someone_rebound_is_left_alone(fleet: Fleet) -> None:
    nums = numbers(20)
    seed(fleet, nums)
    fleet.declare([{"name": "us", "bindings": entries(nums)}])
    fleet.d.up()
    fleet.d.emulator.seed(nums[19], inbound_agent_id="agent_billing")  # the dashboard, since
    fleet.declare([{"name": "us", "bindings": entries(nums[:15])}])
    fleet.d.emulator.clear_requests()
    fleet.d.up()
    assert fleet.patched() == sorted(nums[15:19])
    assert [fleet.live(n) for n in nums[15:19]] == [None] * 4
    assert fleet.live(nums[19]) == "agent_billing"
    assert f"left {nums[19]} as it is" in "".join(fleet.d.output)
    assert set(fleet.state()["us"]["records"]) == set(nums[:15])


def test_a_new_entry_for_a_number_bound_elsewhere_is_refused_naming_it_and_nothing_moves(fleet: Fleet) -> None:
    nums = numbers(10)
    seed(fleet, nums)
    fleet.declare([{"name": "us", "bindings": entries(nums[:8])}])
    fleet.d.up()
    fleet.d.emulator.seed(nums[9], inbound_agent_id="agent_billing")
    fleet.declare([{"name": "us", "bindings": {**entries(nums[:8], "agent_sales"), **entries(nums[8:])}}])
    fleet.d.emulator.clear_requests()
    preview = fleet.d.cli("preview", check=False)
    assert preview.returncode != 0
    assert (
        f'bindings["{nums[9]}"]' in preview.stdout
        and "already bound to inbound_agent_id='agent_billing'" in preview.stdout
    )
    with pytest.raises(auto.CommandError) as exc:
        fleet.d.up()
    assert nums[9] in str(exc.value)
    assert fleet.patched() == []  # not even the eight agent changes of the same up
    assert fleet.live(nums[9]) == "agent_billing" and fleet.live(nums[0]) == "agent_support"


def test_numbers_move_from_a_fleet_to_a_binding_and_back_without_being_unbound(fleet: Fleet) -> None:
    nums = numbers(6)
    seed(fleet, nums)
    fleet.declare([{"name": "us", "bindings": entries(nums)}])
    fleet.d.up()
    # Two numbers leave the fleet for standalone bindings of the same program (declared after the fleet).
    moved = [
        {"name": f"line-{i}", "phone_number": n, "inbound_agent_id": "agent_support"} for i, n in enumerate(nums[4:])
    ]
    fleet.declare([{"name": "us", "bindings": entries(nums[:4])}], moved)
    fleet.d.emulator.clear_requests()
    fleet.d.up()
    assert fleet.patched() == []  # handed over: the bindings adopt, the fleet lets go without a write
    assert [fleet.live(n) for n in nums] == ["agent_support"] * 6
    # And back into a second fleet, the bindings removed.
    fleet.declare([{"name": "us", "bindings": entries(nums[:4])}, {"name": "eu", "bindings": entries(nums[4:])}])
    fleet.d.emulator.clear_requests()
    fleet.d.up()
    assert fleet.patched() == []
    assert [fleet.live(n) for n in nums] == ["agent_support"] * 6
    assert "handed over" in "".join(fleet.d.output)
    assert set(fleet.state()["eu"]["records"]) == set(nums[4:])


@NEEDS_SDK_3_269
def test_a_number_moves_to_a_binding_whose_agent_takes_seconds_to_compute_and_back_without_an_unbind(
    fleet: Fleet,
) -> None:
    # The binding's agent id is the output of a resource that takes 5 s to create, so the engine registers
    # the binding seconds after the fleet's update lets the number go: no rule of timing may decide it.
    nums = numbers(3, "+1627")
    seed(fleet, nums)
    fleet.declare([{"name": "us", "bindings": entries(nums)}])
    fleet.d.up()
    slow = {"name": "line", "phone_number": nums[0], "inbound_agent_id": "agent_support", "slow_agent": 5}
    fleet.declare([{"name": "us", "bindings": entries(nums[1:])}], [slow])
    fleet.d.emulator.clear_requests()
    fleet.d.up()
    assert fleet.patched() == []  # no unbind of the moved number at any moment, and nothing else written
    assert [fleet.live(n) for n in nums] == ["agent_support"] * 3
    assert set(fleet.state()["us"]["records"]) == set(nums[1:])
    # And back: the fleet's new entry takes its agent from the slow resource, the binding goes.
    fleet.declare([{"name": "us", "bindings": {**entries(nums[1:]), nums[0]: {**slow, "name": None}}}])
    fleet.d.emulator.clear_requests()
    fleet.d.up()
    assert fleet.patched() == []
    assert [fleet.live(n) for n in nums] == ["agent_support"] * 3
    assert set(fleet.state()["us"]["records"]) == set(nums)


def test_refresh_finds_drift_and_the_next_up_restores_exactly_the_drifted_numbers(fleet: Fleet) -> None:
    nums = numbers(250)
    seed(fleet, nums)
    fleet.declare([{"name": "us", "bindings": entries(nums)}])
    fleet.d.up()
    drifted = nums[100:103]
    for n in drifted:
        fleet.d.emulator.seed(n, inbound_agent_id="agent_billing")
    fleet.d.emulator.clear_requests()
    fleet.d.refresh()
    assert fleet.requests() == Counter({("GET", False): 2})  # one listing of an account of 250
    # The inputs follow the live bindings after drift, and the records print them.
    assert {n: fleet.state("inputs")["us"]["bindings"][n]["inbound_agent_id"] for n in drifted} == dict.fromkeys(
        drifted, "agent_billing"
    )
    assert all(fleet_knows(fleet.state()["us"], n, {"inbound_agent_id": "agent_billing"}) for n in drifted)
    fleet.d.emulator.clear_requests()
    fleet.d.up()
    assert fleet.patched() == sorted(drifted)
    assert {n: fleet.live(n) for n in drifted} == dict.fromkeys(drifted, "agent_support")


def test_a_permanent_failure_names_the_number_and_a_rerun_converges(fleet: Fleet) -> None:
    nums = numbers(30)
    seed(fleet, nums)
    fleet.declare([{"name": "us", "bindings": entries(nums)}])
    fleet.d.emulator.inject_fault(status=500, permanent=True, method="PATCH", phone_number=nums[7])
    fleet.d.env_vars["VOICEOS_MAX_RETRY_SECONDS"] = "2"
    with pytest.raises(auto.CommandError) as exc:
        fleet.d.up()
    message = str(exc.value)
    assert f"1 of 30 numbers could not be bound: {nums[7]}" in message and "500" in message
    assert "next `pulumi up`" in message
    assert fleet.live(nums[7]) is None and fleet.live(nums[8]) == "agent_support"
    fleet.d.emulator.clear_faults()
    fleet.d.emulator.clear_requests()
    fleet.d.up()
    assert fleet.patched() == [nums[7]]  # the dynamic fleet adopts the 29 already written
    assert set(fleet.live_all(nums).values()) == {"agent_support"}
    fleet.d.emulator.clear_requests()
    check = fleet.d.cli("preview", "--expect-no-changes")
    assert check.returncode == 0 and fleet.d.emulator.requests() == []


def test_a_secret_header_stays_secret_in_binding_headers_and_out_of_the_state_and_the_entries_read_in_clear(
    fleet: Fleet,
) -> None:
    nums = numbers(3)
    seed(fleet, nums)
    fleet.declare(
        [
            {
                "name": "us",
                "bindings": {**entries(nums[:1], webhooks=[HOOK], secret_header="Authorization"), **entries(nums[1:])},
            }
        ]
    )
    fleet.d.up()
    assert fleet.d.emulator.get_number(nums[0])["webhooks"][0]["headers"] == {"Authorization": WEBHOOK_SECRET}  # type: ignore[index]
    exported = fleet.d.export_without_secrets()
    assert WEBHOOK_SECRET not in exported and WEBHOOK_SECRET not in fleet.d.state_files_text()
    assert CARRIER not in exported and CARRIER not in "".join(fleet.d.output)
    [resource] = [r for r in json.loads(exported)["deployment"]["resources"] if r["type"].endswith("PhoneNumberFleet")]
    # The dynamic fleet keeps header values apart, always secret; its entries read in clear. The state keeps
    # both once, as inputs: the outputs hold a record per number.
    assert "ciphertext" in resource["inputs"]["binding_headers"]
    assert resource["inputs"]["bindings"][nums[0]]["webhooks"][0]["url"] == HOOK["url"]
    assert set(resource["outputs"]["records"]) == set(nums) and "bindings" not in resource["outputs"]


def test_the_native_fleet_from_yaml_previews_the_one_changed_number_and_binds_as_declared(tmp_path: Path) -> None:
    program = tmp_path / "program.yaml"
    nums = numbers(5, "+1629")

    def write(agents: dict[str, str]) -> None:
        resources = {
            "us": {
                "type": "voiceos:PhoneNumberFleet",
                "properties": {"bindings": {n: {"inboundAgentId": a} for n, a in agents.items()}},
            }
        }
        text = yaml.safe_dump({"name": PROJECT, "runtime": "yaml", "resources": resources}, sort_keys=False)
        (
            program if not (tmp_path / "run" / "project").exists() else tmp_path / "run" / "project" / "Pulumi.yaml"
        ).write_text(text)

    write(dict.fromkeys(nums, "agent_support"))
    with deployment(tmp_path / "run", program=program, token=TOKEN, numbers=[], agents=AGENTS) as d:
        d.emulator.seed_many([{"phone_number": n} for n in nums])
        d.up()
        assert all(d.emulator.get_number(n)["inbound_agent_id"] == "agent_support" for n in nums)  # type: ignore[index]
        write({**dict.fromkeys(nums, "agent_support"), nums[2]: "agent_sales"})
        d.emulator.clear_requests()
        preview = d.cli("preview", "--diff")
        assert preview.returncode == 0
        # The engine shows the detailed diff: the one changed number, and its changed field.
        assert (
            f"~ {nums[2]}: {{" in preview.stdout
            and 'inboundAgentId: "agent_support" => "agent_sales"' in preview.stdout
        )
        assert [n for n in nums if n in preview.stdout] == [nums[2]]
        assert d.emulator.requests() == []
        d.up()
        assert [r["phone_number"] for r in d.emulator.requests() if r["method"] == "PATCH"] == [nums[2]]
        assert d.emulator.get_number(nums[2])["inbound_agent_id"] == "agent_sales"  # type: ignore[index]
        d.destroy()
        assert all(d.emulator.get_number(n)["inbound_agent_id"] is None for n in nums)  # type: ignore[index]


def test_an_up_of_300_bindings_killed_with_skip_checkpoints_converges_on_a_rerun(tmp_path: Path) -> None:
    # The README recommends PULUMI_SKIP_CHECKPOINTS for big stacks and says a re-run is safe: the state of
    # the killed run is lost, and the re-run's creates adopt what it wrote and write the rest.
    nums = numbers(300, "+1630")
    with deployment(
        tmp_path,
        program="bindings",
        token=TOKEN,
        numbers=[],
        agents=AGENTS,
        extra_env={"PULUMI_SKIP_CHECKPOINTS": "true"},
        fresh_emulator=True,
    ) as d:
        d.emulator.seed_many([{"phone_number": n} for n in nums])
        d.set_bindings(
            [{"name": f"line-{i}", "phone_number": n, "inbound_agent_id": "agent_support"} for i, n in enumerate(nums)]
        )
        d.emulator.clear_requests()
        up = subprocess.Popen(
            ["pulumi", "up", "--yes", "--skip-preview", "--stack", "test", "--non-interactive"],
            cwd=d.work_dir,
            env={**os.environ, **d.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and up.poll() is None:
            if sum(1 for r in d.emulator.requests() if r["method"] == "PATCH") >= 100:
                break
            time.sleep(0.05)
        os.killpg(up.pid, signal.SIGKILL)  # the engine, its language host, the program and the provider
        up.wait()
        # A PATCH sent just before the kill may still land: read the log once the emulator has gone quiet.
        seen, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < 0.5:
            count = len(d.emulator.requests())
            if count != seen:
                seen, quiet_since = count, time.monotonic()
            time.sleep(0.1)
        written = {r["phone_number"] for r in d.emulator.requests() if r["method"] == "PATCH"}
        assert 100 <= len(written) < 300, "the kill should land mid-run"
        assert d.resources() == []  # skip-checkpoints: the killed run's state is lost
        cancelled = d.cli("cancel", "--yes", check=False)
        d.emulator.clear_requests()
        d.up()
        rewritten = [r["phone_number"] for r in d.emulator.requests() if r["method"] == "PATCH"]
        assert not set(rewritten) & written, "the re-run wrote again numbers that were already as declared"
        assert len(rewritten) == 300 - len(written)
        assert all(d.emulator.get_number(n)["inbound_agent_id"] == "agent_support" for n in nums)  # type: ignore[index]
        assert sorted(r["id"] for r in d.resources()) == sorted(nums)
        assert cancelled.returncode in (0, 255)
