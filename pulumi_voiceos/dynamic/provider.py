"""The dynamic provider behind ``PhoneNumberBinding``: each Pulumi hook calls the engine's function of the same name.

Pickled by name, it holds nothing until ``configure`` (docs/internals.md, "The dynamic adapter")."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from .._lazy import LazyModule
from .._lifetime import exit_with_parent
from .._requirements import DYNAMIC_RESOURCE, PulumiVersionError, installed_pulumi, problem
from ..core.config import STACK_CONFIG_KEYS, Settings, check_tunings, preview_checks, resolve_settings
from ..core.properties import INPUT_NAMES, OUTPUT_NAMES, SECRET_OUTPUTS
from . import messages
from .headers import join, split
from .messages import message_first

_too_old = problem("pulumi-voiceos's PhoneNumberBinding", DYNAMIC_RESOURCE, installed_pulumi())
if _too_old:
    raise PulumiVersionError(_too_old)

# After the version check, which explains what would fail here (or in a hook, later).
from pulumi.dynamic import (  # noqa: E402
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

if TYPE_CHECKING:
    from ..engine import operations
    from ..engine.deployment import Deployment
    from . import wording
else:
    operations = LazyModule("pulumi_voiceos.engine.operations")
    # How the engine words a refusal or a warning for a Python program; loaded by the first hook, as operations.
    wording = LazyModule("pulumi_voiceos.dynamic.wording")

__all__ = [
    "INPUT_NAMES",
    "OUTPUT_NAMES",
    "PROVIDER",
    "SECRET_OUTPUTS",
    "PhoneNumberBindingProvider",
    "VoiceOSResourceProvider",
    "engine_failures",
    "process_deployment",
    "without_provider",
]

PROVIDER_KEY: Final = "__provider"


def wire_unknowns(value: Any) -> Any:
    """``value`` with the SDK's ``Unknown`` objects replaced by the engine's wire marker, which the core knows."""
    from pulumi.output import Unknown

    from ..core.checks import UNKNOWN

    def wire(value: Any) -> Any:
        # Imported once per call, not once per value: a fleet's inputs hold tens of thousands of values.
        if isinstance(value, Unknown):
            return UNKNOWN
        if isinstance(value, dict):
            return {k: wire(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [wire(v) for v in value]
        return value

    return wire(value)


def engine_failures(failures: list[Any]) -> list[CheckFailure]:
    """The core's check failures as the engine renders them well (``checks.engine_failure``)."""
    from ..core.checks import engine_failure  # with pydantic: loaded by the provider process only

    return [CheckFailure(*engine_failure(f)) for f in failures]


def without_provider(props: dict[str, Any]) -> dict[str, Any]:
    """A property bag without the pickled provider the dynamic-provider server adds to every one."""
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


_process_lock = threading.Lock()
_process_deployment: Deployment | None = None


def process_deployment() -> Deployment:
    """The one deployment of this provider process, shared by the binding's and the fleet's providers.

    The dynamic-provider server unpickles each resource's provider by name (``PROVIDER``, ``FLEET_PROVIDER``)
    and calls its hooks, so this lookup is the adapter's entry point into the engine. It is made on first use
    under a lock: two made by concurrent first hooks would split the claims and the listing between them."""
    global _process_deployment  # noqa: PLW0603 - one per provider process, by design
    with _process_lock:
        if _process_deployment is None:
            from ..engine.deployment import Deployment

            _process_deployment = Deployment()
        return _process_deployment


class VoiceOSResourceProvider(ResourceProvider):
    """What the binding's and the fleet's providers share: settings from stack config, read at call time.

    :param deployment: the deployment its hooks serve; left out, this provider process's one
        (``process_deployment``). Tests give each provider a fresh one, as a new provider process has.
    """

    # It captures nothing secret, so __provider need not be encrypted per resource.
    serialize_as_secret_always = False

    def __init__(self, deployment: Deployment | None = None) -> None:
        if deployment is not None:  # left out, nothing is stored: a provider holds no state until configure
            self._deployment = deployment

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Stacks deployed by 0.1.0 pickled the class with an empty state.
        self.__dict__.update(state)

    def configure(self, req: ConfigureRequest) -> None:
        # Called once, in the provider process only (never in the program that pickles the provider).
        self._stack_config = {key: req.config.get(key) for key in STACK_CONFIG_KEYS}
        messages.say_what_each_message_is()
        exit_with_parent(only_under="pulumi.dynamic")  # the provider server, not a test calling this hook

    @property
    def deployment(self) -> Deployment:
        """The deployment this provider's hooks serve."""
        given: Deployment | None = getattr(self, "_deployment", None)
        return given if given is not None else process_deployment()

    def _settings(self) -> Settings:
        return resolve_settings(getattr(self, "_stack_config", None))

    def _preview_settings(self) -> Callable[[], Settings] | None:
        """What a check reads the account with, or None when ``voiceos:previewChecks`` is off."""
        check_tunings(getattr(self, "_stack_config", None))
        return self._settings if preview_checks(getattr(self, "_stack_config", None)) else None


class PhoneNumberBindingProvider(VoiceOSResourceProvider):
    """Binds a VoiceOS phone number to an inbound agent and webhooks."""

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Every resource carries the pickled provider in its inputs and outputs,
        # so it is kept to a reference: the module's PROVIDER by name (~70 bytes
        # of base64), any other instance as a fresh one. Either way no state is
        # pickled: stack config lands on a provider only inside the provider process.
        if self is PROVIDER:
            return "PROVIDER"
        return (PhoneNumberBindingProvider, ())

    # -- hooks: each is the shared operation of the same name, with our message first on failure ----

    @message_first
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked, failures = operations.check(
            self.deployment,
            join(wire_unknowns(without_provider(news))),
            join(wire_unknowns(without_provider(olds))),
            settings=self._preview_settings(),
            say=wording.PYTHON,
        )
        checked = split(checked)
        if PROVIDER_KEY in news:
            checked[PROVIDER_KEY] = news[PROVIDER_KEY]
        return CheckResult(checked, engine_failures(failures))

    @message_first
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        plan = operations.diff(join(olds), join(news))
        return DiffResult(changes=plan.changes, replaces=list(plan.replaces), delete_before_replace=False)

    @message_first
    def create(self, props: dict[str, Any]) -> CreateResult:
        number, outs = operations.create(self.deployment, self._settings(), join(props), wording.PYTHON)
        return CreateResult(number, split(outs))

    @message_first
    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(split(operations.update(self.deployment, self._settings(), join(olds), join(news))))

    @message_first
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        found = operations.read(self.deployment, self._settings(), id_, join(props), wording.PYTHON)
        if found is None:
            return ReadResult("", {})
        return ReadResult(id_, split(found.outputs), None if found.inputs is None else split(found.inputs))

    @message_first
    def delete(self, id_: str, props: dict[str, Any]) -> None:
        operations.delete(self.deployment, self._settings(), id_, join(props), wording.PYTHON)


PROVIDER: Final = PhoneNumberBindingProvider()
"""The instance every ``PhoneNumberBinding`` uses; pickled by name into ``__provider``."""
