"""adopt's reading of the account: which numbers it adopts, each one's entry and resource name, and the report."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ..core.models import PhoneNumber, undeclarable_reason
from .adopt_project import FLEET_FILE

__all__ = ["UNDECLARABLE_NEXT", "AdoptReport", "binding_name", "fleet_entry", "new_entries"]


@dataclass
class AdoptReport:
    """What adopt did: the numbers it adopted, a count of the rest, and those no program can declare."""

    listed: int = 0
    adopted: list[str] = field(default_factory=list)
    already_listed: int = 0
    unbound: int = 0
    outside_prefix: int = 0
    undeclarable: dict[str, str] = field(default_factory=dict)
    """Numbers whose live binding no program can declare, and why: named, and left out."""
    secrets: int = 0
    created_project: bool = False
    out: Path = Path()
    stack: str = ""
    stacks: list[str] = field(default_factory=list)
    """Every stack written: ``stack`` alone, or the K stacks of ``adopt --stacks K``."""

    def lines(self) -> list[str]:
        skipped = self.already_listed + self.unbound + self.outside_prefix + len(self.undeclarable)
        reasons = [
            f"{self.already_listed} already in {FLEET_FILE}",
            f"{self.unbound} unbound (--include-unbound lists them)",
            f"{self.outside_prefix} outside --prefix",
            f"{len(self.undeclarable)} whose binding no program can declare (listed below)",
        ]
        what = "wrote a new project" if self.created_project else f"added to the existing {FLEET_FILE}"
        return [
            f"listed {self.listed} numbers in the account",
            f"adopted {len(self.adopted)} ({what} in {self.out}; "
            f"{self.secrets} header values stored as secrets in stack {self.stack})",
            f"skipped {skipped}: " + ", ".join(reasons),
            *(f"  {number}: {why}" for number, why in sorted(self.undeclarable.items())),
            *([UNDECLARABLE_NEXT] if self.undeclarable else []),
            *self._next(),
        ]

    def _next(self) -> list[str]:
        if len(self.stacks) <= 1:
            return [f"next: cd {self.out} && pulumi up --stack {self.stack}"]
        return [
            f"split into {len(self.stacks)} stacks, each declaring its share (config split): {', '.join(self.stacks)}",
            f"next: cd {self.out} && pulumi up --stack STACK, for each of them (they can run at once)",
        ]


UNDECLARABLE_NEXT: Final = (
    "  to manage one of these, declare the binding it should have with allow_overwrite=True (and "
    'on_delete="restore" to give the old one back on destroy), or fix it in the VoiceOS dashboard and run adopt again'
)


def binding_name(phone_number: str) -> str:
    """A stable, valid resource name for a number: ``number-14155550123``."""
    return "number-" + phone_number.lstrip("+")


def _header_key(phone_number: str, webhook_index: int, header: str, taken: set[str]) -> str:
    base = f"header-{phone_number.lstrip('+')}-{webhook_index}-" + re.sub(r"[^a-z0-9]+", "-", header.lower()).strip("-")
    key, suffix = base, 1
    while key in taken:
        suffix += 1
        key = f"{base}-{suffix}"
    taken.add(key)
    return key


def fleet_entry(number: PhoneNumber, name: str, secrets: dict[str, str]) -> dict[str, Any]:
    """The bindings.yaml entry for a live number; header values go into ``secrets`` (config key -> value)."""
    webhooks = []
    taken: set[str] = set()
    for index, webhook in enumerate(number.binding().webhooks_wire()):
        item: dict[str, Any] = {"events": webhook["events"], "url": webhook["url"], "method": webhook["method"]}
        if webhook.get("filter") is not None:
            item["filter"] = webhook["filter"]
        if webhook["headers"]:
            headers = {}
            for header, value in webhook["headers"].items():
                key = _header_key(number.phone_number, index, header, taken)
                secrets[key] = value
                headers[header] = {"secret": key}
            item["headers"] = headers
        webhooks.append(item)
    entry: dict[str, Any] = {"name": name, "phone_number": number.phone_number}
    entry["inbound_agent_id"] = number.inbound_agent_id
    if webhooks:
        entry["webhooks"] = webhooks
    entry["adopt"] = True
    return entry


def new_entries(
    numbers: Sequence[PhoneNumber],
    existing: Sequence[Mapping[str, Any]],
    *,
    prefix: str | None,
    include_unbound: bool,
    report: AdoptReport,
    secrets: dict[str, str],
) -> list[dict[str, Any]]:
    """The entries of the numbers to adopt (counting the others in ``report``), named apart from the
    ``existing`` ones; their secret header values go into ``secrets``, by config key."""
    known = {str(e["phone_number"]) for e in existing}
    names = {str(e.get("name")) for e in existing}
    new_entries = []
    for number in sorted(numbers, key=lambda n: n.phone_number):
        if prefix is not None and not number.phone_number.startswith(prefix):
            report.outside_prefix += 1
        elif number.phone_number in known:
            report.already_listed += 1
        elif number.binding().is_unbound and not include_unbound:
            report.unbound += 1
        elif (why := undeclarable_reason(number.binding())) is not None:
            report.undeclarable[number.phone_number] = why
        else:
            name = binding_name(number.phone_number)
            while name in names:
                name += "-adopted"
            names.add(name)
            new_entries.append(fleet_entry(number, name, secrets))
            report.adopted.append(number.phone_number)
    return new_entries
