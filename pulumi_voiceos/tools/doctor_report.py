"""What ``voiceos-pulumi doctor`` prints: one line per check, the verdict, and the wording of what it found.

Nothing secret is printed: header values only when they are plain numbers, and ``Redactor`` masks the token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pydantic

from ..errors import property_path

__all__ = [
    "RATE_LIMIT_HEADERS",
    "SHOWN_UNDECLARABLE",
    "Check",
    "DoctorReport",
    "Redactor",
    "Status",
    "detail_text",
    "duration",
    "fields_named",
    "first_line",
    "ms",
    "plural",
    "problems",
    "safe_value",
]

Status = Literal["ok", "note", "FAIL"]

RATE_LIMIT_HEADERS: Final = (
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
"""The rate-limit headers doctor reports (names only, and values only when they are plain numbers)."""

SHOWN_UNDECLARABLE: Final = 20
"""How many undeclarable numbers the census names; it counts all of them."""

_NUMERIC = frozenset("0123456789.")
_REASON_FIELD = re.compile(r"(?:^|; )((?:inbound_agent_id|webhooks)[^\s:]*): ")


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, how it went, and what was found."""

    name: str
    status: Status
    summary: str
    details: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        return [f"{self.status:<4} {self.name}: {self.summary}", *(f"       {line}" for line in self.details)]


@dataclass
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def failure(self) -> Check | None:
        return next((c for c in self.checks if c.status == "FAIL"), None)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def verdict(self) -> str:
        failure = self.failure
        if failure is None:
            return "verdict: ready, everything the provider needs works"
        return f"verdict: not ready, the {failure.name} check failed (above); the provider cannot work until it passes"


class Redactor:
    """A last guard: should any message ever echo the token (or a secret of the stack's config), it is masked
    before it is printed."""

    def __init__(self, *secrets: str) -> None:
        self.secrets = [secret.strip() for secret in secrets if len(secret.strip()) >= 4]

    def scrub(self, line: str) -> str:
        for secret in self.secrets:
            line = line.replace(secret, "***")
        return line


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else ms(seconds)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def safe_value(value: str) -> str:
    """A rate-limit header's value if it is a plain number; anything else is not repeated."""
    stripped = value.strip()
    return stripped if stripped and len(stripped) <= 20 and set(stripped) <= _NUMERIC else "(not a plain number)"


def fields_named(why: str) -> set[str]:
    """The fields an undeclarable reason names, without indexes or header names: ``webhooks[].method``."""
    fields = set()
    for path in _REASON_FIELD.findall(why):
        general = re.sub(r"\[\d+\]", "[]", path)
        fields.add(re.sub(r"(\.headers)\..*|\[\]$", r"\1", general))
    return fields or {"webhooks"}


def detail_text(detail: Any) -> str:
    """The API's ``detail``, shortened, in parentheses after a status; empty when it said nothing."""
    if isinstance(detail, str):
        return f" ({detail[:200]})"
    if isinstance(detail, list):
        return f" ({plural(len(detail), 'validation error')})"
    return ""


def problems(exc: pydantic.ValidationError) -> str:
    found = exc.errors(include_input=False, include_url=False)
    listed = "; ".join(f"{property_path(e['loc'])}: {e['msg']}" for e in found[:5])
    return listed + (f"; and {len(found) - 5} more" if len(found) > 5 else "")


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
