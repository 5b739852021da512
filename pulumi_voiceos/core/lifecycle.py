"""The lifecycle rules of a binding, as plain functions of what is declared, recorded and live.

*declared* is what the program asks for, *recorded* what the stack's state says this resource set,
*live* what the API holds now (``None`` when the number is gone). Each function decides what to send
and talks to neither the API nor Pulumi, so every provider applies the same rules (``per_number``
carries them out). The engine creates a new resource before it deletes the one it replaces, so
"new resource takes N" runs before "old resource lets go of N"; ``Claims`` records which numbers a
resource of this deployment declares, and a delete of a claimed number is a hand-over.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final

from ..errors import BindingConflictError, BindingRefusedError, NumberNotInAccountError
from .models import UNBOUND, Binding, DeletePolicy, Patch, undeclarable_reason
from .properties import camel_case

__all__ = [
    "PYTHON",
    "SCHEMA",
    "Claims",
    "CreatePlan",
    "DeletePlan",
    "Prediction",
    "Wording",
    "handed_over",
    "is_handed_over",
    "plan_create",
    "plan_delete",
    "plan_update",
    "predict_create",
    "restore_memory_lost",
]


@dataclass(frozen=True)
class Wording:
    """How the options a message tells the user to set are spelled in the user's program."""

    aliases: str
    import_option: str
    allow_overwrite: str
    previous: str
    restore: str
    camel_case: bool = False
    """Property names as the schema spells them (``inboundAgentId``) rather than as Python does."""

    def name(self, field: str) -> str:
        return camel_case(field) if self.camel_case else field

    def describe(self, binding: Binding) -> str:
        """``binding`` for a message, its agent property spelled as the reader's program spells it."""
        return binding.describe(self.name("inbound_agent_id"))


PYTHON: Final = Wording(
    aliases="add aliases=[...] with its old name or parent to its ResourceOptions",
    import_option="adopt it with ResourceOptions(import_={number!r})",
    allow_overwrite="allow_overwrite=True",
    previous="previous_inbound_agent_id and previous_webhooks",
    restore='on_delete="restore"',
)
"""The dynamic provider's ``PhoneNumberBinding`` in a Python program."""

SCHEMA: Final = Wording(
    aliases="add the aliases resource option with its old name or parent",
    import_option=(
        "adopt it with `pulumi import voiceos:index:PhoneNumberBinding <name> {number}` (or the import resource option)"
    ),
    allow_overwrite="allowOverwrite: true",
    previous="previousInboundAgentId and previousWebhooks",
    restore="onDelete: restore",
    camel_case=True,
)
"""The native provider's ``voiceos:index:PhoneNumberBinding``, in any language (spelled as in its schema)."""


@dataclass(frozen=True)
class CreatePlan:
    write: Patch | None
    """The PATCH to send; None when the number already has the declared binding."""
    previous: Binding | None
    """What the resource took over, kept for ``on_delete="restore"``; None when there was nothing."""
    notice: str | None = None
    """A warning for the person running the deployment."""


@dataclass(frozen=True)
class DeletePlan:
    write: Patch | None
    """The PATCH to send; None to leave the number as it is."""
    notice: str | None = None


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
    wording: Wording = PYTHON,
) -> CreatePlan:
    """Creating a binding: adopt it, write it, or refuse to clobber someone else's.

    ``live`` None means the number is not in the account. Raises
    ``NumberNotInAccountError`` then, and ``BindingConflictError`` when the number
    is bound to something else and neither ``allow_overwrite`` nor an import
    allows taking it.
    """
    if live is None:
        raise NumberNotInAccountError(
            f"{phone_number} is not in the VoiceOS account, so it cannot be bound: add the number to "
            "VoiceOS first (import it from the carrier), or correct the number if it has a typo."
        )
    if adopt:
        if live != declared and (why := undeclarable_reason(live)) is not None:
            raise BindingConflictError(
                f"cannot import {phone_number}: it is bound to {wording.describe(live)}, which no program can "
                f"declare ({why}); an import adopts a binding only as it is. Drop the import and declare the "
                f"binding it should have with {wording.allow_overwrite} (and {wording.restore} to give the old one "
                "back on destroy), or correct the number in the VoiceOS dashboard and import it then."
            )
        if live != declared:
            raise BindingConflictError(
                f"cannot import {phone_number}: it is bound to {wording.describe(live)}, but the program declares "
                f"{wording.describe(declared)}. Import adopts a binding as it is and writes nothing: declare "
                "what the number has now (change it in a later update), or drop the import and set "
                f"{wording.allow_overwrite} to replace it."
            )
        return CreatePlan(write=None, previous=None if live.is_unbound else live)
    if live == declared:
        # Already routed as declared (a re-run after an interrupted up, a rename, a --replace):
        # nothing to write, and nothing taken from anyone.
        return CreatePlan(write=None, previous=None)
    if live.is_unbound:
        return CreatePlan(write=declared.patch(), previous=None)
    if not allow_overwrite:
        raise BindingConflictError(
            f"{phone_number} is already bound to {wording.describe(live)}, which differs from this "
            f"binding ({wording.describe(declared)}). If this binding was renamed or moved in the program (a new "
            f"name or parent), {wording.aliases} so Pulumi knows it is the same resource. To manage the "
            f"existing binding, {wording.import_option.format(number=phone_number)} and declare what it has "
            f"now; to replace it, set {wording.allow_overwrite} (the old binding is kept in the outputs "
            f"{wording.previous}, and {wording.restore} puts it back on destroy). If another stack manages "
            "the number, move it from there with `pulumi state move`, or let go of it there first "
            "(retain_on_delete, or `pulumi state delete`) and import it here."
        )
    return CreatePlan(
        write=declared.patch(),
        previous=live,
        notice=(
            f"overwriting the binding of {phone_number} ({wording.describe(live)}); it is kept in {wording.previous}, "
            f"and {wording.restore} puts it back on destroy"
        ),
    )


