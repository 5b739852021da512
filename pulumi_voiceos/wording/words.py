"""The text of each reason the rules give (``core.reasons``), for the person running Pulumi.

Every message names the number, says what happened and what to do, and never holds a header value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core import reasons
from ..core.declaration import camel_case
from ..engine.fanout import named

if TYPE_CHECKING:
    from ..core.models import Binding, BindingPrint

__all__ = ["Wording"]


@dataclass(frozen=True)
class Wording:
    """How the options a message tells the user to set are spelled in the user's program; called with a
    reason, its text (so an adapter passes its ``Wording`` to the engine as the ``say`` of its hooks)."""

    aliases: str
    import_option: str
    allow_overwrite: str
    previous: str
    restore: str
    secret: str = "a secret"
    """How the reader's program passes a value as a secret."""
    camel_case: bool = False
    """Property names as the schema spells them (``inboundAgentId``) rather than as Python does."""

    def name(self, field: str) -> str:
        return camel_case(field) if self.camel_case else field

    def describe(self, binding: Binding | BindingPrint) -> str:
        """``binding`` for a message, its agent property spelled as the reader's program spells it."""
        return binding.describe(self.name("inbound_agent_id"))

    def __call__(self, reason: reasons.Reason) -> str:
        text: Callable[[Wording, Any], str] = _TEXTS[type(reason)]
        return text(self, reason)


def _not_in_account(w: Wording, r: reasons.NotInAccount) -> str:
    return (
        f"{r.number} is not in the VoiceOS account, so it cannot be bound: add the number to "
        "VoiceOS first (import it from the carrier), or correct the number if it has a typo."
    )


def _undeclarable_adoption(w: Wording, r: reasons.UndeclarableAdoption) -> str:
    return (
        f"cannot import {r.number}: it is bound to {w.describe(r.live)}, which no program can "
        f"declare ({r.why}); an import adopts a binding only as it is. Drop the import and declare the "
        f"binding it should have with {w.allow_overwrite} (and {w.restore} to give the old one "
        "back on destroy), or correct the number in the VoiceOS dashboard and import it then."
    )


def _undeclarable_import(w: Wording, r: reasons.UndeclarableImport) -> str:
    return (
        f"cannot import {r.number}: it is bound to {w.describe(r.live)}, which no program can declare "
        f"({r.why}). Declare the binding it should have instead, with {w.allow_overwrite} (and "
        f"{w.restore} to give the old one back on destroy), or correct the number in the VoiceOS "
        "dashboard and import it then."
    )


def _import_differs(w: Wording, r: reasons.ImportDiffers) -> str:
    return (
        f"cannot import {r.number}: it is bound to {w.describe(r.live)}, but the program declares "
        f"{w.describe(r.declared)}. Import adopts a binding as it is and writes nothing: declare "
        "what the number has now (change it in a later update), or drop the import and set "
        f"{w.allow_overwrite} to replace it."
    )


def _conflict(w: Wording, r: reasons.Conflict) -> str:
    return (
        f"{r.number} is already bound to {w.describe(r.live)}, which differs from this "
        f"binding ({w.describe(r.declared)}). If this binding was renamed or moved in the program (a new "
        f"name or parent), {w.aliases} so Pulumi knows it is the same resource. To manage the "
        f"existing binding, {w.import_option.format(number=r.number)} and declare what it has "
        f"now; to replace it, set {w.allow_overwrite} (the old binding is kept in the outputs "
        f"{w.previous}, and {w.restore} puts it back on destroy). If another stack manages "
        "the number, move it from there with `pulumi state move`, or let go of it there first "
        "(retain_on_delete, or `pulumi state delete`) and import it here."
    )


def _fleet_refused(w: Wording, r: reasons.FleetRefused) -> str:
    refusals = dict(r.refusals)
    return (
        f"{len(refusals)} numbers of the fleet are refused, and nothing was written: "
        f"{named(refusals, lambda n: w(refusals[n]))}"
    )


def _overwrite(w: Wording, r: reasons.Overwrite) -> str:
    return (
        f"overwriting the binding of {r.number} ({w.describe(r.live)}); it is kept in {w.previous}, "
        f"and {w.restore} puts it back on destroy"
    )


def _fleet_overwrites(w: Wording, r: reasons.FleetOverwrites) -> str:
    found = dict(r.found)
    return (
        f"overwriting the bindings of {len(found)} numbers of the fleet (kept in its previous output): "
        f"{named(found, lambda n: f'{n} ({w.describe(found[n])})')}"
    )


def _takeover(w: Wording, r: reasons.Takeover) -> str:
    return (
        f"{r.number} is bound to {w.describe(r.live)}; {w.allow_overwrite} replaces it, keeping "
        f"it in {w.previous}, and {w.restore} puts it back on destroy"
    )


def _fleet_takeovers(w: Wording, r: reasons.FleetTakeovers) -> str:
    found = dict(r.found)
    return (
        f"{w.allow_overwrite} replaces the bindings of {len(found)} numbers of the fleet: "
        f"{named(found, lambda n: f'{n} ({w.describe(found[n])})')}; each is kept in the fleet's previous output, "
        f"and {w.restore} puts it back on destroy"
    )


