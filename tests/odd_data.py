"""Live data a real account may hold that this package's inputs would refuse: one entry per kind.

Each kind is a number's binding fields (and ``telephony``) as the API could return them, seeded raw
into the emulator by the tests of every flow, so each flow is proven against each kind.
"""

from __future__ import annotations

from typing import Any, Final

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