@dataclass(frozen=True)
class Prediction:
    """What a create will do, told before it runs: at check time, so ``pulumi preview`` shows it."""

    refusal: str | None = None
    """Why the create will fail; the check fails with it, before anything is written."""
    notice: str | None = None
    """A warning for the person reading the preview (a takeover, or an outcome that depends on unknowns)."""


def predict_create(
    phone_number: str,
    declared: Binding,
    live: Binding | None,
    *,
    unknown: frozenset[str] = frozenset(),
    allow_overwrite: bool | None,
    adopt: bool,
    wording: Wording = PYTHON,
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
            plan = plan_create(
                phone_number, declared, live, allow_overwrite=bool(allow_overwrite), adopt=adopt, wording=wording
            )
        except BindingRefusedError as exc:
            return Prediction(refusal=str(exc))
        if live is None or plan.previous is None or plan.write is None:
            return Prediction()  # adopted, or a free number bound: nothing to say
        return Prediction(
            notice=(
                f"{phone_number} is bound to {wording.describe(live)}; {wording.allow_overwrite} replaces it, keeping "
                f"it in {wording.previous}, and {wording.restore} puts it back on destroy"
            )
        )
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
            return predict_create(
                phone_number, as_live, live, allow_overwrite=allow_overwrite, adopt=adopt, wording=wording
            )
        if adopt:
            return predict_create(phone_number, as_live, live, allow_overwrite=False, adopt=True, wording=wording)
        return Prediction(
            notice=(
                f"{phone_number} is bound to {wording.describe(live)}; `up` fails unless "
                f"{wording.name('allow_overwrite')} (not known until `up`) turns out true, in which case it "
                f"replaces that binding and keeps it in {wording.previous}"
            )
        )
    pending = [wording.name(field) for field in sorted(unknown)]
    if allow_overwrite is None:
        pending.append(wording.name("allow_overwrite"))
    if adopt:
        otherwise = "fails, as an import adopts a binding only as it is"
    elif allow_overwrite:
        otherwise = f"replaces it (kept in {wording.previous})"
    else:
        otherwise = "fails, as the number is bound to something else"
    return Prediction(
        notice=(
            f"{phone_number} is bound to {wording.describe(live)}; `up` adopts it if {', '.join(pending)} "
            f"(not known until `up`) turn out to match, and otherwise {otherwise}"
        )
    )


def plan_update(declared: Binding, recorded: Binding) -> Patch | None:
    """Only the fields the program changed: an ignored or untouched field keeps whatever it has live."""
    fields = recorded.differing_fields(declared)
    return declared.patch(fields) if fields else None


def handed_over(phone_number: str) -> str:
    return (
        f"{phone_number} was handed over to another binding in this deployment "
        "(a rename, replacement, move or swap); the old binding leaves it as it is"
    )


def restore_memory_lost(phone_number: str, previous: Binding, wording: Wording = PYTHON) -> str:
    """Said when a hand-over cannot pass on what a takeover kept, at the moment it is lost."""
    return (
        f"{phone_number} was handed over to a resource created before the old one let go of it, so the binding "
        f"the old one kept for {wording.restore} ({wording.describe(previous)}) cannot be passed on: the resource "
        "that has the number now will unbind it on destroy instead of restoring that. To keep it, undo this "
        f"change and {wording.aliases} (an alias keeps the resource and what it kept, where a rename, "
        "parent move or --replace makes a new one); a move between a binding and a fleet cannot carry it"
    )


def plan_delete(
    phone_number: str,
    *,
    recorded: Binding,
    live: Binding | None,
    policy: DeletePolicy,
    previous: Binding | None,
    wording: Wording = PYTHON,
) -> DeletePlan:
    """Deleting a binding that was not handed over: undo only what this stack set.

    ``live`` None means the number is no longer in the account, which counts
    as unbound. A number that already has what the delete would leave (an
    interrupted destroy, run again) needs nothing. Otherwise, if the live binding
    is not the recorded one, someone changed it since this stack last saw it,
    and their binding is left alone.
    """
    if live is None:
        return DeletePlan(None, f"{phone_number} is no longer in the VoiceOS account; nothing to unbind")
    target = previous if policy == "restore" and previous is not None else UNBOUND
    if live == target:
        return DeletePlan(None)
    if live != recorded:
        return DeletePlan(
            None,
            f"left {phone_number} as it is: it is bound to {wording.describe(live)}, while this stack set "
            f"{wording.describe(recorded)}, so someone changed it since; nothing of theirs was touched. "
            "To unbind such a number on delete, refresh first (`pulumi destroy --refresh` or "
            "`pulumi up --refresh`) so the stack takes the live binding over; to keep it, do nothing.",
        )
    if target is UNBOUND:
        return DeletePlan(target.patch())
    return DeletePlan(
        target.restoring_patch(), f"restoring the binding {phone_number} had before: {wording.describe(target)}"
    )


def is_handed_over(phone_number: str, declared: Claims) -> bool:
    """The hand-over rule, for a binding's delete and a fleet's removed entry alike: a number another resource
    of the deployment declares is handed over to it, and the resource letting go of it writes nothing."""
    return phone_number in declared
