"""The emulator's test controls: injected faults, latency, a rate limit, and the request log.

The admin area (``admin.py``) changes them; the gate in front of the VoiceOS API (``app.py``) applies them.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .rules import MethodName, PhoneNumberText

__all__ = ["MAX_LOGGED_REQUESTS", "Controls", "FaultSpec", "TokenBucket"]

MAX_LOGGED_REQUESTS: Final = 100_000
"""Oldest entries go first beyond this, so a long benchmark cannot exhaust memory."""


class FaultSpec(BaseModel):
    """Body of ``POST /_emulator/faults``."""

    model_config = ConfigDict(extra="forbid")

    status: int = Field(503, ge=400, le=599)
    count: int | None = Field(None, ge=1)
    permanent: bool = False
    probability: float | None = Field(None, gt=0, le=1)
    seed: int | None = None
    retry_after: int | None = Field(None, ge=0)
    method: MethodName | None = None
    phone_number: PhoneNumberText | None = None
    drop_connection: bool = False
    skip: int = Field(0, ge=0)
    """Let this many matching requests through before the fault starts firing."""

    @model_validator(mode="after")
    def _one_duration(self) -> FaultSpec:
        if self.permanent and self.count is not None:
            raise ValueError("give either count or permanent, not both")
        return self


@dataclass
class _Fault:
    spec: FaultSpec
    remaining: int | None  # None: until cleared
    rng: random.Random
    skipped: int = 0

    def matches(self, method: str, phone_number: str | None) -> bool:
        if self.spec.method is not None and self.spec.method != method:
            return False
        return self.spec.phone_number is None or self.spec.phone_number == phone_number


@dataclass
class TokenBucket:
    per_second: float
    burst: int
    tokens: float
    stamp: float = field(default_factory=time.monotonic)
    headers: bool = True
    """Send the rate-limit headers (``RateLimit-*`` and ``X-RateLimit-*``) on every answer; False: a 429
    and its Retry-After are all a client learns, as from many real APIs."""

    def take(self) -> int | None:
        """None if a token was available, else the whole seconds to wait (at least 1)."""
        now = time.monotonic()
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self.tokens) / self.per_second))

    def limit_headers(self) -> dict[str, str]:
        """The bucket as the IETF draft's headers and the common ``X-`` forms (whose reset is a Unix time)."""
        if not self.headers:
            return {}
        to_full = max(0.0, (self.burst - self.tokens) / self.per_second)
        remaining = str(max(0, math.floor(self.tokens)))
        return {
            "RateLimit-Limit": str(self.burst),
            "RateLimit-Remaining": remaining,
            "RateLimit-Reset": str(math.ceil(to_full)),
            "RateLimit-Policy": f"{self.burst};w={self.burst / self.per_second:g}",
            "X-RateLimit-Limit": str(self.burst),
            "X-RateLimit-Remaining": remaining,
            "X-RateLimit-Reset": str(math.ceil(time.time() + to_full)),
        }


class Controls:
    """What the admin area changes: faults, latency, rate limit, and the request log.

    They live in memory and are only touched from the event loop thread, so they need no lock.
    """

    def __init__(self, token: str = "") -> None:
        self.token = token.encode()
        """The bearer token the API accepts; the admin area's ``wipe`` may change it."""
        self.faults: list[_Fault] = []
        self.latency_ms = 0
        self.latency_method: str | None = None
        self.bucket: TokenBucket | None = None
        self.log: deque[dict[str, Any]] = deque(maxlen=MAX_LOGGED_REQUESTS)
        self.log_overflow = 0
        self._seq = 0

    def add_fault(self, spec: FaultSpec) -> None:
        # A probability alone fires until cleared; a count bounds any fault.
        until_cleared = spec.permanent or (spec.probability is not None and spec.count is None)
        remaining = None if until_cleared else (spec.count or 1)
        self.faults.append(_Fault(spec, remaining, random.Random(spec.seed)))

    def take_fault(self, method: str, phone_number: str | None) -> FaultSpec | None:
        """The first matching fault that fires for this request, consuming one of its count."""
        for fault in self.faults:
            if not fault.matches(method, phone_number):
                continue
            if fault.skipped < fault.spec.skip:
                fault.skipped += 1
                continue
            if fault.spec.probability is not None and fault.rng.random() >= fault.spec.probability:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.faults.remove(fault)
            return fault.spec
        return None

    def latency_for(self, method: str) -> float:
        if self.latency_ms and self.latency_method in (None, method):
            return self.latency_ms / 1000.0
        return 0.0

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        self._seq += 1
        entry["seq"] = self._seq
        if len(self.log) == self.log.maxlen:
            self.log_overflow += 1
        self.log.append(entry)
        return entry

    def clear_log(self) -> None:
        self.log.clear()
        self.log_overflow = 0
        self._seq = 0

    def reset(self) -> None:
        self.faults.clear()
        self.latency_ms, self.latency_method = 0, None
        self.bucket = None
        self.clear_log()
