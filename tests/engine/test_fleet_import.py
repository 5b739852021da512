"""A fleet imported from an id (``pulumi import``): its numbers read one GET each and adopted as they are, in memory."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_voiceos import errors
from pulumi_voiceos.core.config import Settings
from pulumi_voiceos.core.fleet_record import FleetRecord
from pulumi_voiceos.engine import fleet, fleet_import
from pulumi_voiceos.engine.deployment import Deployment
from pulumi_voiceos.native.wording import SCHEMA
from pulumi_voiceos.testing.account import InMemoryAccount

from .test_deployment import Recorded

SETTINGS = Settings(api_url="https://voiceos.mocks.invalid", api_token="mocks")
N1, N2, N3 = "+14155550101", "+14155550102", "+14155550103"
HOOK: dict[str, Any] = {
    "events": ["phone_call:connection_requested"],
    "url": "https://hooks.example.com/fleet",
    "method": "POST",
    "headers": {"Authorization": "Bearer their-token"},
}


@pytest.fixture
def account() -> InMemoryAccount:
    account = InMemoryAccount()
    account.seed(N1, inbound_agent_id="agent_support", webhooks=[HOOK])
    account.seed(N2, inbound_agent_id="agent_sales")
    account.seed(N3, webhooks=[{**HOOK, "headers": {}}])
    return account


def test_an_imported_fleet_declares_every_live_binding_and_keeps_it_for_restore(account: InMemoryAccount) -> None:
    transport = Recorded(account)
    found = fleet_import.read(Deployment(transport), SETTINGS, fleet_import.import_id([N1, N2, N3]), SCHEMA)
    assert sorted(transport.requests) == [("GET", f"/phone_numbers/{n}") for n in (N1, N2, N3)]  # one GET each
    assert found.inputs == {
        "bindings": {
            N1: {"inbound_agent_id": "agent_support", "webhooks": [HOOK]},
            N2: {"inbound_agent_id": "agent_sales"},
            N3: {"webhooks": [{**HOOK, "headers": {}}]},
        }
    }
    assert set(found.outputs["previous"]) == {N1, N2, N3}  # what on_delete="restore" puts back
    assert (FleetRecord.parse(found.outputs["records"][N1]).voiceos_id or "").startswith("pn_")
    # The program that declares what was imported has nothing to change.
    checked, failures = fleet.check(Deployment(), found.inputs, say=SCHEMA)
    assert failures == [] and not fleet.diff(found.outputs, checked).changes


def test_a_number_not_in_the_account_is_refused_by_name(account: InMemoryAccount) -> None:
    with pytest.raises(errors.NotFoundError, match=r"\+14155550199"):
        fleet_import.read(Deployment(account.transport()), SETTINGS, f"{N1},+14155550199", SCHEMA)


def test_an_unbound_number_is_refused_by_name_as_no_entry_can_declare_it(account: InMemoryAccount) -> None:
    account.seed("+14155550104")
    with pytest.raises(errors.ConfigurationError, match=r"\+14155550104.*leave them out of the id"):
        fleet_import.read(Deployment(account.transport()), SETTINGS, f"{N1},+14155550104", SCHEMA)


def test_a_binding_no_program_can_declare_refuses_the_import_naming_the_number(account: InMemoryAccount) -> None:
    account.seed_raw(N3, {"inbound_agent_id": "agent_a", "webhooks": [{**HOOK, "headers": {"X-Empty": None}}]})
    transport = Recorded(account)
    with pytest.raises(errors.BindingConflictError, match=r"\+14155550103"):
        fleet_import.read(Deployment(transport), SETTINGS, f"{N1},{N3}", SCHEMA)
    assert transport.writes() == []


@pytest.mark.parametrize("fleet_id", ["", ",", f"{N1},{N1}"])
def test_an_id_that_names_no_numbers_or_one_twice_says_what_the_id_is(fleet_id: str) -> None:
    with pytest.raises(errors.ConfigurationError, match="joined by ','"):
        fleet_import.read(Deployment(InMemoryAccount().transport()), SETTINGS, fleet_id, SCHEMA)
