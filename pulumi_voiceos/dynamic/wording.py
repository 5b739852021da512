"""How the dynamic provider words the core's reasons: options as a Python program spells them."""

from __future__ import annotations

from typing import Final

from ..wording import Wording

__all__ = ["PYTHON"]

PYTHON: Final = Wording(
    aliases="add aliases=[...] with its old name or parent to its ResourceOptions",
    import_option="adopt it with ResourceOptions(import_={number!r})",
    allow_overwrite="allow_overwrite=True",
    previous="previous_inbound_agent_id and previous_webhooks",
    restore='on_delete="restore"',
    secret='a secret (config.require_secret("...") or pulumi.Output.secret(...))',
)
"""The dynamic provider's ``PhoneNumberBinding`` and ``PhoneNumberFleet`` in a Python program."""
