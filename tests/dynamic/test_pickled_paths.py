"""The import paths deployed stacks hold, pickled, in each dynamic resource's ``__provider``: public API.

Each recorded string still loads, in a fresh interpreter as a provider process does, to what today's resources carry.
"""

from __future__ import annotations

import base64
import json
import pickletools
import subprocess
import sys
from dataclasses import dataclass
from typing import Final

import pytest


@dataclass(frozen=True)
class Pickled:
    """One form of ``__provider`` that a range of commits wrote, and the resource type it belongs to."""

    resource: str
    written_by: str
    base64: str


BINDING: Final = "pulumi-python:dynamic/voiceos:PhoneNumberBinding"
FLEET: Final = "pulumi-python:dynamic/voiceos:PhoneNumberFleet"

PICKLED_PATHS_ARE_PUBLIC_API: Final[dict[str, Pickled]] = {
    # The class and an empty state: the first form, before the shared instance was pickled by name.
    "pulumi_voiceos.provider.PhoneNumberBindingProvider": Pickled(
        BINDING,
        "058e609 to b8de59a^",
        "gASVQAAAAAAAAACMF3B1bHVtaV92b2ljZW9zLnByb3ZpZGVylIwaUGhvbmVOdW1iZXJCaW5kaW5nUHJvdmlkZXKUk5QpgZR9lGIu",
    ),
    "pulumi_voiceos.provider.PROVIDER": Pickled(
        BINDING, "b8de59a to 0350f84^", "gASVKAAAAAAAAACMF3B1bHVtaV92b2ljZW9zLnByb3ZpZGVylIwIUFJPVklERVKUk5Qu"
    ),
    "pulumi_voiceos.dynamic.provider.PROVIDER": Pickled(
        BINDING,
        "0350f84 to fa9c230 and later",
        "gASVMAAAAAAAAACMH3B1bHVtaV92b2ljZW9zLmR5bmFtaWMucHJvdmlkZXKUjAhQUk9WSURFUpSTlC4=",
    ),
    "pulumi_voiceos.dynamic.fleet.FLEET_PROVIDER": Pickled(
        FLEET,
        "cb0b737 to fa9c230 and later",
        "gASVMwAAAAAAAACMHHB1bHVtaV92b2ljZW9zLmR5bmFtaWMuZmxlZXSUjA5GTEVFVF9QUk9WSURFUpSTlC4=",
    ),
}
"""Public API: every path a deployed stack's state names, with the exact ``__provider`` the commits
named wrote (recorded by declaring each resource under ``pulumi.runtime.set_mocks`` with the package
of that commit). A path that moves must keep loading from here; a new path written is added here."""

# Declares one resource of each type under mocks and prints, per resource, its type and `__provider`.
_WRITTEN_TODAY = """
import json, pulumi

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        print(json.dumps({"type": args.typ, "provider": args.inputs.get("__provider")}))
        return [args.name + "-id", args.inputs]

    def call(self, args):
        return {}

pulumi.runtime.set_mocks(Mocks(), preview=False)
from pulumi_voiceos import PhoneNumberBinding, PhoneNumberFleet

@pulumi.runtime.test
def declare():
    binding = PhoneNumberBinding("b", phone_number="+14155550101", inbound_agent_id="agent_support")
    fleet = PhoneNumberFleet("f", bindings={"+14155550102": {"inbound_agent_id": "agent_sales"}})
    return pulumi.Output.all(binding.urn, fleet.urn)

declare()
"""

# Loads the recorded string before anything imports the package (as the provider process does), then
# what today's resource of the same type writes, and says whether both are one provider.
_LOAD = """
import base64, json, sys, dill
recorded = dill.loads(base64.b64decode(sys.argv[1]))
today = dill.loads(base64.b64decode(sys.argv[2]))
print(json.dumps({
    "same_object": recorded is today,
    "same_type": type(recorded) is type(today),
    "state": {k: repr(v) for k, v in vars(recorded).items()},
}))
"""


def _python(code: str, *args: str) -> str:
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stderr[-4000:]
    return run.stdout


@pytest.fixture(scope="module")
def written_today() -> dict[str, str]:
    """``__provider`` as today's package writes it, by resource type."""
    lines = [json.loads(line) for line in _python(_WRITTEN_TODAY).splitlines() if line.startswith("{")]
    return {line["type"]: line["provider"] for line in lines}


def test_what_todays_resources_write_is_a_pinned_public_path(written_today: dict[str, str]) -> None:
    pinned = {(p.resource, p.base64) for p in PICKLED_PATHS_ARE_PUBLIC_API.values()}
    assert set(written_today) == {BINDING, FLEET}
    for resource, written in written_today.items():
        assert (resource, written) in pinned, f"{resource} now writes {written}: pin it in PICKLED_PATHS_ARE_PUBLIC_API"


@pytest.mark.parametrize("path", PICKLED_PATHS_ARE_PUBLIC_API)
def test_a_pinned_path_loads_in_a_fresh_interpreter_to_the_provider_todays_resource_carries(
    path: str, written_today: dict[str, str]
) -> None:
    pickled = PICKLED_PATHS_ARE_PUBLIC_API[path]
    loaded = json.loads(_python(_LOAD, pickled.base64, written_today[pickled.resource]))
    if path.endswith("Provider"):
        # A class pickled with its state: a fresh instance of today's provider class, holding nothing.
        assert loaded == {"same_object": False, "same_type": True, "state": {}}
    else:
        assert loaded == {"same_object": True, "same_type": True, "state": {}}


def test_each_pinned_string_names_its_path() -> None:
    # The keys are what a reader greps for; the strings are what the states hold. They must agree.
    for path, pickled in PICKLED_PATHS_ARE_PUBLIC_API.items():
        module, name = path.rsplit(".", 1)
        strings = [arg for op, arg, _ in pickletools.genops(base64.b64decode(pickled.base64)) if isinstance(arg, str)]
        assert strings[:2] == [module, name], path
