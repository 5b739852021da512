"""A local VoiceOS phone-number API for demos, tests and offline development (docs/testing.md).

``python -m pulumi_voiceos.emulator`` runs it; ``process``, ``client`` and ``defaults`` need no ``emulator`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from . import defaults
from .defaults import *  # noqa: F403 - the defaults are the package's names too

__all__ = [*defaults.__all__, "EmulatorClient", "EmulatorProcess", "Store", "create_app"]  # noqa: PLE0604

if TYPE_CHECKING:
    from .app import create_app
    from .client import EmulatorClient
    from .process import EmulatorProcess
    from .store import Store

_LAZY = {"create_app": ".app", "EmulatorClient": ".client", "EmulatorProcess": ".process", "Store": ".store"}

# Imported on first use, so that process, client (httpx only) and defaults work without the emulator extra
# (FastAPI, uvicorn).
__getattr__ = lazy_exports(__name__, _LAZY, globals())
