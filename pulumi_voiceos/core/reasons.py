"""Why a rule refused a number or warned about it: the kind of decision and its facts, as plain values.

The rules (``lifecycle``) return these, and each adapter words them for its users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:  # only annotations: a program that words a reason need not load the models (pydantic)
    from .models import Binding, BindingPrint

__all__ = [
    "AdoptIfMatching",
    "ChangedSince",
    "Conflict",
    "FleetOverwrites",
    "FleetRefused",
    "FleetTakeovers",
    "HandedOver",
    "ImportDiffers",
    "LeftWhileUnbinding",
    "NoLongerInAccount",
    "NotInAccount",
    "NumberNotKnown",
    "Overwrite",
    "PlaintextHeader",
    "Reason",
    "RestoreMemoryLost",
    "Restoring",
    "Say",
    "Takeover",
    "TakeoverIfAllowed",
    "UndeclarableAdoption",
    "UndeclarableImport",
]

# -- a create refused ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NotInAccount:
    """The number to bind is not in the VoiceOS account."""

    number: str


@dataclass(frozen=True)
class UndeclarableAdoption:
    """A create that adopts (an import) found a binding no program can declare (``why``)."""

    number: str
    live: Binding
    why: str


@dataclass(frozen=True)
class UndeclarableImport:
    """An import by id (a read with no state) found a binding no program can declare (``why``)."""

    number: str
    live: Binding
    why: str


@dataclass(frozen=True)
class ImportDiffers:
    """A create that adopts found another binding than the one declared; an import writes nothing."""

    number: str
    live: Binding
    declared: Binding


@dataclass(frozen=True)
class Conflict:
    """The overwrite guard: the number is bound to something else, and ``allow_overwrite`` is not set."""

    number: str
    live: Binding
    declared: Binding


@dataclass(frozen=True)
class FleetRefused:
    """Entries of a fleet refused, each with its reason; nothing of the fleet was written."""

    refusals: tuple[tuple[str, Reason], ...]


# -- what a create or its preview warns of ------------------------------------------------------


@dataclass(frozen=True)
class Overwrite:
    """A create replaces the number's binding (``allow_overwrite``), keeping it in the previous outputs."""

    number: str
    live: Binding


@dataclass(frozen=True)
class FleetOverwrites:
    """A fleet's create or update replaces these numbers' bindings."""

    found: tuple[tuple[str, Binding], ...]


@dataclass(frozen=True)
class Takeover:
    """Told at preview: ``up`` replaces the number's binding, as ``allow_overwrite`` allows."""

    number: str
    live: Binding


@dataclass(frozen=True)
class FleetTakeovers:
    """Told at preview: a fleet's ``up`` replaces these numbers' bindings."""

    found: tuple[tuple[str, Binding], ...]


@dataclass(frozen=True)
class TakeoverIfAllowed:
    """Told at preview: ``up`` fails unless ``allow_overwrite``, not known yet, turns out true."""

    number: str
    live: Binding


@dataclass(frozen=True)
class AdoptIfMatching:
    """Told at preview: ``up`` adopts the number if the inputs ``pending`` (not known yet) match what it has."""

    number: str
    live: Binding
    pending: tuple[str, ...]
    """Input names, as the core spells them (``inbound_agent_id``, ``allow_overwrite``)."""
    otherwise: Literal["import fails", "replaces", "fails"]
    """What ``up`` does if they do not match: an import fails, an overwrite replaces, a create fails."""


@dataclass(frozen=True)
class NumberNotKnown:
    """Told at preview: a binding's number is computed by another resource, so it could not be checked."""


# -- what a delete says --------------------------------------------------------------------------


@dataclass(frozen=True)
class NoLongerInAccount:
    number: str


@dataclass(frozen=True)
class LeftWhileUnbinding:
    """The number left the account between the delete's read and its write."""

    number: str


@dataclass(frozen=True)
class ChangedSince:
    """The number is bound to ``live``, not to what this stack set (``recorded``, or a fleet's print of it): it
    is left as it is."""

    number: str
    live: Binding
    recorded: Binding | BindingPrint


@dataclass(frozen=True)
class Restoring:
    """A delete with ``on_delete="restore"`` puts back what the create took over."""

    number: str
    previous: Binding


@dataclass(frozen=True)
class HandedOver:
    """Another resource of the deployment declares the number: the delete writes nothing."""

    number: str


@dataclass(frozen=True)
class RestoreMemoryLost:
    """A hand-over to a resource created before the old one let go: what the old one kept cannot pass on."""

    number: str
    previous: Binding


@dataclass(frozen=True)
class PlaintextHeader:
    """A program gave header values in plain text: per value, its webhook's path (``webhooks[0]``) and its
    header's name; one reason per resource, however many (a fleet of thousands warns once)."""

    resource: str
    headers: tuple[tuple[str, str], ...]


Reason: TypeAlias = (
    NotInAccount
    | UndeclarableAdoption
    | UndeclarableImport
    | ImportDiffers
    | Conflict
    | FleetRefused
    | Overwrite
    | FleetOverwrites
    | Takeover
    | FleetTakeovers
    | TakeoverIfAllowed
    | AdoptIfMatching
    | NumberNotKnown
    | NoLongerInAccount
    | LeftWhileUnbinding
    | ChangedSince
    | Restoring
    | HandedOver
    | RestoreMemoryLost
    | PlaintextHeader
)

Say: TypeAlias = Callable[[Reason], str]
"""How an adapter words a reason for its users; the engine takes one at each hook and calls it where a message
leaves (a warning, a check failure, an error)."""
