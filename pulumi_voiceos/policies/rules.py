"""The voiceos-policies rules as plain functions: a resource's properties as the engine sends them in, violations out.

No pulumi-policy here (``analyzer`` wires the rules to it), so the rules run on plain dicts in tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..core.checks import contains_unknown
from ..core.models.inputs import check_webhook_url
from ..core.properties import FLEET_INPUT_NAMES, INPUT_NAMES, snake_case

__all__ = [
    "BINDING_TYPES",
    "DEFAULT_SCHEMES",
    "DYNAMIC_TYPE",
    "FLEET_TYPES",
    "Entry",
    "Secret",
    "VoiceOSResource",
    "agents_not_allowed",
    "fleet_too_large",
    "insecure_webhooks",
    "numbers_outside_prefixes",
    "overwrite_without_reviewer",
    "plaintext_headers",
    "read_resource",
]

BINDING_TYPES: Final = frozenset(
    {"voiceos:index:PhoneNumberBinding", "pulumi-python:dynamic/voiceos:PhoneNumberBinding"}
)
FLEET_TYPES: Final = frozenset({"voiceos:index:PhoneNumberFleet", "pulumi-python:dynamic/voiceos:PhoneNumberFleet"})
DYNAMIC_TYPE: Final = "pulumi-python:dynamic:Resource"
"""A Python dynamic resource whose class names no module and type (ours name theirs: the types above)."""
DEFAULT_SCHEMES: Final = ("https", "wss")


@dataclass(frozen=True)
class Secret:
    """A value the engine holds as a secret (encrypted in state, masked in output)."""

    value: Any


def _reveal(value: Any) -> tuple[Any, bool]:
    return (value.value, True) if isinstance(value, Secret) else (value, False)


@dataclass(frozen=True)
class Entry:
    """One number's routing: a binding's, or one entry of a fleet's ``bindings``."""

    number: str
    path: str
    """Where the entry's fields are: ``""`` for a binding, ``bindings["+14155550123"].`` for a fleet entry."""
    agent: Any
    webhooks: Any
    """As declared: a list of webhook objects, or a Secret of one; secrets below it kept as Secret."""
    secret: bool
    """Whether the entry as a whole (or the fleet's bindings) is a secret."""


@dataclass(frozen=True)
class VoiceOSResource:
    kind: str
    """``PhoneNumberBinding`` or ``PhoneNumberFleet``."""
    entries: tuple[Entry, ...]
    allow_overwrite: bool


def read_resource(resource_type: str, props: Mapping[str, Any]) -> VoiceOSResource | None:
    """The binding or fleet of either provider (camelCase native inputs, snake_case dynamic ones); None for
    any other resource. Top-level secrets (a dynamic resource's whole ``webhooks``) stay marked."""
    named = {snake_case(name): value for name, value in props.items()}
    if resource_type == DYNAMIC_TYPE:
        kind = _dynamic_kind(named)
    elif resource_type in BINDING_TYPES:
        kind = "PhoneNumberBinding"
    elif resource_type in FLEET_TYPES:
        kind = "PhoneNumberFleet"
    else:
        return None
    if not kind:
        return None
    allow_overwrite = _reveal(named.get("allow_overwrite"))[0] is True
    if kind == "PhoneNumberBinding":
        number, _ = _reveal(named.get("phone_number"))
        entry = Entry(str(number), "", _reveal(named.get("inbound_agent_id"))[0], named.get("webhooks"), False)
        return VoiceOSResource(kind, (entry,), allow_overwrite)
    bindings, secret = _reveal(named.get("bindings"))
    entries = []
    if isinstance(bindings, Mapping):
        for number, raw in bindings.items():
            fields, entry_secret = _reveal(raw)
            fields = {snake_case(k): v for k, v in fields.items()} if isinstance(fields, Mapping) else {}
            agent = _reveal(fields.get("inbound_agent_id"))[0]
            path = f'bindings["{number}"].'
            entries.append(Entry(str(number), path, agent, fields.get("webhooks"), secret or entry_secret))
    return VoiceOSResource(kind, tuple(entries), allow_overwrite)


def _dynamic_kind(named: Mapping[str, Any]) -> str:
    """A generic dynamic resource's kind by its inputs: the engine strips ``__provider`` before a policy
    sees them, so the names of a binding's (or a fleet's) inputs, and its required one, decide."""
    names = set(named) - {"__provider"}
    if "phone_number" in names and names <= set(INPUT_NAMES):
        return "PhoneNumberBinding"
    if "bindings" in names and names <= set(FLEET_INPUT_NAMES):
        return "PhoneNumberFleet"
    return ""


