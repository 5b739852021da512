"""Sends the package's log records to the engine, so a warning shows under the resource it concerns in ``pulumi up``.

Why not stderr, and how progress becomes a status line: ``EngineLogHandler``.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Final

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from ..api.pacing import STATUS

__all__ = ["CURRENT_URN", "EngineLogHandler"]

CURRENT_URN: Final[contextvars.ContextVar[str]] = contextvars.ContextVar("voiceos_current_urn", default="")
"""The URN of the resource whose hook is running on this thread."""

_SEVERITIES: Final = (
    (logging.ERROR, engine_pb2.ERROR),
    (logging.WARNING, engine_pb2.WARNING),
    (logging.INFO, engine_pb2.INFO),
)


class EngineLogHandler(logging.Handler):
    """Sends the ``pulumi_voiceos`` logger's records to the engine's ``Log`` service.

    The operations log their warnings to the ``pulumi_voiceos`` logger ("handed over to another binding",
    "left ... as it is"). A provider plugin's stderr reaches the engine's debug log only, so this handler
    sends each record to the engine instead, with the URN of the hook that wrote it (``CURRENT_URN``): it
    shows up under that resource in ``pulumi up`` like any provider diagnostic. A fleet's progress ("bound
    3,000 of 10,000 numbers", a record marked with ``STATUS``) goes as an ephemeral status instead: the
    resource's row shows it while the step runs, and no line stays behind.
    """

    def __init__(self, engine_address: str) -> None:
        super().__init__(level=logging.INFO)
        self._channel = grpc.insecure_channel(engine_address)
        self._engine = engine_pb2_grpc.EngineStub(self._channel)

    def emit(self, record: logging.LogRecord) -> None:
        severity = next((sev for level, sev in _SEVERITIES if record.levelno >= level), engine_pb2.DEBUG)
        ephemeral = getattr(record, STATUS, None) is not None
        try:
            self._engine.Log(
                engine_pb2.LogRequest(
                    severity=severity, message=self.format(record), urn=CURRENT_URN.get(), ephemeral=ephemeral
                )
            )
        except grpc.RpcError:
            self.handleError(record)

    def close(self) -> None:
        self._channel.close()
        super().close()
