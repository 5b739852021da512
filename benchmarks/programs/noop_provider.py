"""Dynamic providers that do nothing: the engine's floor for dynamic resources.

They live in a module of their own rather than in ``__main__`` so that, like
``pulumi_voiceos``, they are pickled by reference into ``__provider``; a
provider pickled by value would make the floor slower than it is.

``NOOP`` echoes its inputs. ``NOOP_SAME_OUTPUTS`` also returns outputs shaped
and sized like a ``PhoneNumberBinding``'s (ids, timestamps, telephony and a
carrier token its program marks secret), made up locally: the floor for a
resource that has to keep what a binding keeps. ``NOOP_FLEETS`` do nothing for a
whole fleet, returning its outputs in one of ``FLEET_SHAPES`` (``none``: the
same-inputs floor).
"""

import hashlib
import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from pulumi.dynamic import CreateResult, ReadResult, ResourceProvider, UpdateResult


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def outputs(self, props: dict[str, Any]) -> dict[str, Any]:
        return props

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["phone_number"], self.outputs(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.outputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        pass


class NoopSameOutputsProvider(NoopProvider):
    def outputs(self, props: dict[str, Any]) -> dict[str, Any]:
        number = props["phone_number"]
        digest = hashlib.sha256(number.encode()).hexdigest()
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {
            **props,
            "allow_overwrite": False,
            "adopt_existing": False,
            "voiceos_id": "pn_" + digest[:24],
            "uri": "/phone_numbers/" + quote(number, safe=""),
            "account_id": "acct_emulator",
            "created_at": props.get("created_at") or now,
            "updated_at": now,
            "telephony": {
                "account_sid": "AC" + digest[:32],
                "phone_number_sid": "PN" + digest[32:],
                "provider": "twilio",
            },
            "telephony_auth_token": digest[:32],
        }


def _carrier(number: str) -> tuple[str, str, str, str]:
    digest = hashlib.sha256(number.encode()).hexdigest()
    return "pn_" + digest[:24], "twilio", "PN" + digest[32:], "AC" + digest[:32]


def _entry_digest(entry: Any) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


class NoopFleetProvider(NoopProvider):
    """A fleet that writes nothing; its outputs in one shape of ``FLEET_SHAPES``."""

    def __init__(self, shape: str) -> None:
        self.shape = shape

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("fleet", self.outputs(props))

    def outputs(self, props: dict[str, Any]) -> dict[str, Any]:
        entries = props["bindings"]
        if self.shape == "none":
            return {}
        tokens = {n: _carrier(n)[0][3:35] for n in entries}
        if self.shape == "nested":  # what the fleet keeps today: the inputs again, a map per number, the tokens
            numbers = {
                n: dict(zip(("voiceos_id", "provider", "phone_number_sid", "account_sid"), _carrier(n), strict=True))
                for n in entries
            }
            return {"bindings": entries, "numbers": numbers, "telephony_auth_tokens": tokens}
        if self.shape == "typed":  # a digest per number instead of the inputs again; the typed map per number kept
            numbers = {
                n: dict(zip(("voiceos_id", "provider", "phone_number_sid", "account_sid"), _carrier(n), strict=True))
                for n in entries
            }
            digests = {n: _entry_digest(e) for n, e in entries.items()}
            return {"digests": digests, "numbers": numbers, "telephony_auth_tokens": tokens}
        # "flat": one string per number (the entry's digest, then its id and carrier), and the tokens
        flat = {n: "|".join((_entry_digest(e), *_carrier(n))) for n, e in entries.items()}
        return {"entries": flat, "telephony_auth_tokens": tokens}


FLEET_SHAPES = ("none", "nested", "flat", "typed")
NOOP_FLEETS = {shape: NoopFleetProvider(shape) for shape in FLEET_SHAPES}
NOOP = NoopProvider()
NOOP_SAME_OUTPUTS = NoopSameOutputsProvider()
