"""The diffs test's program: a binding and a fleet from ``declared.json`` beside it; a header value written
``$webhookSecret`` is the stack's secret config value of that name, every other one plain text."""

import json
from pathlib import Path
from typing import Any

import pulumi

from pulumi_voiceos import PhoneNumberBinding, PhoneNumberFleet

secret = pulumi.Config().require_secret("webhookSecret")
declared = json.loads((Path(__file__).parent / "declared.json").read_text())


def webhooks(given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**hook, "headers": {k: secret if v == "$webhookSecret" else v for k, v in hook.get("headers", {}).items()}}
        for hook in given
    ]


binding = declared["binding"]
PhoneNumberBinding(
    binding["name"],
    phone_number=binding["phone_number"],
    inbound_agent_id=binding.get("inbound_agent_id"),
    webhooks=webhooks(binding["webhooks"]),
)
PhoneNumberFleet(
    declared["fleet"]["name"],
    bindings={
        number: {**entry, "webhooks": webhooks(entry.get("webhooks", []))}
        for number, entry in declared["fleet"]["bindings"].items()
    },
)
