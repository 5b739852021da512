"""The dynamic provider's old import path, kept because stacks deployed with 0.1.0 pickled it by this name.

``pulumi_voiceos.provider.PROVIDER`` is the same object as ``pulumi_voiceos.dynamic.provider.PROVIDER``.
"""

from __future__ import annotations

from .dynamic.provider import INPUT_NAMES, OUTPUT_NAMES, PROVIDER, SECRET_OUTPUTS, PhoneNumberBindingProvider

__all__ = ["INPUT_NAMES", "OUTPUT_NAMES", "PROVIDER", "SECRET_OUTPUTS", "PhoneNumberBindingProvider"]
