"""Baseline program: the same N resources and inputs on a do-nothing provider whose
outputs have the shape, size and secret of a binding's (see noop_provider)."""

import fleet
import pulumi
from noop_provider import NOOP_SAME_OUTPUTS
from pulumi.dynamic import Resource

OUTPUT_NAMES = (
    "allow_overwrite",
    "adopt_existing",
    "voiceos_id",
    "uri",
    "account_id",
    "created_at",
    "updated_at",
    "telephony",
    "telephony_auth_token",
)


class NoopResource(Resource, module="bench", name="NoopSameOutputs"):
    pass


config = pulumi.Config()
revision = config.require("revision")
for index in range(config.require_int("count")):
    NoopResource(
        NOOP_SAME_OUTPUTS,
        f"line-{index}",
        {
            "phone_number": fleet.phone_number(index),
            "inbound_agent_id": fleet.AGENT_ID,
            "webhooks": fleet.webhooks(index, revision),
            **dict.fromkeys(OUTPUT_NAMES),
        },
        pulumi.ResourceOptions(additional_secret_outputs=["telephony_auth_token"]),
    )
