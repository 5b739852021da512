"""What a provider does for each hook of a binding, shared by the dynamic and the native provider.

Both providers are thin adapters around this module: they turn their own
property bags into the snake_case bags used here (``phone_number``,
``inbound_agent_id``, ``webhooks``...), call the function of the hook, and turn
the result back. The decisions themselves are ``lifecycle``'s; this module
reads the live number, asks ``lifecycle`` what to send, sends it, and builds
outputs that mirror the live number, so both providers make the same API calls
and return the same outputs for the same declarations.

API calls per hook: check 0, diff 0, create 1 GET + at most 1 PATCH (none when
the number already has the declared binding), update at most 1 PATCH of the
changed fields, read at most 1 GET (a refresh is served by one listing of the
account), delete 1 GET + at most 1 PATCH (nothing at all when the number was
handed over to another binding of the same deployment). It never calls DELETE:
destroying a binding must not remove or release the number.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import checks, errors, lifecycle, models, snapshot
from .client import VoiceOSClient
from .config import Settings
from .properties import FLAG_NAMES, INPUT_NAMES, OUTPUT_NAMES

__all__ = [
    "DeploymentState",
    "DiffPlan",
    "Read",
    "check",
    "create",
    "delete",
    "deployment_state",
    "diff",
    "new_deployment",
    "number_properties",
    "read",
    "update",
]

logger = logging.getLogger("pulumi_voiceos")


class DeploymentState:
    """What this provider process knows of the one deployment it serves.

    - ``claims``: the numbers that resources of this deployment declare (hand-over);
    - per distinct settings, one pooled client shared by concurrent hooks, and
      one listing of the account that serves the reads of a refresh.
    """

    def __init__(self) -> None:
        self.claims = lifecycle.Claims()
        self._lock = threading.Lock()
        self._clients: dict[Settings, tuple[VoiceOSClient, snapshot.AccountSnapshot]] = {}

    def connect(self, settings: Settings) -> tuple[VoiceOSClient, snapshot.AccountSnapshot]:
        with self._lock:
            found = self._clients.get(settings)
            if found is None:
                client = VoiceOSClient(settings)
                found = self._clients[settings] = (client, snapshot.AccountSnapshot(client.list_phone_numbers))
            return found

    def client(self, settings: Settings) -> VoiceOSClient:
        return self.connect(settings)[0]


_state_lock = threading.Lock()
_state: DeploymentState | None = None


def deployment_state() -> DeploymentState:
    """The state of this provider process, which serves exactly one deployment.

    Created under a lock: concurrent first calls would otherwise each make one,
    and two states would split the claims and the listing between them.
    """
    global _state  # noqa: PLW0603 - one per process, by design
    with _state_lock:
        if _state is None:
            _state = DeploymentState()
        return _state


def new_deployment() -> None:
    """Forget this process's deployment state, as a new provider process would start without it (tests)."""
    global _state  # noqa: PLW0603
    with _state_lock:
        _state = None


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
        "previous_webhooks": (previous.webhooks_wire() or None) if previous else None,
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


def check(news: Mapping[str, Any]) -> tuple[dict[str, Any], list[checks.Failure]]:
    """The canonical inputs and the failures; claims the number for this deployment when it is valid."""
    checked, failures = checks.check_inputs(news)
    number = checked.get("phone_number")
    if not failures and isinstance(number, str) and not checks.contains_unknown(number):
        # The program declares this number: a delete of it by another resource of this deployment
        # is a hand-over. Check, unlike diff, runs only for what the program declares (a refresh
        # calls diff too, and destroy calls neither).
        deployment_state().claims.claim(number)
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
    settings: Settings, props: Mapping[str, Any], wording: lifecycle.Wording = lifecycle.PYTHON
) -> tuple[str, dict[str, Any]]:
    """The id and outputs of a new binding; raises ``BindingConflictError`` rather than clobber,
    with a message that spells the options to set as ``wording`` does."""
    inputs = models.BindingInputs.from_properties(props)
    number = inputs.phone_number
    state = deployment_state()
    client, account = state.connect(settings)
    # Always a fresh read, never the listing: the guard decides on what the number has now.
    live = client.get_phone_number(number)
    plan = lifecycle.plan_create(
        number,
        inputs.binding(),
        live.binding(),
        allow_overwrite=inputs.allow_overwrite,
        adopt=inputs.adopt_existing,
        wording=wording,
    )
    state.claims.claim(number)
    if plan.notice:
        logger.warning("%s", plan.notice)
    if plan.write is not None:
        account.forget(number)
        live = client.update_phone_number(number, plan.write)
    return number, _outputs(live, flags(props), _previous_outputs(plan.previous))


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
    sent = write.model_fields_set
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


def read(settings: Settings, number: str, props: Mapping[str, Any]) -> Read | None:
    """The live binding of ``number``, or None when it left the account.

    ``props`` are the recorded outputs on a refresh, which the account's
    listing serves, and empty on an import, which reads the number with its
    own GET. Without them (an import), the binding found is adopted: inputs
    mirror it and it is what ``on_delete="restore"`` puts back.
    """
    client, account = deployment_state().connect(settings)
    # An import reads one number it knows nothing of: one GET, not a listing of the whole account.
    live = account.lookup(number) if props else None
    if live is None:
        # Not in the listing (or no listing): only a 404 of its own GET says it is gone.
        try:
            live = client.get_phone_number(number)
        except errors.NotFoundError:
            return None
    if not props:
        adopted = live.binding()
        outs = _outputs(live, flags({}), _previous_outputs(None if adopted.is_unbound else adopted))
        return Read(outs, {name: outs[name] for name in INPUT_NAMES})
    outs = _outputs(live, flags(props), _kept_previous(props))
    drifted = outs["inbound_agent_id"] != props.get("inbound_agent_id") or outs["webhooks"] != props.get("webhooks")
    # After drift the inputs follow the live binding too, so `ignore_changes` keeps what is
    # live instead of writing back what was declared before. Without drift they stay as they
    # are: sending them back would cost a refresh of a big fleet a second serialisation per read.
    return Read(outs, {name: outs[name] for name in INPUT_NAMES} if drifted else None)


def delete(settings: Settings, number: str, props: Mapping[str, Any]) -> None:
    """Undo what this binding set, unless the number was handed over or re-bound by someone else."""
    state = deployment_state()
    if number in state.claims:
        logger.warning("%s", lifecycle.handed_over(number))
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
    )
    if plan.notice:
        logger.warning("%s", plan.notice)
    if plan.write is None:
        return
    try:
        client.update_phone_number(number, plan.write)
    except errors.NotFoundError:
        logger.warning("%s left the VoiceOS account while being unbound; nothing to unbind", number)
