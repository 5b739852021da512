"""One number's steps, the same for a binding and for every entry of a fleet: read, bind, change, release."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, overload

from .. import errors
from ..api import snapshot
from ..api.client import VoiceOSClient
from ..api.snapshot import AccountSnapshot
from ..core import lifecycle, models, reasons
from ..core.config import Settings
from .deployment import Deployment

__all__ = [
    "Bound",
    "Connection",
    "bind",
    "change",
    "hand_over",
    "lookup",
    "merged",
    "number_properties",
    "plan_bind",
    "plan_change",
    "predict",
    "read_for_guard",
    "read_now",
    "release",
    "release_listing",
]


@dataclass(frozen=True)
class Connection:
    """What a step works with: the deployment, its client and its one listing of the account."""

    deployment: Deployment
    settings: Settings
    client: VoiceOSClient
    account: AccountSnapshot

    @classmethod
    def of(cls, deployment: Deployment, settings: Settings) -> Connection:
        client, account = deployment.connect(settings)
        return cls(deployment, settings, client, account)

    @classmethod
    def for_preview(cls, deployment: Deployment, settings: Callable[[], Settings]) -> Connection | None:
        """The connection a preview's checks read through, or None (said once) when there is none to be had."""
        try:
            return cls.of(deployment, settings())
        except errors.MissingTokenError:
            deployment.unchecked("no API token is set")
        except errors.ConfigurationError as exc:
            deployment.unchecked(str(exc))
        return None


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


# -- reads -------------------------------------------------------------------------------------


def read_now(conn: Connection, number: str) -> models.PhoneNumber | None:
    """The number as the API has it now (its own GET, never the listing), or None when it is not in the account."""
    try:
        return conn.client.get_phone_number(number)
    except errors.NotFoundError:
        return None


def lookup(conn: Connection, number: str) -> models.PhoneNumber | None:
    """The number as the deployment's listing has it, else from its own GET: only that GET's 404 says it is gone."""
    listed = conn.account.lookup(number)
    return listed if listed is not None else read_now(conn, number)


def read_for_guard(conn: Connection, number: str, declared: models.Binding) -> models.PhoneNumber | None:
    """The number as the guard must see it before writing: the listing's copy when it holds nobody else's
    binding (unbound, or already as declared), else a fresh GET, so a refusal or a takeover is decided on
    what is live now. A binding's create reads ``read_now`` always; a fleet saves a GET per free number."""
    listed = conn.account.lookup(number)
    if listed is not None:
        binding = listed.binding()
        if binding == declared or binding.is_unbound:
            return listed
    return read_now(conn, number)


# -- taking a number ---------------------------------------------------------------------------


def predict(
    number: str,
    declared: models.Binding,
    live: models.PhoneNumber | None,
    *,
    allow_overwrite: bool | None,
    adopt: bool,
    unknown: frozenset[str] = frozenset(),
) -> lifecycle.Prediction:
    """What taking ``number`` will do, told at preview: ``plan_create``'s decision on what is known."""
    return lifecycle.predict_create(
        number,
        declared,
        None if live is None else live.binding(),
        unknown=unknown,
        allow_overwrite=allow_overwrite,
        adopt=adopt,
    )


def plan_bind(
    number: str,
    declared: models.Binding,
    live: models.PhoneNumber | None,
    *,
    allow_overwrite: bool,
    adopt: bool,
) -> lifecycle.CreatePlan:
    """The guard's decision on taking ``number``; raises ``BindingRefusedError`` rather than clobber."""
    return lifecycle.plan_create(
        number,
        declared,
        None if live is None else live.binding(),
        allow_overwrite=allow_overwrite,
        adopt=adopt,
    )


@dataclass(frozen=True)
class Bound:
    live: models.PhoneNumber
    """The number after the create's write (what the write returned, or what was read when nothing was sent)."""
    previous: models.Binding | None
    """The taker's restore memory: what it found, or what the resource that let go of it first kept."""


def bind(conn: Connection, number: str, plan: lifecycle.CreatePlan, live: models.PhoneNumber | None) -> Bound:
    """Carry out a create's ``plan`` for one number: its write, if any, then the deployment's hand-over
    of the restore memory (only once the write succeeded, so a failed write takes nothing)."""
    conn.deployment.claims.claim(number)
    if plan.write is not None:
        live = _write(conn, number, plan.write)
    assert live is not None  # plan_create refuses a number that is not in the account
    return Bound(live, conn.deployment.take(number, plan.previous))


