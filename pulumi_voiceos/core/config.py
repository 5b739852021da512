"""The provider's settings (token, API URL, timeouts, retries): read from stack config first, then the environment.

Every key is tabled in docs/internals.md ("Settings") and README.md; a token set nowhere is a ``MissingTokenError``.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from ..errors import ConfigurationError, MissingTokenError
from .properties import CONFIG, camel_case

__all__ = ["DEFAULT_API_URL", "STACK_CONFIG_KEYS", "Settings", "check_tunings", "preview_checks", "resolve_settings"]

DEFAULT_API_URL: Final = "https://api.voiceos.io"

_TOKEN_HELP: Final = (
    "No VoiceOS API token is set. Set it for the stack with "
    "`pulumi config set --secret voiceos:apiToken <token>`, "
    "or export VOICEOS_API_TOKEN=<token> in the environment that runs pulumi."
)


STACK_CONFIG_KEYS: Final = tuple(f"voiceos:{camel_case(p.name)}" for p in CONFIG)
"""Every stack config key the provider reads; a provider's ``configure`` looks up exactly these."""


@dataclass(frozen=True)
class Settings:
    """Everything the client needs, with the one set of defaults; ``api_token`` is kept out of ``repr``.

    Retry delays grow exponentially from ``retry_base_delay`` up to
    ``retry_max_delay``; ``max_retry_seconds`` bounds one request with all its retries.
    """

    api_url: str
    api_token: str = field(repr=False)
    request_timeout: float = 30.0
    connect_timeout: float = 10.0
    max_attempts: int = 5
    max_retry_seconds: float = 120.0
    retry_base_delay: float = 0.5
    retry_max_delay: float = 8.0
    max_concurrency: int = 16
    """How many requests a fleet's hook sends at once (a binding's hook sends one at a time)."""
    max_requests_per_second: float | None = None
    """A ceiling on every request of the provider process, reads included; None: the API's limit alone."""
    rate_limit_share: float = 1.0
    """The share of the limit the API advertises (its ``RateLimit-*`` headers) that one run may use."""


def _lookup(stack_config: Mapping[str, Any], environ: Mapping[str, str], config_key: str, env_key: str) -> str | None:
    value = stack_config.get(config_key)
    if value is None or value == "":
        value = environ.get(env_key)
    if value is None or value == "":
        return None
    return str(value).strip()


def _number(
    raw: str | None,
    name: str,
    default: float,
    *,
    minimum: float,
    env_key: str,
    above: bool = False,
    maximum: float | None = None,
) -> float:
    """``above``: the minimum itself is refused (a rate or a share must be more than 0)."""
    if raw is None:
        return default
    how = f"set {name} (or {env_key}) to"
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}; {how} e.g. {default:g}") from None
    if not math.isfinite(value):
        raise ConfigurationError(f"{name} must be a finite number, got {raw!r}; {how} e.g. {default:g}")
    if value < minimum or (above and value == minimum):
        least = f"more than {minimum:g}" if above else f"at least {minimum:g}"
        raise ConfigurationError(f"{name} must be {least}, got {raw!r}; {how} e.g. {default:g}")
    if maximum is not None and value > maximum:
        raise ConfigurationError(f"{name} must be at most {maximum:g}, got {raw!r}; {how} e.g. {default:g}")
    return value


def _whole_number(raw: str | None, name: str, default: int, *, minimum: int, env_key: str) -> int:
    value = _number(raw, name, default, minimum=minimum, env_key=env_key)
    if not float(value).is_integer():
        raise ConfigurationError(
            f"{name} must be a whole number, got {raw!r}; set {name} (or {env_key}) to e.g. {default}"
        )
    return int(value)


_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})


def _flag(raw: str | None, name: str, default: bool, *, env_key: str) -> bool:
    if raw is None:
        return default
    folded = raw.lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}; set {name} (or {env_key}) to true or false")


@dataclass(frozen=True)
class _Tuning:
    """A numeric setting: its stack config key, its environment variable and the ``Settings`` field it sets."""

    key: str
    env: str
    field: str
    minimum: float
    whole: bool = False
    above: bool = False
    """The minimum itself is refused."""
    maximum: float | None = None
    example: float | None = None
    """What an error suggests, for a setting whose default is None (unset)."""

    def read(self, raw: str | None) -> Any:
        default = getattr(Settings, self.field)
        if self.whole:
            return _whole_number(raw, self.key, default, minimum=int(self.minimum), env_key=self.env)
        if raw is None:
            return default
        example = default if self.example is None else self.example
        value = _number(
            raw, self.key, example, minimum=self.minimum, env_key=self.env, above=self.above, maximum=self.maximum
        )
        return value


