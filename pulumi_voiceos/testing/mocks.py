"""``VoiceOSMocks``: unit tests of a Pulumi program whose VoiceOS resources go through the provider's real rules.

docs/internals.md ("Testing users' programs") says how it answers, fails a test and tells one run from the next."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import pulumi
from pulumi.runtime.settings import SETTINGS

from .. import errors
from ..core import checks
from ..core.config import Settings
from ..core.models import Binding
from ..dynamic import headers
from ..dynamic.provider import wire_unknowns
from ..dynamic.resource import forget_program_claims, program_run
from ..dynamic.wording import PYTHON
from ..engine import fleet, operations
from ..engine.deployment import Deployment
from ..errors import VoiceOSCheckError
from ..native import fleet as native_fleet
from ..native import provider as native_binding
from ..native import values
from ..native.wording import SCHEMA
from .account import InMemoryAccount

__all__ = ["VoiceOSCheckError", "VoiceOSMocks"]

DYNAMIC_BINDING: Final = "pulumi-python:dynamic/voiceos:PhoneNumberBinding"
DYNAMIC_FLEET: Final = "pulumi-python:dynamic/voiceos:PhoneNumberFleet"
NATIVE_BINDING: Final = "voiceos:index:PhoneNumberBinding"
NATIVE_FLEET: Final = "voiceos:index:PhoneNumberFleet"
GET_PHONE_NUMBER: Final = "voiceos:index:getPhoneNumber"
LIST_PHONE_NUMBERS: Final = "voiceos:index:listPhoneNumbers"

_SETTINGS: Final = Settings(api_url="https://voiceos.mocks.invalid", api_token="mocks")
"""The settings of the mocked deployment; its clients reach the in-memory account, never the network."""


_COUNTED: Final = re.compile(r" \(and \d+ more refused resources?\)$")


def _in_a_program() -> bool:
    """Whether a program is running: the SDK runs each ``@pulumi.runtime.test`` function (and ``mocks.run``'s
    program) inside its event loop, where a module's top level and a plain test function run outside it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _fail_the_run(refusal: errors.VoiceOSError) -> None:
    """Make the SDK fail this run with ``refusal`` once its registrations are over, as it fails a run whose
    registration raised: the test fails, however it installed the mocks. Raised from ``new_resource``, it
    would also reject each output of the resource, and the SDK's futures would log it once each."""
    rpcs = SETTINGS.rpc_manager
    if rpcs.unhandled_exception is None:
        rpcs.unhandled_exception = refusal
        rpcs.exception_traceback = refusal.__traceback__


def _ensure_event_loop() -> None:
    """Give the main thread an event loop if it has none: the SDK's mocks and ``pulumi.runtime.test`` take
    the current one, and a test before this one that ran ``asyncio.run`` (or an async test plugin) leaves
    none behind."""
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


# How the SDK's mocks hand over a value given as a secret: ``{_SIG_KEY: _SECRET_SIG, "value": ...}``.
_SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
_SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"


def _revealed(value: Any) -> Any:
    """``value`` with every secret in it unwrapped: the rules look at what a secret holds, as check does."""
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return _revealed(value.get("value"))
        return {k: _revealed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revealed(v) for v in value]
    return value


