"""The voiceos-policies pack on pulumi-policy: each rule of ``rules`` as a policy, with its config schema and level.

``serve()`` is what the pack's ``__main__.py`` runs when the engine starts it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi_policy
import pulumi_policy.policy
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties

from . import rules

__all__ = ["PACK_NAME", "POLICIES", "RULES", "Rule", "keep_secrets", "plain", "serve"]

PACK_NAME = "voiceos-policies"


def plain(value: Any) -> Any:
    """``value`` as plain dicts and lists, each secret the engine sent as a ``rules.Secret``.

    The engine sends secrets to a policy pack marked, but pulumi-policy gives a validation policy their
    values only, unmarked; with ``keep_secrets`` it keeps them as ``pulumi_policy.Secret`` behind its
    secrets-preserving proxy, whose ``__target`` is the marked data."""
    if isinstance(value, pulumi_policy.Secret):
        return rules.Secret(plain(value.value))
    if isinstance(value, Mapping):
        target = value.get("__target", value)
        return {key: plain(item) for key, item in target.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        try:
            target = value["__target"]  # type: ignore[call-overload]
        except (TypeError, KeyError, IndexError):
            target = value
        return [plain(item) for item in target]
    return value


def keep_secrets() -> None:
    """Have pulumi-policy deserialize a validation's properties as it does a remediation's: secrets kept.

    Its Analyze calls the module's ``deserialize_properties`` without ``proxy_secrets``, so a policy could
    not tell a header passed as a secret from one in plain text; every rule here reads ``plain(props)``."""

    def keeping(props: dict[str, Any], proxy_secrets: bool = False) -> Any:
        return deserialize_properties(props, True)

    pulumi_policy.policy.deserialize_properties = keeping  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    level: EnforcementLevel
    schema: dict[str, Any]
    check: Callable[[rules.VoiceOSResource, Mapping[str, Any], Mapping[str, str]], list[str]]
    """Violations of a resource, given the policy's config and the stack's tags; [] when unconfigured."""


def _strings(config: Mapping[str, Any], name: str) -> list[str] | None:
    value = config.get(name)
    return [str(item) for item in value] if isinstance(value, list) else None


def _schemes(resource: rules.VoiceOSResource, config: Mapping[str, Any], _: Mapping[str, str]) -> list[str]:
    return rules.insecure_webhooks(resource, tuple(_strings(config, "schemes") or rules.DEFAULT_SCHEMES))


def _agents(resource: rules.VoiceOSResource, config: Mapping[str, Any], _: Mapping[str, str]) -> list[str]:
    agents = _strings(config, "agents")
    return [] if agents is None else rules.agents_not_allowed(resource, agents)


def _prefixes(resource: rules.VoiceOSResource, config: Mapping[str, Any], _: Mapping[str, str]) -> list[str]:
    prefixes = _strings(config, "prefixes")
    return [] if not prefixes else rules.numbers_outside_prefixes(resource, prefixes)


def _fleet_size(resource: rules.VoiceOSResource, config: Mapping[str, Any], _: Mapping[str, str]) -> list[str]:
    limit = config.get("maxNumbers")  # a JSON number: it reaches the pack as a float
    if not isinstance(limit, int | float) or isinstance(limit, bool):
        return []
    return rules.fleet_too_large(resource, int(limit))


def _reviewer(resource: rules.VoiceOSResource, config: Mapping[str, Any], tags: Mapping[str, str]) -> list[str]:
    tag = config.get("tag")
    return [] if not isinstance(tag, str) or not tag else rules.overwrite_without_reviewer(resource, tags, tag)


_STRING_LIST = {"type": "array", "items": {"type": "string"}}
RULES: tuple[Rule, ...] = (
    Rule(
        "voiceos-webhook-https",
        "VoiceOS webhooks use https:// or wss:// (schemes: the allowed URL schemes).",
        EnforcementLevel.MANDATORY,
        {"schemes": {**_STRING_LIST, "default": list(rules.DEFAULT_SCHEMES)}},
        _schemes,
    ),
    Rule(
        "voiceos-webhook-header-secrets",
        "VoiceOS webhook header values are passed as secrets.",
        EnforcementLevel.MANDATORY,
        {},
        lambda resource, _config, _tags: rules.plaintext_headers(resource),
    ),
    Rule(
        "voiceos-allowed-agents",
        "VoiceOS numbers are bound to allowed agents only (agents: their ids).",
        EnforcementLevel.ADVISORY,
        {"agents": _STRING_LIST},
        _agents,
    ),
    Rule(
        "voiceos-number-prefixes",
        "VoiceOS numbers are under allowed prefixes (prefixes: such as +1415).",
        EnforcementLevel.ADVISORY,
        {"prefixes": {"type": "array", "items": {"type": "string", "pattern": r"^\+[0-9]+$"}}},
        _prefixes,
    ),
    Rule(
        "voiceos-fleet-size",
        "A VoiceOS fleet has at most maxNumbers numbers.",
        EnforcementLevel.ADVISORY,
        {"maxNumbers": {"type": "integer", "minimum": 1}},
        _fleet_size,
    ),
    Rule(
        "voiceos-overwrite-reviewer",
        "allowOverwrite needs the stack tag named by tag, naming the takeover's reviewer.",
        EnforcementLevel.ADVISORY,
        {"tag": {"type": "string", "minLength": 1}},
        _reviewer,
    ),
)


def _validator(rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        resource = rules.read_resource(args.resource_type, plain(args.props))
        if resource is None:
            return
        tags: Mapping[str, str] = getattr(args, "stack_tags", None) or {}
        for message in rule.check(resource, args.get_config() or {}, tags):
            report_violation(message, None)

    return validate


POLICIES: list[pulumi_policy.Policy] = [
    ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        enforcement_level=rule.level,
        config_schema=PolicyConfigSchema(properties=rule.schema) if rule.schema else None,
        validate=_validator(rule),
    )
    for rule in RULES
]


def serve() -> None:
    """Run the pack for the engine (blocks until the engine is done with it)."""
    keep_secrets()
    PolicyPack(
        name=PACK_NAME,
        enforcement_level=EnforcementLevel.ADVISORY,
        policies=POLICIES,
        description="Rules for VoiceOS phone-number routing (pulumi-voiceos): docs/policies.md",
    )
