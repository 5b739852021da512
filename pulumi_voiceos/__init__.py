"""Manage VoiceOS phone-number routing as code with Pulumi: the package's public names.

docs/architecture.md draws the layers behind them; all but the errors and the settings are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._version import __version__
from .core.config import Settings, resolve_settings
from .errors import (
    APIError,
    AuthenticationError,
    BindingConflictError,
    BindingRefusedError,
    ConfigurationError,
    MissingTokenError,
    NotFoundError,
    NumberNotInAccountError,
    RateLimitError,
    RequestTimeoutError,
    RequestValidationError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    VoiceOSError,
)

if TYPE_CHECKING:
    from .api.client import RetryPolicy, VoiceOSClient
    from .core.fleet_record import FleetRecord
    from .core.models import BindingInputs, PhoneNumber, PhoneNumberUpdate, Telephony, Webhook
    from .core.split import entries_of_split, stack_share
    from .dynamic.fleet import FleetBindingArgs, FleetBindingArgsDict, PhoneNumberFleet
    from .dynamic.provider import PhoneNumberBindingProvider
    from .dynamic.resource import PhoneNumberBinding, PhoneNumberBindingArgs, WebhookArgs, WebhookArgsDict

_LAZY = {
    # The dynamic resource is loaded on first use too: the native plugin, the emulator and adopt import
    # this package without it, and the resource checks the pulumi SDK's version when it loads.
    "PhoneNumberBinding": ".dynamic.resource",
    "PhoneNumberBindingArgs": ".dynamic.resource",
    "WebhookArgs": ".dynamic.resource",
    "WebhookArgsDict": ".dynamic.resource",
    "PhoneNumberBindingProvider": ".dynamic.provider",
    "PhoneNumberFleet": ".dynamic.fleet",
    "FleetBindingArgs": ".dynamic.fleet",
    "FleetBindingArgsDict": ".dynamic.fleet",
    "RetryPolicy": ".api.client",
    "VoiceOSClient": ".api.client",
    "BindingInputs": ".core.models",
    "PhoneNumber": ".core.models",
    "PhoneNumberUpdate": ".core.models",
    "Telephony": ".core.models",
    "Webhook": ".core.models",
    "FleetRecord": ".core.fleet_record",
    "entries_of_split": ".core.split",
    "stack_share": ".core.split",
}

__all__ = [
    "APIError",
    "AuthenticationError",
    "BindingConflictError",
    "BindingInputs",
    "BindingRefusedError",
    "ConfigurationError",
    "FleetBindingArgs",
    "FleetBindingArgsDict",
    "FleetRecord",
    "MissingTokenError",
    "NotFoundError",
    "NumberNotInAccountError",
    "PhoneNumber",
    "PhoneNumberBinding",
    "PhoneNumberBindingArgs",
    "PhoneNumberBindingProvider",
    "PhoneNumberFleet",
    "PhoneNumberUpdate",
    "RateLimitError",
    "RequestTimeoutError",
    "RequestValidationError",
    "RetryPolicy",
    "ServerError",
    "Settings",
    "Telephony",
    "TransportError",
    "UnexpectedResponseError",
    "VoiceOSClient",
    "VoiceOSError",
    "Webhook",
    "WebhookArgs",
    "WebhookArgsDict",
    "__version__",
    "entries_of_split",
    "resolve_settings",
    "stack_share",
]


# A Pulumi program needs only PhoneNumberBinding; pydantic and httpx are needed only in the provider process,
# where the hooks run, so every name above is imported when first read.
__getattr__ = lazy_exports(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
