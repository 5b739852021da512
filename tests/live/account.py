"""The account the live acceptance runs against, read and written with plain httpx (not the package's client).

A ``Target`` is a real account (``make test-live``: VOICEOS_LIVE_API_URL, VOICEOS_LIVE_API_TOKEN,
VOICEOS_LIVE_NUMBER) or an emulator started for ``make test``. ``restoring`` saves the dedicated
number's binding and, whatever happens inside it, PATCHes it back if it differs afterwards.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

import httpx

from pulumi_voiceos.emulator.process import EmulatorProcess

from ..odd_data import EVENT

LIVE_VARIABLES: Final = ("VOICEOS_LIVE_API_URL", "VOICEOS_LIVE_API_TOKEN", "VOICEOS_LIVE_NUMBER")
BINDING_FIELDS: Final = ("inbound_agent_id", "webhooks")

# The emulator's stand-in for the dedicated number, bound as a real one may be (tests/live/conftest.py).
DEDICATED: Final = "+15550199999"
AGENT_BEFORE: Final = "agent_live_before"
AGENT_TEST: Final = "agent_live_test"
DEDICATED_HEADER_SECRET: Final = "SENTINEL-LIVE-DEDICATED-HEADER-41c9"
EMULATOR_TOKEN: Final = "SENTINEL-LIVE-EMULATOR-TOKEN-8e20"

DEDICATED_BINDING: Final[dict[str, Any]] = {
    "inbound_agent_id": AGENT_BEFORE,
    "webhooks": [
        {
            "events": [EVENT],
            "url": "https://hooks.example.com/before",
            "method": "post",
            "headers": {"Authorization": f"Bearer {DEDICATED_HEADER_SECRET}"},
            "signing": "v2",
        }
    ],
}


def live_requested(environ: Mapping[str, str] | None = None) -> bool:
    """``make test-live`` sets VOICEOS_LIVE=1: only then does the suite touch a real account."""
    return (os.environ if environ is None else environ).get("VOICEOS_LIVE") == "1"


def missing_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    return [name for name in LIVE_VARIABLES if not env.get(name)]


@dataclass
class Target:
    url: str
    token: str
    number: str
    agent: str | None
    """The agent the cycle binds the number to (None: keep the agent the number has)."""
    emulator: EmulatorProcess | None = None

    @property
    def is_real(self) -> bool:
        return self.emulator is None

    def _http(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30.0, trust_env=False
        )

    def get(self) -> dict[str, Any]:
        """The dedicated number's whole GET body."""
        with self._http() as http:
            response = http.get(f"/phone_numbers/{quote(self.number, safe='')}")
        assert response.status_code == 200, f"GET {self.number} answered {response.status_code}"
        body: dict[str, Any] = response.json()
        return body

    def patch(self, body: Mapping[str, Any]) -> dict[str, Any]:
        with self._http() as http:
            response = http.patch(f"/phone_numbers/{quote(self.number, safe='')}", json=dict(body))
        assert response.status_code == 200, f"PATCH {self.number} answered {response.status_code}: {response.text}"
        answer: dict[str, Any] = response.json()
        return answer


def binding_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    """The binding fields of a GET body, exactly as the API returned them."""
    return {name: body.get(name) for name in BINDING_FIELDS}


def as_json(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True)


@contextmanager
def restoring(target: Target) -> Iterator[dict[str, Any]]:
    """Yields the number's binding fields as saved; afterwards, even after a failure, puts them back if they changed."""
    saved = binding_fields(target.get())
    try:
        yield saved
    finally:
        if as_json(binding_fields(target.get())) != as_json(saved):
            target.patch({"inbound_agent_id": saved["inbound_agent_id"], "webhooks": saved["webhooks"] or []})
