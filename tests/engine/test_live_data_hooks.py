"""The guard meets each kind of odd live data through the hooks themselves, for a binding of both providers.

tests/e2e/test_live_data.py drives the same through the real CLI, where the engine stops at the first
few failed checks; here each kind is refused on its own, in check (preview) and in create (up), naming
what is bound (the agent and the webhook's URL, never a header value) and writing nothing.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import CheckRequest

from pulumi_voiceos import errors
from pulumi_voiceos.dynamic.provider import PhoneNumberBindingProvider
from pulumi_voiceos.dynamic.wording import PYTHON
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.engine import operations
from pulumi_voiceos.native.provider import BINDING_TYPE

from ..helpers import native_provider, quick_settings
from ..odd_data import BOUND_ODD_KINDS, EVENT, HEADER_SENTINEL, ODD_KINDS

_numbers = itertools.count()
OURS = {"events": [EVENT], "url": "https://hooks.example.com/ours"}


@pytest.fixture(params=BOUND_ODD_KINDS)
def odd(request: pytest.FixtureRequest, api: EmulatorProcess) -> tuple[str, dict[str, Any]]:
    """A number someone bound, in a dashboard or with an older client, to something our inputs refuse."""
    number = f"+1415558{next(_numbers):04d}"
    body = ODD_KINDS[request.param]
    api.seed_raw(number, {"phone_number": number, **body})
    api.clear_requests()
    return number, body


def _names_what_is_bound(reason: str, number: str, body: dict[str, Any]) -> None:
    assert number in reason and "already bound to" in reason, reason
    assert body["inbound_agent_id"] in reason
    assert all(webhook["url"] in reason for webhook in body["webhooks"]), reason
    assert HEADER_SENTINEL not in reason and "Traceback" not in reason


def test_a_bindings_check_and_create_refuse_each_odd_number_naming_what_is_bound(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, odd: tuple[str, dict[str, Any]]
) -> None:
    number, body = odd
    news = {"phone_number": number, "inbound_agent_id": "agent_support", "webhooks": [OURS]}
    result = provider.check({}, {**news, "__provider": "opaque"})
    [failure] = result.failures
    assert failure.property == "phone_number"
    _names_what_is_bound(failure.reason, number, body)

    with pytest.raises(errors.BindingConflictError) as refused:
        operations.create(provider.deployment, quick_settings(api.url), news, PYTHON)
    _names_what_is_bound(str(refused.value), number, body)
    assert [r["method"] for r in api.requests() if r["method"] != "GET"] == []  # nothing written
    assert api.peek(number)["inbound_agent_id"] == body["inbound_agent_id"]  # type: ignore[index]


def test_the_native_bindings_check_refuses_each_odd_number_naming_what_is_bound(
    api: EmulatorProcess, odd: tuple[str, dict[str, Any]]
) -> None:
    number, body = odd
    native = native_provider(api.url)
    props = {"phoneNumber": PropertyValue(number), "inboundAgentId": PropertyValue("agent_support")}
    urn = f"urn:pulumi:dev::proj::{BINDING_TYPE}::support"
    response = asyncio.run(native.check(CheckRequest(urn, {}, props, b"")))
    [failure] = response.failures or []
    assert failure.property == "phoneNumber"
    _names_what_is_bound(failure.reason, number, body)
    assert "allowOverwrite: true" in failure.reason  # in the native provider's own spelling
    assert [r["method"] for r in api.requests() if r["method"] != "GET"] == []
