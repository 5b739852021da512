"""The native ``voiceos`` provider: the engine's provider protocol around the engine's hooks.

Each resource type has its hooks (``BindingHooks`` here, ``FleetHooks`` in ``fleet``); docs/internals.md says more."""

from __future__ import annotations

import asyncio
import functools
import importlib.resources
import json
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, Protocol, TypeVar

from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from ..core import checks
from ..core.config import STACK_CONFIG_KEYS, Settings, check_tunings, preview_checks, resolve_settings
from ..core.properties import BINDING, CAMEL_CASE, PHONE_NUMBER, camel_case
from ..engine import operations
from ..engine.deployment import Deployment
from . import values
from .engine_log import CURRENT_URN
from .fleet import FLEET_TYPE, FleetHooks, ResourceHooks, given_inputs, warn_plaintext
from .schema import PACKAGE, token
from .values import PropertyMap, PropertyValue
from .wording import SCHEMA

__all__ = ["BINDING_TYPE", "FLEET_TYPE", "NAME", "BindingHooks", "Hooks", "VoiceOSProvider", "load_schema"]

logger = logging.getLogger("pulumi_voiceos")

NAME: Final = PACKAGE
BINDING_TYPE: Final = token(BINDING.name)
GET_PHONE_NUMBER: Final = token("getPhoneNumber")
LIST_PHONE_NUMBERS: Final = token("listPhoneNumbers")

INPUTS: Final = tuple(camel_case(p.name) for p in BINDING.inputs() if p.in_schema)
"""The binding's inputs in the schema; ``adopt_existing`` is the dynamic resource's way to
import and has no place here, where ``read`` imports."""
OUTPUTS: Final = tuple(camel_case(p.name) for p in BINDING.properties if p.in_schema)
LISTED: Final = tuple(camel_case(p.name) for p in PHONE_NUMBER.properties)
"""The properties of a listed number (the schema's PhoneNumber type)."""
_IMPORTED_INPUTS: Final = ("phoneNumber", "inboundAgentId", "webhooks")
"""What an import writes into the program: the binding, and none of the defaults."""

MAX_CONCURRENT_HOOKS: Final = 256
"""Threads for blocking hooks; far above the engine's --parallel default (4 per CPU)."""

T = TypeVar("T")


@functools.cache
def load_schema() -> str:
    """The package schema, as committed in ``schema.json`` beside this module."""
    return importlib.resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8")


def failure_path(path: str) -> str:
    head, sep, rest = path.partition("[")
    if not sep:
        head, sep, rest = path.partition(".")
    return CAMEL_CASE.get(head, head) + sep + rest


def binding_failure(failure: checks.Failure) -> CheckFailure:
    """A core failure with its names as the schema spells them, in the form the engine renders well."""
    return CheckFailure(
        *checks.engine_failure(checks.Failure(failure_path(failure.property), camel_words(failure.reason)))
    )


def camel_words(text: str) -> str:
    """A reason with the property names in it as the schema spells them."""
    for snake, camel in CAMEL_CASE.items():
        if snake != camel:
            text = text.replace(snake, camel)
    return text


class Hooks(Protocol):
    """The resource hooks of one resource type."""

    async def check(self, request: CheckRequest) -> CheckResponse: ...
    async def diff(self, request: DiffRequest) -> DiffResponse: ...
    async def create(self, request: CreateRequest) -> CreateResponse: ...
    async def update(self, request: UpdateRequest) -> UpdateResponse: ...
    async def read(self, request: ReadRequest) -> ReadResponse: ...
    async def delete(self, request: DeleteRequest) -> None: ...


