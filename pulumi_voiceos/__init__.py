"""Manage VoiceOS phone-number routing as code with Pulumi.

The public surface is re-exported here. One core and two adapters:

- the core: ``models`` (API objects and inputs), ``checks`` (input checks),
  ``lifecycle`` (the rules, as plain functions of declared, recorded and live),
  ``operations`` and ``fleet`` (what each hook of a binding and of a fleet does
  with them), ``deployment`` (what a provider process knows of its deployment),
  ``client`` (httpx: retries, paging, errors), ``snapshot`` (one listing of the
  account) and ``config`` (every setting and its default);
- the adapters: ``dynamic`` (``PhoneNumberBinding`` and ``PhoneNumberFleet`` for
  Python programs, on Pulumi's dynamic providers) and ``native`` (the
  ``voiceos`` provider plugin, ``pulumi-resource-voiceos``, for every Pulumi
  language, with its schema);
- the tools around them: ``adopt`` (``voiceos-pulumi adopt``) and ``emulator``
  (a local VoiceOS API for demos, tests and offline work).

Everything but the errors and the settings is loaded on first use: a Pulumi
program needs only ``PhoneNumberBinding``, and importing pydantic and httpx
into every program run would cost more than the rest of this package
(docs/performance.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._version import __version__
from .config import Settings, resolve_settings
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
    from .client import RetryPolicy, VoiceOSClient
    from .dynamic.fleet import FleetBindingArgs, FleetBindingArgsDict, PhoneNumberFleet
    from .dynamic.provider import PhoneNumberBindingProvider
    from .dynamic.resource import PhoneNumberBinding, PhoneNumberBindingArgs, WebhookArgs, WebhookArgsDict
    from .models import BindingInputs, PhoneNumber, PhoneNumberUpdate, Telephony, Webhook

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
    "RetryPolicy": ".client",
    "VoiceOSClient": ".client",
    "BindingInputs": ".models",
    "PhoneNumber": ".models",
    "PhoneNumberUpdate": ".models",
    "Telephony": ".models",
    "Webhook": ".models",
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
    "resolve_settings",
]


__getattr__ = lazy_exports(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
