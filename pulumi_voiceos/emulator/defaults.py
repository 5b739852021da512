"""The emulator's defaults and the CLI's contract with its caller (the listening line, the exit status)."""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_DB",
    "DEFAULT_PORT",
    "DEFAULT_TOKEN",
    "EXIT_ADDRESS_IN_USE",
    "LISTENING_PREFIX",
]

DEFAULT_PORT: Final = 8787
DEFAULT_TOKEN: Final = "emulator-token"
DEFAULT_ACCOUNT_ID: Final = "acct_emulator"
DEFAULT_DB: Final = "voiceos-emulator.db"
LISTENING_PREFIX: Final = "voiceos-emulator listening on "
"""Start of the one line the CLI prints on stdout once it accepts requests."""
EXIT_ADDRESS_IN_USE: Final = 3
"""CLI exit status when the port is taken, so a caller can retry on another."""
