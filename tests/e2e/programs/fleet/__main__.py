"""End-to-end test program: fleets and standalone bindings declared from ``declared.json`` beside it.

``declared.json``: ``{"fleets": [{"name", "bindings": {number: entry}, "allow_overwrite",
"on_delete"}], "bindings": [{"name", "phone_number", "inbound_agent_id", "webhooks", "allow_overwrite",
"on_delete"}]}``.
``slow_agent: N`` on an entry or a binding takes its agent id from a resource that takes N s to create.
A webhook header named in ``secret_header`` of an entry gets the secret config
``webhookSecret`` as its value. The test rewrites the file between runs.
"""

import json
import time
from pathlib import Path

import pulumi
import pulumi.dynamic

from pulumi_voiceos import FleetBindingArgs, PhoneNumberBinding, PhoneNumberFleet

config = pulumi.Config()
secret = config.get_secret("webhookSecret")
declared = json.loads((Path(__file__).parent / "declared.json").read_text())


class _SlowProvider(pulumi.dynamic.ResourceProvider):
    def create(self, props: dict) -> pulumi.dynamic.CreateResult:
        time.sleep(props["seconds"])
        return pulumi.dynamic.CreateResult(id_="slow", outs={"agent": props["agent"], "seconds": props["seconds"]})


class Slow(pulumi.dynamic.Resource):
    """Gives back ``agent`` as its output ``agent``, ``seconds`` after its create started."""

    agent: pulumi.Output[str]

    def __init__(self, name: str, agent: str, seconds: float) -> None:
        super().__init__(_SlowProvider(), name, {"agent": agent, "seconds": seconds})


def agent_of(name: str, spec: dict):
    if spec.get("slow_agent"):
        return Slow(f"slow-{name}", spec["inbound_agent_id"], spec["slow_agent"]).agent
    return spec.get("inbound_agent_id")


def entry(spec: dict, name: str = "") -> FleetBindingArgs:
    webhooks = None
    if spec.get("webhooks"):
        webhooks = []
        for hook in spec["webhooks"]:
            headers = dict(hook.get("headers") or {})
            if spec.get("secret_header") and secret is not None:
                headers[spec["secret_header"]] = secret
            webhooks.append({**hook, "headers": headers})
    return FleetBindingArgs(inbound_agent_id=agent_of(name, spec), webhooks=webhooks, adopt=spec.get("adopt"))


for fleet in declared.get("fleets", []):
    resource = PhoneNumberFleet(
        fleet["name"],
        bindings={number: entry(spec, number.lstrip("+")) for number, spec in fleet["bindings"].items()},
        allow_overwrite=fleet.get("allow_overwrite"),
        on_delete=fleet.get("on_delete"),
    )
    pulumi.export(f"{fleet['name']}.count", resource.bindings.apply(len))
    pulumi.export(f"{fleet['name']}.tokens", resource.telephony_auth_tokens)

for spec in declared.get("bindings", []):
    PhoneNumberBinding(
        spec["name"],
        phone_number=spec["phone_number"],
        inbound_agent_id=agent_of(spec["name"], spec),
        webhooks=spec.get("webhooks"),
        allow_overwrite=spec.get("allow_overwrite"),
        on_delete=spec.get("on_delete"),
    )
