"""What a provider does for each hook of a binding, shared by the dynamic and the native provider.

Both providers are thin adapters around this module: they turn their own
property bags into the snake_case bags used here (``phone_number``,
``inbound_agent_id``, ``webhooks``...), call the function of the hook, and turn
the result back. The decisions themselves are ``lifecycle``'s; this module
reads the live number, asks ``lifecycle`` what to send, sends it, and builds
outputs that mirror the live number, so both providers make the same API calls
and return the same outputs for the same declarations.

API calls per hook: check reads only for a binding about to take a number (a
new resource, or a new number) and then from the deployment's one listing of
the account (a number missing from it gets its own GET), so a preview of N new
bindings costs ceil(N/200) requests and a preview that takes no number none;
diff 0; create 1 GET + at most 1 PATCH (none when the number already has the
declared binding); update at most 1 PATCH of the changed fields; read at most
1 GET (a refresh is served by the same listing); delete 1 GET + at most 1 PATCH
(nothing at all when the number was handed over to another binding of the same
deployment). It never calls DELETE: destroying a binding must not remove or
release the number.

Check applies at preview the decision create applies at ``up``
(``lifecycle.predict_create`` is ``plan_create`` told in advance): a conflict
fails the check, so ``pulumi preview`` fails exactly where ``up`` would, and a
takeover is announced. Create still reads the number afresh, so the guard
decides on what is live at the moment of writing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import checks, errors, lifecycle, models
from .config import Settings
from .deployment import deployment_state
from .properties import FLAG_NAMES, INPUT_NAMES, OUTPUT_NAMES

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


def number_properties(live: models.PhoneNumber) -> dict[str, Any]:
    """What the API says of a number, as properties; the carrier credential is ``telephony_auth_token``."""
    telephony = live.telephony
    return {
        "phone_number": live.phone_number,
        "inbound_agent_id": live.inbound_agent_id,
        "webhooks": [w.to_wire() for w in live.webhooks],
        "voiceos_id": live.id,
        "uri": live.uri,
        "account_id": live.account_id,
        "created_at": live.created_at,
        "updated_at": live.updated_at,
        "telephony": telephony.public_fields() if telephony else None,
        "telephony_auth_token": telephony.auth_token if telephony else None,
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
    news: Mapping[str, Any],
    olds: Mapping[str, Any] | None = None,
    *,
    settings: Callable[[], Settings] | None = None,
    wording: lifecycle.Wording = lifecycle.PYTHON,
) -> tuple[dict[str, Any], list[checks.Failure]]:
    """The canonical inputs and the failures; claims the number for this deployment when it is valid.

    ``olds`` are the resource's previous inputs (empty for a new resource). When
    ``settings`` is given (``voiceos:previewChecks`` on) and the binding is about to
    take a number, its live binding is read and the create's decision applied:
    a refusal becomes a failure on ``phone_number``, a takeover a warning.
    """
    checked, failures = checks.check_inputs(news)
    deployment_state().checked()
    number = checked.get("phone_number")
    if not failures and isinstance(number, str) and not checks.contains_unknown(number):
        # The program declares this number: a delete of it by another resource of this deployment
        # is a hand-over. Check, unlike diff, runs only for what the program declares (a refresh
        # calls diff too, and destroy calls neither).
        deployment_state().claims.claim(number)
    if not failures and isinstance(number, str) and number in deployment_state().imported:
        refusal = _imported_as_declared(number, checked, olds or {}, wording)
        if refusal is not None:
            failures.append(checks.Failure("phone_number", refusal))
    elif not failures and settings is not None and _takes_a_number(olds or {}, checked):
        refusal = _predict(checked, settings, wording)
        if refusal is not None:
            failures.append(checks.Failure("phone_number", refusal))
    return checked, failures


def _imported_as_declared(
    number: str, checked: Mapping[str, Any], olds: Mapping[str, Any], wording: lifecycle.Wording
) -> str | None:
    """The refusal of an import whose program declares another binding than the one read.

    The engine imports a native resource itself: it reads the number (``read``
    with no state, which records it in ``imported``), then checks the program's
    inputs against what was read and would update the number to them. An import
    adopts a binding as it is, so a difference is refused here, with the text
    ``plan_create`` gives the dynamic resource's import.
    """
    unknown = any(checks.contains_unknown(checked.get(name)) for name in models.BINDING_FIELDS)
    if unknown or olds.get("phone_number") != number:
        return None
    prediction = lifecycle.predict_create(
        number,
        models.Binding.from_properties(checked.get("inbound_agent_id"), checked.get("webhooks")),
        _recorded(olds),
        allow_overwrite=False,
        adopt=True,
        wording=wording,
    )
    return prediction.refusal


def _takes_a_number(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """A new resource, or one whose number changes: its create will take a number from whoever has it."""
    number = news.get("phone_number")
    if number is None:
        return False
    return olds.get("phone_number") is None or checks.contains_unknown(number) or olds["phone_number"] != number


def _predict(checked: Mapping[str, Any], settings: Callable[[], Settings], wording: lifecycle.Wording) -> str | None:
    """Read the live binding of the number ``checked`` takes and tell what its create will do:
    the refusal, if any (its warnings are logged); None when it cannot be told."""
    state = deployment_state()
    number = checked["phone_number"]
    if checks.contains_unknown(number):
        logger.warning(
            "a binding's %s is not known until `up` (another resource computes it), so the preview could not "
            "check it against the VoiceOS account; `up` checks it before writing",
            wording.name("phone_number"),
        )
        return None
    try:
        client, account = state.connect(settings())
    except errors.MissingTokenError:
        state.unchecked("no API token is set")
        return None
    except errors.ConfigurationError as exc:
        state.unchecked(str(exc))
        return None
    found = account.lookup(number)
    if account.failure is not None:
        state.unchecked(str(account.failure))
        return None
    if found is None:
        # Missing from the listing: only the number's own GET says it is not in the account.
        try:
            found = client.get_phone_number(number)
        except errors.NotFoundError:
            found = None
        except errors.VoiceOSError as exc:
            state.unchecked(str(exc))
            return None
    unknown = frozenset(name for name in models.BINDING_FIELDS if checks.contains_unknown(checked.get(name)))
    declared = models.Binding.from_properties(
        None if "inbound_agent_id" in unknown else checked.get("inbound_agent_id"),
        None if "webhooks" in unknown else checked.get("webhooks"),
    )
    allow_overwrite = checked.get("allow_overwrite")
    prediction = lifecycle.predict_create(
        number,
        declared,
        None if found is None else found.binding(),
        unknown=unknown,
        allow_overwrite=None if checks.contains_unknown(allow_overwrite) else bool(allow_overwrite),
        adopt=bool(checked.get("adopt_existing")),
        wording=wording,
    )
    if prediction.notice:
        # The engine checks a replacement twice (with its old inputs, then as a new resource): say it once.
        state.warn_once(f"notice {number} {prediction.notice}", prediction.notice)
    return prediction.refusal


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
    settings: Settings, props: Mapping[str, Any], wording: lifecycle.Wording = lifecycle.PYTHON
) -> tuple[str, dict[str, Any]]:
    """The id and outputs of a new binding; raises ``BindingConflictError`` rather than clobber,
    with a message that spells the options to set as ``wording`` does."""
    inputs = models.BindingInputs.from_properties(props)
    number = inputs.phone_number
    state = deployment_state()
    client, account = state.connect(settings)
    # Always a fresh read, never the listing: the guard decides on what the number has now.
    try:
        live: models.PhoneNumber | None = client.get_phone_number(number)
    except errors.NotFoundError:
        live = None
    plan = lifecycle.plan_create(
        number,
        inputs.binding(),
        None if live is None else live.binding(),
        allow_overwrite=inputs.allow_overwrite,
        adopt=inputs.adopt_existing,
        wording=wording,
    )
    state.claims.claim(number)
    previous = state.take(number, plan.previous)
    if plan.notice:
        logger.warning("%s", plan.notice)
    if plan.write is not None:
        account.forget(number)
        live = client.update_phone_number(number, plan.write)
    assert live is not None  # plan_create refuses a number that is not in the account
    return number, _outputs(live, flags(props), _previous_outputs(previous))


def update(settings: Settings, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs after PATCHing only what the program changed since the state was recorded."""
    inputs = models.BindingInputs.from_properties(news)
    number = inputs.phone_number
    state = deployment_state()
    state.claims.claim(number)
    declared = inputs.binding()
    try:
        recorded: models.Binding | None = _recorded(olds)
    except ValueError:  # pydantic's ValidationError
        recorded = None
    write = declared.patch() if recorded is None else lifecycle.plan_update(declared, recorded)
    if write is None:
        return {**{name: olds.get(name) for name in OUTPUT_NAMES}, **flags(news)}
    client, account = state.connect(settings)
    account.forget(number)
    live = client.update_phone_number(number, write)
    sent = write.fields
    bound = live.binding()
    if recorded is not None:
        # A field the program did not change keeps what the stack recorded, so an ignored
        # or out-of-band value is neither clobbered now nor adopted into state unseen.
        bound = models.Binding(
            bound.inbound_agent_id if "inbound_agent_id" in sent else recorded.inbound_agent_id,
            bound.webhooks if "webhooks" in sent else recorded.webhooks,
        )
    return _outputs(live, flags(news), _kept_previous(olds), binding=bound)


