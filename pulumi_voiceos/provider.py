"""The dynamic provider behind ``PhoneNumberBinding``: Pulumi hooks on top of the client.

Each hook translates a Pulumi property bag into the models, makes the fewest
API calls the operation needs, and returns outputs that mirror the live number,
so ``pulumi refresh`` shows drift and the next ``up`` corrects it.

API calls per hook: check 0, diff 0, create 1 GET + at most 1 PATCH (none when
the number already has exactly the declared binding), update 1 PATCH, read 1
GET, delete 1 PATCH (never DELETE: destroying a binding must not remove or
release the number).

Nothing is stored on the provider object before ``configure``: the object is
pickled by reference into each resource's ``__provider`` input, so the token
and the HTTP client are looked up inside the provider process at call time.

The models (pydantic) and the client (httpx) are imported by the hooks, not by
this module: the program that declares bindings imports this module to pickle
the provider, but only the provider process ever runs a hook, and a no-change
preview there never needs the client.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Final

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
from pulumi.output import Unknown

from . import errors
from .config import Settings, resolve_settings

if TYPE_CHECKING:
    import pydantic

    from .client import VoiceOSClient
    from .models import PhoneNumber, Webhook

__all__ = ["INPUT_NAMES", "OUTPUT_NAMES", "PROVIDER", "SECRET_OUTPUTS", "PhoneNumberBindingProvider"]

logger = logging.getLogger("pulumi_voiceos")

# The engine's marker for a value not known until another resource is created.
UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PROVIDER_KEY: Final = "__provider"

# The fields of models.BindingInputs (a unit test holds the two together).
INPUT_NAMES: Final = ("phone_number", "inbound_agent_id", "webhooks", "allow_overwrite", "adopt_existing")
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

_CONFIG_PREFIX: Final = "voiceos:"

_clients_lock = threading.Lock()
_clients: dict[Settings, VoiceOSClient] = {}


def _client_for(settings: Settings) -> VoiceOSClient:
    """One pooled client per distinct settings, shared by the server's worker threads."""
    from .client import VoiceOSClient

    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            client = VoiceOSClient.from_settings(settings)
            _clients[settings] = client
        return client


