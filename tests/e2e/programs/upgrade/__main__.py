"""The upgrade test's program, on public names only: bindings and a fleet from ``declared.json`` beside it
(the test's ``DECLARED``), each resource's outputs exported, and the folder the package was imported from."""

import json
from pathlib import Path

import pulumi

import pulumi_voiceos
from pulumi_voiceos import FleetBindingArgs, PhoneNumberBinding, PhoneNumberFleet

BINDING_OUTPUTS = (
    "phone_number",
    "inbound_agent_id",
    "webhooks",
    "voiceos_id",
    "uri",
    "account_id",
    "created_at",
    "updated_at",
    "telephony",
    "telephony_auth_token",
    "previous_inbound_agent_id",
    "previous_webhooks",
    "on_delete",
)
FLEET_OUTPUTS = ("bindings", "numbers", "telephony_auth_tokens", "previous")

declared = json.loads((Path(__file__).parent / "declared.json").read_text())

for spec in declared["bindings"]:
    binding = PhoneNumberBinding(
        spec["name"],
        phone_number=spec["phone_number"],
        inbound_agent_id=spec.get("inbound_agent_id"),
        webhooks=spec.get("webhooks"),
        allow_overwrite=spec.get("allow_overwrite"),
        on_delete=spec.get("on_delete"),
    )
    pulumi.export(spec["name"], {name: getattr(binding, name) for name in BINDING_OUTPUTS})

fleet = PhoneNumberFleet(
    declared["fleet"]["name"],
    bindings={
        number: FleetBindingArgs(inbound_agent_id=entry.get("inbound_agent_id"), webhooks=entry.get("webhooks"))
        for number, entry in declared["fleet"]["bindings"].items()
    },
)
pulumi.export(declared["fleet"]["name"], {name: getattr(fleet, name) for name in FLEET_OUTPUTS})
pulumi.export("package", str(Path(pulumi_voiceos.__file__).parent))
