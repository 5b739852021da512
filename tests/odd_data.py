"""Live data a real account may hold that this package's inputs would refuse, seeded raw (``seed_raw``).

``ODD_KINDS``: one number's fields per kind, for the tests of every flow. ``ODD_NUMBERS``: an account
of such numbers for doctor and the live suite; ``UNDECLARABLE`` are those no program can declare.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Protocol

HOOK_URL: Final = "https://hooks.example.com/dashboard"
EVENT: Final = "phone_call:connection_requested"
HEADER_SENTINEL: Final = "SENTINEL-ODD-HEADER-VALUE-9d1e"

ODD_KINDS: Final[dict[str, dict[str, Any]]] = {
    "null method and headers": {
        "inbound_agent_id": "agent_billing",
        "webhooks": [{"events": [EVENT], "url": HOOK_URL, "method": None, "headers": None}],
    },
    "no events": {
        "inbound_agent_id": "agent_billing",
        "webhooks": [{"events": [], "url": HOOK_URL, "method": "POST", "headers": {}}],
    },
    "an event name of another shape": {
        "inbound_agent_id": "agent_billing",
        "webhooks": [{"events": ["CallStarted"], "url": HOOK_URL, "method": "POST", "headers": {}}],
    },
    "a URL in another scheme": {
        "inbound_agent_id": "agent_billing",
        "webhooks": [{"events": [EVENT], "url": "wss://stream.example.com/agent", "method": "GET", "headers": {}}],
    },
    "an unknown method": {
        "inbound_agent_id": "agent_billing",
        "webhooks": [{"events": [EVENT], "url": HOOK_URL, "method": "OPTIONS", "headers": {}}],
    },
    "a null header value": {
        "inbound_agent_id": "agent_billing",
        "webhooks": [
            {"events": [EVENT], "url": HOOK_URL, "method": "POST", "headers": {"X-Key": HEADER_SENTINEL, "X-Old": None}}
        ],
    },
    "null telephony and unknown fields": {
        "inbound_agent_id": "agent_billing",
        "telephony": None,
        "webhooks": [
            {"events": [EVENT], "url": HOOK_URL, "method": None, "headers": {}, "timeout_ms": 1500, "retries": 3}
        ],
        "labels": ["legacy"],
    },
    "telephony with null fields and no webhooks list": {
        "inbound_agent_id": None,
        "telephony": {"provider": None, "phone_number_sid": None},
        "webhooks": None,
        "uri": None,
        "created_at": None,
    },
}
"""Every kind but the last is bound to something no program can declare; the last is unbound."""

BOUND_ODD_KINDS: Final = [kind for kind, body in ODD_KINDS.items() if body.get("webhooks")]

HEADER_SECRET: Final = "SENTINEL-ODD-HEADER-VALUE-2d7e"
CARRIER_SECRET: Final = "SENTINEL-ODD-CARRIER-TOKEN-90af"


def _hook(**fields: Any) -> dict[str, Any]:
    return {"events": [EVENT], "url": "https://hooks.example.com/odd", "method": "POST", "headers": {}, **fields}


ODD_NUMBERS: Final[dict[str, dict[str, Any]]] = {
    # method and headers null
    "+15550100001": {"inbound_agent_id": "agent_a", "webhooks": [_hook(method=None, headers=None)]},
    "+15550100002": {"inbound_agent_id": "agent_a", "webhooks": [_hook(events=[])]},
    "+15550100003": {"inbound_agent_id": None, "webhooks": [_hook(events=["CallStarted"])]},
    "+15550100004": {"inbound_agent_id": "agent_a", "webhooks": [_hook(url="wss://stream.example.com/odd")]},
    # a null header value beside a secret one
    "+15550100005": {
        "inbound_agent_id": "agent_a",
        "webhooks": [_hook(headers={"X-Empty": None, "Authorization": f"Bearer {HEADER_SECRET}"})],
    },
    # Odd, but a program can declare these: only their telephony, unknown fields or null lists are odd.
    "+15550100006": {"inbound_agent_id": "agent_a", "webhooks": [_hook()], "telephony": None},
    "+15550100007": {"inbound_agent_id": "agent_a", "telephony": {"provider": None, "auth_token": CARRIER_SECRET}},
    "+15550100008": {"inbound_agent_id": "agent_a", "webhooks": [_hook(retries=3)], "region": "eu-west", "tags": []},
    "+15550100009": {"inbound_agent_id": "agent_b", "webhooks": None},
}

UNDECLARABLE: Final = ("+15550100001", "+15550100002", "+15550100003", "+15550100004", "+15550100005")


class RawSeedable(Protocol):
    """Any account of the one seeding API: ``EmulatorProcess``, ``VoiceOSAPI``, ``VoiceOSMocks``."""

    def seed_raw(self, phone_number: str, body: Mapping[str, Any]) -> dict[str, Any]: ...


def seed_odd_account(account: RawSeedable) -> None:
    """``seed_raw`` each of ``ODD_NUMBERS`` into ``account``."""
    for number, body in ODD_NUMBERS.items():
        account.seed_raw(number, {"phone_number": number, **body})
