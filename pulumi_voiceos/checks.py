"""Checking a binding's inputs as a Pulumi property bag, before anything is sent.

``check_inputs`` is what a provider's ``check`` hook does: it returns the
canonical inputs (methods upper case, events sorted, headers sorted) or a
failure per bad field, each named by its property path (``webhooks[1].url``)
with the fix. Values not known until another resource is created (preview of
a new stack) pass through, and every known field is still checked, so a bad
URL fails ``pulumi preview`` even when the agent id comes from elsewhere.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Annotated, Any, Final, NamedTuple

import pydantic
from pulumi.output import Unknown

from .errors import property_path
from .models import BindingInputs, Webhook

__all__ = ["INPUT_NAMES", "UNKNOWN", "Failure", "check_inputs", "contains_unknown"]

UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's wire marker for a value not known until another resource is created."""

INPUT_NAMES: Final = tuple(BindingInputs.model_fields)


class Failure(NamedTuple):
    property: str
    reason: str


def contains_unknown(value: Any) -> bool:
    # The SDK hands unknowns to hooks as `Unknown` objects; the wire form is the UNKNOWN string.
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(contains_unknown(k) or contains_unknown(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def check_inputs(props: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """The canonical inputs and no failures, or the inputs as given and what is wrong with them."""
    unknown_names = [
        Failure(name, f"is not a property of PhoneNumberBinding; use one of {', '.join(INPUT_NAMES)}")
        for name in props
        if name not in INPUT_NAMES
    ]
    if unknown_names:
        return dict(props), unknown_names
    if contains_unknown(props):
        checked, failures = _check_partially_known(dict(props))
        return (checked if not failures else dict(props)), failures
    try:
        return BindingInputs.from_properties(props).to_properties(), []
    except pydantic.ValidationError as exc:
        return dict(props), _failures(exc)


def _reason(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    message = str(error.get("msg", "invalid value"))
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "is not a property of this object; check the spelling"
    if kind == "missing":
        return "is required"
    if kind.endswith("_type") and "input" in error:
        return f"{message} (got {type(error['input']).__name__})"
    return message


_NUMBER_AS_PHONE_NUMBER: Final = (
    "must be a string in E.164 form such as '+14155550123', got the number {value}: a number written "
    "without quotes, or taken from Pulumi config, is read as a number (its '+' lost); write it as a "
    "quoted string in the program"
)


def _failures(exc: pydantic.ValidationError, prefix: tuple[Any, ...] = ()) -> list[Failure]:
    found = []
    for error in exc.errors(include_url=False):
        loc = (*prefix, *error["loc"])
        if loc == ("phone_number",) and isinstance(error.get("input"), int | float) and error["type"] == "string_type":
            found.append(Failure("phone_number", _NUMBER_AS_PHONE_NUMBER.format(value=error["input"])))
            continue
        if loc:
            path = property_path(loc)
        else:
            # Model-level rules: a repeated webhook belongs to webhooks, the rest to the agent.
            path = "webhooks" if "repeats webhooks" in str(error.get("msg")) else "inbound_agent_id"
        found.append(Failure(path, _reason(error)))
    return found


def _field_adapter(model: type[pydantic.BaseModel], name: str) -> pydantic.TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation: Any = info.annotation
    for meta in info.metadata:
        annotation = Annotated[annotation, meta]
    return pydantic.TypeAdapter(annotation)


_SINGLY_CHECKED: Final = ("phone_number", "inbound_agent_id", "on_delete")


@functools.cache
def _field_validators() -> tuple[dict[str, pydantic.TypeAdapter[Any]], dict[str, pydantic.TypeAdapter[Any]]]:
    """Validators of single fields, for bindings and webhooks; built on first use (most runs never need them)."""
    binding = {name: _field_adapter(BindingInputs, name) for name in _SINGLY_CHECKED}
    webhook = {name: _field_adapter(Webhook, name) for name in Webhook.model_fields}
    return binding, webhook


def _check_partially_known(props: dict[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    binding_fields, webhook_fields = _field_validators()
    failures: list[Failure] = []
    if props.get("phone_number") is None:
        failures.append(Failure("phone_number", "is required"))
    result = dict(props)
    for name, adapter in binding_fields.items():
        value = props.get(name)
        if value is None or contains_unknown(value):
            continue
        try:
            result[name] = adapter.validate_python(value)
        except pydantic.ValidationError as exc:
            failures.extend(_failures(exc, (name,)))
    webhooks = props.get("webhooks")
    if isinstance(webhooks, list):
        checked: list[Any] = []
        for index, webhook in enumerate(webhooks):
            if not isinstance(webhook, dict) or not contains_unknown(webhook):
                try:
                    checked.append(Webhook.model_validate(webhook).to_wire())
                except pydantic.ValidationError as exc:
                    failures.extend(_failures(exc, ("webhooks", index)))
                    checked.append(webhook)
                continue
            item = dict(webhook)
            for key, value in webhook.items():
                if key not in webhook_fields:
                    failures.append(Failure(f"webhooks[{index}].{key}", _reason({"type": "extra_forbidden"})))
                elif value is not None and not contains_unknown(value):
                    try:
                        item[key] = webhook_fields[key].validate_python(value)
                    except pydantic.ValidationError as exc:
                        failures.extend(_failures(exc, ("webhooks", index, key)))
            checked.append(item)
        result["webhooks"] = checked
    elif webhooks is not None and not contains_unknown(webhooks):
        failures.append(Failure("webhooks", f"must be a list of webhooks (got {type(webhooks).__name__})"))
    return result, failures
