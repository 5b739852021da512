"""How a dynamic provider speaks to the person running Pulumi through the SDK's server: warnings and progress
as ``warning:``/``info:`` lines on stderr (the engine shows them unmarked, pulumi/pulumi#6065), a progress
line at most every ``STATUS_SECONDS``, and a failed hook's message before its traceback (``message_first``)."""

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

__all__ = ["STATUS_SECONDS", "message_first", "say_what_each_message_is"]

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


def message_first(hook: Callable[P, R]) -> Callable[P, R]:
    """The decorator of every dynamic provider hook: a ``VoiceOSError`` it raises goes on with a copy of its
    message as its cause.

    Why: the SDK's server reports a failed hook as ``traceback.format_exc()``, which the engine shows from its
    first line, and that prints a cause first, one that was never raised as ``type: message`` alone; so the
    person running Pulumi reads our message before the traceback, not below it."""

    @functools.wraps(hook)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return hook(*args, **kwargs)
        except VoiceOSError as exc:
            raise exc from VoiceOSError(str(exc))

    return wrapper
