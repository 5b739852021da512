"""Benchmark program: the same N bindings as ../voiceos, on the native provider's generated Python SDK."""

import fleet
import pulumi
import pulumi_voiceos_native as voiceos

config = pulumi.Config()
revision = config.require("revision")
for index in range(config.require_int("count")):
    voiceos.PhoneNumberBinding(
        f"line-{index}",
        phone_number=fleet.phone_number(index),
        inbound_agent_id=fleet.AGENT_ID,
        webhooks=[voiceos.WebhookArgs(**hook) for hook in fleet.webhooks(index, revision)],
    )
