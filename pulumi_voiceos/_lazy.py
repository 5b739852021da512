"""Imports on first use: ``LazyModule`` and ``lazy_exports``, the one way this package defers an import.

Why a program should not import pydantic and httpx: docs/internals.md, "Imports on first use".
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from types import ModuleType
from typing import Any

__all__ = ["LazyModule", "lazy_exports"]


class LazyModule:
    """A module reference that imports ``name`` (relative to ``package`` if it starts with a dot) on the
    first attribute read."""

    def __init__(self, name: str, package: str | None = None) -> None:
        self._name = name
        self._package = package
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            # import_module is thread-safe; a race only assigns the same module twice.
            module = self._module = importlib.import_module(self._name, self._package)
        return getattr(module, attribute)


def lazy_exports(package: str, modules: Mapping[str, str], namespace: MutableMapping[str, Any]) -> Callable[[str], Any]:
    """A package's module ``__getattr__``: each name in ``modules`` comes from its module (``".app"``),
    imported on first use and kept in the package's ``namespace`` (its ``globals()``) from then on."""
    loaders = {module: LazyModule(module, package) for module in set(modules.values())}

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(loaders[module], name)
        namespace[name] = value
        return value

    return __getattr__
