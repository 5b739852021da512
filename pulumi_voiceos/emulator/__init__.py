"""A local VoiceOS phone-number API for demos, tests and offline development.

- ``app.create_app``: the ASGI app: the contract's routes (``api``) over the API's operations
  (``backend``, with its own request rules, ``rules``), and an ``/_emulator/`` admin area
  (``admin``) to seed numbers and inject latency, faults and rate limits (``controls``);
- ``store.Store``: its SQLite persistence; ``process.EmulatorProcess``: the CLI as a subprocess;
- ``python -m pulumi_voiceos.emulator`` / ``voiceos-emulator``: the CLI.

Names are imported lazily, so ``process`` (httpx only) and the constants below stay importable
without the ``emulator`` extra (FastAPI, uvicorn) installed in the calling environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._lazy import lazy_exports

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_DB",
    "DEFAULT_PORT",
    "DEFAULT_TOKEN",
    "EXIT_ADDRESS_IN_USE",
    "LISTENING_PREFIX",
    "EmulatorProcess",
    "Store",
    "create_app",
]

DEFAULT_PORT: Final = 8787
DEFAULT_TOKEN: Final = "emulator-token"
DEFAULT_ACCOUNT_ID: Final = "acct_emulator"
DEFAULT_DB: Final = "voiceos-emulator.db"
LISTENING_PREFIX: Final = "voiceos-emulator listening on "
"""Start of the one line the CLI prints on stdout once it accepts requests."""
EXIT_ADDRESS_IN_USE: Final = 3
"""CLI exit status when the port is taken, so a caller can retry on another."""

if TYPE_CHECKING:
    from .app import create_app
    from .process import EmulatorProcess
    from .store import Store

_LAZY = {"create_app": ".app", "EmulatorProcess": ".process", "Store": ".store"}

__getattr__ = lazy_exports(__name__, _LAZY, globals())
