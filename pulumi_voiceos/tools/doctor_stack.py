"""``doctor --stack``: a stack's ``voiceos:`` config, read as the engine hands it to the provider.

Secret values are decrypted into memory only, to resolve the settings; doctor shows them as ``[secret]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core.config import STACK_CONFIG_KEYS, Settings
from ..core.config_sources import SettingSource, setting_sources
from ..errors import ConfigurationError
from .doctor_report import Check

__all__ = ["StackConfig", "read_stack_config", "settings_check"]


@dataclass(frozen=True)
class StackConfig:
    """The provider's keys of one stack's config, and which of them the stack holds as secrets."""

    name: str
    values: dict[str, str] = field(repr=False)
    secret_keys: frozenset[str] = frozenset()


def read_stack_config(stack: str, cwd: Path, env: Mapping[str, str]) -> StackConfig:
    """Stack ``stack`` of the project in ``cwd`` (``pulumi config --json --show-secrets``): only the keys the
    provider reads (config.STACK_CONFIG_KEYS) are kept."""
    from pulumi import automation as auto

    if not (cwd / "Pulumi.yaml").is_file() and not (cwd / "Pulumi.yml").is_file():
        raise ConfigurationError(f"--cwd {cwd} holds no Pulumi project (Pulumi.yaml); give the project's folder")
    try:
        workspace = auto.LocalWorkspace(work_dir=str(cwd), env_vars=dict(env))
        found = workspace.get_all_config(stack)
    except Exception as exc:  # the CLI's own words say why: no such stack, not logged in, no passphrase
        said = [line.strip() for line in str(exc).splitlines() if line.strip() and "stdout:" not in line]
        said = [line.removeprefix("stderr: ") for line in said]
        reason = next((line for line in reversed(said) if line.startswith("error:")), said[-1] if said else "")
        raise ConfigurationError(
            f"cannot read the config of stack {stack!r} in {cwd} ({reason or type(exc).__name__}); check the stack "
            "name (pulumi stack ls), the backend (pulumi login) and, for secrets, PULUMI_CONFIG_PASSPHRASE"
        ) from None
    kept = {key: value for key, value in found.items() if key in STACK_CONFIG_KEYS}
    return StackConfig(
        name=stack,
        values={key: value.value for key, value in kept.items()},
        secret_keys=frozenset(key for key, value in kept.items() if value.secret),
    )


def settings_check(settings: Settings, env: Mapping[str, str], stack: StackConfig | None) -> Check:
    """The ``settings`` line, then every setting (the table of core/config.py): its value, or ``[secret]``, and
    where it came from."""
    config = stack.values if stack is not None else {}
    secret_keys = stack.secret_keys if stack is not None else frozenset()
    sources = {s.key: s for s in setting_sources(settings, config, env, secret_keys=secret_keys)}
    width = max(len(key) for key in sources)

    def origin(source: SettingSource) -> str:
        if source.origin == "stack config" and stack is not None:
            return f"stack {stack.name}'s {source.key}"
        return source.env if source.origin == "environment" else "the default"

    return Check(
        "settings",
        "ok",
        f"API {sources['voiceos:apiUrl'].value or '[secret]'} (from {origin(sources['voiceos:apiUrl'])}), "
        f"token from {origin(sources['voiceos:apiToken'])} (not shown)",
        tuple(source.line(width) for source in sources.values()),
    )
