"""A module reference that imports the module on first use.

The provider module is imported into every Pulumi program (to pickle the
provider by name), but pydantic and httpx are only needed inside the provider
process, where the hooks run; importing them into programs cost more than the
rest of this package (docs/performance.md).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            # import_module is thread-safe; a race only assigns the same module twice.
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)
