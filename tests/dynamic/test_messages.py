"""A failed hook of the dynamic provider, as the SDK's server reports it: our message on the first line."""

from __future__ import annotations

import traceback

import pytest

from pulumi_voiceos import errors
from pulumi_voiceos.dynamic.fleet import PhoneNumberFleetProvider
from pulumi_voiceos.dynamic.provider import PhoneNumberBindingProvider
from pulumi_voiceos.emulator.process import EmulatorProcess

from ..helpers import API_TOKEN, dynamic_provider

HEADLINE = "pulumi_voiceos.errors.VoiceOSError: "
"""How the first line of a failed hook's report begins: the message follows, the traceback comes after it."""


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
    assert first.startswith(HEADLINE + "+14155559999 is not in the VoiceOS account")
    assert "Traceback" not in first and API_TOKEN not in reported


def test_a_fleet_refused_by_the_api_names_the_fleet_setting_first(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess
) -> None:
    fleet = dynamic_provider(PhoneNumberFleetProvider, api.url, **{"voiceos:maxRetrySeconds": "1"})
    number = "+14155559998"
    api.seed(number)
    api.inject_fault(status=429, permanent=True)
    props = {"bindings": {number: {"inbound_agent_id": "agent_support"}}}
    first = _as_the_sdk_reports(lambda: fleet.create(props)).splitlines()[0]
    assert first.startswith(HEADLINE + "1 of 1 numbers could not be bound")
    assert "voiceos:maxConcurrency" in first and "voiceos:maxRetrySeconds" in first


def test_a_failed_hook_still_raises_its_own_error_type_with_its_message_as_the_cause(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess
) -> None:
    api.seed("+14155559997", inbound_agent_id="agent_billing")
    with pytest.raises(errors.BindingConflictError) as refused:
        provider.create({"phone_number": "+14155559997", "inbound_agent_id": "agent_support"})
    assert type(refused.value.__cause__) is errors.VoiceOSError
    assert str(refused.value.__cause__) == str(refused.value) and "agent_billing" in str(refused.value)
