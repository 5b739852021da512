"""How the native provider words the core's reasons: options as its schema spells them, for any language."""

from __future__ import annotations

from typing import Final

from ..wording import Wording

__all__ = ["SCHEMA"]

SCHEMA: Final = Wording(
    aliases="add the aliases resource option with its old name or parent",
    import_option=(
        "adopt it with `pulumi import voiceos:index:PhoneNumberBinding <name> {number}` (or the import resource option)"
    ),
    allow_overwrite="allowOverwrite: true",
    previous="previousInboundAgentId and previousWebhooks",
    restore="onDelete: restore",
    secret="a secret (a config value set with `pulumi config set --secret`, or your language's secret "
    "function: fn::secret in YAML, pulumi.secret in TypeScript, pulumi.ToSecret in Go)",
    camel_case=True,
)
"""The native provider's ``voiceos:index:PhoneNumberBinding`` and its fleet, in any language."""
