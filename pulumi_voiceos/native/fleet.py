"""``voiceos:index:PhoneNumberFleet``: the native provider's hooks of a fleet.

What the native protocol adds for a fleet is in docs/internals.md ("The native provider")."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any, Final, TypeVar

from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    PropertyDiff,
    PropertyDiffKind,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from ..core import checks
from ..core.config import Settings
from ..core.properties import (
    FLEET,
    FLEET_ENTRY_NAMES,
    FLEET_INPUT_NAMES,
    FLEET_OUTPUT_NAMES,
    SECRET_FLEET_OUTPUTS,
    camel_case,
)
from ..core.reasons import PlaintextHeader
from ..engine import fleet, fleet_import
from ..engine.deployment import Deployment
from . import values
from .errors import InitFailed
from .schema import token
from .values import PropertyMap, PropertyValue
from .wording import SCHEMA

__all__ = ["FLEET_TYPE", "FleetHooks"]

FLEET_TYPE: Final = token(FLEET.name)

QUIET_CHECKS_SECONDS: Final = 0.5
LONGEST_CLAIMS_WAIT_SECONDS: Final = 10.0


def wait_for_claims(
    deployment: Deployment,
    numbers: Collection[str],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Before the fleet lets go of numbers no resource has claimed yet, wait until the deployment's checks have
    been quiet for ``QUIET_CHECKS_SECONDS`` (at most ``LONGEST_CLAIMS_WAIT_SECONDS``); the seconds waited.

    A native provider hears of no program, unlike the dynamic fleet, which is told which numbers the
    program's other resources declare: another resource of the same ``up`` that takes a removed number
    claims it in its check, and the engine runs checks before the updates they allow (docs/fleets.md).
    """
    if all(n in deployment.claims for n in numbers):
        return 0.0
    started = clock()
    while clock() - started < LONGEST_CLAIMS_WAIT_SECONDS and clock() - deployment.last_check < QUIET_CHECKS_SECONDS:
        sleep(QUIET_CHECKS_SECONDS / 5)
    return clock() - started


INPUTS: Final = tuple(camel_case(name) for name in FLEET_INPUT_NAMES)
OUTPUTS: Final = tuple(camel_case(name) for name in FLEET_OUTPUT_NAMES)
_SECRET: Final = frozenset(camel_case(name) for name in SECRET_FLEET_OUTPUTS)

logger = logging.getLogger("pulumi_voiceos")

T = TypeVar("T")
Run = Callable[..., Awaitable[Any]]
PreviewSettings = Callable[[], Callable[[], Settings] | None]
"""What gives a check the settings to read the account with, or None when ``voiceos:previewChecks`` is off."""


def failure_path(path: str) -> str:
    """``bindings["+1..."].inbound_agent_id`` in the schema's spelling."""
    head, sep, rest = path.partition('"]')
    if not sep:
        return camel_case(path)
    tail = rest
    for snake in FLEET_ENTRY_NAMES:
        tail = tail.replace(snake, camel_case(snake))
    return head + sep + tail


def engine_failure(failure: checks.Failure) -> CheckFailure:
    """A core failure with its names as the schema spells them, in the form the engine renders well."""
    return CheckFailure(*checks.engine_failure(checks.Failure(failure_path(failure.property), failure.reason)))


def secret_entries(bindings: PropertyValue | None) -> frozenset[str]:
    """The numbers whose entry holds a secret other than a header value (or the whole map is secret: then every
    number); header values are secret on their own in every entry."""
    if bindings is None or not isinstance(bindings.value, Mapping):
        return frozenset()
    if bindings.is_secret:
        return frozenset(bindings.value)
    return values.secret_beyond_headers(bindings.value)


def bindings_value(
    entries: Mapping[str, Any],
    secret: frozenset[str],
    given: Mapping[str, PropertyValue] | None = None,
    *,
    headers_secret: bool = True,
) -> PropertyValue:
    """A fleet's ``bindings`` as a property value: an entry in ``secret`` secret as a whole; in the others,
    with ``headers_secret`` (outputs: an import or a refresh cannot know which are credentials), each header
    value secret on its own; ``given`` entries (not known until ``up``) go as they are."""
    converted: PropertyMap = dict(given or {})
    for number, entry in entries.items():
        if number in secret:
            converted[number] = values.to_properties({"entry": entry}, headers_secret=False)["entry"].with_secret(True)
        else:
            converted[number] = values.to_properties({"entry": entry}, headers_secret=headers_secret)["entry"]
    return PropertyValue(converted)


