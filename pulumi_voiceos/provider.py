"""The dynamic provider behind ``PhoneNumberBinding``: Pulumi hooks around the shared operations.

Each hook hands its property bag to the function of the same name in
``operations`` (which the native provider calls too) and wraps the result in
the dynamic provider's result types. Outputs mirror the live number, so
``pulumi refresh`` shows drift and the next ``up`` corrects it; the API calls
each hook makes are listed in ``operations``.

Nothing is stored on the provider object before ``configure``: the object is
pickled by reference into each resource's ``__provider`` input, so the token
and the HTTP client are looked up inside the provider process at call time.

pydantic and httpx (behind ``operations``) are loaded by the first hook, not by this module: programs import this
module to pickle the provider, but only the provider process runs hooks.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any, Final

from ._lazy import LazyModule
from ._requirements import DYNAMIC_RESOURCE, PulumiVersionError, installed_pulumi, problem
from .config import STACK_CONFIG_KEYS, Settings, preview_checks, resolve_settings
from .properties import INPUT_NAMES, OUTPUT_NAMES, SECRET_OUTPUTS

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
    from . import operations
else:
    operations = LazyModule("pulumi_voiceos.operations")

__all__ = ["INPUT_NAMES", "OUTPUT_NAMES", "PROVIDER", "SECRET_OUTPUTS", "PhoneNumberBindingProvider"]

PROVIDER_KEY: Final = "__provider"


class _EngineMessage(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _say_what_each_message_is() -> None:
    """The engine shows a dynamic provider's stderr as plain messages of the stack (no severity, no
    resource), so each line says itself whether it is a warning."""
    logger = logging.getLogger("pulumi_voiceos")
    if not any(isinstance(handler.formatter, _EngineMessage) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_EngineMessage())
        handler.setLevel(logging.WARNING)
        logger.addHandler(handler)


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
        # Called once, in the provider process only (never in the program that pickles the provider).
        self._stack_config = {key: req.config.get(key) for key in STACK_CONFIG_KEYS}
        _say_what_each_message_is()

    def _settings(self) -> Settings:
        return resolve_settings(getattr(self, "_stack_config", None))

    # -- hooks: each is the shared operation of the same name ------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked, failures = operations.check(
            {k: v for k, v in news.items() if k != PROVIDER_KEY},
            {k: v for k, v in olds.items() if k != PROVIDER_KEY},
            settings=self._settings if preview_checks(getattr(self, "_stack_config", None)) else None,
        )
        if PROVIDER_KEY in news:
            checked[PROVIDER_KEY] = news[PROVIDER_KEY]
        return CheckResult(checked, [CheckFailure(f.property, f.reason) for f in failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        plan = operations.diff(olds, news)
        return DiffResult(changes=plan.changes, replaces=list(plan.replaces), delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        number, outs = operations.create(self._settings(), props)
        return CreateResult(number, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(operations.update(self._settings(), olds, news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        found = operations.read(self._settings(), id_, props)
        if found is None:
            return ReadResult("", {})
        return ReadResult(id_, found.outputs, found.inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        operations.delete(self._settings(), id_, props)


PROVIDER: Final = PhoneNumberBindingProvider()
"""The instance every ``PhoneNumberBinding`` uses; pickled by name into ``__provider``."""
