"""Baseline program: the same N resources and inputs, on a provider that does nothing."""

import fleet
import pulumi
from noop_provider import NOOP
from pulumi.dynamic import Resource


class NoopResource(Resource, module="bench", name="Noop"):
    pass


config = pulumi.Config()
revision = config.require("revision")
for index in range(config.require_int("count")):
    NoopResource(
        NOOP,
        f"line-{index}",
        {
            "phone_number": fleet.phone_number(index),
            "inbound_agent_id": fleet.AGENT_ID,
            "webhooks": fleet.webhooks(index, revision),
        },
    )
