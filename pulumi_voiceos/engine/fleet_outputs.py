"""A fleet's outputs: per number, a record (the binding's print, the VoiceOS id, the carrier) and, apart and
secret, the carrier token and the restore memory. The entries are the inputs, kept once in the state; the
measurements that chose this shape are in docs/performance.md."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..core import models
from ..core.fleet_record import FleetRecord
from .per_number import number_properties

__all__ = ["FleetOutputs", "declared_entries", "entry_binding", "lean_entry"]

_CARRIER_FIELDS: Final = ("provider", "phone_number_sid", "account_sid")


def entry_binding(entry: Mapping[str, Any]) -> models.Binding:
    return models.Binding.from_properties(entry.get("inbound_agent_id"), entry.get("webhooks"))


def lean_entry(binding: models.Binding, *, raw: bool = False) -> dict[str, Any]:
    """A binding as a lean entry: only the fields it sets (its webhooks as they came, with ``raw``)."""
    entry: dict[str, Any] = {}
    if binding.inbound_agent_id is not None:
        entry["inbound_agent_id"] = binding.inbound_agent_id
    if binding.webhooks:
        entry["webhooks"] = binding.webhooks_raw() if raw else binding.webhooks_wire()
    return entry


Carrier = tuple[str | None, str | None, str | None]
"""``provider``, ``phone_number_sid`` and ``account_sid``."""


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _carrier(found: Mapping[str, Any]) -> Carrier:
    provider, number_sid, account_sid = (_text(found.get(name)) for name in _CARRIER_FIELDS)
    return (provider, number_sid, account_sid)


@dataclass(frozen=True)
class NumberRecord:
    """What a fleet records of one number: its binding's print, its VoiceOS id and its carrier (``FleetRecord``)."""

    print: models.BindingPrint
    voiceos_id: str | None
    carrier: Carrier

    def text(self) -> str:
        return FleetRecord(self.print.text(), self.voiceos_id, *self.carrier).text()

    @classmethod
    def parse(cls, text: Any, key: bytes) -> NumberRecord:
        """Lenient: a record edited by hand keeps what can be read, and an unreadable print counts as changed."""
        found = FleetRecord.parse(text)
        printed = models.BindingPrint.parse(found.print, key) or models.BindingPrint.unknown(key)
        return cls(printed, found.voiceos_id, (found.provider, found.phone_number_sid, found.account_sid))


def _key(props: Mapping[str, Any]) -> bytes:
    text = props.get("digest_key")
    try:
        key = bytes.fromhex(text) if isinstance(text, str) else b""
    except ValueError:
        key = b""
    return key or secrets.token_bytes(16)


@dataclass
class FleetOutputs:
    """A fleet's outputs while a hook changes them.

    Per number: its record (``records``: the binding the fleet knows it has, as a print, with the number's
    VoiceOS id and carrier), the carrier token (``telephony_auth_tokens``, secret) and, for a number the
    fleet took over, what it had before (``previous``, secret, for ``on_delete="restore"``). ``legacy``: the
    outputs came in 0.1.0's shape (the entries again, and a map per number), which the
    next ``up`` rewrites."""

    key: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    records: dict[str, NumberRecord] = field(default_factory=dict)
    tokens: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)
    legacy: bool = False

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> FleetOutputs:
        key = _key(props)
        found = props.get("records")
        legacy = not isinstance(found, Mapping) and isinstance(props.get("bindings"), Mapping)
        if legacy:
            records = {n: _legacy_record(n, entry, props.get("numbers"), key) for n, entry in props["bindings"].items()}
        else:
            records = {n: NumberRecord.parse(text, key) for n, text in (found or {}).items()}
        return cls(
            key,
            records,
            dict(props.get("telephony_auth_tokens") or {}),
            dict(props.get("previous") or {}),
            legacy,
        )

    @property
    def numbers(self) -> list[str]:
        return list(self.records)

    def printed(self, number: str) -> models.BindingPrint:
        return self.records[number].print

    def print_of(self, binding: models.Binding) -> models.BindingPrint:
        return models.BindingPrint.of(binding, self.key)

    def record(self, live: models.PhoneNumber, binding: models.Binding | models.BindingPrint) -> None:
        """``binding`` (or its print) as what the fleet knows ``live``'s number has, with its id and carrier."""
        own = number_properties(live)
        carrier = own["telephony"] or {}
        printed = binding if isinstance(binding, models.BindingPrint) else self.print_of(binding)
        self.records[live.phone_number] = NumberRecord(printed, _text(own["voiceos_id"]), _carrier(carrier))
        token = own["telephony_auth_token"]
        if token is None:
            self.tokens.pop(live.phone_number, None)
        else:
            self.tokens[live.phone_number] = token

    def forget(self, number: str) -> None:
        for table in (self.records, self.tokens, self.previous):
            table.pop(number, None)

    def bag(self, flags: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "allow_overwrite": bool(flags.get("allow_overwrite")),
            "on_delete": flags.get("on_delete") or "unbind",
            "records": {number: record.text() for number, record in self.records.items()},
            "digest_key": self.key.hex(),
            # None rather than {} when empty: a secret costs bytes of state even when it holds nothing.
            "telephony_auth_tokens": self.tokens or None,
            "previous": self.previous or None,
        }


def _legacy_record(number: str, entry: Any, numbers: Any, key: bytes) -> NumberRecord:
    """A number as a state of 0.1.0 kept it: its entry again, and a map of its id and carrier."""
    own = numbers.get(number) if isinstance(numbers, Mapping) else None
    own = own if isinstance(own, Mapping) else {}
    binding = entry_binding(entry) if isinstance(entry, Mapping) else None
    printed = models.BindingPrint.unknown(key) if binding is None else models.BindingPrint.of(binding, key)
    return NumberRecord(printed, _text(own.get("voiceos_id")), _carrier(own))


def declared_entries(props: Mapping[str, Any]) -> dict[str, tuple[models.Binding, bool]]:
    return {
        number: (entry_binding(entry), bool(entry.get("adopt")))
        for number, entry in (props.get("bindings") or {}).items()
    }
