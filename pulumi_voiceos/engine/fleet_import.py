"""A ``PhoneNumberFleet`` imported from an id (``pulumi import``): its numbers, each adopted as a binding's import is.

The id is the numbers joined by commas (``import_id``); ``voiceos-pulumi adopt --import-file --fleet`` writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .. import errors
from ..core import models, reasons
from ..core.config import Settings
from ..core.reasons import Say
from . import per_number
from .deployment import Deployment
from .fanout import in_parallel, named
from .fleet import FleetRead
from .fleet_outputs import FleetOutputs, lean_entry

__all__ = ["SEPARATOR", "import_id", "read"]

SEPARATOR: Final = ","


def import_id(numbers: Iterable[str]) -> str:
    """The id ``pulumi import`` takes a fleet of these numbers by."""
    return SEPARATOR.join(numbers)


def read(deployment: Deployment, settings: Settings, fleet_id: str, say: Say) -> FleetRead:
    """The fleet of the numbers in ``fleet_id``, each read with its own GET and adopted as it is: its inputs
    declare every live binding, and ``previous`` keeps it for ``on_delete="restore"``. Refuses, reading
    nothing more, a number not in the account, unbound, or whose binding no program can declare."""
    numbers = [n.strip() for n in fleet_id.split(SEPARATOR) if n.strip()]
    if not numbers or len(set(numbers)) != len(numbers):
        raise errors.ConfigurationError(
            f"a PhoneNumberFleet is imported by the id '+14155550101{SEPARATOR}+14155550102{SEPARATOR}...': "
            f"its numbers, each once, joined by '{SEPARATOR}' (got {fleet_id!r})"
        )
    conn = per_number.Connection.of(deployment, settings)
    lives, failed = in_parallel(numbers, lambda n: per_number.read_now(conn, n), conn.settings.max_concurrency)
    if failed:
        raise next(iter(failed.values()))
    missing = [n for n in numbers if lives[n] is None]
    if missing:
        raise errors.NotFoundError(
            f"{len(missing)} numbers of the fleet to import are not in the VoiceOS account: {named(missing)}; "
            "leave them out of the id",
            status_code=404,
            operation="import",
        )
    found = {n: live for n, live in lives.items() if live is not None}
    unbound = [n for n, live in found.items() if live.binding().is_unbound]
    if unbound:
        raise errors.ConfigurationError(
            f"{len(unbound)} numbers of the fleet to import have no binding (no agent, no webhooks), which a fleet "
            f"entry cannot declare: {named(unbound)}; leave them out of the id"
        )
    refusals: list[tuple[str, reasons.Reason]] = []
    for number, live in found.items():
        why = models.undeclarable_reason(live.binding())
        if why is not None:
            refusals.append((number, reasons.UndeclarableImport(number, live.binding(), why)))
    if refusals:
        refused = reasons.FleetRefused(tuple(refusals))
        raise errors.BindingConflictError(say(refused), reason=refused)
    out = FleetOutputs()
    for number in numbers:
        live = found[number]
        deployment.imported.claim(number)
        out.record(live, live.binding())
        out.previous[number] = lean_entry(live.binding(), raw=True)
    return FleetRead(out.bag({}), {"bindings": {n: lean_entry(found[n].binding()) for n in numbers}})