@dataclass(frozen=True)
class Read:
    outputs: dict[str, Any]
    inputs: dict[str, Any] | None
    """Inputs that mirror the live binding, or None to keep the recorded inputs."""


def read(
    settings: Settings, number: str, props: Mapping[str, Any], wording: lifecycle.Wording = lifecycle.PYTHON
) -> Read | None:
    """The live binding of ``number``, or None when it left the account.

    ``props`` are the recorded outputs on a refresh, which the account's
    listing serves, and empty on an import, which reads the number with its
    own GET. Without them (an import), the binding found is adopted: inputs
    mirror it and it is what ``on_delete="restore"`` puts back.
    """
    state = deployment_state()
    client, account = state.connect(settings)
    # An import reads one number it knows nothing of: one GET, not a listing of the whole account.
    live = account.lookup(number) if props else None
    if account.failure is not None:
        state.warn_once(
            "listing", f"listing the VoiceOS account failed ({account.failure}); reading numbers one by one"
        )
    if live is None:
        # Not in the listing (or no listing): only a 404 of its own GET says it is gone.
        try:
            live = client.get_phone_number(number)
        except errors.NotFoundError:
            return None
    if not props:
        adopted = live.binding()
        why = models.undeclarable_reason(adopted)
        if why is not None:
            raise errors.BindingConflictError(
                f"cannot import {number}: it is bound to {wording.describe(adopted)}, which no program can declare "
                f"({why}). Declare the binding it should have instead, with {wording.allow_overwrite} (and "
                f"{wording.restore} to give the old one back on destroy), or correct the number in the VoiceOS "
                "dashboard and import it then."
            )
        state.imported.claim(number)
        outs = _outputs(live, flags({}), _previous_outputs(None if adopted.is_unbound else adopted))
        return Read(outs, {name: outs[name] for name in INPUT_NAMES})
    outs = _outputs(live, flags(props), _kept_previous(props))
    drifted = outs["inbound_agent_id"] != props.get("inbound_agent_id") or outs["webhooks"] != props.get("webhooks")
    # After drift the inputs follow the live binding too, so `ignore_changes` keeps what is
    # live instead of writing back what was declared before. Without drift they stay as they
    # are: sending them back would cost a refresh of a big fleet a second serialisation per read.
    return Read(outs, {name: outs[name] for name in INPUT_NAMES} if drifted else None)


def delete(
    settings: Settings, number: str, props: Mapping[str, Any], wording: lifecycle.Wording = lifecycle.PYTHON
) -> None:
    """Undo what this binding set, unless the number was handed over or re-bound by someone else."""
    state = deployment_state()
    if number in state.claims:
        logger.warning("%s", lifecycle.handed_over(number))
        previous = _previous(props)
        if not state.hand_over(number, previous) and previous is not None:
            logger.warning("%s", lifecycle.restore_memory_lost(number, previous, wording))
        return
    client, account = state.connect(settings)
    account.forget(number)
    try:
        live: models.Binding | None = client.get_phone_number(number).binding()
    except errors.NotFoundError:
        live = None
    plan = lifecycle.plan_delete(
        number,
        recorded=_recorded(props),
        live=live,
        policy=flags(props)["on_delete"],
        previous=_previous(props),
        wording=wording,
    )
    if plan.notice:
        logger.warning("%s", plan.notice)
    if plan.write is None:
        return
    try:
        client.update_phone_number(number, plan.write)
    except errors.NotFoundError:
        logger.warning("%s left the VoiceOS account while being unbound; nothing to unbind", number)