def _takeover_if_allowed(w: Wording, r: reasons.TakeoverIfAllowed) -> str:
    return (
        f"{r.number} is bound to {w.describe(r.live)}; `up` fails unless "
        f"{w.name('allow_overwrite')} (not known until `up`) turns out true, in which case it "
        f"replaces that binding and keeps it in {w.previous}"
    )


def _adopt_if_matching(w: Wording, r: reasons.AdoptIfMatching) -> str:
    otherwise = {
        "import fails": "fails, as an import adopts a binding only as it is",
        "replaces": f"replaces it (kept in {w.previous})",
        "fails": "fails, as the number is bound to something else",
    }[r.otherwise]
    return (
        f"{r.number} is bound to {w.describe(r.live)}; `up` adopts it if {', '.join(map(w.name, r.pending))} "
        f"(not known until `up`) turn out to match, and otherwise {otherwise}"
    )


def _number_not_known(w: Wording, r: reasons.NumberNotKnown) -> str:
    return (
        f"a binding's {w.name('phone_number')} is not known until `up` (another resource computes it), so the "
        "preview could not check it against the VoiceOS account; `up` checks it before writing"
    )


def _no_longer_in_account(w: Wording, r: reasons.NoLongerInAccount) -> str:
    return f"{r.number} is no longer in the VoiceOS account; nothing to unbind"


def _left_while_unbinding(w: Wording, r: reasons.LeftWhileUnbinding) -> str:
    return f"{r.number} left the VoiceOS account while being unbound; nothing to unbind"


def _changed_since(w: Wording, r: reasons.ChangedSince) -> str:
    return (
        f"left {r.number} as it is: it is bound to {w.describe(r.live)}, while this stack set "
        f"{w.describe(r.recorded)}, so someone changed it since; nothing of theirs was touched. "
        "To unbind such a number on delete, refresh first (`pulumi destroy --refresh` or "
        "`pulumi up --refresh`) so the stack takes the live binding over; to keep it, do nothing."
    )


def _restoring(w: Wording, r: reasons.Restoring) -> str:
    return f"restoring the binding {r.number} had before: {w.describe(r.previous)}"


def _handed_over(w: Wording, r: reasons.HandedOver) -> str:
    return (
        f"{r.number} was handed over to another binding in this deployment "
        "(a rename, replacement, move or swap); the old binding leaves it as it is"
    )


def _restore_memory_lost(w: Wording, r: reasons.RestoreMemoryLost) -> str:
    return (
        f"{r.number} was handed over to a resource created before the old one let go of it, so the binding "
        f"the old one kept for {w.restore} ({w.describe(r.previous)}) cannot be passed on: the resource "
        "that has the number now will unbind it on destroy instead of restoring that. To keep it, undo this "
        f"change and {w.aliases} (an alias keeps the resource and what it kept, where a rename, "
        "parent move or --replace makes a new one); a move between a binding and a fleet cannot carry it"
    )


_NAMED_HEADERS = 3
"""How many plain-text header values a warning names before it counts the rest."""


def _plaintext_header(w: Wording, r: reasons.PlaintextHeader) -> str:
    either_way = (
        "This resource encrypts every header value in state either way, and previews show only whether one changed."
    )
    if len(r.headers) == 1:
        [(webhook, header)] = r.headers
        return (
            f"{r.resource}: {webhook} has header {header!r} given in plain text, so Pulumi does not treat it "
            f"as a secret anywhere else (the program, its config, other resources); if it is a credential, pass "
            f"it as {w.secret}. {either_way}"
        )
    named = ", ".join(f"{webhook} header {header!r}" for webhook, header in r.headers[:_NAMED_HEADERS])
    more = len(r.headers) - _NAMED_HEADERS
    return (
        f"{r.resource}: {len(r.headers)} header values are given in plain text ({named}"
        f"{f', and {more} more' if more > 0 else ''}), so Pulumi does not treat them as secrets anywhere else "
        f"(the program, its config, other resources); if they are credentials, pass each as {w.secret}. "
        f"{either_way}"
    )


_TEXTS: dict[type, Callable[[Wording, Any], str]] = {
    reasons.NotInAccount: _not_in_account,
    reasons.UndeclarableAdoption: _undeclarable_adoption,
    reasons.UndeclarableImport: _undeclarable_import,
    reasons.ImportDiffers: _import_differs,
    reasons.Conflict: _conflict,
    reasons.FleetRefused: _fleet_refused,
    reasons.Overwrite: _overwrite,
    reasons.FleetOverwrites: _fleet_overwrites,
    reasons.Takeover: _takeover,
    reasons.FleetTakeovers: _fleet_takeovers,
    reasons.TakeoverIfAllowed: _takeover_if_allowed,
    reasons.AdoptIfMatching: _adopt_if_matching,
    reasons.NumberNotKnown: _number_not_known,
    reasons.NoLongerInAccount: _no_longer_in_account,
    reasons.LeftWhileUnbinding: _left_while_unbinding,
    reasons.ChangedSince: _changed_since,
    reasons.Restoring: _restoring,
    reasons.HandedOver: _handed_over,
    reasons.RestoreMemoryLost: _restore_memory_lost,
    reasons.PlaintextHeader: _plaintext_header,
}
"""The text of each kind of reason; a test holds that every kind has one."""