def _contains_unknown(value: Any) -> bool:
    # The SDK hands unknowns to hooks as `Unknown` objects; the wire form is the UNKNOWN string.
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(_contains_unknown(k) or _contains_unknown(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_unknown(v) for v in value)
    return False


def _reason(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    message = str(error.get("msg", "invalid value"))
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "is not a property of this object; check the spelling"
    if kind == "missing":
        return "is required"
    if kind.endswith("_type") and "input" in error:
        return f"{message} (got {type(error['input']).__name__})"
    return message


def _failures(exc: pydantic.ValidationError, prefix: tuple[Any, ...] = ()) -> list[CheckFailure]:
    found = []
    for error in exc.errors(include_url=False):
        loc = (*prefix, *error["loc"])
        if loc:
            path = errors.property_path(loc)
        else:
            # Model-level rules: a repeated webhook belongs to webhooks, the rest to the agent.
            path = "webhooks" if "repeats webhooks" in str(error.get("msg")) else "inbound_agent_id"
        found.append(CheckFailure(path, _reason(error)))
    return found


def _field_adapter(model: type[pydantic.BaseModel], name: str) -> pydantic.TypeAdapter[Any]:
    import pydantic

    info = model.model_fields[name]
    annotation: Any = info.annotation
    for meta in info.metadata:
        annotation = Annotated[annotation, meta]
    return pydantic.TypeAdapter(annotation)


@functools.cache
def _field_validators() -> tuple[dict[str, pydantic.TypeAdapter[Any]], dict[str, pydantic.TypeAdapter[Any]]]:
    """Validators of single fields, for bindings and webhooks; built on first use (most runs never need them)."""
    from .models import BindingInputs, Webhook

    binding = {name: _field_adapter(BindingInputs, name) for name in ("phone_number", "inbound_agent_id")}
    webhook = {name: _field_adapter(Webhook, name) for name in Webhook.model_fields}
    return binding, webhook


def _check_partially_known(props: dict[str, Any]) -> tuple[dict[str, Any], list[CheckFailure]]:
    """Validate what is known when some inputs are still unknown (preview of a new stack).

    Each known field goes through the same validator the full model uses, so a
    bad URL is reported at preview even if the agent id comes from another
    resource; unknown values pass through untouched for the engine to fill in.
    """
    import pydantic

    from .models import Webhook

    binding_fields, webhook_fields = _field_validators()
    failures: list[CheckFailure] = []
    result = dict(props)
    for name, adapter in binding_fields.items():
        value = props.get(name)
        if value is None or _contains_unknown(value):
            continue
        try:
            result[name] = adapter.validate_python(value)
        except pydantic.ValidationError as exc:
            failures.extend(_failures(exc, (name,)))
    webhooks = props.get("webhooks")
    if isinstance(webhooks, list):
        checked: list[Any] = []
        for index, webhook in enumerate(webhooks):
            if not isinstance(webhook, dict) or not _contains_unknown(webhook):
                try:
                    checked.append(Webhook.model_validate(webhook).to_wire())
                except pydantic.ValidationError as exc:
                    failures.extend(_failures(exc, ("webhooks", index)))
                    checked.append(webhook)
                continue
            item = dict(webhook)
            for key, value in webhook.items():
                if key not in webhook_fields:
                    failures.append(CheckFailure(f"webhooks[{index}].{key}", _reason({"type": "extra_forbidden"})))
                elif value is not None and not _contains_unknown(value):
                    try:
                        item[key] = webhook_fields[key].validate_python(value)
                    except pydantic.ValidationError as exc:
                        failures.extend(_failures(exc, ("webhooks", index, key)))
            checked.append(item)
        result["webhooks"] = checked
    elif webhooks is not None and not _contains_unknown(webhooks):
        failures.append(CheckFailure("webhooks", f"must be a list of webhooks (got {type(webhooks).__name__})"))
    return result, failures


def _previous(props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "previous_inbound_agent_id": props.get("previous_inbound_agent_id"),
        # None rather than [] when nothing was replaced: a secret costs ~150 bytes of state even when empty.
        "previous_webhooks": props.get("previous_webhooks") or None,
    }


def _outputs(
    live: PhoneNumber, *, allow_overwrite: bool, adopt_existing: bool, previous: Mapping[str, Any]
) -> dict[str, Any]:
    agent, webhooks = live.binding()
    telephony = live.telephony
    return {
        "phone_number": live.phone_number,
        "inbound_agent_id": agent,
        "webhooks": [w.to_wire() for w in webhooks],
        "allow_overwrite": allow_overwrite,
        "adopt_existing": adopt_existing,
        "voiceos_id": live.id,
        "uri": live.uri,
        "account_id": live.account_id,
        "created_at": live.created_at,
        "updated_at": live.updated_at,
        "telephony": telephony.public_fields() if telephony else None,
        "telephony_auth_token": telephony.auth_token if telephony else None,
        **_previous(previous),
    }


def _describe(agent: str | None, webhooks: tuple[Webhook, ...]) -> str:
    parts = [f"inbound_agent_id={agent!r}" if agent else "no agent"]
    if webhooks:
        # URLs only: headers may be credentials.
        parts.append("webhooks " + ", ".join(f"{w.method} {w.url}" for w in webhooks))
    else:
        parts.append("no webhooks")
    return " and ".join(parts)


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
        raw = getattr(req.config, "_props", None) or {}
        self._stack_config = {k: v for k, v in raw.items() if isinstance(k, str) and k.startswith(_CONFIG_PREFIX)}

    def _client(self) -> VoiceOSClient:
        return _client_for(resolve_settings(getattr(self, "_stack_config", None)))

    # -- hooks ----------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        import pydantic

        from .models import BindingInputs

        props = {k: v for k, v in news.items() if k != PROVIDER_KEY}
        failures = [
            CheckFailure(name, f"is not a property of PhoneNumberBinding; use one of {', '.join(INPUT_NAMES)}")
            for name in props
            if name not in INPUT_NAMES
        ]
        if failures:
            return CheckResult(news, failures)
        if _contains_unknown(props):
            checked, failures = _check_partially_known(props)
        else:
            try:
                checked = BindingInputs.from_properties(props).to_properties()
            except pydantic.ValidationError as exc:
                return CheckResult(news, _failures(exc))
            failures = []
        if PROVIDER_KEY in news:
            checked[PROVIDER_KEY] = news[PROVIDER_KEY]
        return CheckResult(checked if not failures else news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        import pydantic

        from .models import BindingInputs, Webhook

        new_number = news.get("phone_number")
        if _contains_unknown(new_number) or new_number != olds.get("phone_number"):
            return DiffResult(changes=True, replaces=["phone_number"], delete_before_replace=False)
        if _contains_unknown(news.get("inbound_agent_id")) or _contains_unknown(news.get("webhooks")):
            return DiffResult(changes=True, replaces=[])
        try:
            wanted = BindingInputs.from_properties(news).binding()
        except pydantic.ValidationError:
            return DiffResult(changes=True, replaces=[])
        try:
            old_webhooks = tuple(Webhook.model_validate(w) for w in olds.get("webhooks") or [])
            current = (olds.get("inbound_agent_id"), old_webhooks)
        except pydantic.ValidationError:
            current = None  # state we cannot read is never "the same"
        return DiffResult(changes=current != wanted, replaces=[])

    def create(self, props: dict[str, Any]) -> CreateResult:
        from .models import BindingInputs

        inputs = BindingInputs.from_properties(props)
        number = inputs.phone_number
        client = self._client()
        live = client.get_phone_number(number)
        wanted = inputs.binding()
        current = live.binding()
        previous: dict[str, Any] = {}
        if current != wanted:
            if inputs.adopt_existing:
                raise errors.BindingConflictError(
                    f"cannot import {number}: it is bound to {_describe(*current)}, but the program declares "
                    f"{_describe(*wanted)}. Import adopts a binding as it is and writes nothing: declare "
                    "what the number has now (change it in a later update), or drop import_ and set "
                    "allow_overwrite=True to replace it."
                )
            if live.is_bound() and not inputs.allow_overwrite:
                raise errors.BindingConflictError(
                    f"{number} is already bound to {_describe(*current)}, which differs from this "
                    f"binding ({_describe(*wanted)}). To manage the existing binding, adopt it with "
                    f"ResourceOptions(import_={number!r}) and declare what it has now; to replace it, "
                    "set allow_overwrite=True (the old binding is kept in the outputs "
                    "previous_inbound_agent_id and previous_webhooks)."
                )
            if live.is_bound():
                previous = {
                    "previous_inbound_agent_id": current[0],
                    "previous_webhooks": [w.to_wire() for w in current[1]],
                }
                logger.warning("overwriting the binding of %s (%s)", number, _describe(*current))
            live = client.update_phone_number(number, inputs.to_update())
        return CreateResult(
            number,
            _outputs(
                live,
                allow_overwrite=inputs.allow_overwrite,
                adopt_existing=inputs.adopt_existing,
                previous=previous,
            ),
        )

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        from .models import BindingInputs

        inputs = BindingInputs.from_properties(news)
        live = self._client().update_phone_number(inputs.phone_number, inputs.to_update())
        return UpdateResult(
            _outputs(
                live,
                allow_overwrite=inputs.allow_overwrite,
                adopt_existing=inputs.adopt_existing,
                previous=olds,
            )
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            live = self._client().get_phone_number(id_)
        except errors.NotFoundError:
            return ReadResult("", {})
        return ReadResult(
            id_,
            _outputs(
                live,
                allow_overwrite=bool(props.get("allow_overwrite")),
                adopt_existing=bool(props.get("adopt_existing")),
                previous=props,
            ),
        )

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        from .models import PhoneNumberUpdate

        try:
            self._client().update_phone_number(id_, PhoneNumberUpdate.unbind())
        except errors.NotFoundError:
            logger.info("%s is no longer in the account; nothing to unbind", id_)


PROVIDER: Final = PhoneNumberBindingProvider()
"""The instance every ``PhoneNumberBinding`` uses; pickled by name into ``__provider``."""
