"""Test your own Pulumi programs with what pulumi-voiceos ships (README, "Testing your program").

- unit tests, with no engine, no CLI and no emulator: ``pulumi.runtime.set_mocks(VoiceOSMocks())``
  runs the program, every VoiceOS resource through the provider's real checks and rules against an
  account in memory (``VoiceOSMocks.seed`` and ``.live``);
- integration tests, through the real CLI and engine against the emulator: the pytest fixtures
  ``voiceos_api`` and ``pulumi_stack`` of this package's plugin, whose stacks live on a ``LocalBackend``
  (a file backend in a folder, with a passphrase), which other setups can use alone.

``binding(...)`` spells a binding as a program declares it, to compare with ``live(number)``.
"""

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