def _outputs(outs: Mapping[str, Any]) -> PropertyMap:
    """The outputs as the engine keeps them: no ``bindings`` (the state keeps the entries once, as inputs; the
    SDKs resolve the output to its input)."""
    return values.to_properties({k: v for k, v in outs.items() if k != "bindings"}, only=OUTPUTS, secret=_SECRET)


def _kind(had: bool, has: bool) -> PropertyDiffKind:
    if not had:
        return PropertyDiffKind.ADD
    if not has:
        return PropertyDiffKind.DELETE
    return PropertyDiffKind.UPDATE


class ResourceHooks:
    """What the hooks of every resource type hold: ``deployment`` is the provider's, ``run`` runs a blocking
    call on the provider's pool with its log records attributed to the resource, ``settings`` and
    ``preview_settings`` read config."""

    resource: str
    inputs: tuple[str, ...]

    def __init__(
        self, deployment: Deployment, run: Run, settings: Callable[[], Settings], preview_settings: PreviewSettings
    ) -> None:
        self._deployment = deployment
        self._run = run
        self._settings = settings
        self._preview_settings = preview_settings

    def refuse_stray_inputs(self, request: CheckRequest) -> CheckResponse | None:
        """A check's refusal of every input the resource does not have, with the inputs as given; else None."""
        stray = [name for name in request.new_inputs if name not in self.inputs]
        if not stray:
            return None
        use = f"use one of {', '.join(self.inputs)}"
        return CheckResponse(
            inputs=given_inputs(request),
            failures=[CheckFailure(name, f"is not a property of {self.resource}; {use}") for name in stray],
        )


def warn_plaintext(urn: str, found: list[tuple[str, str]]) -> None:
    """Warn once of the header values given in plain text, naming webhooks and headers, never a value."""
    parts = urn.split("::")
    kind = parts[2].rsplit("$", 1)[-1].rpartition(":")[2] if len(parts) > 3 else "resource"
    name = f"{kind} {parts[-1]!r}"
    logger.warning("%s", SCHEMA(PlaintextHeader(name, tuple(found))))


def plaintext_entry_headers(bindings: PropertyValue | None) -> list[tuple[str, str]]:
    """Each ``(bindings["+1..."].webhooks[i], header name)`` of a fleet whose value was given in plain text."""
    entries = None if bindings is None or bindings.is_secret else bindings.value
    if not isinstance(entries, Mapping):
        return []
    return [
        (f"{checks.entry_path(number)}.{webhook}", header)
        for number, entry in entries.items()
        if isinstance(entry.value, Mapping) and not entry.is_secret
        for webhook, header in values.plaintext_headers(entry.value.get("webhooks"))
    ]


def given_inputs(request: CheckRequest) -> dict[str, PropertyValue]:
    """The inputs as given, for a check that fails: unknowns as the wire marker the server can send."""
    return {name: values.marshalable(value) for name, value in request.new_inputs.items()}


