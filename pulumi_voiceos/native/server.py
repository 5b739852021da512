"""The native plugin's gRPC server: the SDK's, plus two things it tells the engine (docs/internals.md, "The server")."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable
from typing import Any, TypeVar

import grpc
import grpc.aio
from google.protobuf import empty_pb2  # type: ignore[import-untyped]
from pulumi.provider.experimental import provider
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime import proto
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc, status_pb2

from ..errors import VoiceOSError
from .errors import InitFailed

__all__ = ["VoiceOSServicer", "serve"]

_T = TypeVar("_T")


def _init_failed_status(exc: InitFailed) -> grpc.Status:
    detail = provider_pb2.ErrorResourceInitFailed(
        id=exc.resource_id,
        properties=PropertyValue.marshal_map(exc.properties),
        reasons=[str(exc)],
        inputs=PropertyValue.marshal_map(exc.inputs),
    )
    packed = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=str(exc))
    packed.details.add().Pack(detail)
    status = grpc.Status()
    status.code = grpc.StatusCode.UNKNOWN
    status.details = str(exc)
    status.trailing_metadata = (("grpc-status-details-bin", packed.SerializeToString()),)
    return status


class VoiceOSServicer(ProviderServicer):
    """The SDK's servicer, telling the engine two things more for a create, update, read or delete.

    A ``VoiceOSError`` reaches the user as its message alone (the SDK's would follow it with a Python
    traceback), and ``InitFailed`` becomes the engine's ``ErrorResourceInitFailed``, so the engine records
    what a step that did part of its work wrote and the next ``up`` starts from there. Everything else is
    the SDK's.
    """

    async def _answered(self, context: grpc.aio.ServicerContext[Any, Any], call: Awaitable[_T]) -> _T:
        """The hook's answer; a ``VoiceOSError`` is told to the engine as above, not as the SDK would."""
        try:
            return await call
        except InitFailed as exc:
            await context.abort_with_status(_init_failed_status(exc))
            raise
        except VoiceOSError as exc:
            await context.abort(grpc.StatusCode.UNKNOWN, str(exc))
            raise

    async def Create(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        resp = await self._answered(
            context,
            self._provider.create(
                provider.CreateRequest(
                    request.urn, PropertyValue.unmarshal_map(request.properties), request.timeout, request.preview
                )
            ),
        )
        return proto.CreateResponse(id=resp.resource_id or "", properties=PropertyValue.marshal_map(resp.properties))

    async def Update(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        resp = await self._answered(
            context,
            self._provider.update(
                provider.UpdateRequest(
                    request.urn,
                    request.id,
                    PropertyValue.unmarshal_map(request.olds),
                    PropertyValue.unmarshal_map(request.news),
                    timeout=request.timeout,
                    ignore_changes=request.ignoreChanges,
                    preview=request.preview,
                )
            ),
        )
        return proto.UpdateResponse(properties=PropertyValue.marshal_map(resp.properties))

    async def Delete(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        await self._answered(
            context,
            self._provider.delete(
                provider.DeleteRequest(
                    request.urn, request.id, PropertyValue.unmarshal_map(request.properties), timeout=request.timeout
                )
            ),
        )
        return empty_pb2.Empty()

    async def Read(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        resp = await self._answered(
            context,
            self._provider.read(
                provider.ReadRequest(
                    request.urn,
                    request.id,
                    PropertyValue.unmarshal_map(request.properties),
                    PropertyValue.unmarshal_map(request.inputs),
                )
            ),
        )
        return proto.ReadResponse(
            id=resp.resource_id or "",
            properties=PropertyValue.marshal_map(resp.properties),
            inputs=PropertyValue.marshal_map(resp.inputs),
        )


def serve(args: list[str], version: str, implementation: provider.Provider) -> None:
    """``pulumi.provider.experimental.server.main`` with our servicer: the engine's address is the first
    positional argument, the port goes to stdout for the engine to read."""
    parser = argparse.ArgumentParser(description="pulumi-resource-voiceos (a Pulumi provider plugin)")
    parser.add_argument("engine", help="the Pulumi engine's address")
    parser.add_argument("--logflow", action="store_true", help="ignored")
    parser.add_argument("--logtostderr", action="store_true", help="ignored")
    known, _ = parser.parse_known_args(args)

    async def run() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        servicer = VoiceOSServicer(args, version, implementation, engine_address=known.engine)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):  # the engine interrupts its plugins when it is done
        asyncio.run(run())
