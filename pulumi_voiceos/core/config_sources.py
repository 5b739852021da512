"""Where each of the provider's settings comes from and what it resolves to, setting by setting (doctor shows it).

It walks the settings table (``properties.CONFIG``, as ``config.STACK_CONFIG_KEYS`` does): a setting added there shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from typing import Any, Final, Literal

from .config import Settings, _lookup, preview_checks
from .properties import CONFIG, camel_case

__all__ = ["SettingSource", "env_var", "setting_sources"]

Origin = Literal["stack config", "environment", "default"]

_ELSEWHERE: Final[dict[str, Callable[[Mapping[str, Any], Mapping[str, str]], Any]]] = {
    "preview_checks": preview_checks,
}
"""Settings resolved apart from ``Settings`` (see ``preview_checks``), by property name."""


def env_var(name: str) -> str:
    """The environment variable of the setting named ``name`` (snake_case): ``VOICEOS_REQUEST_TIMEOUT``."""
    return "VOICEOS_" + name.upper()


@dataclass(frozen=True)
class SettingSource:
    """One setting: its stack config key, its environment variable, where its value came from, and the value
    as the provider resolved it (None when it is a secret, which is never shown)."""

    key: str
    env: str
    origin: Origin
    value: str | None

    def line(self, width: int = 0) -> str:
        shown = "[secret]" if self.value is None else self.value
        where = {"stack config": "from the stack's config", "environment": f"from {self.env}", "default": "default"}
        return f"{self.key:<{width}}  {shown} ({where[self.origin]})"


def _shown(value: Any) -> str:
    if value is None:
        return "none"  # an optional ceiling left unset: nothing but the API's own limit applies
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def setting_sources(
    settings: Settings,
    stack_config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    secret_keys: Set[str] = frozenset(),
) -> list[SettingSource]:
    """Every setting, in the table's order, as ``settings`` (``resolve_settings`` of the same config and
    environment) holds it; a secret property, or a key in ``secret_keys``, keeps its value back."""
    config = stack_config or {}
    env = os.environ if environ is None else environ
    found = []
    for prop in CONFIG:
        key, variable = f"voiceos:{camel_case(prop.name)}", env_var(prop.name)
        origin: Origin = "default"
        if _lookup(config, {}, key, variable) is not None:
            origin = "stack config"
        elif _lookup({}, env, key, variable) is not None:
            origin = "environment"
        if prop.name in _ELSEWHERE:
            value = _ELSEWHERE[prop.name](config, env)
        else:
            value = getattr(settings, prop.name, _lookup(config, env, key, variable))
        hidden = prop.secret or key in secret_keys
        found.append(SettingSource(key, variable, origin, None if hidden else _shown(value)))
    return found