def _webhooks(entry: Entry) -> Iterator[tuple[str, Mapping[str, Any], bool]]:
    """(path, webhook, whether it is inside a secret) of each webhook of ``entry``."""
    webhooks, secret = _reveal(entry.webhooks)
    if not isinstance(webhooks, list):
        return
    for index, raw in enumerate(webhooks):
        webhook, webhook_secret = _reveal(raw)
        if isinstance(webhook, Mapping):
            yield f"{entry.path}webhooks[{index}]", webhook, entry.secret or secret or webhook_secret


def _known(value: Any) -> bool:
    return value is not None and not contains_unknown(value)


def insecure_webhooks(resource: VoiceOSResource, schemes: tuple[str, ...] = DEFAULT_SCHEMES) -> list[str]:
    """A webhook whose URL is not of ``schemes`` (the core's URL check, narrowed)."""
    found = []
    for entry in resource.entries:
        for path, webhook, _ in _webhooks(entry):
            url, _ = _reveal(webhook.get("url"))
            if not isinstance(url, str) or not _known(url):
                continue
            try:
                check_webhook_url(url, tuple(scheme.lower() for scheme in schemes))
            except ValueError as exc:
                found.append(f"{entry.number}: {path}.url {exc}")
    return found


def plaintext_headers(resource: VoiceOSResource) -> list[str]:
    """A webhook header whose value is not a secret: named by webhook and header, never by value.

    Today's shape: ``webhooks[i].headers`` of a binding or a fleet entry; a value counts as secret when it,
    its headers, its webhook, its webhooks, its fleet entry or the fleet's bindings is one."""
    found = []
    for entry in resource.entries:
        for path, webhook, webhook_secret in _webhooks(entry):
            headers, headers_secret = _reveal(webhook.get("headers"))
            if not isinstance(headers, Mapping):
                continue
            for name, value in headers.items():
                if webhook_secret or headers_secret or isinstance(value, Secret) or not _known(value):
                    continue
                found.append(
                    f"{entry.number}: {path}.headers[{name!r}] is in plain text; pass its value as a secret "
                    "(pulumi.Output.secret(...) in Python, fn::secret in YAML, pulumi config set --secret)"
                )
    return found


def agents_not_allowed(resource: VoiceOSResource, agents: list[str]) -> list[str]:
    """An agent not in ``agents``."""
    allowed = set(agents)
    return [
        f"{entry.number}: {entry.path}inbound_agent_id {entry.agent!r} is not an allowed agent "
        f"({', '.join(sorted(allowed)) or 'none are'}); use one of them or add it to the pack's config"
        for entry in resource.entries
        if isinstance(entry.agent, str) and _known(entry.agent) and entry.agent not in allowed
    ]


def numbers_outside_prefixes(resource: VoiceOSResource, prefixes: list[str]) -> list[str]:
    """A number under none of ``prefixes`` (such as ``+1415``)."""
    return [
        f"{entry.number}: is under none of the allowed prefixes ({', '.join(prefixes)})"
        for entry in resource.entries
        if _known(entry.number) and not any(entry.number.strip().startswith(prefix) for prefix in prefixes)
    ]


def fleet_too_large(resource: VoiceOSResource, max_numbers: int) -> list[str]:
    """A fleet of more than ``max_numbers`` numbers."""
    count = len(resource.entries)
    if resource.kind != "PhoneNumberFleet" or count <= max_numbers:
        return []
    return [f"the fleet has {count} numbers; the limit is {max_numbers}: split it, or raise maxNumbers"]


def overwrite_without_reviewer(resource: VoiceOSResource, stack_tags: Mapping[str, str], tag: str) -> list[str]:
    """``allow_overwrite`` on a stack without the ``tag`` stack tag naming who reviewed the takeover."""
    if not resource.allow_overwrite or stack_tags.get(tag, "").strip():
        return []
    numbers = ", ".join(entry.number for entry in resource.entries)
    return [
        f"allow_overwrite takes over {numbers or 'numbers'} bound elsewhere, and the stack has no {tag!r} tag "
        f"naming its reviewer: run `pulumi stack tag set {tag} <reviewer>` once the takeover is reviewed"
    ]
