"""What a response says of the API's rate limit: ``Retry-After`` and the ``RateLimit-*`` / ``X-RateLimit-*`` headers."""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["Limits", "parse_limits", "retry_after_seconds"]

_EPOCH_SECONDS: Final = 1e9
"""A reset larger than this is a Unix time (GitHub's ``X-RateLimit-Reset``), not a number of seconds."""


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class Limits:
    """What a response's rate-limit headers say; each None when not sent."""

    limit: float | None
    remaining: float | None
    reset: float | None
    """Seconds until the quota is whole again."""
    window: float | None
    """Seconds the limit is counted over (``RateLimit-Policy: 50;w=1``)."""

    @property
    def rate(self) -> float | None:
        """Requests per second the API allows, when the headers say it."""
        if self.limit is None:
            return None
        if self.window:
            return self.limit / self.window
        return None


def _first_number(raw: str | None) -> float | None:
    if raw is None:
        return None
    head = raw.split(",")[0].split(";")[0].strip().strip('"')
    try:
        value = float(head)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _window(policy: str | None) -> float | None:
    for part in (policy or "").split(",")[0].split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "w":
            window = _first_number(value)
            return window if window else None
    return None


def parse_limits(headers: Mapping[str, str], now: float | None = None) -> Limits | None:
    """The IETF draft's ``RateLimit-Limit/-Remaining/-Reset/-Policy``, else the ``X-RateLimit-*`` forms."""
    for prefix in ("RateLimit-", "X-RateLimit-"):
        limit = _first_number(headers.get(prefix + "Limit"))
        remaining = _first_number(headers.get(prefix + "Remaining"))
        reset = _first_number(headers.get(prefix + "Reset"))
        if limit is None and remaining is None and reset is None:
            continue
        if reset is not None and reset > _EPOCH_SECONDS:
            reset = max(0.0, reset - (time.time() if now is None else now))
        return Limits(limit, remaining, reset, _window(headers.get(prefix + "Policy")))
    return None
