"""What ``pulumi preview`` can tell before ``up``: the create's decision on a number, applied at check."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from .. import errors
from ..core import checks, lifecycle, models, reasons
from ..core.config import Settings
from ..core.reasons import Reason, Say
from . import per_number
from .deployment import Deployment
from .fanout import NAMED, in_parallel, named
from .fleet_outputs import entry_binding

__all__ = ["binding", "fleet", "import_refusal", "takes_a_number"]

logger = logging.getLogger("pulumi_voiceos")


def takes_a_number(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """A new resource, or one whose number changes: its create will take a number from whoever has it."""
    number = news.get("phone_number")
    if number is None:
        return False
    return olds.get("phone_number") is None or checks.contains_unknown(number) or olds["phone_number"] != number


def binding(
    deployment: Deployment,
    checked: Mapping[str, Any],
    settings: Callable[[], Settings],
    say: Say,
) -> Reason | None:
    """Read the live binding of the number ``checked`` takes and tell what its create will do:
    why it will be refused, if it will (its warnings are logged, worded by ``say``); None when it cannot be told."""
    number = checked["phone_number"]
    if checks.contains_unknown(number):
        logger.warning("%s", say(reasons.NumberNotKnown()))
        return None
    conn = per_number.Connection.for_preview(deployment, settings)
    if conn is None:
        return None
    listed = conn.account.lookup(number)
    if conn.account.failure is not None:
        deployment.unchecked(str(conn.account.failure))
        return None
    try:
        # Missing from the listing: only the number's own GET says it is not in the account.
        found = listed if listed is not None else per_number.read_now(conn, number)
    except errors.VoiceOSError as exc:
        deployment.unchecked(str(exc))
        return None
    unknown = frozenset(name for name in models.BINDING_FIELDS if checks.contains_unknown(checked.get(name)))
    declared = models.Binding.from_properties(
        None if "inbound_agent_id" in unknown else checked.get("inbound_agent_id"),
        None if "webhooks" in unknown else checked.get("webhooks"),
    )
    allow_overwrite = checked.get("allow_overwrite")
    prediction = per_number.predict(
        number,
        declared,
        found,
        unknown=unknown,
        allow_overwrite=None if checks.contains_unknown(allow_overwrite) else bool(allow_overwrite),
        adopt=bool(checked.get("adopt_existing")),
    )
    if prediction.notice:
        # The engine checks a replacement twice (with its old inputs, then as a new resource): say it once.
        notice = say(prediction.notice)
        deployment.warn_once(f"notice {number} {notice}", notice)
    return prediction.refusal


def import_refusal(number: str, checked: Mapping[str, Any], olds: Mapping[str, Any]) -> Reason | None:
    """The refusal of an import whose program declares another binding than the one read.

    The engine imports a native resource itself: it reads the number (``read``
    with no state, which records it in ``imported``), then checks the program's
    inputs against what was read and would update the number to them. An import
    adopts a binding as it is, so a difference is refused here, for the reason
    ``plan_create`` gives the dynamic resource's import.
    """
    unknown = any(checks.contains_unknown(checked.get(name)) for name in models.BINDING_FIELDS)
    if unknown or olds.get("phone_number") != number:
        return None
    prediction = lifecycle.predict_create(
        number,
        models.Binding.from_properties(checked.get("inbound_agent_id"), checked.get("webhooks")),
        models.Binding.from_properties(olds.get("inbound_agent_id"), olds.get("webhooks")),
        allow_overwrite=False,
        adopt=True,
    )
    return prediction.refusal


def fleet(
    deployment: Deployment,
    checked: Mapping[str, Any],
    added: list[str],
    settings: Callable[[], Settings],
    say: Say,
) -> list[checks.Failure]:
    """Each entry the fleet is about to add, told in advance as a binding's create is: refusals as failures
    on the entry's path (the first ``NAMED``, then a count), takeovers as one warning for the fleet."""
    conn = per_number.Connection.for_preview(deployment, settings)
    if conn is None:
        return []
    allow_overwrite = checked.get("allow_overwrite")
    unknown_overwrite = checks.contains_unknown(allow_overwrite)
    known = [n for n in added if not checks.contains_unknown(checked["bindings"][n])]
    if len(known) < len(added):
        logger.warning(
            "%d entries of a fleet are not known until `up` (another resource computes them); `up` checks "
            "their numbers before writing",
            len(added) - len(known),
        )
    concurrency = conn.settings.max_concurrency
    lives, unreachable = in_parallel(known, lambda n: per_number.lookup(conn, n), concurrency)
    if conn.account.failure is not None or unreachable:
        deployment.unchecked(str(conn.account.failure or next(iter(unreachable.values()))))
        return []
    refusals: dict[str, Reason] = {}
    takeovers: list[str] = []
    for number in known:
        entry = checked["bindings"][number]
        live = lives[number]
        prediction = per_number.predict(
            number,
            entry_binding(entry),
            live,
            allow_overwrite=None if unknown_overwrite else bool(allow_overwrite),
            adopt=bool(entry.get("adopt")),
        )
        if prediction.refusal:
            refusals[number] = prediction.refusal
        elif prediction.notice and live is not None:
            takeovers.append(number)
    if takeovers:
        bound = tuple((n, live.binding()) for n in takeovers if (live := lives[n]) is not None)
        deployment.warn_once(f"fleet takeovers {sorted(takeovers)}", say(reasons.FleetTakeovers(bound)))
    shown = sorted(refusals)
    found = [checks.Failure(checks.entry_path(n), say(refusals[n])) for n in shown[:NAMED]]
    if len(shown) > NAMED:
        found.append(
            checks.Failure(
                "bindings",
                f"{len(shown) - NAMED} more entries are refused for the same reasons: {named(shown[NAMED:])}",
            )
        )
    return found
