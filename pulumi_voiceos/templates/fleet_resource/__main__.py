"""VoiceOS bindings declared as data: one PhoneNumberFleet holding every entry of bindings.yaml.

Written by `voiceos-pulumi adopt --fleet`; edit it freely. A header value `{secret: <key>}` is that stack config secret.
"""

from pathlib import Path
from typing import Any

import pulumi
import yaml

from pulumi_voiceos import FleetBindingArgs, PhoneNumberFleet, entries_of_split

config = pulumi.Config()
fleet = yaml.safe_load((Path(__file__).parent / "bindings.yaml").read_text()) or {}
# In a stack of `voiceos-pulumi adopt --stacks K`, config `split` (e.g. "2/4") keeps to this stack's share.
listed = entries_of_split(fleet.get("bindings") or [], config.get("split"))


def header_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"secret"}:
        return config.require_secret(value["secret"])
    return value


def binding(entry: dict[str, Any]) -> FleetBindingArgs:
    fleet_wide = [key for key in ("allow_overwrite", "on_delete") if key in entry]
    if fleet_wide:
        raise ValueError(
            f"bindings.yaml, entry {entry.get('name')!r}: {' and '.join(fleet_wide)} apply to the whole "
            "PhoneNumberFleet; set them in __main__.py (PhoneNumberFleet(..., allow_overwrite=..., on_delete=...))"
        )
    webhooks: list[Any] = [
        {
            **{key: hook[key] for key in ("events", "url", "method", "filter") if hook.get(key) is not None},
            "headers": {name: header_value(value) for name, value in (hook.get("headers") or {}).items()},
        }
        for hook in entry.get("webhooks") or []
    ]
    return FleetBindingArgs(
        inbound_agent_id=entry.get("inbound_agent_id"), webhooks=webhooks or None, adopt=entry.get("adopt")
    )


entries = [e for e in listed if e.get("inbound_agent_id") is not None or e.get("webhooks")]
if entries:  # entries with neither an agent nor webhooks are listed but unbound: not managed
    # One resource for the whole file deploys thousands of numbers in one step; the fleet still treats each
    # entry as a PhoneNumberBinding would (see the README).
    # allow_overwrite and on_delete apply to the whole fleet: set them here, not per entry.
    PhoneNumberFleet("fleet", bindings={str(e["phone_number"]): binding(e) for e in entries})
