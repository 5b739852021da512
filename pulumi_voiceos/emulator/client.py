"""``EmulatorClient``: a running emulator's admin area over HTTP (seed its account, read it back, inject faults)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from ..errors import EmulatorAdminError
from .defaults import DEFAULT_TOKEN

__all__ = ["EmulatorAdminError", "EmulatorClient", "WireShaped"]


class WireShaped(Protocol):
    """Anything that gives its JSON form, such as the package's input models (taken by duck typing, so the
    emulator imports none of the client's rules)."""

    def to_wire(self) -> Mapping[str, Any]: ...


def _wire(webhook: Mapping[str, Any] | WireShaped) -> dict[str, Any]:
    return dict(webhook) if isinstance(webhook, Mapping) else dict(webhook.to_wire())


class EmulatorClient:
    """Drives the emulator at ``url``, whose API accepts ``token``; ``EmulatorProcess`` is one it started.

    Seeding is one API here, in ``pulumi_voiceos.testing`` and in the in-memory account: ``seed`` (a
    number with a binding), ``seed_many`` (many of them at once) and ``seed_raw`` (exactly this JSON).
    """

    def __init__(self, url: str | None = None, *, token: str = DEFAULT_TOKEN) -> None:
        self._url = url
        self.token = token
        self._http: httpx.Client | None = None

    @property
    def url(self) -> str:
        """Base URL of the running server (for an ``EmulatorProcess``, of its last run after ``stop()``)."""
        if self._url is None:
            raise RuntimeError("the emulator has not been started; call start() or use it in a with block")
        return self._url

    def close_connections(self) -> None:
        """Close the connections to the server; the next call opens new ones."""
        if self._http is not None:
            self._http.close()
            self._http = None

    def _client(self) -> httpx.Client:
        if self._http is None:
            # trust_env=False: proxy variables would route loopback calls elsewhere.
            self._http = httpx.Client(timeout=30.0, trust_env=False)
        return self._http

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self._client().request(method, f"{self.url}/_emulator{path}", json=body)
        if response.status_code >= 400:
            raise EmulatorAdminError(f"{method} /_emulator{path} answered {response.status_code}: {response.text}")
        return response.json() if response.content else None

    # -- seeding ---------------------------------------------------------------

    def seed(
        self,
        phone_number: str,
        *,
        inbound_agent_id: str | None = None,
        webhooks: Iterable[Mapping[str, Any] | WireShaped] = (),
        auth_token: str | None = None,
    ) -> dict[str, Any]:
        """Create ``phone_number``, or reset it to this binding (its id and carrier SIDs stay); the number
        as the API returns it."""
        body: dict[str, Any] = {
            "phone_number": phone_number,
            "inbound_agent_id": inbound_agent_id,
            "webhooks": [_wire(w) for w in webhooks or ()],
        }
        if auth_token is not None:
            body["auth_token"] = auth_token
        seeded: dict[str, Any] = self._admin("POST", "/numbers", body)
        return seeded

    def seed_number(
        self,
        number: str,
        inbound_agent_id: str | None = None,
        webhooks: Sequence[Mapping[str, Any] | WireShaped] | None = None,
        auth_token: str | None = None,
    ) -> dict[str, Any]:
        """Deprecated: ``seed``, the name every account of the package and its tests uses."""
        warnings.warn("EmulatorProcess.seed_number is deprecated; use seed()", DeprecationWarning, stacklevel=2)
        return self.seed(number, inbound_agent_id=inbound_agent_id, webhooks=webhooks or (), auth_token=auth_token)

    def seed_many(self, numbers: Sequence[Mapping[str, Any]], *, batch: int = 1000) -> int:
        """``seed`` for many: each item has its keyword arguments (``phone_number`` first).

        Sent in batches, each one transaction in the emulator, so an account of
        thousands of numbers is seeded in seconds.
        """
        seeded = 0
        for start in range(0, len(numbers), batch):
            chunk = []
            for spec in numbers[start : start + batch]:
                item = dict(spec)
                item["webhooks"] = [_wire(w) for w in item.get("webhooks") or []]
                chunk.append({k: v for k, v in item.items() if v is not None})
            answer: dict[str, int] = self._admin("POST", "/numbers/bulk", {"numbers": chunk})
            seeded += answer["seeded"]
        return seeded

    def seed_raw(self, phone_number: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Make ``phone_number`` exactly this JSON object, odd values included: what a dashboard or an older
        client may have left in a real account (``null`` webhooks, null headers, a wss:// URL...).

        Any of the number's fields, stored as given; ``id``, ``created_at``, ``updated_at``, ``uri`` and
        ``account_id`` are made when left out (an existing number keeps its id); any other field left
        out is missing from what the API returns. Answers with the number as the API returns it."""
        seeded: dict[str, Any] = self._admin("PUT", f"/numbers/{quote(phone_number, safe='')}/raw", dict(body))
        return seeded

    # -- reading and controlling the account ------------------------------------

    def number_count(self) -> int:
        """How many numbers the account holds."""
        answer: dict[str, int] = self._admin("GET", "/numbers/count")
        return answer["count"]

    def remove_number(self, number: str) -> bool:
        """Make ``number`` vanish from the account, without an API request in the log; True if it existed."""
        answer: dict[str, bool] = self._admin("DELETE", f"/numbers/{quote(number, safe='')}")
        return answer["removed"]

    def add_agents(self, *ids: str) -> None:
        """Make these agent ids known; once any is, PATCHes naming unknown agents get a 404."""
        self._admin("POST", "/agents", {"ids": list(ids)})

    def get_number(self, number: str) -> dict[str, Any] | None:
        """The number as the API returns it, or None if it is not in the account.

        This is a real ``GET /phone_numbers/{number}`` with ``token``: it
        appears in the request log and is subject to injected faults, latency
        and the rate limit, so read the log before calling it.
        """
        response = self._client().get(
            f"{self.url}/phone_numbers/{quote(number, safe='')}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise EmulatorAdminError(f"GET /phone_numbers/{number} answered {response.status_code}: {response.text}")
        found: dict[str, Any] = response.json()
        return found

    def peek(self, number: str) -> dict[str, Any] | None:
        """The number as the account holds it (the API's shape), or None if it is not there.

        Unlike ``get_number`` this is a test control, not an API request: it is
        never logged, delayed, faulted or rate-limited, so a test can read the
        live binding at any moment without changing what it measures.
        """
        response = self._client().get(f"{self.url}/_emulator/numbers/{quote(number, safe='')}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise EmulatorAdminError(
                f"GET /_emulator/numbers/{number} answered {response.status_code}: {response.text}"
            )
        found: dict[str, Any] = response.json()
        return found

    def requests(self) -> list[dict[str, Any]]:
        """Every API request since the last clear, in arrival order (admin calls are not logged)."""
        answer: dict[str, Any] = self._admin("GET", "/requests")
        logged: list[dict[str, Any]] = answer["requests"]
        return logged

    def clear_requests(self) -> None:
        self._admin("DELETE", "/requests")

    def inject_fault(
        self,
        *,
        status: int = 503,
        count: int | None = None,
        permanent: bool = False,
        probability: float | None = None,
        seed: int | None = None,
        retry_after: int | None = None,
        method: str | None = None,
        phone_number: str | None = None,
        drop_connection: bool = False,
        skip: int = 0,
    ) -> None:
        """Make matching API requests fail with ``status`` (or a cut connection).

        ``count`` failures (1 by default), or until cleared with
        ``permanent=True``; with ``probability`` each matching request fails
        with that chance (reproducibly, given ``seed``), bounded by ``count``
        if given. ``method`` and ``phone_number`` narrow what matches; the
        first ``skip`` matching requests go through untouched.
        """
        spec: dict[str, Any] = {
            "status": status,
            "count": count,
            "permanent": permanent,
            "probability": probability,
            "seed": seed,
            "retry_after": retry_after,
            "method": method,
            "phone_number": phone_number,
            "drop_connection": drop_connection,
            "skip": skip or None,
        }
        self._admin("POST", "/faults", {k: v for k, v in spec.items() if v is not None})

    def clear_faults(self) -> None:
        self._admin("DELETE", "/faults")

    def set_latency(self, ms: int, method: str | None = None) -> None:
        """Delay every API request (or only ``method`` ones) by ``ms``; 0 clears."""
        self._admin("POST", "/latency", {"ms": ms, "method": method})

    def set_rate_limit(self, per_second: float, burst: int | None = None, *, headers: bool = True) -> None:
        """A token bucket over all API requests; beyond it, 429 with Retry-After. 0 disables. ``headers``:
        every answer says the bucket in RateLimit-* and X-RateLimit-* headers; false, only a 429 does."""
        self._admin("POST", "/rate_limit", {"per_second": per_second, "burst": burst, "headers": headers})

    def reset(self) -> None:
        """Clear faults, latency, rate limit and the request log; the numbers stay."""
        self._admin("POST", "/reset")

    def wipe(self, token: str, *, agents: Sequence[str] = (), numbers: Sequence[str] = ()) -> None:
        """Start over as a new emulator would: no numbers but ``numbers`` (unbound), no agents but ``agents``,
        ``token`` the one accepted, and ``reset``'s controls cleared."""
        self._admin("POST", "/wipe", {"token": token, "agents": list(agents), "numbers": list(numbers)})
