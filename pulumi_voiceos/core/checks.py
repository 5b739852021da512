"""Checking a resource's inputs before anything is sent: canonical inputs, or a failure per bad field.

Each failure names its property path (``webhooks[1].url``) and the fix."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Annotated, Any, Final, NamedTuple

import pydantic

from ..errors import property_path
from .models import DELETE_POLICIES, BindingInputs, Webhook
from .properties import FLEET_ENTRY_NAMES, FLEET_INPUT_NAMES, INPUT_NAMES

__all__ = [
    "FLEET_ENTRY_NAMES",
    "FLEET_INPUT_NAMES",
    "INPUT_NAMES",
    "MAX_FLEET_BYTES",
    "UNKNOWN",
    "Failure",
    "check_fleet_inputs",
    "check_inputs",
    "contains_unknown",
    "engine_failure",
    "entry_path",
]

UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's wire marker for a value not known until another resource is created."""


class Failure(NamedTuple):
    property: str
    reason: str


_WHOLE_VALUE_SHOWN: Final = ("webhooks", "bindings")
"""Top-level properties whose value is too large (and too close to header values) to print in a failure."""


def engine_failure(failure: Failure) -> tuple[str, str]:
    """A failure as the engine renders it well: ``(property, reason)``.

    The engine prints ``property P value V has a problem`` with V looked up among the top-level inputs, so a
    nested path (``webhooks[0].url``) would print ``{<nil>}``: such a path goes at the head of the reason
    instead, with no property (``resource 'x' has a problem: webhooks[0].url has 'ftp:'...``)."""
    name = failure.property
    if name.isidentifier() and name not in _WHOLE_VALUE_SHOWN:
        return name, failure.reason
    return "", f"{name} {failure.reason}"


