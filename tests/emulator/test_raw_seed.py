"""Raw seeds: an account holding what a real one may hold, and the client reading it without failing.

Each kind of odd number the contract lists under "What responses can hold" is seeded from raw
JSON over real HTTP, read back through ``GET /phone_numbers/{n}`` and the listing exactly as
seeded, and read by the package's client, whose binding keeps each webhook's JSON.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from pulumi_voiceos.api.client import VoiceOSClient
from pulumi_voiceos.core.models import Binding
from pulumi_voiceos.emulator.process import EmulatorAdminError, EmulatorProcess
from pulumi_voiceos.testing.account import InMemoryAccount
from pulumi_voiceos.testing.api import VoiceOSAPI

from ..helpers import API_TOKEN, quick_settings

EVENT = "phone_call:connection_requested"
HOOK = {"events": [EVENT], "url": "https://hooks.example.com/a", "method": "POST", "headers": {}}
TELEPHONY = {"provider": "twilio", "phone_number_sid": "PN1", "account_sid": "AC1", "auth_token": "tok"}
GENERATED = ("id", "uri", "account_id", "created_at", "updated_at")

KINDS: dict[str, dict[str, Any]] = {
    "webhooks-null": {"inbound_agent_id": "agent_a", "webhooks": None, "telephony": TELEPHONY},
    "webhooks-empty": {"inbound_agent_id": None, "webhooks": [], "telephony": TELEPHONY},
    "webhooks-missing": {"inbound_agent_id": "agent_a", "telephony": TELEPHONY},
    "webhook-method-null": {"webhooks": [{**HOOK, "method": None}]},
    "webhook-method-missing": {"webhooks": [{k: v for k, v in HOOK.items() if k != "method"}]},
    "webhook-headers-null": {"webhooks": [{**HOOK, "headers": None}]},
    "webhook-header-value-null": {"webhooks": [{**HOOK, "headers": {"X-Key": None, "X-Other": "v"}}]},
    "webhook-events-empty": {"webhooks": [{**HOOK, "events": []}]},
    "webhook-events-null": {"webhooks": [{**HOOK, "events": None}]},
    "webhook-unknown-events-and-method": {
        "webhooks": [{**HOOK, "events": ["Call.Ended", "sms:received", EVENT], "method": "brew"}]
    },
    "webhook-wss-url": {"webhooks": [{**HOOK, "url": "wss://stream.example.com/agent"}]},
    "webhook-url-null": {"webhooks": [{**HOOK, "url": None}]},
    "webhook-unknown-fields": {"webhooks": [{**HOOK, "retries": {"max": 3}, "signing": "hmac", "filter": None}]},
    "webhook-null-in-the-list": {"webhooks": [None, HOOK]},
    "two-identical-webhooks": {"webhooks": [HOOK, HOOK]},
    "telephony-null": {"telephony": None, "webhooks": [HOOK]},
    "telephony-null-fields": {
        "telephony": {"provider": None, "phone_number_sid": None, "account_sid": None, "auth_token": None}
    },
    "telephony-missing-fields": {"telephony": {"phone_number_sid": "PN2"}},
    "telephony-unknown-provider": {"telephony": {**TELEPHONY, "provider": "vonage", "region": "eu"}},
    "agent-any-string": {"inbound_agent_id": "Agent with spaces / and ünïcode", "webhooks": []},
    "unknown-top-level-fields": {"labels": {"team": "support"}, "capabilities": ["voice"], "webhooks": []},
    "every-nullable-field-null": {
        "uri": None,
        "account_id": None,
        "inbound_agent_id": None,
        "created_at": None,
        "updated_at": None,
        "telephony": None,
        "webhooks": None,
    },
    "own-id-and-timestamps": {
        "id": "pn_dashboard_1",
        "created_at": "2019-01-01T00:00:00Z",
        "updated_at": "2019-01-02T00:00:00Z",
        "account_id": "acct_other",
        "uri": "/v2/numbers/1",
    },
}

_numbers = itertools.count(100)


def new_number() -> str:
    return f"+1707555{next(_numbers):04d}"


def expected(number: str, body: dict[str, Any], seeded: dict[str, Any]) -> dict[str, Any]:
    """What the API answers for a raw seed: the body as given, the generated fields where it has none."""
    return {"phone_number": number, **{k: seeded[k] for k in GENERATED if k not in body}, **body}


def assert_read_by_the_client(found: Any, number: str, body: dict[str, Any]) -> None:
    assert found.phone_number == number
    binding = found.binding()
    assert binding.inbound_agent_id == body.get("inbound_agent_id")
    # Each webhook's JSON is kept as the API returned it (null entries of the list aside).
    assert binding.webhooks_raw() == [w for w in body.get("webhooks") or [] if w is not None]
    assert binding == Binding.from_properties(body.get("inbound_agent_id"), body.get("webhooks"))


@pytest.fixture
def http(api: EmulatorProcess) -> httpx.Client:
    return httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, trust_env=False)


def listed(http: httpx.Client, number: str) -> dict[str, Any]:
    index = 0
    while True:
        page = http.get("/phone_numbers", params={"index": index, "limit": 200}).json()
        for item in page["items"]:
            if item["phone_number"] == number:
                found: dict[str, Any] = item
                return found
        if not page["has_more"]:
            raise AssertionError(f"{number} is not in the listing")
        index += len(page["items"])


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_raw_seed_round_trips_exactly_and_the_client_reads_it(
    api: EmulatorProcess, http: httpx.Client, client: VoiceOSClient, kind: str
) -> None:
    number, body = new_number(), KINDS[kind]
    seeded = api.seed_raw(number, body)
    want = expected(number, body, seeded)
    assert seeded == want
    assert http.get(f"/phone_numbers/{number}").json() == want
    assert listed(http, number) == want
    assert_read_by_the_client(client.get_phone_number(number), number, body)
    [in_listing] = [n for n in client.list_phone_numbers() if n.phone_number == number]
    assert_read_by_the_client(in_listing, number, body)


def test_fields_a_raw_seed_leaves_out_are_missing_but_for_the_generated_ones(api: EmulatorProcess) -> None:
    number = new_number()
    seeded = api.seed_raw(number, {})
    assert set(seeded) == {"phone_number", *GENERATED}
    assert seeded["uri"] == f"/phone_numbers/%2B{number[1:]}" and seeded["account_id"] == "acct_emulator"
    assert seeded["created_at"] == seeded["updated_at"] and seeded["id"].startswith("pn_")


def test_a_raw_seed_replaces_a_number_keeping_its_id_and_creation(api: EmulatorProcess, number: str) -> None:
    before = api.get_number(number)
    assert before is not None
    after = api.seed_raw(number, {"webhooks": None})
    assert (after["id"], after["created_at"]) == (before["id"], before["created_at"])
    assert after["updated_at"] > before["updated_at"]
    assert "telephony" not in after and "inbound_agent_id" not in after and after["webhooks"] is None


def test_a_patch_of_a_raw_number_changes_only_what_it_sends(
    api: EmulatorProcess, http: httpx.Client, client: VoiceOSClient
) -> None:
    number = new_number()
    api.seed_raw(number, {**KINDS["every-nullable-field-null"], "labels": ["x"]})
    patched = http.patch(f"/phone_numbers/{number}", json={"inbound_agent_id": "agent_support"})
    assert patched.status_code == 200
    body = patched.json()
    assert body["inbound_agent_id"] == "agent_support" and body["webhooks"] is None and body["labels"] == ["x"]
    assert body["updated_at"] is not None and body["created_at"] is None
    assert client.get_phone_number(number).binding().inbound_agent_id == "agent_support"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"phone_number": "+17075559999"}, ["body", "phone_number"]),
        ({"id": None}, ["body", "id"]),
        ({"inbound_agent_id": 7}, ["body", "inbound_agent_id"]),
    ],
    ids=["another-number", "null-id", "agent-not-a-string"],
)
def test_a_raw_seed_refuses_what_no_number_can_hold(api: EmulatorProcess, body: dict[str, Any], loc: list[Any]) -> None:
    number = new_number()
    with pytest.raises(EmulatorAdminError) as exc:
        api.seed_raw(number, body)
    assert "422" in str(exc.value) and str(loc[-1]) in str(exc.value)
    assert api.peek(number) is None


def test_a_raw_seed_body_must_be_a_json_object(api: EmulatorProcess) -> None:
    response = httpx.put(f"{api.url}/_emulator/numbers/{new_number()}/raw", json=[1], trust_env=False)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body"]
    bad_path = httpx.put(f"{api.url}/_emulator/numbers/12345/raw", json={}, trust_env=False)
    assert bad_path.status_code == 422 and bad_path.json()["detail"][0]["loc"] == ["path", "phone_number"]


def test_the_voiceos_api_fixture_seeds_raw_numbers(api: EmulatorProcess) -> None:
    number = new_number()
    seeded = VoiceOSAPI(api).seed_raw(number, KINDS["webhook-headers-null"])
    assert seeded["webhooks"] == KINDS["webhook-headers-null"]["webhooks"]
    live = VoiceOSAPI(api).live(number)
    assert live is not None and live.webhooks_raw() == seeded["webhooks"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_in_memory_account_seeds_raw_numbers_as_the_emulator_does(kind: str) -> None:
    account = InMemoryAccount()
    number, body = new_number(), KINDS[kind]
    seeded = account.seed_raw(number, body)
    assert seeded == expected(number, body, seeded)
    with VoiceOSClient(quick_settings("https://voiceos.mocks.invalid"), transport=account.transport()) as client:
        assert_read_by_the_client(client.get_phone_number(number), number, body)
        [in_listing] = [n for n in client.list_phone_numbers() if n.phone_number == number]
        assert_read_by_the_client(in_listing, number, body)
    found = account.number(number)
    assert found is not None
    assert_read_by_the_client(found, number, body)
