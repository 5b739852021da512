"""A binding as a value: what a number is routed to, compared alike whether declared, recorded or live.

Nothing here validates: the input rules live in ``inputs``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["BINDING_FIELDS", "UNBOUND", "Binding", "BindingPrint", "Patch", "WebhookValue", "canonical_webhook"]

BINDING_FIELDS: Final = ("inbound_agent_id", "webhooks")
"""The fields of a phone number that make up its binding, in the order a PATCH names them."""

WEBHOOK_FIELDS: Final = ("events", "url", "method", "headers", "filter")
"""The webhook fields this package knows; others are kept for a restore but not compared."""
_DEFAULTED_FIELDS: Final = ("method", "headers")
"""The webhook fields a write that leaves them out gives the API's default."""


def canonical_webhook(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The known fields of a webhook in the form inputs are kept in, whatever the API returned.

    Events become a sorted set and the method upper case (as inputs are made); missing or null
    ``headers`` mean none, a missing or null ``filter`` is left out. Values of any other shape are
    kept as they are, so they compare unequal to anything a program can declare."""
    events = raw.get("events")
    if events is None:
        events = []
    elif isinstance(events, list) and all(isinstance(e, str) for e in events):
        events = sorted(set(events))
    method = raw.get("method")
    if isinstance(method, str):
        method = method.strip().upper()
    headers = raw.get("headers")
    if headers is None:
        headers = {}
    elif isinstance(headers, Mapping):
        headers = dict(sorted(headers.items()))
    wire: dict[str, Any] = {"events": events, "url": raw.get("url"), "method": method, "headers": headers}
    if raw.get("filter") is not None:
        wire["filter"] = raw["filter"]
    return wire


@dataclass(frozen=True)
class WebhookValue:
    """One webhook, equal to another when their canonical forms are.

    Built from any JSON a webhook may hold (lenient: live data is not ours to choose). Two webhooks are
    the same when their known fields mean the same (events as a set, the method's case, no headers and
    null headers); each value keeps the JSON it came from, so a restore writes back exactly what the API
    returned.
    """

    key: str
    """The canonical form as JSON text: what equality and hashing use."""
    raw: Mapping[str, Any] = field(compare=False, repr=False)
    """The webhook as it came (from the API, state or inputs): what a restore writes back."""

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> WebhookValue:
        return cls(json.dumps(canonical_webhook(raw), sort_keys=True, separators=(",", ":")), dict(raw))

    def wire(self) -> dict[str, Any]:
        """The canonical form, as outputs and state keep it."""
        return canonical_webhook(self.raw)

    @property
    def method(self) -> Any:
        return canonical_webhook(self.raw)["method"]

    @property
    def url(self) -> Any:
        return self.raw.get("url")

    def describe(self) -> str:
        method, url = self.method, self.url
        return f"{method if isinstance(method, str) else '(no method)'} {url if isinstance(url, str) else '(no URL)'}"


def _copy(raw: Mapping[str, Any]) -> dict[str, Any]:
    copied = dict(raw)
    if isinstance(copied.get("headers"), Mapping):
        copied["headers"] = dict(copied["headers"])
    if isinstance(copied.get("events"), list):
        copied["events"] = list(copied["events"])
    return copied


@dataclass(frozen=True)
class Patch:
    """The body of ``PATCH /phone_numbers/{number}``: only the fields it names change."""

    body: Mapping[str, Any]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.body)

    def to_wire(self) -> dict[str, Any]:
        return dict(self.body)


@dataclass(frozen=True)
class Binding:
    """What a number is routed to: an agent and webhooks, compared by value.

    The same value describes what a program declares, what a stack recorded
    and what the API holds, so the lifecycle rules compare like with like.
    """

    inbound_agent_id: str | None = None
    webhooks: tuple[WebhookValue, ...] = ()

    def __post_init__(self) -> None:
        # Webhooks may be given as input models or JSON objects too: each becomes a value.
        if not all(isinstance(w, WebhookValue) for w in self.webhooks):
            values = tuple(w if isinstance(w, WebhookValue) else WebhookValue.of(_as_json(w)) for w in self.webhooks)
            object.__setattr__(self, "webhooks", values)

    @classmethod
    def from_properties(cls, inbound_agent_id: Any, webhooks: Any) -> Binding:
        """From an ``inbound_agent_id`` and ``webhooks`` of any origin: inputs, state, outputs, the API."""
        return cls(
            inbound_agent_id,
            tuple(WebhookValue.of(w) for w in _webhook_list(webhooks)),
        )

    @property
    def is_unbound(self) -> bool:
        return self.inbound_agent_id is None and not self.webhooks

    def webhooks_wire(self) -> list[dict[str, Any]]:
        """The webhooks in canonical form (outputs, state)."""
        return [w.wire() for w in self.webhooks]

    def webhooks_raw(self) -> list[dict[str, Any]]:
        """The webhooks exactly as they came (restore memory, and what a restore writes)."""
        return [_copy(w.raw) for w in self.webhooks]

    def differing_fields(self, other: Binding) -> tuple[str, ...]:
        """The binding fields in which ``other`` differs from this one."""
        changed = []
        if self.inbound_agent_id != other.inbound_agent_id:
            changed.append("inbound_agent_id")
        if self.webhooks != other.webhooks:
            changed.append("webhooks")
        return tuple(changed)

    def patch(self, fields: Iterable[str] = BINDING_FIELDS) -> Patch:
        """The PATCH body that gives a number this binding's values for ``fields``, webhooks as they came."""
        values: dict[str, Any] = {"inbound_agent_id": self.inbound_agent_id, "webhooks": self.webhooks_raw()}
        return Patch({name: values[name] for name in BINDING_FIELDS if name in set(fields)})

    def restoring_patch(self) -> Patch:
        """The PATCH that puts this binding back as the API returned it. A ``method`` or ``headers`` it lacks
        is sent as null: a state round trip through the Python SDK drops null values, and a left-out field
        would take the API's default instead (unknown fields held null come back absent)."""
        webhooks = [{**dict.fromkeys(_DEFAULTED_FIELDS), **_whole_numbers(raw)} for raw in self.webhooks_raw()]
        return Patch({"inbound_agent_id": self.inbound_agent_id, "webhooks": webhooks})

    def describe(self, agent: str = "inbound_agent_id") -> str:
        """For messages: the agent and each webhook's method and URL, never header values.

        ``agent`` is the agent property's name as the reader's program spells it."""
        parts = [f"{agent}={self.inbound_agent_id!r}" if self.inbound_agent_id else "no agent"]
        if self.webhooks:
            parts.append("webhooks " + ", ".join(w.describe() for w in self.webhooks))
        else:
            parts.append("no webhooks")
        return " and ".join(parts)


def _whole_numbers(value: Any) -> Any:
    """``value`` with whole floats as ints: Pulumi's property values hold every number as a float, and
    2 went into state where 2.0 comes out (JSON means the same by both; an API may not)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


def _as_json(webhook: Any) -> Mapping[str, Any]:
    """An input or live webhook model as JSON (``to_wire``), or a JSON object as it is."""
    wire: Mapping[str, Any] = webhook.to_wire() if hasattr(webhook, "to_wire") else webhook
    return wire


def _webhook_list(webhooks: Any) -> Sequence[Mapping[str, Any]]:
    if not webhooks:
        return ()
    return [_as_json(w) for w in webhooks if w is not None]


UNBOUND: Final = Binding()

_PRINT_HEX: Final = 12
"""Hex digits kept of each field's digest: 48 bits, so two different values of one field of one number
print alike once in 2**48 changes."""
_NONE: Final = "-"
"""A field's print when the binding leaves it empty (no agent, no webhooks)."""


@dataclass(frozen=True)
class BindingPrint:
    """A binding as a fleet records it: a keyed digest of each field, in a few bytes of state.

    A fleet of thousands cannot afford each binding twice in its state (the inputs hold it already): the
    print is enough to tell whether a live or declared binding is the recorded one, and which fields
    differ. The digests are keyed (HMAC-SHA-256 with a key kept secret in the state), so the print of a
    webhook whose headers hold a secret says nothing about the secret.
    """

    inbound_agent_id: str
    webhooks: str
    key: bytes = field(compare=False, repr=False)

    @classmethod
    def of(cls, binding: Binding, key: bytes) -> BindingPrint:
        agent = _NONE if binding.inbound_agent_id is None else _digest(key, b"agent", binding.inbound_agent_id)
        webhooks = (
            _NONE if not binding.webhooks else _digest(key, b"webhooks", "\n".join(w.key for w in binding.webhooks))
        )
        return cls(agent, webhooks, key)

    @classmethod
    def unknown(cls, key: bytes) -> BindingPrint:
        """A print no binding has (of a record edited by hand): every field counts as changed."""
        return cls("?", "?", key)

    @classmethod
    def parse(cls, text: object, key: bytes) -> BindingPrint | None:
        """The print written by ``text()``, or None for anything else (a state edited by hand: recorded as unknown)."""
        if not isinstance(text, str):
            return None
        agent, dot, webhooks = text.partition(".")
        return cls(agent, webhooks, key) if dot and agent and webhooks else None

    def text(self) -> str:
        return f"{self.inbound_agent_id}.{self.webhooks}"

    def fields_set(self) -> frozenset[str]:
        """The fields the printed binding sets (an unreadable print counts as setting both)."""
        return frozenset(name for name in BINDING_FIELDS if getattr(self, name) != _NONE)

    def describe(self, agent: str = "inbound_agent_id") -> str:
        """For messages, as ``Binding.describe``: a print tells only that a binding differs, not what it was."""
        return "a different binding"

    def differing_fields(self, other: Binding | BindingPrint) -> tuple[str, ...]:
        """The binding fields in which ``other`` differs from the binding this prints."""
        theirs = other if isinstance(other, BindingPrint) else BindingPrint.of(other, self.key)
        return tuple(name for name in BINDING_FIELDS if getattr(self, name) != getattr(theirs, name))

    def merged(self, live: Binding, sent: Iterable[str]) -> BindingPrint:
        """This print with the fields ``sent`` taken from ``live``: what a fleet records after a PATCH of them."""
        now = BindingPrint.of(live, self.key)
        fields = set(sent)
        return BindingPrint(
            now.inbound_agent_id if "inbound_agent_id" in fields else self.inbound_agent_id,
            now.webhooks if "webhooks" in fields else self.webhooks,
            self.key,
        )


def _digest(key: bytes, name: bytes, value: str) -> str:
    return hmac.new(key, name + b"\0" + value.encode(), hashlib.sha256).hexdigest()[:_PRINT_HEX]
