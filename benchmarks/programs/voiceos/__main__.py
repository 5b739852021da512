"""Benchmark program: N phone-number bindings, declared as users declare them."""

import fleet
import pulumi

from pulumi_voiceos import PhoneNumberBinding

config = pulumi.Config()
revision = config.require("revision")
for index in range(config.require_int("count")):
    PhoneNumberBinding(
        f"line-{index}",
        phone_number=fleet.phone_number(index),
        inbound_agent_id=fleet.AGENT_ID,
        webhooks=fleet.webhooks(index, revision),
    )
