"""How a dynamic provider's warnings reach the person running Pulumi.

The engine shows a dynamic provider's stderr as plain messages of the stack,
with no severity and no resource (pulumi/pulumi#6065), so each line the
``pulumi_voiceos`` logger writes there says itself whether it is a warning.
Nor can a dynamic provider show an ephemeral status: a fleet's progress
becomes a line at most every ``STATUS_SECONDS``, and only in a run that long.
The SDK's server sends the engine a traceback for every failed hook; ``message_first``
puts our message on its first line.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
from collections.abc import Callable
from typing import Final, ParamSpec, TypeVar

from ..api.pacing import STATUS
from ..errors import VoiceOSError

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["STATUS_SECONDS", "VoiceOS", "message_first", "say_what_each_message_is"]

STATUS_SECONDS: Final = 10.0


class _SparseStatus(logging.Filter):
    """Lets a progress record through only after ``STATUS_SECONDS`` of its fan-out, and then one per period."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        elapsed = getattr(record, STATUS, None)
        if elapsed is None:
            return True
        with self._lock:
            if elapsed < STATUS_SECONDS or record.created - self._last < STATUS_SECONDS:
                return False
            self._last = record.created
            return True


class _EngineMessage(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def say_what_each_message_is() -> None:
    """Send the package's warnings to stderr as ``warning: ...`` lines; idempotent. Called by a provider's
    ``configure``, which runs in the provider process only, never in the program that pickles it."""
    logger = logging.getLogger("pulumi_voiceos")
    if not any(isinstance(handler.formatter, _EngineMessage) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_EngineMessage())
        # Info: the pacer's summary (one line per 10 s at most) and a long fleet's progress.
        handler.setLevel(logging.INFO)
        handler.addFilter(_SparseStatus())
        logger.addHandler(handler)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


class VoiceOS(Exception):
    """The headline of a failed hook: never raised, so the traceback shows it alone, before the rest."""


VoiceOS.__module__ = "builtins"  # shown as "VoiceOS: <message>", without a module path


def message_first(hook: Callable[P, R]) -> Callable[P, R]:
    """A hook whose ``VoiceOSError`` carries its message as its cause: the SDK's ``traceback.format_exc()``
    prints a cause first, and one that was never raised as its message alone."""

    @functools.wraps(hook)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return hook(*args, **kwargs)
        except VoiceOSError as exc:
            raise exc from VoiceOS(str(exc))

    return wrapper
