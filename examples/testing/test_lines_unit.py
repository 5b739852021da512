"""Unit tests: the program runs with VoiceOSMocks, no engine, no CLI, no emulator.

Each binding goes through the provider's real checks and rules against an
account in memory, so a bad input fails as `pulumi preview` would, the guard
refuses someone else's number, and the outputs are what `up` records.
"""

import lines
import pytest

from pulumi_voiceos import BindingConflictError
from pulumi_voiceos.testing import VoiceOSCheckError, VoiceOSMocks, binding

HOOK = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/voiceos"}


@pytest.fixture
def mocks() -> VoiceOSMocks:
    return VoiceOSMocks()


def test_both_lines_are_bound_as_declared_with_the_outputs_up_records(mocks: VoiceOSMocks) -> None:
    outputs = mocks.run(lines.declare)
    assert mocks.live("+14155550101") == binding("agent_support", [HOOK])
    assert mocks.live("+14155550102") == binding("agent_sales", [HOOK])
    assert outputs["support"]["telephony"]["provider"] == "twilio"
    assert outputs["support"]["voiceos_id"].startswith("pn_")


def test_a_webhook_url_preview_would_refuse_fails_the_test_with_the_same_message(mocks: VoiceOSMocks) -> None:
    with pytest.raises(VoiceOSCheckError) as exc:
        mocks.run(lines.declare, config={"hookUrl": "ftp://hooks.example.com/voiceos"})
    assert "has a problem: webhooks[0].url has 'ftp:'" in str(exc.value) and "https://" in str(exc.value)


def test_a_number_someone_else_routes_is_refused_as_up_would(mocks: VoiceOSMocks) -> None:
    mocks.seed("+14155550102", inbound_agent_id="agent_billing")
    with pytest.raises(BindingConflictError) as exc:
        mocks.run(lines.declare)
    assert "+14155550102 is already bound to inbound_agent_id='agent_billing'" in str(exc.value)
    assert mocks.live("+14155550102") == binding("agent_billing")


def test_a_hundred_lines_are_checked_and_bound_in_memory(mocks: VoiceOSMocks) -> None:
    outputs = mocks.run(lines.declare, config={"extraLines": "100"})
    assert len(outputs) == 102
    assert mocks.live("+14155551099") == binding("agent_support", [HOOK])
