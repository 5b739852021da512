"""The forms ``core.properties`` declares the resources' properties in: plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["PRIMITIVES", "EnumType", "EnumValue", "Function", "ObjectType", "Property", "Resource", "camel_case"]

PRIMITIVES: Final = ("string", "boolean", "integer", "number")


@dataclass(frozen=True)
class Property:
    """One property of a resource, an object type, an invoke or the provider's configuration."""

    name: str
    """In snake_case; the schema spells it in camelCase."""
    type: str
    """One of ``PRIMITIVES``, or the name of one of ``TYPES``."""
    description: str
    """What it holds: as a resource's output, a type's field, an invoke's argument or result."""
    container: Literal["array", "map"] | None = None
    """Whether the property holds a list of ``type``, or a map from strings to ``type``."""
    required: bool = False
    """Always present (a resource's output, a type's field), or required (an invoke's argument)."""
    secret: bool = False
    default: str | None = None
    input: str | None = None
    """A resource's input too, described as what to give; None: an output only."""
    required_input: bool = False
    replace_on_change: bool = False
    in_schema: bool = True
    """False: the dynamic resource's alone, kept out of the native schema."""
    output: bool = True
    """False (with ``input``): an input only, which the state keeps once, as an input, and no output repeats."""


@dataclass(frozen=True)
class ObjectType:
    name: str
    description: str
    properties: tuple[Property, ...]


@dataclass(frozen=True)
class EnumValue:
    name: str
    value: str
    description: str


@dataclass(frozen=True)
class EnumType:
    name: str
    description: str
    values: tuple[EnumValue, ...]


@dataclass(frozen=True)
class Resource:
    name: str
    description: str
    properties: tuple[Property, ...]
    """Its outputs in order; those with an ``input`` description are its inputs as well."""

    def inputs(self) -> tuple[Property, ...]:
        return tuple(p for p in self.properties if p.input is not None)

    def outputs(self) -> tuple[Property, ...]:
        return tuple(p for p in self.properties if p.output)


@dataclass(frozen=True)
class Function:
    """An invoke of the native provider."""

    name: str
    description: str
    inputs: tuple[Property, ...]
    outputs: tuple[Property, ...]


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
