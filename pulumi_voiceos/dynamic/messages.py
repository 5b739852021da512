"""How a dynamic provider's warnings reach the person running Pulumi.

The engine shows a dynamic provider's stderr as plain messages of the stack,
with no severity and no resource (pulumi/pulumi#6065), so each line the
``pulumi_voiceos`` logger writes there says itself whether it is a warning.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["say_what_each_message_is"]


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
        handler.setLevel(logging.WARNING)
        logger.addHandler(handler)
