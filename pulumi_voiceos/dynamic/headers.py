"""Webhook header values in a property of their own (``webhook_headers``), so that ``webhooks`` need not be secret.

The engine marks a dynamic resource's secrets per top-level property; docs/internals.md, "Secrets", says more."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import pulumi

__all__ = [
    "FLEET_HEADERS",
    "HEADERS",
    "WIRE_UNKNOWN",
    "ignoring_headers_too",
    "join",
    "join_fleet",
    "plaintext_headers",
    "split",
    "split_entries",
    "split_fleet",
    "split_webhooks",
]

HEADERS: Final = "webhook_headers"
"""The property holding each webhook's headers, in the order of ``webhooks``: always a secret."""
WIRE_UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's wire marker of an unknown value, ``core.checks.UNKNOWN`` (not imported: programs load this module
and the core's checks load pydantic)."""


def _without_headers(webhook: Any) -> Any:
    return {k: v for k, v in webhook.items() if k != "headers"} if isinstance(webhook, Mapping) else webhook


def _headers_of(webhook: Any) -> Any:
    return webhook.get("headers") if isinstance(webhook, Mapping) else None


def _headers_list(headers: list[Any]) -> list[Any] | None:
    return None if all(h is None for h in headers) else [{} if h is None else h for h in headers]


def split_webhooks(webhooks: Any, props: Callable[[Any], Any]) -> tuple[Any, Any]:
    """A program's ``webhooks`` (each made a dict by ``props``) without their headers, and the headers (or None).

    Split before anything is resolved, so a secret header taints only the headers, never the webhooks."""
    if webhooks is None:
        return None, None
    if isinstance(webhooks, pulumi.Output):
        listed = webhooks.apply(lambda items: None if items is None else [props(w) for w in items])
        return (
            listed.apply(lambda items: None if items is None else [_without_headers(w) for w in items]),
            listed.apply(lambda items: None if items is None else _headers_list([_headers_of(w) for w in items])),
        )
    hooks, headers = [], []
    for webhook in webhooks:
        given = props(webhook)
        if isinstance(given, pulumi.Output):
            hooks.append(given.apply(_without_headers))
            headers.append(given.apply(_headers_of))
        else:
            hooks.append(_without_headers(given))
            headers.append(_headers_of(given))
    return hooks, _headers_list(headers)


def plaintext_headers(headers: Any) -> list[tuple[str, str]]:
    """Each ``(webhooks[i], header name)`` whose value the program gave in plain text (never the value)."""
    found = []
    for index, given in enumerate(headers if isinstance(headers, list) else []):
        if isinstance(given, Mapping):
            found += [(f"webhooks[{index}]", name) for name, value in given.items() if isinstance(value, str)]
    return found


def join(props: Mapping[str, Any]) -> dict[str, Any]:
    """A property bag with each webhook's headers back in it, as the engine layer takes it.

    A webhook that still holds its headers (recorded before ``webhook_headers`` existed) keeps them."""
    joined = {k: v for k, v in props.items() if k != HEADERS}
    headers, webhooks = props.get(HEADERS), props.get("webhooks")
    if not isinstance(webhooks, list):
        return joined
    hooks: list[Any] = []
    for index, webhook in enumerate(webhooks):
        if not isinstance(webhook, Mapping) or "headers" in webhook:
            hooks.append(webhook)
            continue
        given = headers[index] if isinstance(headers, list) and index < len(headers) else None
        hooks.append({**webhook, "headers": WIRE_UNKNOWN if headers == WIRE_UNKNOWN else given or {}})
    joined["webhooks"] = hooks
    return joined


def split(props: Mapping[str, Any]) -> dict[str, Any]:
    """The engine layer's bag as the dynamic resource holds it: ``webhooks`` without headers, and their headers."""
    webhooks = props.get("webhooks")
    if not isinstance(webhooks, list):
        return dict(props)
    return {
        **props,
        "webhooks": [_without_headers(w) for w in webhooks],
        HEADERS: _headers_list([_headers_of(w) or None for w in webhooks]),
    }