_TUNINGS: Final = (
    _Tuning("voiceos:requestTimeout", "VOICEOS_REQUEST_TIMEOUT", "request_timeout", minimum=0.1),
    _Tuning("voiceos:maxAttempts", "VOICEOS_MAX_ATTEMPTS", "max_attempts", minimum=1, whole=True),
    _Tuning("voiceos:maxConcurrency", "VOICEOS_MAX_CONCURRENCY", "max_concurrency", minimum=1, whole=True),
    _Tuning("voiceos:maxRetrySeconds", "VOICEOS_MAX_RETRY_SECONDS", "max_retry_seconds", minimum=0),
    _Tuning(
        "voiceos:maxRequestsPerSecond",
        "VOICEOS_MAX_REQUESTS_PER_SECOND",
        "max_requests_per_second",
        minimum=0,
        above=True,
        example=20,
    ),
    _Tuning(
        "voiceos:rateLimitShare",
        "VOICEOS_RATE_LIMIT_SHARE",
        "rate_limit_share",
        minimum=0,
        above=True,
        maximum=1,
        example=0.5,
    ),
)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(url: str) -> str:
    """Refuse URLs that would send the bearer token in clear text to another machine.

    Plain http is accepted only for loopback addresses, which is where the
    bundled emulator runs; TLS verification itself cannot be switched off.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"the VoiceOS API URL {url!r} is not an absolute http(s) URL; "
            f"set voiceos:apiUrl or VOICEOS_API_URL to e.g. {DEFAULT_API_URL}"
        )
    if parts.username or parts.password:
        raise ConfigurationError("the VoiceOS API URL must not contain credentials; use the API token instead")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"the VoiceOS API URL {url!r} uses plain http to a non-loopback host, which would send "
            "the API token unencrypted; use https (plain http is allowed only for 127.0.0.1/localhost, "
            "e.g. the bundled emulator)"
        )
    return url.rstrip("/")


def resolve_settings(
    stack_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build ``Settings`` from stack config (as given to ``configure``) and the environment.

    Called at call time inside the provider process, never when a program constructs a resource, so
    nothing secret is pickled into ``__provider`` and a rotated token takes effect on the next run for
    every existing binding.
    """
    config = stack_config or {}
    env = os.environ if environ is None else environ

    def setting(config_key: str, env_key: str) -> str | None:
        return _lookup(config, env, config_key, env_key)

    token = setting("voiceos:apiToken", "VOICEOS_API_TOKEN")
    if token is None:
        raise MissingTokenError(_TOKEN_HELP)
    url = check_api_url(setting("voiceos:apiUrl", "VOICEOS_API_URL") or DEFAULT_API_URL)
    numbers = {tuning.field: tuning.read(setting(tuning.key, tuning.env)) for tuning in _TUNINGS}
    return Settings(
        api_url=url,
        api_token=token,
        connect_timeout=min(Settings.connect_timeout, numbers["request_timeout"]),
        **numbers,
    )


def check_tunings(stack_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> None:
    """Raise ``ConfigurationError`` for a numeric setting out of range, token or not: a preview calls it so that
    a bad budget (``voiceos:maxRequestsPerSecond``, ``voiceos:rateLimitShare``) fails there, not mid-update."""
    env = os.environ if environ is None else environ
    for tuning in _TUNINGS:
        tuning.read(_lookup(stack_config or {}, env, tuning.key, tuning.env))


def preview_checks(stack_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``check`` may read the numbers bindings are about to take (true unless turned off).

    Apart from ``resolve_settings``: a preview must go on without a token, and
    one that was told not to read needs no settings at all.
    """
    env = os.environ if environ is None else environ
    raw = _lookup(stack_config or {}, env, "voiceos:previewChecks", "VOICEOS_PREVIEW_CHECKS")
    return _flag(raw, "voiceos:previewChecks", True, env_key="VOICEOS_PREVIEW_CHECKS")
