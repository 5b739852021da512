"""The native provider's log records reach the engine's Log service over gRPC: a fleet's progress as an
ephemeral status, a warning as a diagnostic, each against the URN of the hook that wrote it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from pulumi_voiceos.api.pacing import STATUS
from pulumi_voiceos.native.engine_log import CURRENT_URN, EngineLogHandler

URN = "urn:pulumi:dev::proj::voiceos:index:PhoneNumberFleet::us"


class RecordingEngine(engine_pb2_grpc.EngineServicer):
    """The engine's Log service, keeping what it is sent."""

    def __init__(self) -> None:
        self.logged: list[engine_pb2.LogRequest] = []

    def Log(self, request: engine_pb2.LogRequest, context: Any) -> empty_pb2.Empty:
        self.logged.append(request)
        return empty_pb2.Empty()


@pytest.fixture
def engine() -> Iterator[tuple[RecordingEngine, str]]:
    recorder = RecordingEngine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(recorder, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield recorder, f"127.0.0.1:{port}"
    finally:
        server.stop(None)


def test_a_fleets_progress_goes_to_the_engine_as_an_ephemeral_status_and_a_warning_as_a_diagnostic(
    engine: tuple[RecordingEngine, str],
) -> None:
    recorder, address = engine
    logger = logging.getLogger("pulumi_voiceos.test_engine_log")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = EngineLogHandler(address)
    logger.addHandler(handler)
    token = CURRENT_URN.set(URN)
    try:
        logger.info("bound %s of %s numbers", "3,000", "10,000", extra={STATUS: 1.5})
        logger.warning("+14155550100 was handed over to another resource of this deployment")
    finally:
        CURRENT_URN.reset(token)
        logger.removeHandler(handler)
        handler.close()
    progress, warning = recorder.logged
    assert (progress.message, progress.ephemeral, progress.severity, progress.urn) == (
        "bound 3,000 of 10,000 numbers",
        True,
        engine_pb2.INFO,
        URN,
    )
    assert (warning.ephemeral, warning.severity, warning.urn) == (False, engine_pb2.WARNING, URN)
    assert "handed over" in warning.message