def _plain(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The declared inputs: no hidden ones (``__provider``...), no outputs left unset, secrets unwrapped."""
    return {k: _revealed(v) for k, v in inputs.items() if not k.startswith("__") and v is not None}


class VoiceOSMocks(pulumi.runtime.Mocks):
    """Mocks for ``pulumi.runtime.set_mocks`` that run VoiceOS resources through the provider's rules.

    :param other: the mocks of the program's other resources and calls; left out, they are echoed.
    :param every_number: whether any number a program declares is in the account, unbound, until seeded.
    """

    def __init__(self, other: pulumi.runtime.Mocks | None = None, *, every_number: bool = True) -> None:
        self.account = InMemoryAccount()
        self.failures: list[errors.VoiceOSError] = []
        """The refusals of this run, in the order the mocks saw the resources (the SDK registers
        resources concurrently, so not always the order of the program's lines)."""
        self.outputs: dict[str, dict[str, Any]] = {}
        """The outputs of each VoiceOS resource created, by resource name."""
        self._other = other
        self._every_number = every_number
        self._run: object | None = None
        self._starting = threading.RLock()
        self._counting = False  # inside ``run``, which raises the first refusal itself once all are counted
        self._deployment: Deployment
        self._begin_run()
        _ensure_event_loop()

    def _begin_run(self) -> None:
        """Start a run of a program: a deployment of its own (no claims, warnings or listing of an earlier
        run), the account as the test seeded it, no refusals or outputs of an earlier run."""
        with self._starting:
            self._deployment = Deployment(transport=self.account.transport())
            forget_program_claims()
            self.account.restore_seeds()
            self.failures.clear()
            self.outputs.clear()
            self._run = program_run()  # last: another thread's check sees a new run only once it is ready

    def _notice_a_new_run(self) -> None:
        # ``set_mocks`` and each ``@pulumi.runtime.test`` start a new run, and nothing tells the mocks that
        # the last one ended: the first resource, call, seed or read of the next one finds out.
        # The SDK registers resources from several threads: the first to notice starts the run, the others
        # wait for it, so none is refused (or counted) against the last run's account and then cleared.
        with self._starting:
            if program_run() is not self._run:
                self._begin_run()

    # -- the account -----------------------------------------------------------------------

    def seed(
        self,
        phone_number: str,
        *,
        inbound_agent_id: str | None = None,
        webhooks: Sequence[Mapping[str, Any]] = (),
        auth_token: str | None = None,
    ) -> None:
        """Put a number in the account, bound as given (someone else's binding, for the guard to find).

        Seeded inside a ``@pulumi.runtime.test`` function, it holds for that test only."""
        self._notice_a_new_run()
        with self.account.seeding_for_a_run(_in_a_program()):
            self.account.seed(phone_number, inbound_agent_id=inbound_agent_id, webhooks=webhooks, auth_token=auth_token)

    def seed_raw(self, phone_number: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Make a number exactly this JSON object, as a dashboard or an older client may have left it
        (``"webhooks": null``, a webhook with ``"headers": null``...): see ``VoiceOSAPI.seed_raw``."""
        self._notice_a_new_run()
        with self.account.seeding_for_a_run(_in_a_program()):
            return self.account.seed_raw(phone_number, body)

    def live(self, phone_number: str) -> Binding | None:
        """What the program's run left the number bound to (None: not in the account)."""
        self._notice_a_new_run()
        return self.account.live(phone_number)

    def _present(self, numbers: Sequence[str]) -> None:
        if self._every_number:
            for number in numbers:
                if isinstance(number, str):
                    self.account.ensure(number)

    # -- running a program -----------------------------------------------------------------

    def run(
        self,
        program: Callable[[], Any],
        *,
        config: Mapping[str, str] | None = None,
        project: str = "project",
        stack: str = "stack",
    ) -> dict[str, dict[str, Any]]:
        """Run ``program`` under these mocks (``config`` keys without the project prefix); the outputs
        of its VoiceOS resources by name. Raises the first refusal, once the run is over."""
        _ensure_event_loop()
        pulumi.runtime.set_mocks(self, project=project, stack=stack, preview=False)
        pulumi.runtime.set_all_config({f"{project}:{k}" if ":" not in k else k: v for k, v in (config or {}).items()})
        self._begin_run()

        def run_program() -> None:
            program()

        self._counting = True
        try:
            # pulumi.runtime.test runs the program and waits for every registration; it is untyped.
            pulumi.runtime.test(run_program)()  # type: ignore[no-untyped-call]
        except errors.VoiceOSError:
            if not self.failures:
                raise
            # A refusal failed the run: raised below as the first of them, counted.
        finally:
            self._counting = False
            pulumi.runtime.set_all_config({})
        self.raise_failures()
        return dict(self.outputs)

    def raise_failures(self) -> None:
        """Raise the first refusal of this run (saying how many more there were), if any: a run fails on its
        own at its first refusal, so this is for a test that caught that failure and wants the count."""
        if self.failures:
            first = self.failures[0]
            more = len(self.failures) - 1
            if more:
                message = _COUNTED.sub("", str(first.args[0]))  # counted once, however often it is raised
                first.args = (f"{message} (and {more} more refused resource{'s' if more > 1 else ''})",)
            raise first

    # -- the engine's side -----------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        self._notice_a_new_run()
        native = args.typ in (NATIVE_BINDING, NATIVE_FLEET)
        kind = (
            self._binding
            if args.typ in (DYNAMIC_BINDING, NATIVE_BINDING)
            else self._fleet
            if args.typ in (DYNAMIC_FLEET, NATIVE_FLEET)
            else None
        )
        if kind is None:
            if self._other is not None:
                return self._other.new_resource(args)
            return f"{args.name}_id", dict(args.inputs)
        try:
            resource_id, outputs = kind(args, values.snake_keys(_plain(args.inputs)), native)
        except errors.VoiceOSError as exc:
            self.failures.append(exc)
            if not self._counting:  # the SDK would stop the run at the first, before the others are counted
                _fail_the_run(exc)
            return f"{args.name}_refused", dict(args.inputs)
        self.outputs[args.name] = outputs
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        self._notice_a_new_run()
        if args.token == GET_PHONE_NUMBER:
            found = self.account.number(str(args.args.get("phoneNumber")))
            if found is None:
                raise errors.NotFoundError(
                    f"GET /phone_numbers/{args.args.get('phoneNumber')}: not in the account",
                    status_code=404,
                    operation="getPhoneNumber",
                )
            return values.camel_keys(operations.number_properties(found)), []
        if args.token == LIST_PHONE_NUMBERS:
            prefix, bound = args.args.get("prefix"), args.args.get("bound")
            listed = [
                values.camel_keys(
                    {k: v for k, v in operations.number_properties(n).items() if k != "telephony_auth_token"}
                )
                for n in self.account.numbers()
                if (not prefix or n.phone_number.startswith(prefix))
                and (bound is None or n.binding().is_unbound != bound)
            ]
            return {"phoneNumbers": listed}, []
        if self._other is not None:
            answer = self._other.call(args)
            # The SDK takes a bare dict, or a pair whose failures are a list: a None there would crash it.
            return answer if isinstance(answer, dict) else (answer[0], answer[1] or [])
        return dict(args.args), []

    def _refuse(self, args: pulumi.runtime.MockResourceArgs, failures: Sequence[checks.Failure], native: bool) -> None:
        """Fail as a preview fails: the property and the reason, spelled as the provider the program uses
        spells them (the engine also shows a top-level property's value in between; that rendering is its own)."""
        fleet_kind = "Fleet" in args.typ
        path = (native_fleet.failure_path if fleet_kind else native_binding.failure_path) if native else str
        words = native_binding.camel_words if native and not fleet_kind else str
        said = []
        for failure in failures:
            name, reason = checks.engine_failure(checks.Failure(path(failure.property), words(failure.reason)))
            where = f": property {name}" if name else ""  # a nested path leads the reason, as in a preview
            said.append(f"{args.typ} resource {args.name!r}{where} has a problem: {reason}")
        raise VoiceOSCheckError("; ".join(said))

    def _binding(
        self, args: pulumi.runtime.MockResourceArgs, props: dict[str, Any], native: bool
    ) -> tuple[str | None, dict[Any, Any]]:
        say = SCHEMA if native else PYTHON
        if native and args.resource_id:
            props = {"phone_number": args.resource_id}
        elif not native:
            props = headers.join(props)  # the dynamic resource keeps header values apart, as its provider
        checked, failures = operations.check(self._deployment, wire_unknowns(props), say=say)
        if failures:
            self._refuse(args, failures, native)
        self._present([checked["phone_number"]])
        number, outputs = operations.create(self._deployment, _SETTINGS, checked, say)
        shown = {k: v for k, v in (outputs if native else headers.split(outputs)).items() if v is not None}
        return number, values.camel_keys(shown) if native else shown

    def _fleet(
        self, args: pulumi.runtime.MockResourceArgs, props: dict[str, Any], native: bool
    ) -> tuple[str | None, dict[Any, Any]]:
        say = SCHEMA if native else PYTHON
        props = props if native else headers.join_fleet(props)
        checked, failures = fleet.check(self._deployment, wire_unknowns(props), say=say)
        if failures:
            self._refuse(args, failures, native)
        self._present(list(checked["bindings"]))
        fleet_id, outputs = fleet.create(self._deployment, _SETTINGS, checked, say, dynamic=not native)
        shown = {k: v for k, v in (outputs if native else headers.split_fleet(outputs)).items() if v is not None}
        return fleet_id, values.camel_keys(shown) if native else shown