def contains_unknown(value: Any) -> bool:
    # The Python SDK's `Unknown` objects reach the core as this marker (the adapters convert them).
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(contains_unknown(k) or contains_unknown(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def check_inputs(props: Mapping[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """The canonical inputs and no failures, or the inputs as given and what is wrong with them.

    What a provider's ``check`` hook does. Canonical: methods upper case, events sorted, headers sorted.
    Values not known until another resource is created (a preview of a new stack) pass through, and every
    known field is still checked, so a bad URL fails ``pulumi preview`` even when the agent comes from
    elsewhere."""
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
        result["webhooks"] = [
            _check_webhook_partially_known(index, webhook, webhook_fields, failures)
            for index, webhook in enumerate(webhooks)
        ]
    elif webhooks is not None and not contains_unknown(webhooks):
        failures.append(Failure("webhooks", f"must be a list of webhooks (got {type(webhooks).__name__})"))
    return result, failures


def _check_webhook_partially_known(
    index: int, webhook: Any, webhook_fields: Mapping[str, pydantic.TypeAdapter[Any]], failures: list[Failure]
) -> Any:
    """``webhooks[index]`` checked as far as it is known (its failures added to ``failures``)."""
    if not isinstance(webhook, dict) or not contains_unknown(webhook):
        try:
            return Webhook.model_validate(webhook).to_wire()
        except pydantic.ValidationError as exc:
            failures.extend(_failures(exc, ("webhooks", index)))
            return webhook
    item = dict(webhook)
    for key, value in webhook.items():
        if key not in webhook_fields:
            failures.append(Failure(f"webhooks[{index}].{key}", _reason({"type": "extra_forbidden"})))
        elif value is not None and not contains_unknown(value):
            try:
                item[key] = webhook_fields[key].validate_python(value)
            except pydantic.ValidationError as exc:
                failures.extend(_failures(exc, ("webhooks", index, key)))
    return item


# -- fleets ------------------------------------------------------------------------------------


MAX_FLEET_BYTES: Final = 64 * 1024 * 1024
"""The largest ``bindings`` a fleet takes, as JSON. A fleet's inputs travel in one gRPC message and its
outputs (the bindings again, plus each number's ids) in another, and the engine, the dynamic-provider
server and the native server each accept at most 400 MiB a message: 64 MiB of bindings keeps every
message under a third of that (about 300,000 entries with a webhook each)."""


def entry_path(number: str, rest: str = "") -> str:
    """The property path of a fleet entry, as the engine and previews spell it: ``bindings["+1..."].url``."""
    return f'bindings["{number}"]{rest}'


def _entry_failure(number: str, failure: Failure) -> Failure:
    if failure.property == "phone_number":
        return Failure(entry_path(number), failure.reason)
    head, sep, rest = failure.property.partition("[")
    tail = f".{head}{sep}{rest}" if head else f"{sep}{rest}"
    return Failure(entry_path(number, tail), failure.reason)


def check_fleet_inputs(
    props: Mapping[str, Any], checked_before: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[Failure]]:
    """The canonical inputs of a fleet and no failures, or the inputs as given and what is wrong.

    Every entry is checked as a binding is (``check_inputs``), its failures named
    by their path in the map (``bindings["+14155550101"].webhooks[0].url``); the
    fleet-wide ``allow_overwrite`` and ``on_delete`` once. Canonical entries keep
    only what they set: ``inbound_agent_id`` and ``webhooks`` when given, and
    ``adopt`` when true. ``checked_before`` are canonical entries from an earlier
    check (the fleet's old inputs): an entry equal to its old self is canonical
    already and is not checked again, so a fleet of thousands that changes a few
    entries checks a few.
    """
    failures = [
        Failure(name, f"is not a property of PhoneNumberFleet; use one of {', '.join(FLEET_INPUT_NAMES)}")
        for name in props
        if name not in FLEET_INPUT_NAMES
    ]
    allow_overwrite, on_delete = props.get("allow_overwrite"), props.get("on_delete")
    if allow_overwrite is not None and not contains_unknown(allow_overwrite) and not isinstance(allow_overwrite, bool):
        failures.append(Failure("allow_overwrite", f"must be true or false (got {type(allow_overwrite).__name__})"))
    if on_delete is not None and not contains_unknown(on_delete) and on_delete not in DELETE_POLICIES:
        failures.append(Failure("on_delete", f"must be one of {', '.join(DELETE_POLICIES)} (got {on_delete!r})"))
    bindings = props.get("bindings")
    checked: dict[str, Any] = {
        "bindings": bindings,
        "allow_overwrite": False if allow_overwrite is None else allow_overwrite,
        "on_delete": on_delete or "unbind",
    }
    if bindings is None:
        failures.append(Failure("bindings", "is required: a map from each E.164 number to its binding"))
    elif not isinstance(bindings, Mapping):
        if not contains_unknown(bindings):
            failures.append(
                Failure("bindings", f"must be a map from E.164 numbers to bindings (got {type(bindings).__name__})")
            )
    else:
        before = checked_before if isinstance(checked_before, Mapping) else {}
        entries, unknown = _check_fleet_entries(bindings, before, failures)
        checked["bindings"] = entries
        if not failures and not unknown:
            failures.extend(_fleet_size_failures(entries))
    return (checked if not failures else dict(props)), failures


def _check_fleet_entries(
    bindings: Mapping[Any, Any], before: Mapping[str, Any], failures: list[Failure]
) -> tuple[dict[str, Any], bool]:
    """The canonical entries of ``bindings`` (one equal to its checked self in ``before`` is kept as it
    is), and whether any holds a value not known until ``up``; what is wrong with the others is added to
    ``failures``."""
    entries: dict[str, Any] = {}
    unknown = False
    for number, entry in bindings.items():
        if before.get(number) == entry and isinstance(number, str) and number not in entries:
            # Checked before, so known: only the entries that changed are walked for unknowns.
            entries[number] = entry
            continue
        unknown = unknown or contains_unknown(number) or contains_unknown(entry)
        if not isinstance(entry, Mapping):
            if contains_unknown(entry):
                entries[number] = entry
            else:
                reason = f"must be a binding such as {{inbound_agent_id: ..., webhooks: [...]}} (got {entry!r})"
                failures.append(Failure(entry_path(str(number)), reason))
            continue
        key, kept, problems = _check_fleet_entry(number, entry)
        if problems:
            failures.extend(problems)
        elif key in entries:
            failures.append(Failure(entry_path(str(number)), f"is {key} again; give each number one entry"))
        else:
            entries[key] = kept
    return entries, unknown


def _check_fleet_entry(number: Any, entry: Mapping[str, Any]) -> tuple[str, dict[str, Any], list[Failure]]:
    """One entry given as a mapping: its canonical number and what it keeps, or what is wrong with it."""
    stray = [key for key in entry if key not in FLEET_ENTRY_NAMES]
    if stray:
        reason = f"is not a property of a fleet entry; use one of {', '.join(FLEET_ENTRY_NAMES)}"
        return "", {}, [Failure(entry_path(str(number), f".{key}"), reason) for key in stray]
    adopt = entry.get("adopt")
    if adopt is not None and not contains_unknown(adopt) and not isinstance(adopt, bool):
        return "", {}, [Failure(entry_path(str(number), ".adopt"), "must be true or false")]
    binding = {"phone_number": number, **{k: entry[k] for k in ("inbound_agent_id", "webhooks") if k in entry}}
    canonical, problems = check_inputs(binding)
    if problems:
        return "", {}, [_entry_failure(str(number), problem) for problem in problems]
    kept = {name: canonical[name] for name in ("inbound_agent_id", "webhooks") if canonical.get(name)}
    if adopt:
        kept["adopt"] = adopt
    return str(canonical["phone_number"]), kept, []


def _fleet_size_failures(entries: Mapping[str, Any]) -> list[Failure]:
    size = len(json.dumps(entries, separators=(",", ":")))
    if size <= MAX_FLEET_BYTES:
        return []
    return [
        Failure(
            "bindings",
            f"is {size / 2**20:.0f} MiB as JSON, more than a fleet takes ({MAX_FLEET_BYTES // 2**20} MiB: "
            "its inputs and outputs each travel in one gRPC message of at most 400 MiB); "
            "split the numbers over several PhoneNumberFleet resources",
        )
    ]
