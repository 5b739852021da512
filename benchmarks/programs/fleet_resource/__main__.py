"""Benchmark program: N numbers in one PhoneNumberFleet, the entries the per-binding program declares.

Config: ``count`` (N), ``revision``, and ``changed``: how many entries, from the
first, carry ``revision`` (the rest keep "r1"), so an update of k entries is one
config change.
"""

import fleet
import pulumi

from pulumi_voiceos import PhoneNumberFleet

config = pulumi.Config()
count = config.require_int("count")
revision = config.require("revision")
changed = config.get_int("changed") or count
PhoneNumberFleet(
    "fleet",
    bindings={
        fleet.phone_number(index): {
            "inbound_agent_id": fleet.AGENT_ID,
            "webhooks": fleet.webhooks(index, revision if index < changed else "r1"),
        }
        for index in range(count)
    },
)
