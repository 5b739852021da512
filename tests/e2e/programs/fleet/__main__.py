"""End-to-end test program: fleets and standalone bindings declared from ``declared.json`` beside it.

``declared.json``: ``{"fleets": [{"name", "bindings": {number: entry}, "allow_overwrite",
"on_delete"}], "bindings": [{"name", "phone_number", "inbound_agent_id", "webhooks"}]}``.
A webhook header named in ``secret_header`` of an entry gets the secret config
``webhookSecret`` as its value. The test rewrites the file between runs.
"""

import json
from pathlib import Path

import pulumi

from pulumi_voiceos import FleetBindingArgs, PhoneNumberBinding, PhoneNumberFleet

config = pulumi.Config()
secret = config.get_secret("webhookSecret")
declared = json.loads((Path(__file__).parent / "declared.json").read_text())


def entry(spec: dict) -> FleetBindingArgs:
    webhooks = None
    if spec.get("webhooks"):
        webhooks = []
        for hook in spec["webhooks"]:
            headers = dict(hook.get("headers") or {})
            if spec.get("secret_header") and secret is not None:
                headers[spec["secret_header"]] = secret
            webhooks.append({**hook, "headers": headers})
    return FleetBindingArgs(inbound_agent_id=spec.get("inbound_agent_id"), webhooks=webhooks, adopt=spec.get("adopt"))


for fleet in declared.get("fleets", []):
    resource = PhoneNumberFleet(
        fleet["name"],
        bindings={number: entry(spec) for number, spec in fleet["bindings"].items()},
        allow_overwrite=fleet.get("allow_overwrite"),
        on_delete=fleet.get("on_delete"),
    )
    pulumi.export(f"{fleet['name']}.count", resource.bindings.apply(len))
    pulumi.export(f"{fleet['name']}.tokens", resource.telephony_auth_tokens)

for spec in declared.get("bindings", []):
    PhoneNumberBinding(
        spec["name"],
        phone_number=spec["phone_number"],
        inbound_agent_id=spec.get("inbound_agent_id"),
        webhooks=spec.get("webhooks"),
    )
