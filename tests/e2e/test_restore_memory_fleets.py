"""What a takeover kept for ``on_delete="restore"`` when its number moves between a binding and a fleet, for
both providers (the dynamic resources from a Python program, the native ones from YAML).

The engine deletes a binding the program no longer declares after it has created or updated everything
else, so a fleet that takes the number from a binding always takes it first: the memory cannot reach the
fleet, and the run says so. From a fleet to a binding, the order of the fleet's update and the binding's
create decides: the memory is handed on, or the run says it is lost. Either way, what the run said is what
the destroy does, and each test reads the live number back after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .harness import PROJECT, Deployment, deployment
from .test_flows import AGENTS, CARRIER, TOKEN
from .test_live_data import plain

NUMBER = "+16315550100"
OTHER = "+16315550101"
HEADER_SECRET = "SENTINEL-MOVE-MEMORY-HEADER-5e7f"
THEIR_URL = "https://hooks.example.com/theirs"
THEIRS: dict[str, Any] = {
    "events": ["phone_call:connection_requested"],
    "url": THEIR_URL,
    "headers": {"X-Their-Key": HEADER_SECRET},
}
LOST = f"{NUMBER} was handed over to a resource created before the old one let go of it"


class Stack:
    """One stack whose program declares at most one fleet and one binding, for either provider."""

    def __init__(self, d: Deployment, provider: str) -> None:
        self.d, self.provider = d, provider

    def declare(self, fleet: dict[str, Any] | None, binding: dict[str, Any] | None) -> None:
        """``fleet``: entries by number; ``binding``: the number's binding. Both take over and restore."""
        if self.provider == "dynamic":
            restoring = {"allow_overwrite": True, "on_delete": "restore"}
            fleets = [{"name": "us", "bindings": fleet, **restoring}] if fleet else []
            bindings = [{"name": "line", **binding, **restoring}] if binding else []
            declared = {"fleets": fleets, "bindings": bindings}
            (self.d.work_dir / "declared.json").write_text(json.dumps(declared))
            return
        resources: dict[str, Any] = {}
        if fleet:
            entries = {n: {"inboundAgentId": e["inbound_agent_id"]} for n, e in fleet.items()}
            resources["us"] = {
                "type": "voiceos:PhoneNumberFleet",
                "properties": {"bindings": entries, "allowOverwrite": True, "onDelete": "restore"},
            }
        if binding:
            resources["line"] = {
                "type": "voiceos:PhoneNumberBinding",
                "properties": {
                    "phoneNumber": binding["phone_number"],
                    "inboundAgentId": binding["inbound_agent_id"],
                    "allowOverwrite": True,
                    "onDelete": "restore",
                },
            }
        program = {"name": PROJECT, "runtime": "yaml", "resources": resources}
        (self.d.work_dir / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))

    def up(self) -> str:
        """The run's output, on one line."""
        self.d.output.clear()
        self.d.up()
        return " ".join("".join(self.d.output).split())

    def live(self) -> tuple[str | None, list[str]]:
        got = self.d.emulator.get_number(NUMBER)
        assert got is not None
        return got["inbound_agent_id"], [w["url"] for w in got["webhooks"]]

    def kept(self) -> dict[str, Any]:
        """What each resource in state kept of the number's takeover, by resource name."""
        exported = json.loads(self.d.cli("stack", "export", "--show-secrets").stdout)["deployment"]
        found: dict[str, Any] = {}
        for resource in exported.get("resources", []):
            name, outputs = resource["urn"].rsplit("::", 1)[-1], plain(resource.get("outputs", {}))
            if resource["type"].endswith("PhoneNumberFleet") or "bindings" in outputs:
                found[name] = (outputs.get("previous") or {}).get(NUMBER)
            elif outputs.get("phone_number", outputs.get("phoneNumber")) == NUMBER:
                found[name] = outputs.get("previous_inbound_agent_id", outputs.get("previousInboundAgentId"))
        return found


@pytest.fixture(params=["dynamic", "native"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    program: str | Path = "fleet"
    if request.param == "native":
        program = tmp_path / "program.yaml"
        program.write_text(yaml.safe_dump({"name": PROJECT, "runtime": "yaml", "resources": {}}))
    with deployment(tmp_path / "run", program=program, token=TOKEN, numbers=[], agents=AGENTS) as d:
        d.emulator.seed(NUMBER, inbound_agent_id="agent_billing", webhooks=[THEIRS], auth_token=CARRIER)
        d.emulator.seed(OTHER, auth_token=CARRIER)
        yield Stack(d, request.param)


OURS = {"inbound_agent_id": "agent_support"}


def test_a_number_moved_from_a_binding_to_a_fleet_after_a_takeover_says_the_memory_is_lost_and_destroy_unbinds(
    stack: Stack,
) -> None:
    stack.declare({OTHER: OURS}, {"phone_number": NUMBER, **OURS})
    stack.up()
    assert stack.live() == ("agent_support", [])
    assert stack.kept()["line"] == "agent_billing"  # the binding kept what it took over

    stack.declare({OTHER: OURS, NUMBER: OURS}, None)
    said = stack.up()
    # The fleet takes the number (bound as it declares: an adoption, no write) before the binding lets go.
    assert LOST in said and "agent_billing" in said and "alias" in said
    assert HEADER_SECRET not in said
    assert stack.live() == ("agent_support", [])
    assert stack.kept() == {"us": None}
    stack.d.destroy()
    assert stack.live() == (None, [])  # as the run said: the fleet unbinds instead of restoring


def test_a_number_moved_from_a_fleet_to_a_binding_after_a_takeover_restores_on_destroy_or_says_it_cannot(
    stack: Stack,
) -> None:
    stack.declare({NUMBER: OURS, OTHER: OURS}, None)
    stack.up()
    assert stack.live() == ("agent_support", [])
    kept_by_fleet = stack.kept()["us"]
    assert kept_by_fleet.get("inbound_agent_id", kept_by_fleet.get("inboundAgentId")) == "agent_billing"
    assert [w["url"] for w in kept_by_fleet["webhooks"]] == [THEIR_URL]

    stack.declare({OTHER: OURS}, {"phone_number": NUMBER, **OURS})
    said = stack.up()
    assert stack.live() == ("agent_support", [])  # handed over: never unbound, nothing written
    assert HEADER_SECRET not in said
    kept = stack.kept()
    assert kept["us"] is None
    stack.d.destroy()
    if LOST in said:  # the binding was created before the fleet let go
        assert kept["line"] is None
        assert stack.live() == (None, [])
    else:  # the fleet let go first and handed its memory on
        assert kept["line"] == "agent_billing"
        assert stack.live() == ("agent_billing", [THEIR_URL])
