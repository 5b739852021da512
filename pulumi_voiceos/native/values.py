"""Between the engine's property values (camelCase, secrets marked) and the engine layer's snake_case bags.

Every value that came in secret goes back secret (docs/internals.md, "Secrets")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from ..core import checks
from ..core.properties import CAMEL_CASE, SECRET_OUTPUTS, camel_case, snake_case

__all__ = [
    "PropertyMap",
    "PropertyValue",
    "camel_keys",
    "from_properties",
    "marshalable",
    "plain",
    "plaintext_headers",
    "preview_outputs",
    "secret_beyond_headers",
    "secret_names",
    "snake_keys",
    "to_properties",
    "unknown",
]

PropertyMap = dict[str, PropertyValue]

_ALWAYS_SECRET: Final = frozenset(camel_case(name) for name in SECRET_OUTPUTS)
_USER_HEADERS: Final = "headers"
"""Header names are the user's own and keep their spelling."""


def plain(value: PropertyValue) -> Any:
    """The Python value of a property value: secrets unwrapped, unknowns as ``checks.UNKNOWN``."""
    inner = value.value
    if isinstance(inner, Computed):
        return checks.UNKNOWN
    if isinstance(inner, Mapping):
        return {key: plain(item) for key, item in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [plain(item) for item in inner]
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    return inner


def snake_keys(value: Any) -> Any:
    """Plain values with every property name in snake_case (header names keep the user's spelling)."""
    if isinstance(value, dict):
        return {snake_case(key): (item if key == _USER_HEADERS else snake_keys(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [snake_keys(item) for item in value]
    return value


def camel_keys(value: Any) -> Any:
    """Plain values with every property name as the schema spells it (header names keep theirs)."""
    if isinstance(value, dict):
        return {
            CAMEL_CASE.get(key, key): (item if key == _USER_HEADERS else camel_keys(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    return value


def from_properties(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """A snake_case bag of plain values; unknowns become ``checks.UNKNOWN``."""
    return {snake_case(key): snake_keys(plain(value)) for key, value in props.items()}


def secret_names(props: Mapping[str, PropertyValue]) -> frozenset[str]:
    """The top-level camelCase names whose values contain a secret."""
    return frozenset(key for key, value in props.items() if value.contains_secret())


def _holds_secret_beyond_headers(value: PropertyValue) -> bool:
    if value.is_secret:
        return True
    inner = value.value
    if isinstance(inner, Mapping):
        return any(_holds_secret_beyond_headers(item) for key, item in inner.items() if key != _USER_HEADERS)
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return any(_holds_secret_beyond_headers(item) for item in inner)
    return False


def secret_beyond_headers(props: Mapping[str, PropertyValue]) -> frozenset[str]:
    """The top-level camelCase names whose values hold a secret other than a webhook's header value.

    Header values are secret on their own in every value this provider returns, so a secret header leaves
    the rest of its webhook in clear, and a diff shows what changed in it."""
    return frozenset(key for key, value in props.items() if _holds_secret_beyond_headers(value))


def plaintext_headers(webhooks: PropertyValue | None) -> list[tuple[str, str]]:
    """Each ``(webhooks[i], header name)`` whose value was given in plain text (never the value)."""
    found: list[tuple[str, str]] = []
    inner = None if webhooks is None or webhooks.is_secret else webhooks.value
    listed: Sequence[PropertyValue] = inner if isinstance(inner, Sequence) and not isinstance(inner, str) else ()
    for index, webhook in enumerate(listed):
        headers = webhook.value.get(_USER_HEADERS) if isinstance(webhook.value, Mapping) else None
        if webhook.is_secret or headers is None or headers.is_secret or not isinstance(headers.value, Mapping):
            continue
        found += [
            (f"webhooks[{index}]", name)
            for name, item in headers.value.items()
            if isinstance(item.value, str) and not item.is_secret
        ]
    return found


def unknown() -> PropertyValue:
    """A value known only after the update. Sent as the engine's wire marker: the SDK's
    ``PropertyValue.computed()`` cannot be marshalled (pulumi 3.260)."""
    return PropertyValue(checks.UNKNOWN)


def marshalable(value: PropertyValue) -> PropertyValue:
    """``value`` with every ``Computed`` inside replaced by ``unknown()``, keeping secrets."""
    inner = value.value
    if isinstance(inner, Computed):
        replaced = unknown()
    elif isinstance(inner, Mapping):
        replaced = PropertyValue({key: marshalable(item) for key, item in inner.items()})
    elif isinstance(inner, Sequence) and not isinstance(inner, str):
        replaced = PropertyValue([marshalable(item) for item in inner])
    else:
        return value
    return replaced.with_secret(value.is_secret)


def preview_outputs(
    news: PropertyMap, olds: PropertyMap | None, *, inputs: Sequence[str], outputs: Sequence[str]
) -> PropertyMap:
    """What a preview of a create (no ``olds``) or an update can show of a resource's outputs: the declared
    ``inputs`` as given; every other output the one recorded, or unknown until the up."""
    known = {name: marshalable(value) for name, value in news.items() if name in inputs}
    shown = {name: unknown() for name in outputs if name not in known}
    if olds:
        shown.update({name: value for name, value in olds.items() if name in outputs and name not in inputs})
    return {**shown, **known}


def _value(value: Any, *, headers_secret: bool) -> PropertyValue:
    if value == checks.UNKNOWN:
        return unknown()
    if isinstance(value, dict):
        items: PropertyMap = {}
        for key, item in value.items():
            if key == _USER_HEADERS and isinstance(item, dict):
                items[key] = PropertyValue(
                    {
                        name: _value(header, headers_secret=False).with_secret(headers_secret)
                        for name, header in item.items()
                    }
                )
            else:
                items[key] = _value(item, headers_secret=headers_secret)
        return PropertyValue(items)
    if isinstance(value, list | tuple):
        return PropertyValue([_value(item, headers_secret=headers_secret) for item in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value)


def to_properties(
    bag: Mapping[str, Any],
    *,
    secret: Iterable[str] = (),
    only: Iterable[str] | None = None,
    headers_secret: bool = True,
) -> PropertyMap:
    """camelCase property values of a snake_case bag.

    ``secret`` names (camelCase) whose whole value is secret, besides those
    that always are; ``only`` keeps just those names (camelCase), dropping
    the rest; ``headers_secret`` marks each header value secret.
    """
    whole = _ALWAYS_SECRET | frozenset(secret)
    kept = None if only is None else frozenset(only)
    result: PropertyMap = {}
    for key, value in bag.items():
        name = CAMEL_CASE.get(key, key)
        if kept is not None and name not in kept:
            continue
        if name in whole and value is not None:
            # Secret as a whole, so its header values need no marks of their own: a secret nested in
            # a secret is unwrapped only once by the Node.js SDK (3.276), which then hands programs
            # the wrapper instead of the value.
            result[name] = _value(camel_keys(value), headers_secret=False).with_secret(True)
        else:
            result[name] = _value(camel_keys(value), headers_secret=headers_secret)
    return result
