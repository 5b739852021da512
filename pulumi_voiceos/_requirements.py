"""The oldest pulumi SDK each entry point works with, and a clear error when an older one is installed.

Why each minimum: docs/internals.md, "Versions of the pulumi SDK".
"""

from __future__ import annotations

import re
from importlib import metadata
from typing import Final

from .errors import PulumiVersionError

__all__ = ["DYNAMIC_RESOURCE", "NATIVE_PLUGIN", "PulumiVersionError", "installed_pulumi", "problem"]

# pyproject.toml declares pulumi>=3.216 (the highest of these); these checks speak when an older SDK was installed
# anyway (--no-deps, a pinned environment), instead of an ImportError or a TypeError deep in a hook.
DYNAMIC_RESOURCE: Final = "3.216.0"
"""The first SDK whose ``ReadResult`` takes ``inputs`` (a refresh after drift returns them)."""
NATIVE_PLUGIN: Final = "3.171.0"
"""The first SDK with ``pulumi.provider.experimental``'s provider server, property values and check failures."""


def installed_pulumi() -> str | None:
    try:
        return metadata.version("pulumi")
    except metadata.PackageNotFoundError:
        return None


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+", maxsplit=1)[0])[:3])


def problem(what: str, minimum: str, installed: str | None) -> str | None:
    """Why ``what`` cannot run with the ``installed`` pulumi SDK, or None when it can."""
    if installed is not None and _release(installed) >= _release(minimum):
        return None
    found = f"pulumi {installed} is installed" if installed else "the pulumi SDK is not installed"
    return (
        f"{what} needs the pulumi Python SDK {minimum} or later, but {found}; "
        f"upgrade it in the environment that runs Pulumi: pip install --upgrade 'pulumi>=3.216,<4'"
    )
