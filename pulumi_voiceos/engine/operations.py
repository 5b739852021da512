"""A ``PhoneNumberBinding``'s hooks, shared by both providers: its property bag mapped onto one number's steps.

What each hook costs in requests is in docs/internals.md; none ever calls DELETE."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import errors
from ..core import checks, lifecycle, models, reasons
from ..core.config import Settings
from ..core.properties import FLAG_NAMES, INPUT_NAMES, OUTPUT_NAMES
from ..core.reasons import Say
from . import per_number, predict
from .deployment import Deployment
from .per_number import number_properties

__all__ = [
    "DiffPlan",
    "Read",
    "check",
    "create",
    "delete",
    "diff",
    "number_properties",
    "read",
    "update",
]

logger = logging.getLogger("pulumi_voiceos")


# -- property bags ---------------------------------------------------------------


def flags(props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "allow_overwrite": bool(props.get("allow_overwrite")),
        "adopt_existing": bool(props.get("adopt_existing")),
        "on_delete": props.get("on_delete") or "unbind",
    }


def _recorded(props: Mapping[str, Any]) -> models.Binding:
    """The binding a resource's state says it set."""
    return models.Binding.from_properties(props.get("inbound_agent_id"), props.get("webhooks"))


def _previous(props: Mapping[str, Any]) -> models.Binding | None:
    """What the resource took over when it was created, if anything."""
    agent, webhooks = props.get("previous_inbound_agent_id"), props.get("previous_webhooks")
    if agent is None and not webhooks:
        return None
    return models.Binding.from_properties(agent, webhooks)


def _previous_outputs(previous: models.Binding | None) -> dict[str, Any]:
    return {
        "previous_inbound_agent_id": previous.inbound_agent_id if previous else None,
        # None rather than [] when nothing was taken over: a secret costs ~150 bytes of state even when empty.
        "previous_webhooks": (previous.webhooks_raw() or None) if previous else None,
    }


def _kept_previous(props: Mapping[str, Any]) -> dict[str, Any]:
    """The previous_* outputs as a resource's state has them, carried over unparsed."""
    return {
        "previous_inbound_agent_id": props.get("previous_inbound_agent_id"),
        "previous_webhooks": props.get("previous_webhooks") or None,
    }


def _outputs(
    live: models.PhoneNumber,
    given_flags: Mapping[str, Any],
    previous: Mapping[str, Any],
    *,
    binding: models.Binding | None = None,
) -> dict[str, Any]:
    """Outputs of a binding: ``binding`` (what the stack knows is bound; the live one by default),
    everything else about the live number, and the ``previous`` outputs."""
    outputs = number_properties(live)
    if binding is not None:
        outputs["inbound_agent_id"] = binding.inbound_agent_id
        outputs["webhooks"] = binding.webhooks_wire()
    return {**outputs, **{name: given_flags[name] for name in FLAG_NAMES}, **previous}


# -- hooks -------------------------------------------------------------------------


def check(
    deployment: Deployment,
    news: Mapping[str, Any],
    olds: Mapping[str, Any] | None = None,
    *,
    settings: Callable[[], Settings] | None = None,
    say: Say,
) -> tuple[dict[str, Any], list[checks.Failure]]:
    """The canonical inputs and the failures (worded by ``say``); claims the number for the deployment when it
    is valid.

    ``olds`` are the resource's previous inputs (empty for a new resource). When
    ``settings`` is given (``voiceos:previewChecks`` on) and the binding is about to
    take a number, its live binding is read and the create's decision applied:
    a refusal becomes a failure on ``phone_number``, a takeover a warning.
    """
    checked, failures = checks.check_inputs(news)
    deployment.checked()
    number = checked.get("phone_number")
    if not failures and isinstance(number, str) and not checks.contains_unknown(number):
        # The program declares this number: a delete of it by another resource of this deployment
        # is a hand-over. Check, unlike diff, runs only for what the program declares (a refresh
        # calls diff too, and destroy calls neither).
        deployment.claims.claim(number)
    if not failures and isinstance(number, str) and number in deployment.imported:
        refusal = predict.import_refusal(number, checked, olds or {})
        if refusal is not None:
            failures.append(checks.Failure("phone_number", say(refusal)))
    elif not failures and settings is not None and predict.takes_a_number(olds or {}, checked):
        refusal = predict.binding(deployment, checked, settings, say)
        if refusal is not None:
            failures.append(checks.Failure("phone_number", say(refusal)))
    return checked, failures


@dataclass(frozen=True)
class DiffPlan:
    changes: bool
    replaces: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    """The input properties that differ from state (all of them are replaced when ``replaces`` is set)."""


def diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffPlan:
    """``olds`` are the resource's outputs (state), ``news`` the checked inputs."""
    number = news.get("phone_number")
    if checks.contains_unknown(number) or number != olds.get("phone_number"):
        return DiffPlan(True, ("phone_number",), ("phone_number",))
    unknown = tuple(
        name for name in ("inbound_agent_id", "webhooks", "on_delete") if checks.contains_unknown(news.get(name))
    )
    if unknown:
        return DiffPlan(True, (), unknown)
    try:
        declared = models.BindingInputs.from_properties(news)
    except ValueError:  # pydantic's ValidationError
        return DiffPlan(True, (), ("inbound_agent_id", "webhooks"))
    try:
        changed = list(_recorded(olds).differing_fields(declared.binding()))
    except ValueError:  # pydantic's ValidationError
        changed = list(models.BINDING_FIELDS)  # state we cannot read is never "the same"
    if flags(olds)["on_delete"] != declared.on_delete:
        changed.append("on_delete")
    return DiffPlan(bool(changed), (), tuple(changed))


