"""The old import path of ``PhoneNumberBinding`` (0.1.0), kept working: the resource lives in ``dynamic``."""

from __future__ import annotations

from .dynamic.resource import PhoneNumberBinding, PhoneNumberBindingArgs, WebhookArgs, WebhookArgsDict

__all__ = ["PhoneNumberBinding", "PhoneNumberBindingArgs", "WebhookArgs", "WebhookArgsDict"]
