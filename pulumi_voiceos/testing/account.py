"""``InMemoryAccount``: the phone-number API in memory, answered by the emulator's own backend, for unit tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final
from urllib.parse import unquote

import httpx

from ..core.models import Binding, PhoneNumber
from ..emulator.backend import Answer, Backend
from ..emulator.store import Store
from ..errors import VoiceOSError

__all__ = ["InMemoryAccount"]

_PREFIX: Final = "/phone_numbers"


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


def _response(answer: Answer) -> httpx.Response:
    status, body = answer
    return httpx.Response(status) if body is None else _json(status, body)


class InMemoryAccount:
    """The numbers of one VoiceOS account, in memory.

    ``VoiceOSMocks`` points the deployment's clients at it (an httpx transport: no socket, no process), so the
    real hooks run against it. It answers from the emulator's own backend over its store (SQLite in memory),
    so ids, carrier SIDs, timestamps, PATCH semantics, 404s and 422s are the emulator's, written once."""

    def __init__(self, *, account_id: str = "acct_mocks") -> None:
        self.store = Store(":memory:", account_id=account_id)
        self.backend = Backend(self.store)
        # How each number was seeded (a seed's arguments, or a raw body), to put the account back as seeded.
        self._seeds: dict[str, tuple[str, dict[str, Any]]] = {}
        # The numbers runs wrote to or brought in since the account was last put back as seeded.
        self._touched: set[str] = set()
        self._for_a_run = False

    def seed(
        self,
        phone_number: str,
        *,
        inbound_agent_id: str | None = None,
        webhooks: Sequence[Mapping[str, Any]] = (),
        auth_token: str | None = None,
    ) -> dict[str, Any]:
        """Put ``phone_number`` in the account (or reset it) with this binding, as the dashboard would; the
        number as the API returns it."""
        spec: dict[str, Any] = {
            "inbound_agent_id": inbound_agent_id,
            "webhooks": [dict(w) for w in webhooks],
            "auth_token": auth_token,
        }
        seeded = self.backend.seed(phone_number, **spec)
        self._remember(phone_number, ("seed", spec))
        return seeded

    def seed_raw(self, phone_number: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Make ``phone_number`` exactly this JSON object (see ``VoiceOSAPI.seed_raw``); the number as the
        API returns it. Raises ``VoiceOSError`` naming the field when the body is not one a number can hold."""
        status, answer = self.backend.seed_raw(phone_number, dict(body))
        if status != 200:
            raise VoiceOSError(f"seed_raw({phone_number!r}): {answer['detail']}")
        self._remember(phone_number, ("raw", dict(body)))
        seeded: dict[str, Any] = answer
        return seeded

    @contextmanager
    def seeding_for_a_run(self, for_a_run: bool = True) -> Iterator[None]:
        """Seeds made within are a run's own: ``restore_seeds`` undoes them as it undoes a run's writes."""
        self._for_a_run = for_a_run
        try:
            yield
        finally:
            self._for_a_run = False

    def _remember(self, phone_number: str, seed: tuple[str, dict[str, Any]]) -> None:
        if self._for_a_run:
            self._touched.add(phone_number)
        else:
            self._seeds[phone_number] = seed

    def ensure(self, phone_number: str) -> None:
        """Put ``phone_number`` in the account, unbound, unless it is there: a number a program declared,
        not a seed, so the account as seeded goes on without it."""
        if self.store.ensure(phone_number):
            self._touched.add(phone_number)

    def restore_seeds(self) -> None:
        """Put the account back as the test seeded it: what runs wrote is undone (ids and carrier SIDs
        stay), and numbers only a run brought in are gone."""
        for number in sorted(self._touched):
            seeded = self._seeds.get(number)
            if seeded is None:
                self.store.delete(number)
            elif seeded[0] == "raw":
                self.backend.seed_raw(number, dict(seeded[1]))
            else:
                self.backend.seed(number, **seeded[1])
        self._touched.clear()

    def has(self, phone_number: str) -> bool:
        return self.store.get(phone_number) is not None

    def number(self, phone_number: str) -> PhoneNumber | None:
        found = self.store.get(phone_number)
        return None if found is None else PhoneNumber.model_validate(found)

    def live(self, phone_number: str) -> Binding | None:
        """What the number is bound to now, or None when it is not in the account."""
        found = self.number(phone_number)
        return None if found is None else found.binding()

    def numbers(self) -> list[PhoneNumber]:
        items, _ = self.store.page(0, 1 << 30)
        return [PhoneNumber.model_validate(item) for item in items]

    def transport(self) -> httpx.MockTransport:
        """The phone-number API of this account, as an httpx transport."""
        return httpx.MockTransport(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path, query = request.url.path, request.url.params
        if path == _PREFIX and request.method == "GET":
            return _response(self.backend.page(query.get("index"), query.get("limit")))
        if not path.startswith(_PREFIX + "/") or "/" in path[len(_PREFIX) + 1 :]:
            return _json(404, {"detail": "Not Found"})
        number = unquote(path[len(_PREFIX) + 1 :])
        if request.method == "GET":
            return _response(self.backend.get(number))
        if request.method == "PATCH":
            self._touched.add(number)
            return _response(self.backend.patch(number, request.content))
        if request.method == "DELETE":
            self._touched.add(number)
            return _response(self.backend.delete(number, query.get("release_phone_number")))
        return _json(405, {"detail": "Method Not Allowed"})
