"""Test your own Pulumi programs with what pulumi-voiceos ships: unit tests with ``VoiceOSMocks``, and
integration tests through the real CLI against the emulator (docs/testing.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .api import Request, VoiceOSAPI, binding
    from .backend import LocalBackend
    from .mocks import VoiceOSCheckError, VoiceOSMocks
    from .stack import Run, TestStack

__all__ = [
    "LocalBackend",
    "Request",
    "Run",
    "TestStack",
    "VoiceOSAPI",
    "VoiceOSCheckError",
    "VoiceOSMocks",
    "binding",
]

_LAZY = {
    "Request": ".api",
    "VoiceOSAPI": ".api",
    "binding": ".api",
    "LocalBackend": ".backend",
    "VoiceOSCheckError": ".mocks",
    "VoiceOSMocks": ".mocks",
    "Run": ".stack",
    "TestStack": ".stack",
}

__getattr__ = lazy_exports(__name__, _LAZY, globals())
