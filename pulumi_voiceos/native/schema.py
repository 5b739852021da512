"""The package schema, built from ``core.properties`` and ``schema_overlay.json`` (the metadata, per-language sections).

``make schema`` (``python -m pulumi_voiceos.native.schema``) writes ``schema.json``.
"""

from __future__ import annotations

import importlib.resources
import json
import sys
from pathlib import Path
from typing import Any, Final

from .._version import __version__
from ..core.declaration import PRIMITIVES, EnumType, Function, ObjectType, Property, Resource, camel_case
from ..core.properties import CONFIG, FUNCTIONS, RESOURCES, TYPES

__all__ = ["PACKAGE", "build_schema", "schema_text", "token"]

PACKAGE: Final = "voiceos"
SCHEMA_FILE: Final = Path(__file__).with_name("schema.json")


def token(name: str) -> str:
    """The schema's token of a type, resource or function declared by ``name``."""
    return f"{PACKAGE}:index:{name}"


def _type_of(prop: Property) -> dict[str, Any]:
    one = {"type": prop.type} if prop.type in PRIMITIVES else {"$ref": f"#/types/{token(prop.type)}"}
    if prop.container == "array":
        return {"type": "array", "items": one}
    if prop.container == "map":
        return {"type": "object", "additionalProperties": one}
    return one


def _property(prop: Property, description: str | None = None, *, as_input: bool = False) -> dict[str, Any]:
    out = {**_type_of(prop), "description": prop.description if description is None else description}
    if prop.default is not None:
        out["default"] = prop.default
    if as_input and prop.replace_on_change:
        out["replaceOnChanges"] = True
    if prop.secret:
        out["secret"] = True
    return out


def _properties(props: tuple[Property, ...]) -> dict[str, Any]:
    return {camel_case(p.name): _property(p) for p in props if p.in_schema}


def _required(props: tuple[Property, ...]) -> list[str]:
    return [camel_case(p.name) for p in props if p.in_schema and p.required]


def _object(props: tuple[Property, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"properties": _properties(props)}
    if required := _required(props):
        out["required"] = required
    return out


def _type(declared: ObjectType | EnumType) -> dict[str, Any]:
    if isinstance(declared, EnumType):
        values = [{"name": v.name, "value": v.value, "description": v.description} for v in declared.values]
        return {"type": "string", "description": declared.description, "enum": values}
    return {"type": "object", "description": declared.description, **_object(declared.properties)}


def _resource(resource: Resource) -> dict[str, Any]:
    inputs = [p for p in resource.inputs() if p.in_schema]
    return {
        "description": resource.description,
        "inputProperties": {camel_case(p.name): _property(p, p.input, as_input=True) for p in inputs},
        "requiredInputs": [camel_case(p.name) for p in inputs if p.required_input],
        **_object(resource.outputs()),
    }


def _function(function: Function) -> dict[str, Any]:
    return {
        "description": function.description,
        "inputs": _object(function.inputs),
        "outputs": _object(function.outputs),
    }


def _overlay() -> dict[str, Any]:
    """What is no property: the package's metadata, the provider's description and the per-language sections."""
    text = importlib.resources.files(__package__).joinpath("schema_overlay.json").read_text(encoding="utf-8")
    overlay: dict[str, Any] = json.loads(text)
    return overlay


def build_schema() -> dict[str, Any]:
    """The package schema: the overlay's metadata, then what ``core.properties`` declares."""
    overlay = _overlay()
    name, language, provider = overlay.pop("name"), overlay.pop("language"), overlay.pop("provider")
    if name != PACKAGE:
        raise ValueError(f"schema_overlay.json names the package {name!r}; the provider serves {PACKAGE!r}")
    config = {camel_case(p.name): _property(p) for p in CONFIG}
    return {
        "name": name,
        "version": __version__,
        **overlay,
        "config": {"variables": config},
        "provider": {**provider, "inputProperties": config},
        "types": {token(t.name): _type(t) for t in TYPES},
        "resources": {token(r.name): _resource(r) for r in RESOURCES},
        "functions": {token(f.name): _function(f) for f in FUNCTIONS},
        "language": language,
    }


def schema_text() -> str:
    """The schema as ``schema.json`` holds it."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    sys.stdout.write(f"{SCHEMA_FILE}\n")