# -- changing it ---------------------------------------------------------------------------------


def plan_change(declared: models.Binding, recorded: models.Binding | models.BindingPrint | None) -> models.Patch | None:
    """What an update sends: the fields the program changed since the state was recorded (everything
    when the state cannot be read), or None."""
    return declared.patch() if recorded is None else lifecycle.plan_update(declared, recorded)


@overload
def merged(live: models.Binding, recorded: models.BindingPrint, sent: Collection[str]) -> models.BindingPrint: ...
@overload
def merged(live: models.Binding, recorded: models.Binding | None, sent: Collection[str]) -> models.Binding: ...
def merged(
    live: models.Binding, recorded: models.Binding | models.BindingPrint | None, sent: Collection[str]
) -> models.Binding | models.BindingPrint:
    """The binding a resource records after an update (a fleet: its print): a field it did not send keeps what
    was recorded, so an ignored or out-of-band value is neither clobbered nor adopted into state unseen."""
    if recorded is None:
        return live
    if isinstance(recorded, models.BindingPrint):
        return recorded.merged(live, sent)
    return models.Binding(
        live.inbound_agent_id if "inbound_agent_id" in sent else recorded.inbound_agent_id,
        live.webhooks if "webhooks" in sent else recorded.webhooks,
    )


@overload
def change(
    conn: Connection, number: str, write: models.Patch, recorded: models.BindingPrint
) -> tuple[models.PhoneNumber, models.BindingPrint]: ...
@overload
def change(
    conn: Connection, number: str, write: models.Patch, recorded: models.Binding | None
) -> tuple[models.PhoneNumber, models.Binding]: ...
def change(
    conn: Connection, number: str, write: models.Patch, recorded: models.Binding | models.BindingPrint | None
) -> tuple[models.PhoneNumber, models.Binding | models.BindingPrint]:
    """Send an update's ``write``: the number as the API returned it, and the binding (or print) to record."""
    live = _write(conn, number, write)
    return live, merged(live.binding(), recorded, write.fields)


# -- letting go of it ----------------------------------------------------------------------------


def hand_over(deployment: Deployment, number: str, previous: models.Binding | None) -> reasons.Reason | None:
    """Let go of a number another resource of the deployment declares, writing nothing, and hand the restore
    memory on to the taker; why to warn when it is lost (the taker was created first), else None."""
    if not deployment.hand_over(number, previous) and previous is not None:
        return reasons.RestoreMemoryLost(number, previous)
    return None


def release(
    conn: Connection,
    number: str,
    *,
    recorded: models.Binding | models.BindingPrint,
    previous: models.Binding | None,
    policy: models.DeletePolicy,
    listed: models.PhoneNumber | None = None,
) -> reasons.Reason | None:
    """Undo what a resource set on ``number`` (unbind, or restore ``previous``), deciding on a fresh read:
    someone may have re-bound it since any earlier listing. ``listed`` is the number as a listing read at
    release time shows it (``release_listing``); without it, the number's own GET. Returns why to warn, if
    there is a reason to."""
    conn.account.forget(number)
    live = listed if listed is not None else read_now(conn, number)
    plan = lifecycle.plan_delete(
        number,
        recorded=recorded,
        live=None if live is None else live.binding(),
        policy=policy,
        previous=previous,
    )
    if plan.write is not None:
        try:
            _write(conn, number, plan.write)
        except errors.NotFoundError:
            return reasons.LeftWhileUnbinding(number)
    return plan.notice


def release_listing(conn: Connection, numbers: Collection[str]) -> dict[str, models.PhoneNumber]:
    """The numbers a fleet lets go of, as a listing read now shows them: as fresh as a GET of each, for a page
    per 200 numbers of the account; a number it does not show is left to ``release``'s own GET."""
    return snapshot.listed_now(conn.client.list_pages(), numbers)


def _write(conn: Connection, number: str, write: models.Patch) -> models.PhoneNumber:
    # The listing's copy is stale from now on: later reads of this process GET the number.
    conn.account.forget(number)
    return conn.client.update_phone_number(number, write)
