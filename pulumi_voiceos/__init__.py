"""Manage VoiceOS phone-number routing as code with Pulumi.

The public surface is re-exported here; the modules behind it are:

- ``models``: pydantic models of the API objects and the binding's inputs;
- ``client``: a small typed httpx client for the phone-number API;
- ``config``: where the token and URL come from (stack config, then env);
- ``lifecycle`` and ``operations``: the rules, and what each provider hook does
  with them, shared by both providers;
- ``provider``: the Pulumi dynamic-provider hooks;
- ``resource``: ``PhoneNumberBinding``, what programs declare;
- ``native``: the native ``voiceos`` provider plugin (``pulumi-resource-voiceos``)
  for every Pulumi language, with its schema;
- ``emulator``: a local VoiceOS API for demos, tests and offline work.

Everything but the errors and the settings is loaded on first use: a Pulumi
program needs only ``PhoneNumberBinding``, and importing pydantic and httpx
into every program run would cost more than the rest of this package
(docs/performance.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .config import Settings, resolve_settings
from .errors import (
    APIError,
    AuthenticationError,
    BindingConflictError,
    BindingRefusedError,
    ConfigurationError,
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
    from .models import BindingInputs, PhoneNumber, PhoneNumberUpdate, Telephony, Webhook
    from .provider import PhoneNumberBindingProvider
    from .resource import PhoneNumberBinding, PhoneNumberBindingArgs, WebhookArgs, WebhookArgsDict

_LAZY = {
    # The dynamic resource is loaded on first use too: the native plugin, the emulator and adopt import
    # this package without it, and the resource checks the pulumi SDK's version when it loads.
    "PhoneNumberBinding": "resource",
    "PhoneNumberBindingArgs": "resource",
    "WebhookArgs": "resource",
    "WebhookArgsDict": "resource",
    "PhoneNumberBindingProvider": "provider",
    "RetryPolicy": "client",
    "VoiceOSClient": "client",
    "BindingInputs": "models",
    "PhoneNumber": "models",
    "PhoneNumberUpdate": "models",
    "Telephony": "models",
    "Webhook": "models",
}

__all__ = [
    "APIError",
    "AuthenticationError",
    "BindingConflictError",
    "BindingInputs",
    "BindingRefusedError",
    "ConfigurationError",
    "NotFoundError",
    "NumberNotInAccountError",
    "PhoneNumber",
    "PhoneNumberBinding",
    "PhoneNumberBindingArgs",
    "PhoneNumberBindingProvider",
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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