class FleetHooks(ResourceHooks):
    """The hooks of ``voiceos:index:PhoneNumberFleet``."""

    resource = "PhoneNumberFleet"
    inputs = INPUTS

    async def check(self, request: CheckRequest) -> CheckResponse:
        refused = self.refuse_stray_inputs(request)
        if refused is not None:
            return refused
        given = given_inputs(request)

        def check() -> tuple[dict[str, Any], list[checks.Failure]]:
            return fleet.check(
                self._deployment,
                values.from_properties(request.new_inputs),
                values.from_properties(request.old_inputs),
                settings=self._preview_settings(),
                say=SCHEMA,
            )

        checked, failures = await self._run(request.urn, check)
        plaintext = plaintext_entry_headers(request.new_inputs.get("bindings"))
        if plaintext:
            await self._run(request.urn, warn_plaintext, request.urn, plaintext)
        if failures:
            return CheckResponse(inputs=given, failures=[engine_failure(f) for f in failures])
        entries = checked["bindings"]
        if not isinstance(entries, Mapping):
            return CheckResponse(inputs=given)  # not known until `up`
        flags = values.to_properties(
            {k: v for k, v in checked.items() if k != "bindings" and camel_case(k) in request.new_inputs},
            secret=values.secret_names(request.new_inputs),
        )
        secret = secret_entries(request.new_inputs.get("bindings"))
        known = {n: e for n, e in entries.items() if not checks.contains_unknown(e)}
        given_entries = given["bindings"].value
        # Entries not known until `up` go back as given (their unknowns as the wire marker).
        pending = {n: given_entries[n] for n in entries if n not in known} if isinstance(given_entries, Mapping) else {}
        # Checked inputs keep the secrets they were given, and every header value is secret on its own.
        return CheckResponse(inputs={"bindings": bindings_value(known, secret, pending), **flags})

    async def diff(self, request: DiffRequest) -> DiffResponse:
        olds = values.from_properties(request.old_state)
        plan = fleet.diff(olds, values.from_properties(request.new_inputs))
        declared = values.from_properties(request.new_inputs).get("bindings")
        detailed: dict[str, PropertyDiff] = {}
        for number in plan.added:
            detailed[checks.entry_path(number)] = PropertyDiff(PropertyDiffKind.ADD, input_diff=True)
        for number in plan.removed:
            detailed[checks.entry_path(number)] = PropertyDiff(PropertyDiffKind.DELETE, input_diff=True)
        for number, fields in plan.changed.items():
            had = plan.had.get(number, frozenset())
            now = declared.get(number) if isinstance(declared, Mapping) else None
            for name in fields:
                path = checks.entry_path(number, f".{camel_case(name)}")
                has = not isinstance(now, Mapping) or now.get(name) not in (None, [])
                detailed[path] = PropertyDiff(_kind(name in had, has), input_diff=True)
        for name in plan.flags:
            detailed[camel_case(name)] = PropertyDiff(PropertyDiffKind.UPDATE, input_diff=True)
        touched = ["bindings"] if plan.added or plan.removed or plan.changed else []
        if plan.rewrite:
            # A stack of 0.1.0: the outputs take this version's shape, and nothing is written to VoiceOS.
            detailed["records"] = PropertyDiff(PropertyDiffKind.ADD, input_diff=False)
        return DiffResponse(
            changes=plan.changes,
            replaces=[],
            delete_before_replace=False,
            diffs=touched + [camel_case(name) for name in plan.flags],
            detailed_diff=detailed,
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        if request.preview:
            return CreateResponse(
                None, values.preview_outputs(request.properties, None, inputs=INPUTS, outputs=OUTPUTS)
            )
        props = values.from_properties(request.properties)
        try:
            fleet_id, outs = await self._run(
                request.urn, fleet.create, self._deployment, self._settings(), props, SCHEMA
            )
        except fleet.FleetPartialFailure as exc:
            raise InitFailed(str(exc), exc.resource_id, _outputs(exc.outputs), request.properties) from None
        return CreateResponse(fleet_id, _outputs(outs))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        if request.preview:
            return UpdateResponse(values.preview_outputs(request.news, request.olds, inputs=INPUTS, outputs=OUTPUTS))

        def update() -> dict[str, Any]:
            return fleet.update(
                self._deployment,
                self._settings(),
                values.from_properties(request.olds),
                values.from_properties(request.news),
                SCHEMA,
                dynamic=False,
                before_release=lambda removed: wait_for_claims(self._deployment, removed),
            )

        try:
            outs = await self._run(request.urn, update)
        except fleet.FleetPartialFailure as exc:
            raise InitFailed(str(exc), request.resource_id, _outputs(exc.outputs), request.news) from None
        return UpdateResponse(_outputs(outs))

    async def read(self, request: ReadRequest) -> ReadResponse:
        if not request.properties:
            # An import: the id names the numbers; the inputs are their live bindings, which the program declares.
            imported = await self._run(
                request.urn, fleet_import.read, self._deployment, self._settings(), request.resource_id, SCHEMA
            )
            assert imported.inputs is not None
            return ReadResponse(
                resource_id=request.resource_id,
                properties=_outputs(imported.outputs),
                inputs={"bindings": bindings_value(imported.inputs["bindings"], frozenset())},
            )
        found = await self._run(
            request.urn, fleet.read, self._deployment, self._settings(), values.from_properties(request.properties)
        )
        secret = secret_entries(request.properties.get("bindings")) | secret_entries(request.inputs.get("bindings"))
        outputs = _outputs(found.outputs)
        inputs = request.inputs
        if found.inputs is not None:
            # Drift: the entries follow the live bindings, as the dynamic provider's inputs do.
            inputs = {
                **request.inputs,
                "bindings": bindings_value(found.inputs["bindings"], secret),
            }
        return ReadResponse(resource_id=request.resource_id, properties=outputs, inputs=inputs)

    async def delete(self, request: DeleteRequest) -> None:
        await self._run(
            request.urn,
            fleet.delete,
            self._deployment,
            self._settings(),
            values.from_properties(request.properties),
            SCHEMA,
        )
