"""Every exception this package raises on purpose, in one tree (docs/internals.md draws it).

Callers tell errors apart by their type, never by their message; ``VoiceOSError`` says how messages are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "APIError",
    "AdoptError",
    "AuthenticationError",
    "BindingConflictError",
    "BindingRefusedError",
    "ConfigurationError",
    "EmulatorAdminError",
    "EmulatorError",
    "EmulatorPortInUseError",
    "EmulatorStartError",
    "FleetPartialFailure",
    "InitFailed",
    "MissingTokenError",
    "NotFoundError",
    "NumberNotInAccountError",
    "PulumiVersionError",
    "RateLimitError",
    "RequestTimeoutError",
    "RequestValidationError",
    "ServerError",
    "TransportError",
    "UnexpectedResponseError",
    "VoiceOSCheckError",
    "VoiceOSError",
    "format_validation_detail",
]


class VoiceOSError(Exception):
    """Base class of every error this package raises on purpose.

    Every message is written for the person running ``pulumi up``: it names the operation and the phone
    number, says what went wrong and what to do about it, and never contains the API token, the carrier's
    auth token or header values. The modules that raised an error first re-export it, so old imports and
    pickled stacks keep working.
    """


class ConfigurationError(VoiceOSError):
    """The provider cannot run: no token, or an API URL it will not use."""


class MissingTokenError(ConfigurationError):
    """No API token is set, neither in the stack's config nor in the environment."""


class PulumiVersionError(VoiceOSError, ImportError):
    """The installed pulumi SDK is older than this part of the package needs (raised on import)."""


class BindingRefusedError(VoiceOSError):
    """Creating a binding was refused, at check time (so ``pulumi preview`` fails) or at create time.

    ``reason`` is why, as the rules decided it (a ``core.reasons`` value, for an adapter to word); the
    rules raise it unworded, and the engine words it with its adapter's wording before it leaves a hook.
    """

    def __init__(self, message: str = "", *, reason: Any = None) -> None:
        # Unworded, the message names only the kind of reason: its facts may hold header values.
        super().__init__(message or type(reason).__name__)
        self.reason = reason


class BindingConflictError(BindingRefusedError):
    """The number is already bound to something else, and nothing allows taking it over."""


class NumberNotInAccountError(BindingRefusedError):
    """The number to bind is not in the VoiceOS account."""


class TransportError(VoiceOSError):
    """The request never got an HTTP answer (connection refused, reset, DNS...)."""

    def __init__(self, message: str, *, operation: str, attempts: int) -> None:
        super().__init__(message)
        self.operation = operation
        self.attempts = attempts


class RequestTimeoutError(TransportError):
    """The API did not answer within the configured timeout."""


class APIError(VoiceOSError):
    """The API answered with an error status.

    ``operation`` is the request line (``PATCH /phone_numbers/+1...``), kept so
    a failed deploy says which call failed; ``detail`` is the API's own
    explanation when it gave one.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        operation: str,
        detail: Any = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.operation = operation
        self.detail = detail
        self.attempts = attempts


class AuthenticationError(APIError):
    """401 or 403: the token is missing, wrong, or lacks access to the number."""


class NotFoundError(APIError):
    """404: the number (or the agent it names) is not in the account."""


class RequestValidationError(APIError):
    """422: the API rejected the body; ``str()`` lists each field and why."""


class RateLimitError(APIError):
    """429 that persisted through every retry."""


class ServerError(APIError):
    """5xx that persisted through every retry."""


class UnexpectedResponseError(APIError):
    """A success status whose body is not JSON or not the documented object."""


class FleetPartialFailure(VoiceOSError):
    """Some numbers of a fleet could not be written; ``outputs`` records what was done (for the fleet
    ``resource_id``: a create names the id it gave the fleet)."""

    def __init__(self, message: str, outputs: dict[str, Any], resource_id: str | None = None) -> None:
        super().__init__(message)
        self.outputs = outputs
        self.resource_id = resource_id


class InitFailed(VoiceOSError):
    """A native create or update that did part of its work: the engine records ``properties`` (what was
    done) as the resource's state and fails the step with ``message``, so the next ``up`` starts there."""

    # properties and inputs are the native provider's PropertyMaps; typed loosely so that this module,
    # which every layer imports, imports none of them.
    def __init__(self, message: str, resource_id: str | None, properties: Any, inputs: Any) -> None:
        super().__init__(message)
        self.resource_id = resource_id or ""
        self.properties = properties
        self.inputs = inputs


class VoiceOSCheckError(VoiceOSError):
    """Under ``VoiceOSMocks``: a declared binding or fleet failed the provider's check, as ``pulumi
    preview`` would say it."""


class AdoptError(VoiceOSError):
    """``voiceos-pulumi adopt`` refused to run; nothing was written."""


class EmulatorError(VoiceOSError, RuntimeError):
    """The emulator (``EmulatorProcess``) could not do what it was asked."""


class EmulatorStartError(EmulatorError):
    """The emulator did not come up; the message carries its stderr."""


class EmulatorPortInUseError(EmulatorStartError):
    """The port the emulator was asked to listen on is taken."""


class EmulatorAdminError(EmulatorError):
    """An admin call (or ``get_number``) got an answer it did not expect."""


def format_validation_detail(detail: Any) -> str:
    """Render FastAPI's ``detail`` list as ``field.path: message`` lines.

    The ``loc`` prefix ``body`` is dropped because it names the transport, not
    the field the user wrote; list indexes become ``[n]`` so the path reads like
    the property path ``pulumi preview`` shows (``webhooks[0].url``). Input
    values are never rendered, whatever the API sent, since they may be secrets.
    """
    if isinstance(detail, str):
        return detail
    if not isinstance(detail, Sequence):
        return "the API rejected the request"
    lines = []
    for item in detail:
        if not isinstance(item, dict):
            continue
        lines.append(f"{property_path(item.get('loc') or ())}: {item.get('msg', 'invalid')}")
    return "; ".join(lines) or "the API rejected the request"


def property_path(loc: Sequence[Any]) -> str:
    """``("body", "webhooks", 1, "url")`` -> ``webhooks[1].url``."""
    path = ""
    for part in loc:
        if part == "body" and not path:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(request body)"
