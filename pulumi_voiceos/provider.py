"""The dynamic provider behind ``PhoneNumberBinding``: Pulumi hooks around the lifecycle rules.

Each hook turns Pulumi property bags into models, asks ``lifecycle`` what to
send, sends it with the client, and returns outputs that mirror the live
number, so ``pulumi refresh`` shows drift and the next ``up`` corrects it.

API calls per hook: check 0, diff 0, create 1 GET + at most 1 PATCH (none when
the number already has the declared binding), update at most 1 PATCH of the
changed fields, read 1 GET, delete 1 GET + at most 1 PATCH (nothing at all when
the number was handed over to another binding of the same deployment). It
never calls DELETE: destroying a binding must not remove or release the number.

Nothing is stored on the provider object before ``configure``: the object is
pickled by reference into each resource's ``__provider`` input, so the token
and the HTTP client are looked up inside the provider process at call time.

pydantic and httpx (behind ``checks``, ``lifecycle``, ``models`` and the
client) are loaded by the first hook, not by this module: programs import this
module to pickle the provider, but only the provider process runs hooks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from . import errors
from ._lazy import LazyModule
from .config import STACK_CONFIG_KEYS, Settings, resolve_settings

if TYPE_CHECKING:
    from . import checks, lifecycle, models, snapshot
    from .client import VoiceOSClient
else:
    checks = LazyModule("pulumi_voiceos.checks")
    lifecycle = LazyModule("pulumi_voiceos.lifecycle")
    models = LazyModule("pulumi_voiceos.models")
    snapshot = LazyModule("pulumi_voiceos.snapshot")

__all__ = ["INPUT_NAMES", "OUTPUT_NAMES", "PROVIDER", "SECRET_OUTPUTS", "PhoneNumberBindingProvider"]

logger = logging.getLogger("pulumi_voiceos")

PROVIDER_KEY: Final = "__provider"

# The fields of models.BindingInputs (a unit test holds the two together); spelled out
# so that programs, which import this module, need not import pydantic.
INPUT_NAMES: Final = (
    "phone_number",
    "inbound_agent_id",
    "webhooks",
    "allow_overwrite",
    "adopt_existing",
    "on_delete",
)
FLAG_NAMES: Final = ("allow_overwrite", "adopt_existing", "on_delete")
"""Inputs that steer the lifecycle and are kept in outputs as given; the rest mirror the live number."""
OUTPUT_NAMES: Final = (
    *INPUT_NAMES,
    "voiceos_id",
    "uri",
    "account_id",
    "created_at",
    "updated_at",
    "telephony",
    "telephony_auth_token",
    "previous_inbound_agent_id",
    "previous_webhooks",
)
SECRET_OUTPUTS: Final = ("telephony_auth_token", "previous_webhooks")
"""Outputs that are secret whatever the inputs: the carrier credential, and
webhooks written by someone else, whose headers may hold credentials."""


class DeploymentState:
    """What this provider process knows of the one deployment it serves.

    - ``claims``: the numbers that resources of this deployment declare (hand-over);
    - per distinct settings, one pooled client shared by the server's worker
      threads, and one listing of the account that serves the reads of a refresh.
    """

    def __init__(self) -> None:
        self.claims = lifecycle.Claims()
        self._lock = threading.Lock()
        self._clients: dict[Settings, tuple[VoiceOSClient, snapshot.AccountSnapshot]] = {}

    def connect(self, settings: Settings) -> tuple[VoiceOSClient, snapshot.AccountSnapshot]:
        from .client import VoiceOSClient

        with self._lock:
            found = self._clients.get(settings)
            if found is None:
                client = VoiceOSClient(settings)
                found = self._clients[settings] = (client, snapshot.AccountSnapshot(client.list_phone_numbers))
            return found


_state_lock = threading.Lock()
_state: DeploymentState | None = None


def deployment_state() -> DeploymentState:
    """The state of this provider process, which serves exactly one deployment.

    Created under a lock: the server's worker threads make their first calls at
    once, and two states would split the claims and the listing between them.
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


def _flags(props: Mapping[str, Any]) -> dict[str, Any]:
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


def _outputs(
    live: models.PhoneNumber,
    flags: Mapping[str, Any],
    previous: Mapping[str, Any],
    *,
    binding: models.Binding | None = None,
) -> dict[str, Any]:
    """Outputs of a binding: ``binding`` (what the stack knows is bound; the live one by default),
    everything else about the live number, and the ``previous`` outputs."""
    telephony = live.telephony
    return {
        "phone_number": live.phone_number,
        "inbound_agent_id": live.inbound_agent_id if binding is None else binding.inbound_agent_id,
        "webhooks": [w.to_wire() for w in live.webhooks] if binding is None else binding.webhooks_wire(),
        **{name: flags[name] for name in FLAG_NAMES},
        "voiceos_id": live.id,
        "uri": live.uri,
        "account_id": live.account_id,
        "created_at": live.created_at,
        "updated_at": live.updated_at,
        "telephony": telephony.public_fields() if telephony else None,
        "telephony_auth_token": telephony.auth_token if telephony else None,
        **previous,
    }


