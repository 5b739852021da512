"""``VoiceOSAPI``: the emulator run for a test, with the provider's settings pointed at it."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from ..core.models import Binding, PhoneNumber, Webhook
from ..emulator.process import EmulatorProcess

__all__ = ["Request", "VoiceOSAPI", "binding", "environment"]


def binding(inbound_agent_id: str | None = None, webhooks: Sequence[Mapping[str, Any]] | None = None) -> Binding:
    """A binding as a program declares it, to compare with ``live()``: canonical, as the provider makes it
    (methods upper case and POST by default, events sorted), header values included."""
    return Binding.from_properties(inbound_agent_id, [Webhook.model_validate(w) for w in webhooks or ()])


class _Unchanged:
    """The default of ``rebind``'s arguments: leave this part of the binding as it is."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()

_T = TypeVar("_T")


def _renamed(agent: str | _Unchanged | None, inbound_agent_id: _T, method: str) -> _T | str | None:
    """``inbound_agent_id``, or the value given by its deprecated name ``agent`` (both given: an error)."""
    if isinstance(agent, _Unchanged):
        return inbound_agent_id
    if not isinstance(inbound_agent_id, _Unchanged) and inbound_agent_id is not None:
        raise TypeError(f"{method}() takes inbound_agent_id or its old name agent, not both")
    warnings.warn(f"{method}(agent=...) is deprecated; use inbound_agent_id=...", DeprecationWarning, stacklevel=3)
    return agent


@dataclass(frozen=True)
class Request:
    """One request the API received."""

    method: str
    path: str
    phone_number: str | None
    """The number the request names; None for a listing of the account."""
    body: Any
    status: int | None


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set these environment variables, and put back what they were afterwards."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class VoiceOSAPI:
    """An emulated VoiceOS account that a test seeds, changes behind Pulumi's back, and reads back.

    The fixture ``voiceos_api`` gives one: an emulator on a free loopback port, with ``VOICEOS_API_URL`` and
    ``VOICEOS_API_TOKEN`` pointed at it for as long as it runs. Reading a number back (``live``) is a test
    control, not an API request, so it never shows in ``requests()``."""

    def __init__(self, process: EmulatorProcess) -> None:
        self.process = process

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def token(self) -> str:
        return self.process.token

    @property
    def pid(self) -> int | None:
        """The emulator's process id while it runs (the fixture stops it by this pid)."""
        return self.process.pid

    def seed(
        self,
        number: str,
        *,
        inbound_agent_id: str | None = None,
        webhooks: Sequence[Mapping[str, Any]] = (),
        auth_token: str | None = None,
        agent: str | _Unchanged | None = UNCHANGED,
    ) -> dict[str, Any]:
        """Put ``number`` in the account, bound to ``inbound_agent_id`` and ``webhooks`` (unbound when left
        out); the number as the API returns it. ``agent`` is the deprecated name of ``inbound_agent_id``."""
        inbound_agent_id = _renamed(agent, inbound_agent_id, "seed")
        return self.process.seed(number, inbound_agent_id=inbound_agent_id, webhooks=webhooks, auth_token=auth_token)

    def seed_raw(self, number: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Make ``number`` exactly this JSON object, as a dashboard or an older client may have left it
        (``"webhooks": null``, a webhook with ``"headers": null``, ``"telephony": null``...), to test
        that a program copes with what a real account holds. Fields left out are missing, but for
        ``id``, ``uri``, ``account_id`` and the timestamps, which are made. The number as the API returns it."""
        return self.process.seed_raw(number, body)

    def rebind(
        self,
        number: str,
        *,
        inbound_agent_id: str | _Unchanged | None = UNCHANGED,
        webhooks: Sequence[Mapping[str, Any]] | _Unchanged = UNCHANGED,
        agent: str | _Unchanged | None = UNCHANGED,
    ) -> None:
        """Change a number's binding out of band, as someone in the VoiceOS dashboard would: only what is
        given changes (``inbound_agent_id=None`` unbinds the agent, ``webhooks=[]`` drops them); its ids
        stay. ``agent`` is the deprecated name of ``inbound_agent_id``."""
        inbound_agent_id = _renamed(agent, inbound_agent_id, "rebind")
        found = self.process.peek(number)
        if found is None:
            raise KeyError(f"{number} is not in the account; seed() it first")
        self.seed(
            number,
            inbound_agent_id=found["inbound_agent_id"]
            if isinstance(inbound_agent_id, _Unchanged)
            else inbound_agent_id,
            webhooks=found["webhooks"] if isinstance(webhooks, _Unchanged) else webhooks,
        )

    def number(self, number: str) -> PhoneNumber | None:
        """The whole number as the account holds it, or None when it is not there."""
        found = self.process.peek(number)
        return None if found is None else PhoneNumber.model_validate(found)

    def live(self, number: str) -> Binding | None:
        """What the number is bound to now (compare it with ``binding(...)``); None: not in the account."""
        found = self.number(number)
        return None if found is None else found.binding()

    def requests(self) -> list[Request]:
        """Every API request since the fixture started (or since ``clear_requests()``), in arrival order."""
        return [
            Request(r["method"], r["path"], r["phone_number"], r.get("body"), r.get("status"))
            for r in self.process.requests()
        ]

    def clear_requests(self) -> None:
        self.process.clear_requests()

    def fail(
        self,
        status: int = 503,
        *,
        count: int | None = 1,
        method: str | None = None,
        number: str | None = None,
        permanent: bool = False,
        retry_after: int | None = None,
        drop_connection: bool = False,
    ) -> None:
        """Make matching requests fail: ``count`` of them (or all, ``permanent``) with ``status``."""
        self.process.inject_fault(
            status=status,
            count=None if permanent else count,
            permanent=permanent,
            method=method,
            phone_number=number,
            retry_after=retry_after,
            drop_connection=drop_connection,
        )

    def latency(self, ms: int, method: str | None = None) -> None:
        """Delay every request (or ``method``'s) by ``ms``; 0 takes it away."""
        self.process.set_latency(ms, method)

    def rate_limit(self, per_second: float, burst: int | None = None, *, headers: bool = True) -> None:
        """Answer 429 with Retry-After beyond ``per_second`` requests; 0 takes it away. ``headers``: say the
        limit in RateLimit-* headers on every answer (false: only the 429s say anything)."""
        self.process.set_rate_limit(per_second, burst, headers=headers)

    def reset(self) -> None:
        """Take away faults, latency and the rate limit, and clear the request log; the numbers stay."""
        self.process.reset()
