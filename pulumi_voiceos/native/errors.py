"""What a native hook raises for the server to tell the engine more than a message."""

from __future__ import annotations

from .values import PropertyMap

__all__ = ["InitFailed"]


class InitFailed(Exception):
    """A create or update that did part of its work: the engine records ``properties`` (what was done) as
    the resource's state and fails the step with ``message``, so the next ``up`` starts from there."""

    def __init__(self, message: str, resource_id: str | None, properties: PropertyMap, inputs: PropertyMap) -> None:
        super().__init__(message)
        self.resource_id = resource_id or ""
        self.properties = properties
        self.inputs = inputs
