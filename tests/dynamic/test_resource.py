"""PhoneNumberBinding's constructor: what it refuses before anything reaches the engine."""

from __future__ import annotations

import pytest

from pulumi_voiceos import PhoneNumberBinding, PhoneNumberBindingArgs


def test_args_mixed_with_keyword_inputs_are_refused_naming_the_keywords() -> None:
    args = PhoneNumberBindingArgs(phone_number="+14155550123", inbound_agent_id="agent_support")
    with pytest.raises(TypeError) as exc:
        PhoneNumberBinding("support", args, inbound_agent_id="agent_sales", on_delete="restore")
    message = str(exc.value)
    assert "'support'" in message and "inbound_agent_id, on_delete" in message
    assert "PhoneNumberBindingArgs" in message
