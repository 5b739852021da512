"""Benchmark program: the fleet program's inputs on a provider that does nothing (``noop_provider``).

Config as the fleet program's, and ``outputs``: the shape of the outputs, one of ``noop_provider.FLEET_SHAPES``
(``none``: the same-inputs floor, what the engine charges for the inputs alone).
"""

import fleet
import pulumi
from noop_provider import NOOP_FLEETS
from pulumi.dynamic import Resource


class NoopFleet(Resource, module="bench", name="NoopFleet"):
    pass


config = pulumi.Config()
count = config.require_int("count")
revision = config.require("revision")
changed = config.get_int("changed") or count
provider = NOOP_FLEETS[config.require("outputs")]
bindings = {
    fleet.phone_number(index): {
        "inbound_agent_id": fleet.AGENT_ID,
        "webhooks": fleet.webhooks(index, revision if index < changed else "r1"),
    }
    for index in range(count)
}
outputs = dict.fromkeys(provider.outputs({"bindings": {}}))
NoopFleet(
    provider,
    "fleet",
    {**outputs, "bindings": bindings},
    pulumi.ResourceOptions(additional_secret_outputs=["telephony_auth_tokens"]),
)