# -- a fleet: the same, entry by entry -------------------------------------------------------------

FLEET_HEADERS: Final = "binding_headers"
"""A fleet's property holding, per number, each webhook's headers in the order of its ``webhooks``: always a
secret."""


def split_entries(entries: Mapping[Any, Any]) -> tuple[dict[Any, Any], dict[Any, Any] | None]:
    """A program's fleet entries (each made a dict already) without their headers, and the headers per number."""
    kept: dict[Any, Any] = {}
    headers: dict[Any, Any] = {}
    for number, entry in entries.items():
        if not isinstance(entry, Mapping) or entry.get("webhooks") is None:
            kept[number] = entry
            continue
        hooks, own = split_webhooks(entry["webhooks"], lambda webhook: webhook)
        kept[number] = {**entry, "webhooks": hooks}
        if own is not None:
            headers[number] = own
    return kept, headers or None


def join_fleet(props: Mapping[str, Any]) -> dict[str, Any]:
    """A fleet's bag with each entry's headers back in its webhooks (``join``, entry by entry)."""
    joined = {k: v for k, v in props.items() if k != FLEET_HEADERS}
    bindings, headers = props.get("bindings"), props.get(FLEET_HEADERS)
    if not isinstance(bindings, Mapping):
        return joined
    per_number = headers if isinstance(headers, Mapping) else {}
    joined["bindings"] = {
        number: _join_entry(entry, WIRE_UNKNOWN if headers == WIRE_UNKNOWN else per_number.get(number))
        for number, entry in bindings.items()
    }
    return joined


def _join_entry(entry: Any, headers: Any) -> Any:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("webhooks"), list):
        return entry
    return {**entry, "webhooks": join({"webhooks": entry["webhooks"], HEADERS: headers})["webhooks"]}


def split_fleet(props: Mapping[str, Any]) -> dict[str, Any]:
    """A fleet's bag as the dynamic resource holds it: entries without headers, and ``binding_headers``."""
    bindings = props.get("bindings")
    if not isinstance(bindings, Mapping):
        return dict(props)
    kept: dict[Any, Any] = {}
    headers: dict[Any, Any] = {}
    for number, entry in bindings.items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("webhooks"), list):
            kept[number] = entry
            continue
        own = split({"webhooks": entry["webhooks"]})
        kept[number] = {**entry, "webhooks": own["webhooks"]}
        if own[HEADERS] is not None:
            headers[number] = own[HEADERS]
    return {**props, "bindings": kept, FLEET_HEADERS: headers or None}


# A path that ignores a webhook's headers (whole webhooks, one webhook, or its headers), and where they live now.
_IGNORED_HOOKS: Final = re.compile(r"^webhooks(?P<index>\[[^\]]+\])?(?:\.headers(?P<rest>.*))?$")
_IGNORED_ENTRIES: Final = re.compile(
    r"^bindings(?P<number>\[[^\]]+\])?(?:\.webhooks(?P<index>\[[^\]]+\])?(?:\.headers(?P<rest>.*))?)?$"
)


def ignoring_headers_too(ignored: Sequence[str] | None) -> list[str] | None:
    """``ignore_changes`` with the header property's paths added wherever a path covers headers, so that
    ``ignore_changes=["webhooks"]`` still ignores the header values kept apart from them."""
    if not ignored:
        return list(ignored) if ignored is not None else None
    added = []
    for path in ignored:
        if hook := _IGNORED_HOOKS.match(path):
            added.append(HEADERS + (hook["index"] or "") + (hook["rest"] or ""))
        elif entry := _IGNORED_ENTRIES.match(path):
            added.append(FLEET_HEADERS + (entry["number"] or "") + (entry["index"] or "") + (entry["rest"] or ""))
    return list(ignored) + [path for path in added if path not in ignored]
