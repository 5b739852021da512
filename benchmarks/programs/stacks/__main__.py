"""Benchmark program: one stack's share of the account, as a PhoneNumberFleet of numbers ``first`` .. ``first + count``.

Config: ``first``, ``count``; the entries are the fleet benchmark's (benchmarks/fleet.py).
"""

import fleet
import pulumi

from pulumi_voiceos import PhoneNumberFleet

config = pulumi.Config()
first = config.require_int("first")
count = config.require_int("count")
PhoneNumberFleet(
    "share",
    bindings={
        fleet.phone_number(index): {"inbound_agent_id": fleet.AGENT_ID, "webhooks": fleet.webhooks(index, "r1")}
        for index in range(first, first + count)
    },
)
