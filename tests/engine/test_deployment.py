"""The engine's hooks work with the ``Deployment`` they are given, in process against an account in memory."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from pulumi_voiceos.core.config import Settings
from pulumi_voiceos.core.models import UNBOUND, Binding
from pulumi_voiceos.dynamic.fleet import FLEET_PROVIDER, PhoneNumberFleetProvider
from pulumi_voiceos.dynamic.provider import PROVIDER, PhoneNumberBindingProvider
from pulumi_voiceos.dynamic.wording import PYTHON
from pulumi_voiceos.engine import fleet, operations
from pulumi_voiceos.engine.deployment import Deployment
from pulumi_voiceos.native.provider import VoiceOSProvider
from pulumi_voiceos.testing.account import InMemoryAccount

SETTINGS = Settings(api_url="https://voiceos.mocks.invalid", api_token="mocks")
NUMBERS = ("+14155550101", "+14155550102", "+14155550103")


class Recorded(httpx.BaseTransport):
    """The account's transport, keeping the method and path of every request it answers."""

    def __init__(self, account: InMemoryAccount) -> None:
        self._inner = account.transport()
        self.requests: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path))
        response: httpx.Response = self._inner.handle_request(request)
        return response

    def writes(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path in self.requests if method != "GET"]


@pytest.fixture
def account() -> InMemoryAccount:
    account = InMemoryAccount()
    for number in NUMBERS:
        account.seed(number)
    return account


@pytest.fixture
def transport(account: InMemoryAccount) -> Recorded:
    return Recorded(account)


def created(deployment: Deployment, number: str, **props: Any) -> dict[str, Any]:
    checked, failures = operations.check(deployment, {"phone_number": number, **props}, say=PYTHON)
    assert failures == []
    return operations.create(deployment, SETTINGS, checked, PYTHON)[1]


def test_a_delete_in_the_deployment_that_declares_the_number_hands_it_over_without_a_request(
    account: InMemoryAccount, transport: Recorded
) -> None:
    deployment = Deployment(transport)
    outs = created(deployment, NUMBERS[0], inbound_agent_id="agent_support")
    transport.requests.clear()
    operations.delete(deployment, SETTINGS, NUMBERS[0], outs, PYTHON)
    assert transport.requests == []
    assert account.live(NUMBERS[0]) == Binding("agent_support")


def test_a_delete_in_a_deployment_of_its_own_unbinds_since_nothing_there_declares_the_number(
    account: InMemoryAccount, transport: Recorded
) -> None:
    outs = created(Deployment(transport), NUMBERS[0], inbound_agent_id="agent_support")
    transport.requests.clear()
    operations.delete(Deployment(transport), SETTINGS, NUMBERS[0], outs, PYTHON)
    assert transport.writes() == [("PATCH", f"/phone_numbers/{NUMBERS[0]}")]
    assert account.live(NUMBERS[0]) == UNBOUND


def test_a_fleet_hands_a_removed_number_over_to_a_binding_of_the_same_deployment(
    account: InMemoryAccount, transport: Recorded
) -> None:
    first = Deployment(transport)
    entries = {n: {"inbound_agent_id": "agent_support"} for n in NUMBERS}
    checked, failures = fleet.check(first, {"bindings": entries}, say=PYTHON)
    assert failures == []
    _, outs = fleet.create(first, SETTINGS, checked, PYTHON)
    nxt = Deployment(transport)
    news, failures = fleet.check(nxt, {"bindings": {n: entries[n] for n in NUMBERS[:2]}}, outs, say=PYTHON)
    assert failures == []
    claimed, failures = operations.check(
        nxt, {"phone_number": NUMBERS[2], "inbound_agent_id": "agent_sales"}, say=PYTHON
    )
    assert failures == [] and claimed["phone_number"] == NUMBERS[2]
    transport.requests.clear()
    updated = fleet.update(nxt, SETTINGS, outs, news, PYTHON)
    assert transport.requests == [] and set(updated["records"]) == set(NUMBERS[:2])


def test_the_claims_warnings_and_listing_of_one_deployment_are_not_seen_by_another(
    transport: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    one, other = Deployment(transport), Deployment(transport)
    operations.check(one, {"phone_number": NUMBERS[0], "inbound_agent_id": "agent_support"}, say=PYTHON)
    assert NUMBERS[0] in one.claims and NUMBERS[0] not in other.claims
    caplog.set_level(logging.WARNING, logger="pulumi_voiceos")
    one.warn_once("topic", "said once per deployment")
    one.warn_once("topic", "said once per deployment")
    other.warn_once("topic", "said once per deployment")
    assert [r.getMessage() for r in caplog.records].count("said once per deployment") == 2
    assert one.connect(SETTINGS)[1] is not other.connect(SETTINGS)[1]


def test_a_refresh_reads_every_binding_of_a_deployment_from_its_one_listing(
    account: InMemoryAccount, transport: Recorded
) -> None:
    outs = {n: created(Deployment(transport), n, inbound_agent_id="agent_support") for n in NUMBERS}
    refresh = Deployment(transport)
    transport.requests.clear()
    for number in NUMBERS:
        found = operations.read(refresh, SETTINGS, number, outs[number], PYTHON)
        assert found is not None and found.inputs is None
    assert transport.requests == [("GET", "/phone_numbers")]


def test_a_provider_serves_the_deployment_it_was_made_with_and_the_process_one_otherwise() -> None:
    given = Deployment()
    assert PhoneNumberBindingProvider(given).deployment is given
    assert PhoneNumberFleetProvider(given).deployment is given
    # The dynamic-provider server unpickles PROVIDER and FLEET_PROVIDER by name: one deployment for both.
    assert PROVIDER.deployment is FLEET_PROVIDER.deployment is PhoneNumberBindingProvider().deployment
    assert VoiceOSProvider(given).deployment is given
    assert VoiceOSProvider().deployment is not VoiceOSProvider().deployment
