"""One seeding API: ``seed`` and ``seed_raw`` read the same on the emulator, the fixture's account and the
in-memory one, and the old names still work, with a deprecation warning."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from pulumi_voiceos.emulator.client import EmulatorClient
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.account import InMemoryAccount
from pulumi_voiceos.testing.api import VoiceOSAPI
from pulumi_voiceos.testing.mocks import VoiceOSMocks

ACCOUNTS = [EmulatorClient, VoiceOSAPI, InMemoryAccount, VoiceOSMocks]
HOOK = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/a"}


def keywords(method: Any) -> list[str]:
    parameters = inspect.signature(method).parameters.values()
    return [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name != "agent"]


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a.__name__)
def test_every_account_seeds_with_the_same_names(account: Any) -> None:
    assert keywords(account.seed) == ["inbound_agent_id", "webhooks", "auth_token"]
    assert list(inspect.signature(account.seed_raw).parameters)[2:] == ["body"]


def test_the_emulator_and_the_fixtures_account_seed_a_binding_and_answer_the_number(api: EmulatorProcess) -> None:
    seeded = api.seed("+14155550901", inbound_agent_id="agent_support", webhooks=[HOOK])
    assert (seeded["phone_number"], seeded["inbound_agent_id"]) == ("+14155550901", "agent_support")
    again = VoiceOSAPI(api).seed("+14155550901", inbound_agent_id="agent_sales")
    assert (again["id"], again["inbound_agent_id"], again["webhooks"]) == (seeded["id"], "agent_sales", [])


def test_the_old_names_still_seed_and_say_they_are_deprecated(api: EmulatorProcess) -> None:
    with pytest.warns(DeprecationWarning, match=r"use seed\(\)"):
        api.seed_number("+14155550902", "agent_support")
    fixture_account = VoiceOSAPI(api)
    with pytest.warns(DeprecationWarning, match="use inbound_agent_id"):
        fixture_account.seed("+14155550903", agent="agent_sales")
    with pytest.warns(DeprecationWarning, match="use inbound_agent_id"):
        fixture_account.rebind("+14155550902", agent="agent_billing")
    assert (api.peek("+14155550903") or {})["inbound_agent_id"] == "agent_sales"
    assert (api.peek("+14155550902") or {})["inbound_agent_id"] == "agent_billing"
    with pytest.raises(TypeError, match="not both"):
        fixture_account.seed("+14155550903", agent="a", inbound_agent_id="b")