def create(
    deployment: Deployment,
    settings: Settings,
    props: Mapping[str, Any],
    say: Say,
) -> tuple[str, dict[str, Any]]:
    """The id and outputs of a new binding; raises ``BindingConflictError`` rather than clobber,
    with its reason worded by ``say``."""
    inputs = models.BindingInputs.from_properties(props)
    number = inputs.phone_number
    conn = per_number.Connection.of(deployment, settings)
    # Always a fresh read, never the listing: the guard decides on what the number has now.
    live = per_number.read_now(conn, number)
    try:
        plan = per_number.plan_bind(
            number, inputs.binding(), live, allow_overwrite=inputs.allow_overwrite, adopt=inputs.adopt_existing
        )
    except errors.BindingRefusedError as exc:
        # The rules raise why; the message leaves the engine here, worded for the adapter's users.
        raise type(exc)(say(exc.reason), reason=exc.reason) from None
    if plan.notice:
        logger.warning("%s", say(plan.notice))
    taken = per_number.bind(conn, number, plan, live)
    return number, _outputs(taken.live, flags(props), _previous_outputs(taken.previous))


def update(
    deployment: Deployment, settings: Settings, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> dict[str, Any]:
    """The outputs after PATCHing only what the program changed since the state was recorded."""
    inputs = models.BindingInputs.from_properties(news)
    number = inputs.phone_number
    deployment.claims.claim(number)
    try:
        recorded: models.Binding | None = _recorded(olds)
    except ValueError:  # pydantic's ValidationError
        recorded = None
    write = per_number.plan_change(inputs.binding(), recorded)
    if write is None:
        return {**{name: olds.get(name) for name in OUTPUT_NAMES}, **flags(news)}
    live, bound = per_number.change(per_number.Connection.of(deployment, settings), number, write, recorded)
    return _outputs(live, flags(news), _kept_previous(olds), binding=bound)


@dataclass(frozen=True)
class Read:
    outputs: dict[str, Any]
    inputs: dict[str, Any] | None
    """Inputs that mirror the live binding, or None to keep the recorded inputs."""


def read(
    deployment: Deployment,
    settings: Settings,
    number: str,
    props: Mapping[str, Any],
    say: Say,
) -> Read | None:
    """The live binding of ``number``, or None when it left the account.

    ``props`` are the recorded outputs on a refresh, which the account's
    listing serves, and empty on an import, which reads the number with its
    own GET. Without them (an import), the binding found is adopted: inputs
    mirror it and it is what ``on_delete="restore"`` puts back.
    """
    conn = per_number.Connection.of(deployment, settings)
    # An import reads one number it knows nothing of: one GET, not a listing of the whole account.
    live = per_number.lookup(conn, number) if props else per_number.read_now(conn, number)
    if conn.account.failure is not None:
        deployment.warn_once(
            "listing", f"listing the VoiceOS account failed ({conn.account.failure}); reading numbers one by one"
        )
    if live is None:
        return None
    if not props:
        adopted = live.binding()
        why = models.undeclarable_reason(adopted)
        if why is not None:
            reason = reasons.UndeclarableImport(number, adopted, why)
            raise errors.BindingConflictError(say(reason), reason=reason)
        deployment.imported.claim(number)
        outs = _outputs(live, flags({}), _previous_outputs(None if adopted.is_unbound else adopted))
        return Read(outs, {name: outs[name] for name in INPUT_NAMES})
    outs = _outputs(live, flags(props), _kept_previous(props))
    drifted = outs["inbound_agent_id"] != props.get("inbound_agent_id") or outs["webhooks"] != props.get("webhooks")
    # After drift the inputs follow the live binding too, so `ignore_changes` keeps what is
    # live instead of writing back what was declared before. Without drift they stay as they
    # are: sending them back would cost a refresh of a big fleet a second serialisation per read.
    return Read(outs, {name: outs[name] for name in INPUT_NAMES} if drifted else None)


def delete(
    deployment: Deployment,
    settings: Settings,
    number: str,
    props: Mapping[str, Any],
    say: Say,
) -> None:
    """Undo what this binding set, unless the number was handed over or re-bound by someone else."""
    if lifecycle.is_handed_over(number, deployment.claims):
        logger.warning("%s", say(reasons.HandedOver(number)))
        lost = per_number.hand_over(deployment, number, _previous(props))
        if lost is not None:
            logger.warning("%s", say(lost))
        return
    notice = per_number.release(
        per_number.Connection.of(deployment, settings),
        number,
        recorded=_recorded(props),
        previous=_previous(props),
        policy=flags(props)["on_delete"],
    )
    if notice:
        logger.warning("%s", say(notice))