class PhoneNumberBindingProvider(ResourceProvider):
    """Binds a VoiceOS phone number to an inbound agent and webhooks."""

    # It captures nothing secret, so __provider need not be encrypted per resource.
    serialize_as_secret_always = False

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Every resource carries the pickled provider in its inputs and outputs,
        # so it is kept to a reference: the module's PROVIDER by name (~70 bytes
        # of base64), any other instance as a fresh one. Either way no state is
        # pickled: stack config lands on a provider only inside the provider process.
        if self is PROVIDER:
            return "PROVIDER"
        return (PhoneNumberBindingProvider, ())

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Stacks deployed by 0.1.0 pickled the class with an empty state.
        self.__dict__.update(state)

    def configure(self, req: ConfigureRequest) -> None:
        self._stack_config = {key: req.config.get(key) for key in STACK_CONFIG_KEYS}

    def _connect(self) -> tuple[VoiceOSClient, snapshot.AccountSnapshot]:
        return deployment_state().connect(resolve_settings(getattr(self, "_stack_config", None)))

    # -- hooks ----------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked, failures = checks.check_inputs({k: v for k, v in news.items() if k != PROVIDER_KEY})
        number = checked.get("phone_number")
        if not failures and isinstance(number, str) and not checks.contains_unknown(number):
            # The program declares this number: a delete of it by another resource of this deployment
            # is a hand-over. Check, unlike diff, runs only for what the program declares (a refresh
            # calls diff too, and destroy calls neither).
            deployment_state().claims.claim(number)
        if PROVIDER_KEY in news:
            checked[PROVIDER_KEY] = news[PROVIDER_KEY]
        return CheckResult(checked, [CheckFailure(f.property, f.reason) for f in failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        number = news.get("phone_number")
        if checks.contains_unknown(number) or number != olds.get("phone_number"):
            return DiffResult(changes=True, replaces=["phone_number"], delete_before_replace=False)
        if any(checks.contains_unknown(news.get(name)) for name in ("inbound_agent_id", "webhooks", "on_delete")):
            return DiffResult(changes=True, replaces=[])
        try:
            declared = models.BindingInputs.from_properties(news)
        except ValueError:  # pydantic's ValidationError
            return DiffResult(changes=True, replaces=[])
        try:
            same_binding = _recorded(olds) == declared.binding()
        except ValueError:  # pydantic's ValidationError
            same_binding = False  # state we cannot read is never "the same"
        return DiffResult(changes=not same_binding or _flags(olds)["on_delete"] != declared.on_delete, replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = models.BindingInputs.from_properties(props)
        number = inputs.phone_number
        client, account = self._connect()
        # Always a fresh read, never the listing: the guard decides on what the number has now.
        live = client.get_phone_number(number)
        plan = lifecycle.plan_create(
            number,
            inputs.binding(),
            live.binding(),
            allow_overwrite=inputs.allow_overwrite,
            adopt=inputs.adopt_existing,
        )
        deployment_state().claims.claim(number)
        if plan.notice:
            logger.warning("%s", plan.notice)
        if plan.write is not None:
            account.forget(number)
            live = client.update_phone_number(number, plan.write)
        return CreateResult(number, _outputs(live, _flags(props), _previous_outputs(plan.previous)))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = models.BindingInputs.from_properties(news)
        number = inputs.phone_number
        deployment_state().claims.claim(number)
        declared = inputs.binding()
        try:
            recorded: models.Binding | None = _recorded(olds)
        except ValueError:  # pydantic's ValidationError
            recorded = None
        write = declared.patch() if recorded is None else lifecycle.plan_update(declared, recorded)
        if write is None:
            return UpdateResult({**{name: olds.get(name) for name in OUTPUT_NAMES}, **_flags(news)})
        client, account = self._connect()
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
        return UpdateResult(_outputs(live, _flags(news), _kept_previous(olds), binding=bound))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client, account = self._connect()
        live = account.lookup(id_)
        if live is None:
            # Not in the listing (or no listing): only a 404 of its own GET says it is gone.
            try:
                live = client.get_phone_number(id_)
            except errors.NotFoundError:
                return ReadResult("", {})
        outs = _outputs(live, _flags(props), _kept_previous(props))
        drifted = outs["inbound_agent_id"] != props.get("inbound_agent_id") or outs["webhooks"] != props.get("webhooks")
        # After drift the inputs follow the live binding too, so `ignore_changes` keeps what is
        # live instead of writing back what was declared before. Without drift they stay as they
        # are: sending them back would cost a refresh of a big fleet a second serialisation per read.
        inputs = {name: outs[name] for name in INPUT_NAMES} if drifted else None
        return ReadResult(id_, outs, inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if id_ in deployment_state().claims:
            logger.warning("%s", lifecycle.handed_over(id_))
            return
        client, account = self._connect()
        account.forget(id_)
        try:
            live: models.Binding | None = client.get_phone_number(id_).binding()
        except errors.NotFoundError:
            live = None
        plan = lifecycle.plan_delete(
            id_,
            recorded=_recorded(props),
            live=live,
            policy=_flags(props)["on_delete"],
            previous=_previous(props),
        )
        if plan.notice:
            logger.warning("%s", plan.notice)
        if plan.write is None:
            return
        try:
            client.update_phone_number(id_, plan.write)
        except errors.NotFoundError:
            logger.warning("%s left the VoiceOS account while being unbound; nothing to unbind", id_)


PROVIDER: Final = PhoneNumberBindingProvider()
"""The instance every ``PhoneNumberBinding`` uses; pickled by name into ``__provider``."""
