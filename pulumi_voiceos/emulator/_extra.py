"""The ``emulator`` extra (FastAPI, uvicorn): what says so when it is missing, instead of a traceback."""

from __future__ import annotations

import importlib
import sys
from typing import Final

__all__ = ["EXTRA_MODULES", "exit_without_extra", "missing_modules", "why_missing"]

EXTRA_MODULES: Final = ("fastapi", "uvicorn")


def missing_modules() -> list[str]:
    missing = []
    for name in EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def why_missing(what: str) -> str | None:
    """Why ``what`` cannot run here, with the command that fixes it; None when it can."""
    missing = missing_modules()
    if not missing:
        return None
    return (
        f"{what} needs the emulator extra of pulumi-voiceos ({', '.join(missing)} not installed): "
        "pip install 'pulumi-voiceos[emulator]'"
    )


def exit_without_extra(what: str) -> None:
    """Exit with status 2 and the reason when the extra is missing; return when it is there."""
    reason = why_missing(what)
    if reason is not None:
        print(f"error: {reason}", file=sys.stderr)
        raise SystemExit(2)
