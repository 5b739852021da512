"""A fleet's outputs: what it knows of each of its numbers, lean enough for a state of thousands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core import models
from .per_number import number_properties

__all__ = ["FleetOutputs", "declared_entries", "entry_binding", "lean_entry"]


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


@dataclass
class FleetOutputs:
    """A fleet's outputs while a hook changes them.

    Per number: the binding the fleet knows is bound (``bindings``, only the fields it sets), one flat map of
    the number's VoiceOS id and carrier (``numbers``, without the credential), the carrier tokens as one
    secret map (``telephony_auth_tokens``), and, for a number the fleet took over, what it had before
    (``previous``, secret, for ``on_delete="restore"``)."""

    bindings: dict[str, Any] = field(default_factory=dict)
    numbers: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> FleetOutputs:
        return cls(
            dict(props.get("bindings") or {}),
            dict(props.get("numbers") or {}),
            dict(props.get("telephony_auth_tokens") or {}),
            dict(props.get("previous") or {}),
        )

    def record(self, live: models.PhoneNumber, binding: models.Binding) -> None:
        number = live.phone_number
        self.bindings[number] = lean_entry(binding)
        own = number_properties(live)
        # Flat and without nulls: per entry, one map of four strings is what a state of thousands can afford.
        carrier = {key: value for key, value in (own["telephony"] or {}).items() if value is not None}
        self.numbers[number] = {"voiceos_id": own["voiceos_id"], **carrier}
        token = own["telephony_auth_token"]
        if token is None:
            self.tokens.pop(number, None)
        else:
            self.tokens[number] = token

    def forget(self, number: str) -> None:
        for table in (self.bindings, self.numbers, self.tokens, self.previous):
            table.pop(number, None)

    def bag(self, flags: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "bindings": self.bindings,
            "allow_overwrite": bool(flags.get("allow_overwrite")),
            "on_delete": flags.get("on_delete") or "unbind",
            "numbers": self.numbers,
            # None rather than {} when empty: a secret costs bytes of state even when it holds nothing.
            "telephony_auth_tokens": self.tokens or None,
            "previous": self.previous or None,
        }


def declared_entries(props: Mapping[str, Any]) -> dict[str, tuple[models.Binding, bool]]:
    return {
        number: (entry_binding(entry), bool(entry.get("adopt")))
        for number, entry in (props.get("bindings") or {}).items()
    }
