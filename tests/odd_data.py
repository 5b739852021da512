"""Numbers as a real account can hold them and no program can write: the odd data of issue 23.

Each is seeded as raw JSON (``seed_raw``), past the API's write rules, as a dashboard or an older
client could have left it. ``UNDECLARABLE`` are those whose binding no program can declare.
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_voiceos.emulator.process import EmulatorProcess

EVENT: Final = "phone_call:connection_requested"
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


def seed_odd_account(emulator: EmulatorProcess) -> None:
    for number, body in ODD_NUMBERS.items():
        emulator.seed_raw(number, {"phone_number": number, **body})
