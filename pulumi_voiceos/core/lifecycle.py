"""The lifecycle rules, as plain functions of what is declared, recorded and live (docs/internals.md, "The rules").

Each decides what to send, and why when it refuses or warns (a ``reasons`` value, which the adapters word)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..errors import BindingConflictError, BindingRefusedError, NumberNotInAccountError
from . import reasons
from .models import UNBOUND, Binding, BindingPrint, DeletePolicy, Patch, undeclarable_reason
from .reasons import Reason

__all__ = [
    "Claims",
    "CreatePlan",
    "DeletePlan",
    "Prediction",
    "is_handed_over",
    "plan_create",
    "plan_delete",
    "plan_update",
    "predict_create",
]


@dataclass(frozen=True)
class CreatePlan:
    write: Patch | None
    """The PATCH to send; None when the number already has the declared binding."""
    previous: Binding | None
    """What the resource took over, kept for ``on_delete="restore"``; None when there was nothing."""
    notice: Reason | None = None
    """A warning for the person running the deployment."""


@dataclass(frozen=True)
class DeletePlan:
    write: Patch | None
    """The PATCH to send; None to leave the number as it is."""
    notice: Reason | None = None


class Claims:
    """Numbers that a resource of this deployment creates, updates or declares; thread-safe.

    The Python dynamic-provider server runs hooks on 4 threads, and a native
    provider runs them as concurrently as the engine asks.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers: set[str] = set()

    def claim(self, phone_number: str) -> None:
        with self._lock:
            self._numbers.add(phone_number)

    def __contains__(self, phone_number: object) -> bool:
        with self._lock:
            return phone_number in self._numbers


def plan_create(
    phone_number: str,
    declared: Binding,
    live: Binding | None,
    *,
    allow_overwrite: bool,
    adopt: bool,
) -> CreatePlan:
    """Creating a binding: adopt it, write it, or refuse to clobber someone else's.

    ``live`` None means the number is not in the account. Raises
    ``NumberNotInAccountError`` then, and ``BindingConflictError`` when the number
    is bound to something else and neither ``allow_overwrite`` nor an import
    allows taking it.
    """
    if live is None:
        raise NumberNotInAccountError(reason=reasons.NotInAccount(phone_number))
    if adopt:
        if live != declared and (why := undeclarable_reason(live)) is not None:
            raise BindingConflictError(reason=reasons.UndeclarableAdoption(phone_number, live, why))
        if live != declared:
            raise BindingConflictError(reason=reasons.ImportDiffers(phone_number, live, declared))
        return CreatePlan(write=None, previous=None if live.is_unbound else live)
    if live == declared:
        # Already routed as declared (a re-run after an interrupted up, a rename, a --replace):
        # nothing to write, and nothing taken from anyone.
        return CreatePlan(write=None, previous=None)
    if live.is_unbound:
        return CreatePlan(write=declared.patch(), previous=None)
    if not allow_overwrite:
        raise BindingConflictError(reason=reasons.Conflict(phone_number, live, declared))
    return CreatePlan(write=declared.patch(), previous=live, notice=reasons.Overwrite(phone_number, live))


@dataclass(frozen=True)
class Prediction:
    """What a create will do, told before it runs: at check time, so ``pulumi preview`` shows it."""

    refusal: Reason | None = None
    """Why the create will fail; the check fails with it, before anything is written."""
    notice: Reason | None = None
    """A warning for the person reading the preview (a takeover, or an outcome that depends on unknowns)."""


def predict_create(
    phone_number: str,
    declared: Binding,
    live: Binding | None,
    *,
    unknown: frozenset[str] = frozenset(),
    allow_overwrite: bool | None,
    adopt: bool,
) -> Prediction:
    """The outcome ``plan_create`` will reach when the create runs, decided on what is known now.

    ``unknown`` names the binding fields whose values are not known until ``up``
    (computed by another resource), whose ``declared`` values are placeholders;
    ``allow_overwrite`` None means it is unknown too. With everything known this is
    ``plan_create`` itself: its refusal, or its takeover, announced. Otherwise the
    prediction is what holds for every value the unknowns may take, and says so
    when the outcome depends on them.
    """
    if live is None or (not unknown and allow_overwrite is not None):
        try:
            plan = plan_create(phone_number, declared, live, allow_overwrite=bool(allow_overwrite), adopt=adopt)
        except BindingRefusedError as exc:
            return Prediction(refusal=exc.reason)
        if live is None or plan.previous is None or plan.write is None:
            return Prediction()  # adopted, or a free number bound: nothing to say
        return Prediction(notice=reasons.Takeover(phone_number, live))
    if live.is_unbound and not adopt:
        return Prediction()  # binding a free number: nothing to say, whatever the unknowns turn out to be
    # Unknown fields take the live values: if the known ones already differ, no value of the
    # unknowns can make the declared binding the live one, and the outcome is settled.
    as_live = Binding(
        live.inbound_agent_id if "inbound_agent_id" in unknown else declared.inbound_agent_id,
        live.webhooks if "webhooks" in unknown else declared.webhooks,
    )
    if as_live != live:
        if allow_overwrite is not None:
            return predict_create(phone_number, as_live, live, allow_overwrite=allow_overwrite, adopt=adopt)
        if adopt:
            return predict_create(phone_number, as_live, live, allow_overwrite=False, adopt=True)
        return Prediction(notice=reasons.TakeoverIfAllowed(phone_number, live))
    pending = sorted(unknown)
    if allow_overwrite is None:
        pending.append("allow_overwrite")
    return Prediction(
        notice=reasons.AdoptIfMatching(
            phone_number,
            live,
            tuple(pending),
            "import fails" if adopt else "replaces" if allow_overwrite else "fails",
        )
    )


def plan_update(declared: Binding, recorded: Binding | BindingPrint) -> Patch | None:
    """Only the fields the program changed: an ignored or untouched field keeps whatever it has live.

    ``recorded`` is the binding a stack recorded, or a fleet's print of it (the same answer)."""
    fields = recorded.differing_fields(declared)
    return declared.patch(fields) if fields else None


def plan_delete(
    phone_number: str,
    *,
    recorded: Binding | BindingPrint,
    live: Binding | None,
    policy: DeletePolicy,
    previous: Binding | None,
) -> DeletePlan:
    """Deleting a binding that was not handed over: undo only what this stack set.

    ``live`` None means the number is no longer in the account, which counts
    as unbound. A number that already has what the delete would leave (an
    interrupted destroy, run again) needs nothing. Otherwise, if the live binding
    is not the recorded one, someone changed it since this stack last saw it,
    and their binding is left alone.
    """
    if live is None:
        return DeletePlan(None, reasons.NoLongerInAccount(phone_number))
    target = previous if policy == "restore" and previous is not None else UNBOUND
    if live == target:
        return DeletePlan(None)
    if recorded.differing_fields(live):
        return DeletePlan(None, reasons.ChangedSince(phone_number, live, recorded))
    if target is UNBOUND:
        return DeletePlan(target.patch())
    return DeletePlan(target.restoring_patch(), reasons.Restoring(phone_number, target))


def is_handed_over(phone_number: str, declared: Claims) -> bool:
    """The hand-over rule, for a binding's delete and a fleet's removed entry alike: a number another resource
    of the deployment declares is handed over to it, and the resource letting go of it writes nothing."""
    return phone_number in declared
