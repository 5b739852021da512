"""The data models, in three kinds kept apart so none is used for another (docs/internals.md, "The models").

``inputs``: checked strictly; ``live``: what the API returns, read leniently; ``binding``: a routing as a value.
"""

from __future__ import annotations

from .binding import BINDING_FIELDS, UNBOUND, Binding, BindingPrint, Patch, WebhookValue, canonical_webhook
from .inputs import (
    DELETE_POLICIES,
    DOCUMENTED_EVENTS,
    HTTP_METHODS,
    MAX_PAGE_SIZE,
    MAX_WEBHOOKS,
    AgentId,
    BindingInputs,
    DeletePolicy,
    EventName,
    HttpMethod,
    PhoneNumberStr,
    PhoneNumberUpdate,
    Webhook,
    WebhookFilter,
    WebhookHeaders,
    WebhookUrl,
    undeclarable_reason,
)
from .live import LiveWebhook, PhoneNumber, PhoneNumberPage, Telephony

__all__ = [
    "BINDING_FIELDS",
    "DELETE_POLICIES",
    "DOCUMENTED_EVENTS",
    "HTTP_METHODS",
    "MAX_PAGE_SIZE",
    "MAX_WEBHOOKS",
    "UNBOUND",
    "AgentId",
    "Binding",
    "BindingInputs",
    "BindingPrint",
    "DeletePolicy",
    "EventName",
    "HttpMethod",
    "LiveWebhook",
    "Patch",
    "PhoneNumber",
    "PhoneNumberPage",
    "PhoneNumberStr",
    "PhoneNumberUpdate",
    "Telephony",
    "Webhook",
    "WebhookFilter",
    "WebhookHeaders",
    "WebhookUrl",
    "WebhookValue",
    "canonical_webhook",
    "undeclarable_reason",
]
