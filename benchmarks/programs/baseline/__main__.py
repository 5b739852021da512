"""Baseline program: the same N resources and inputs as ours, on a provider that does nothing.

Config ``outputs``: ``inputs`` (the provider echoes its inputs: the engine's
floor) or ``binding`` (it also returns outputs shaped like a binding's, with
the carrier token marked secret as PhoneNumberBinding marks it).
"""

import fleet
import pulumi
from noop_provider import NOOP, NOOP_SAME_OUTPUTS
from pulumi.dynamic import Resource


class NoopResource(Resource, module="bench", name="Noop"):
    pass


config = pulumi.Config()
revision = config.require("revision")
same_outputs = config.require("outputs") == "binding"
provider = NOOP_SAME_OUTPUTS if same_outputs else NOOP
opts = pulumi.ResourceOptions(additional_secret_outputs=["telephony_auth_token"] if same_outputs else [])
for index in range(config.require_int("count")):
    inputs = {
        "phone_number": fleet.phone_number(index),
        "inbound_agent_id": fleet.AGENT_ID,
        "webhooks": fleet.webhooks(index, revision),
    }
    # Outputs a program wants to read must be declared as properties (None until known).
    outputs = dict.fromkeys(provider.outputs(inputs))
    NoopResource(provider, f"line-{index}", {**outputs, **inputs}, opts)
