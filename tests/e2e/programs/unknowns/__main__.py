"""End-to-end test program: the agent id is the output of another resource created
in the same run, so at preview time the binding's input is unknown."""

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from pulumi_voiceos import PhoneNumberBinding


class AgentProvisioner(ResourceProvider):
    """Stands in for any resource whose output is known only after it is created."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"provisioned-{props['agent_name']}", {**props, "agent_id": props["agent_name"]})


class Agent(Resource):
    agent_id: pulumi.Output[str]

    def __init__(self, name: str, agent_name: str) -> None:
        super().__init__(AgentProvisioner(), name, {"agent_name": agent_name, "agent_id": None})


config = pulumi.Config()
agent = Agent("agent", config.require("agentName"))
binding = PhoneNumberBinding(
    "line",
    phone_number=config.require("phoneNumber"),
    inbound_agent_id=agent.agent_id,
    webhooks=[{"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/unknowns"}],
)
pulumi.export("inbound_agent_id", binding.inbound_agent_id)
