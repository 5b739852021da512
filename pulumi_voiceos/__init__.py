"""Manage VoiceOS phone-number routing as code with Pulumi.

The public surface is re-exported here; the modules behind it are:

- ``models``: pydantic models of the API objects and the binding's inputs;
- ``client``: a small typed httpx client for the phone-number API;
- ``config``: where the token and URL come from (stack config, then env);
- ``provider``: the Pulumi dynamic-provider hooks;
- ``resource``: ``PhoneNumberBinding``, what programs declare;
- ``emulator``: a local VoiceOS API for demos, tests and offline work.
"""

from ._version import __version__
from .client import RetryPolicy, VoiceOSClient
from .config import Settings, resolve_settings
from .errors import (
    APIError,
    AuthenticationError,
    BindingConflictError,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    RequestValidationError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    VoiceOSError,
)
from .models import BindingInputs, PhoneNumber, PhoneNumberUpdate, Telephony, Webhook
from .provider import PhoneNumberBindingProvider
from .resource import PhoneNumberBinding, PhoneNumberBindingArgs, WebhookArgs, WebhookArgsDict

__all__ = [
    "APIError",
    "AuthenticationError",
    "BindingConflictError",
    "BindingInputs",
    "ConfigurationError",
    "NotFoundError",
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
