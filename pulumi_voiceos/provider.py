"""Where stacks deployed before the dynamic adapter had a folder of its own find their provider.

Each dynamic resource's state holds its provider pickled by name; stacks deployed
by 0.1.0 name ``pulumi_voiceos.provider.PROVIDER``, so that name stays: it is the
same object as ``pulumi_voiceos.dynamic.provider.PROVIDER``.
"""

from __future__ import annotations

from .dynamic.provider import INPUT_NAMES, OUTPUT_NAMES, PROVIDER, SECRET_OUTPUTS, PhoneNumberBindingProvider

__all__ = ["INPUT_NAMES", "OUTPUT_NAMES", "PROVIDER", "SECRET_OUTPUTS", "PhoneNumberBindingProvider"]
