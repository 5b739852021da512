"""What the tests share besides fixtures: the emulator's token, a carrier token and agents, quick settings."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any, TypeVar

from pulumi_voiceos.core.config import Settings

if TYPE_CHECKING:
    from pulumi_voiceos.dynamic.provider import VoiceOSResourceProvider
    from pulumi_voiceos.native.provider import VoiceOSProvider

    P = TypeVar("P", bound=VoiceOSResourceProvider)

API_TOKEN = "SENTINEL-API-TOKEN-7f3a9c"
CARRIER_TOKEN = "SENTINEL-CARRIER-TOKEN-51be02"
AGENTS = ("agent_support", "agent_sales", "agent_billing")


def quick_settings(url: str, **overrides: Any) -> Settings:
    """Settings with retries a few milliseconds apart, so retry tests take no time."""
    return Settings(url, API_TOKEN, **{"retry_base_delay": 0.01, "retry_max_delay": 0.05, **overrides})


def dynamic_provider(kind: type[P], url: str, **config: str) -> P:
    """A dynamic provider of ``kind`` configured as the engine does, from stack config (``config`` adds keys),
    in a deployment of its own: what a new provider process has (no claims, no listing)."""
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    from pulumi_voiceos.engine.deployment import Deployment

    provider = kind(Deployment())
    stack_config = {"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": url, **config}
    provider.configure(ConfigureRequest(Config(stack_config, "test-project")))
    return provider


def native_provider(url: str) -> VoiceOSProvider:
    """The native provider configured as the engine does it (the token a secret), in a deployment of its own."""
    from pulumi.provider.experimental.property_value import PropertyValue
    from pulumi.provider.experimental.provider import ConfigureRequest

    from pulumi_voiceos.native.provider import VoiceOSProvider

    provider = VoiceOSProvider()
    asyncio.run(
        provider.configure(
            ConfigureRequest(
                variables={"voiceos:config:apiUrl": url},
                args={"apiToken": PropertyValue(API_TOKEN, is_secret=True)},
                accept_secrets=True,
                accept_resources=True,
            )
        )
    )
    return provider


def failure_path(failure: Any) -> str:
    """The property path a check failure names: its property, or, for a nested one, the head of its reason
    (the engine prints a nested property's value as ``{<nil>}``, so the path goes into the reason)."""
    return str(failure.property or failure.reason.split(" ", 1)[0])


def fleet_records(outputs: dict[str, Any]) -> dict[str, Any]:
    """A fleet's ``records`` output, each number's record parsed (``pulumi_voiceos.FleetRecord``)."""
    from pulumi_voiceos.core.fleet_record import FleetRecord

    return {number: FleetRecord.parse(text) for number, text in (outputs.get("records") or {}).items()}


def fleet_knows(outputs: dict[str, Any], number: str, entry: dict[str, Any] | None) -> bool:
    """Whether a fleet's outputs record ``entry`` (a lean entry: ``inbound_agent_id``, ``webhooks``) for ``number``."""
    from pulumi_voiceos.engine.fleet_outputs import FleetOutputs, entry_binding

    key = outputs.get("digest_key")
    if isinstance(key, dict) and "plaintext" in key:  # a secret as `pulumi stack export --show-secrets` gives it
        outputs = {**outputs, "digest_key": json.loads(key["plaintext"])}
    out = FleetOutputs.of(outputs)
    assert entry is not None and "digest_key" in outputs
    return number in out.records and not out.printed(number).differing_fields(entry_binding(entry))
