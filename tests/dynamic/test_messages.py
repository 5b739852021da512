"""A failed hook of the dynamic provider, as the SDK's server reports it: our message on the first line."""

from __future__ import annotations

import traceback

from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_voiceos.dynamic.fleet import PhoneNumberFleetProvider
from pulumi_voiceos.dynamic.provider import PhoneNumberBindingProvider
from pulumi_voiceos.emulator.process import EmulatorProcess

from ..helpers import API_TOKEN


def _as_the_sdk_reports(call: object) -> str:
    # pulumi.dynamic.__main__._abort_with_traceback sends the engine traceback.format_exc().
    try:
        call()  # type: ignore[operator]
    except Exception:
        return traceback.format_exc()
    raise AssertionError("the hook did not fail")


def test_a_failed_binding_create_reaches_the_engine_with_our_message_before_the_traceback(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess
) -> None:
    reported = _as_the_sdk_reports(lambda: provider.create({"phone_number": "+14155559999", "inbound_agent_id": "x"}))
    first = reported.splitlines()[0]
    assert first.startswith("VoiceOS: +14155559999 is not in the VoiceOS account")
    assert "Traceback" not in first and API_TOKEN not in reported


def test_a_fleet_refused_by_the_api_names_the_fleet_setting_first(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess
) -> None:
    fleet = PhoneNumberFleetProvider()
    config = {"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": api.url, "voiceos:maxRetrySeconds": "1"}
    fleet.configure(ConfigureRequest(Config(config, "test-project")))
    number = "+14155559998"
    api.seed(number)
    api.inject_fault(status=429, permanent=True)
    props = {"bindings": {number: {"inbound_agent_id": "agent_support"}}}
    first = _as_the_sdk_reports(lambda: fleet.create(props)).splitlines()[0]
    assert first.startswith("VoiceOS: 1 of 1 numbers could not be bound")
    assert "voiceos:maxConcurrency" in first and "voiceos:maxRetrySeconds" in first