class VoiceOSProvider(Provider):
    """The ``voiceos`` provider plugin: each resource hook goes to the hooks of the request's type, all serving
    ``deployment`` (left out, a new one: the engine starts a plugin process per deployment, which makes one)."""

    def __init__(self, deployment: Deployment | None = None) -> None:
        self.deployment = deployment if deployment is not None else Deployment()
        self._stack_config: dict[str, Any] = {}
        self._executor = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_HOOKS, thread_name_prefix="voiceos")
        self._hooks: dict[str, Hooks] = {
            BINDING_TYPE: BindingHooks(self.deployment, self._run, self._settings, self._preview_settings),
            FLEET_TYPE: FleetHooks(self.deployment, self._run, self._settings, self._preview_settings),
        }

    def _of(self, resource_type: str) -> Hooks:
        hooks = self._hooks.get(resource_type or BINDING_TYPE)
        if hooks is None:
            raise NotImplementedError(
                f"unknown resource type {resource_type}; this provider has {' and '.join(self._hooks)}"
            )
        return hooks

    async def _run(self, urn: str, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on a thread of the pool, with its log records attributed to ``urn``."""

        def call() -> T:
            token = CURRENT_URN.set(urn)
            try:
                return fn(*args)
            finally:
                CURRENT_URN.reset(token)

        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def _settings(self) -> Settings:
        return resolve_settings(self._stack_config)

    def _preview_settings(self) -> Callable[[], Settings] | None:
        """What a check reads the account with, or None when ``voiceos:previewChecks`` is off."""
        check_tunings(self._stack_config)
        return self._settings if preview_checks(self._stack_config) else None

    # -- provider -------------------------------------------------------------------

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema=load_schema())

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        # args hold the typed values (secrets marked); variables the same as "voiceos:config:<key>" text.
        config: dict[str, str] = {}
        for key in STACK_CONFIG_KEYS:
            name = key.partition(":")[2]
            given = request.args.get(name)
            value = values.plain(given) if given is not None else None
            if value is None or value == "":
                value = request.variables.get(f"{NAME}:config:{name}") or request.variables.get(key)
            if value is not None and value != "":
                config[key] = value if isinstance(value, str) else json.dumps(value)
        self._stack_config = config
        return ConfigureResponse(accept_secrets=True, supports_preview=True)

    async def cancel(self) -> None:
        # The engine's Cancel (the first Ctrl-C): no request starts after it, those in flight finish, and
        # a fleet reports what it wrote as its partial state, so the next `up` writes only the rest.
        self.deployment.pacer.cancel()

    # -- resources --------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        return await self._of(request.type).check(request)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        return await self._of(_type(request.urn)).diff(request)

    async def create(self, request: CreateRequest) -> CreateResponse:
        return await self._of(_type(request.urn)).create(request)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        return await self._of(_type(request.urn)).update(request)

    async def read(self, request: ReadRequest) -> ReadResponse:
        return await self._of(_type(request.urn)).read(request)

    async def delete(self, request: DeleteRequest) -> None:
        await self._of(_type(request.urn)).delete(request)

    # -- functions ------------------------------------------------------------------------

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        args = values.from_properties(request.args)
        if request.tok == GET_PHONE_NUMBER:
            number = args.get("phone_number")
            if not isinstance(number, str) or not number:
                return InvokeResponse(failures=[CheckFailure("phoneNumber", "is required, e.g. +14155550123")])
            found = await self._run("", self._get_phone_number, number)
            return InvokeResponse(return_value=found)
        if request.tok == LIST_PHONE_NUMBERS:
            prefix, bound = args.get("prefix"), args.get("bound")
            if prefix is not None and not isinstance(prefix, str):
                return InvokeResponse(failures=[CheckFailure("prefix", "must be a string such as +1415")])
            if bound is not None and not isinstance(bound, bool):
                return InvokeResponse(failures=[CheckFailure("bound", "must be true, false or unset")])
            listed = await self._run("", self._list_phone_numbers, prefix, bound)
            return InvokeResponse(return_value={"phoneNumbers": listed})
        raise NotImplementedError(
            f"unknown function {request.tok}; this provider has {GET_PHONE_NUMBER} and {LIST_PHONE_NUMBERS}"
        )

    def _get_phone_number(self, number: str) -> PropertyMap:
        live = self.deployment.client(self._settings()).get_phone_number(number)
        return values.to_properties(operations.number_properties(live))

    def _list_phone_numbers(self, prefix: str | None, bound: bool | None) -> Any:
        client = self.deployment.client(self._settings())
        listed = []
        for live in client.list_phone_numbers():
            if prefix and not live.phone_number.startswith(prefix):
                continue
            if bound is not None and live.binding().is_unbound == bound:
                continue
            # A listing spreads no carrier credentials; getPhoneNumber has the one asked for.
            listed.append(values.to_properties(operations.number_properties(live), only=LISTED))
        return PropertyValue([PropertyValue(item) for item in listed])


class BindingHooks(ResourceHooks):
    """The hooks of ``voiceos:index:PhoneNumberBinding``."""

    resource = "PhoneNumberBinding"
    inputs = INPUTS

    async def check(self, request: CheckRequest) -> CheckResponse:
        refused = self.refuse_stray_inputs(request)
        if refused is not None:
            return refused
        given = given_inputs(request)
        checked, failures = await self._run(
            request.urn,
            functools.partial(operations.check, settings=self._preview_settings(), say=SCHEMA),
            self._deployment,
            values.from_properties(request.new_inputs),
            values.from_properties(request.old_inputs),
        )
        if failures:
            return CheckResponse(
                inputs=given,
                failures=[binding_failure(f) for f in failures],
            )
        plaintext = values.plaintext_headers(request.new_inputs.get("webhooks"))
        if plaintext:
            await self._run(request.urn, warn_plaintext, request.urn, plaintext)
        # Each header value goes back secret, whatever the program gave: the rest of a webhook stays in clear.
        return CheckResponse(
            inputs=values.to_properties(
                {k: v for k, v in checked.items() if camel_case(k) in request.new_inputs or k == "phone_number"},
                secret=values.secret_beyond_headers(request.new_inputs),
            )
        )

    async def diff(self, request: DiffRequest) -> DiffResponse:
        plan = operations.diff(
            values.from_properties(request.old_state), self._declared(values.from_properties(request.new_inputs))
        )
        changed = [camel_case(name) for name in plan.changed]
        replaces = [camel_case(name) for name in plan.replaces]
        return DiffResponse(
            changes=plan.changes,
            replaces=replaces,
            delete_before_replace=False,
            diffs=changed,
            detailed_diff={
                name: PropertyDiff(
                    _diff_kind(request.old_state.get(name), request.new_inputs.get(name), name in replaces),
                    input_diff=True,
                )
                for name in changed
            },
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        props = self._declared(values.from_properties(request.properties))
        if request.preview:
            return CreateResponse(
                None, values.preview_outputs(request.properties, None, inputs=INPUTS, outputs=OUTPUTS)
            )
        number, outs = await self._run(
            request.urn, operations.create, self._deployment, self._settings(), props, SCHEMA
        )
        return CreateResponse(number, self._outputs(outs, request.properties))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        news = self._declared(values.from_properties(request.news))
        if request.preview:
            return UpdateResponse(values.preview_outputs(request.news, request.olds, inputs=INPUTS, outputs=OUTPUTS))
        olds = values.from_properties(request.olds)
        outs = await self._run(request.urn, operations.update, self._deployment, self._settings(), olds, news)
        return UpdateResponse(self._outputs(outs, request.news, request.olds))

    async def read(self, request: ReadRequest) -> ReadResponse:
        read = functools.partial(operations.read, self._deployment, self._settings(), say=SCHEMA)
        found = await self._run(request.urn, read, request.resource_id, values.from_properties(request.properties))
        if found is None:
            return ReadResponse(resource_id="", properties={}, inputs={})
        outputs = self._outputs(found.outputs, request.inputs, request.properties)
        if not request.properties:
            # An import: the inputs are the binding found, which the generated program declares.
            inputs = _present(values.to_properties(found.outputs, only=_IMPORTED_INPUTS))
        elif found.inputs is not None:
            # Drift: the inputs follow the live binding, as the dynamic provider's do.
            live_binding = values.to_properties(
                found.inputs,
                only=("inboundAgentId", "webhooks"),
                secret=values.secret_beyond_headers(request.inputs) | values.secret_beyond_headers(request.properties),
            )
            kept = {k: v for k, v in request.inputs.items() if k not in live_binding}
            inputs = {**kept, **_present(live_binding)}
        else:
            inputs = request.inputs
        return ReadResponse(resource_id=request.resource_id, properties=outputs, inputs=inputs)

    async def delete(self, request: DeleteRequest) -> None:
        delete = functools.partial(operations.delete, self._deployment, self._settings(), say=SCHEMA)
        await self._run(request.urn, delete, request.resource_id, values.from_properties(request.properties))

    # -- helpers --------------------------------------------------------------------------

    @staticmethod
    def _declared(props: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in props.items() if camel_case(name) in INPUTS}

    @staticmethod
    def _outputs(outs: Mapping[str, Any], *given: Mapping[str, Any]) -> PropertyMap:
        secret: frozenset[str] = frozenset()
        for props in given:
            secret |= values.secret_beyond_headers(props)
        return values.to_properties(outs, only=OUTPUTS, secret=secret & set(INPUTS))


def _type(urn: str) -> str:
    """The resource type of a URN (``urn:pulumi:stack::project::parent$type::name``)."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) > 3 else ""


def _absent(value: PropertyValue | None) -> bool:
    """Null or empty (no webhooks): what a program expresses by leaving the property out."""
    return value is None or value.value is None or value.value == ()


def _present(props: PropertyMap) -> PropertyMap:
    return {name: value for name, value in props.items() if not _absent(value)}


def _diff_kind(old: PropertyValue | None, new: PropertyValue | None, replace: bool) -> PropertyDiffKind:
    if _absent(old):
        return PropertyDiffKind.ADD_REPLACE if replace else PropertyDiffKind.ADD
    if _absent(new):
        return PropertyDiffKind.DELETE_REPLACE if replace else PropertyDiffKind.DELETE
    return PropertyDiffKind.UPDATE_REPLACE if replace else PropertyDiffKind.UPDATE
