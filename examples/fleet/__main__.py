"""VoiceOS bindings declared as data: one PhoneNumberBinding per entry of bindings.yaml.

Written by `voiceos-pulumi adopt`; edit it freely. A header value `{secret: <key>}` is that stack config secret.
"""

from pathlib import Path
from typing import Any

import pulumi
import yaml

from pulumi_voiceos import PhoneNumberBinding, WebhookArgs, entries_of_split

config = pulumi.Config()
fleet = yaml.safe_load((Path(__file__).parent / "bindings.yaml").read_text()) or {}
# In a stack of `voiceos-pulumi adopt --stacks K`, config `split` (e.g. "2/4") keeps to this stack's share.
listed = entries_of_split(fleet.get("bindings") or [], config.get("split"))


def header_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"secret"}:
        return config.require_secret(value["secret"])
    return value


for entry in listed:
    if entry.get("inbound_agent_id") is None and not entry.get("webhooks"):
        continue  # listed but unbound: give it an agent or webhooks to manage it
    webhooks = [
        WebhookArgs(
            events=hook["events"],
            url=hook["url"],
            method=hook.get("method"),
            headers={name: header_value(value) for name, value in (hook.get("headers") or {}).items()},
            filter=hook.get("filter"),
        )
        for hook in entry.get("webhooks") or []
    ]
    PhoneNumberBinding(
        entry["name"],
        phone_number=entry["phone_number"],
        inbound_agent_id=entry.get("inbound_agent_id"),
        webhooks=webhooks or None,
        allow_overwrite=entry.get("allow_overwrite"),
        on_delete=entry.get("on_delete"),
        opts=pulumi.ResourceOptions(import_=entry["phone_number"]) if entry.get("adopt") else None,
    )
