"""Numbers as a real account can hold them and no program can write: the odd data of issue 23.

Each is seeded past the API's write rules, straight into the emulator's store, as a dashboard or an
older client could have left it. ``UNDECLARABLE`` are those whose binding no program can declare.
"""

from __future__ import annotations

import json
from typing import Any, Final

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.emulator.store import Store

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
    "+15550100008": {"inbound_agent_id": "agent_a", "webhooks": [_hook(retries=3, signing="v2")]},
    "+15550100009": {"inbound_agent_id": "agent_b", "webhooks": None},
}

UNDECLARABLE: Final = ("+15550100001", "+15550100002", "+15550100003", "+15550100004", "+15550100005")


def seed_odd(emulator: EmulatorProcess, number: str, body: dict[str, Any]) -> None:
    """Store ``body`` (the API's shape: inbound_agent_id, webhooks, telephony) for ``number`` as it is."""
    store = Store(emulator.db_path, account_id=emulator.account_id)
    try:
        store.seed(number, inbound_agent_id=body.get("inbound_agent_id"))
        changes = {key: json.dumps(body[key]) for key in ("webhooks", "telephony") if key in body}
        for column, value in changes.items():
            # Straight into the row: the store's own writes would give a webhook the request's defaults.
            store._conn.execute(f"UPDATE phone_numbers SET {column} = ? WHERE phone_number = ?", (value, number))
    finally:
        store.close()


def seed_odd_account(emulator: EmulatorProcess) -> None:
    for number, body in ODD_NUMBERS.items():
        seed_odd(emulator, number, body)
