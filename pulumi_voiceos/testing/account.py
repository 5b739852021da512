"""An account that lives in memory, answering the phone-number API as the emulator does, for unit tests.

``VoiceOSMocks`` points the deployment's clients at it (an httpx transport: no
socket, no process), so the real hooks run against it: the real checks, the
real guard, the real outputs. It keeps its numbers in the emulator's own store
(SQLite in memory), so ids, carrier SIDs, tokens and timestamps look as the
emulator's, and it answers as the emulator's routes do: 404 for a number (or an
agent) not in the account, 422 for a body that fails the contract.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import unquote

import httpx
import pydantic

from ..emulator.store import Store
from ..models import MAX_PAGE_SIZE, Binding, PhoneNumber, PhoneNumberUpdate

__all__ = ["InMemoryAccount"]

_PREFIX: Final = "/phone_numbers"


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body)


class InMemoryAccount:
    """The numbers of one VoiceOS account, in memory."""

    def __init__(self, *, account_id: str = "acct_mocks") -> None:
        self.store = Store(":memory:", account_id=account_id)
        self._seeds: dict[str, dict[str, Any]] = {}
        # The numbers runs wrote to or brought in since the account was last put back as seeded.
        self._touched: set[str] = set()

    def seed(
        self,
        phone_number: str,
        *,
        inbound_agent_id: str | None = None,
        webhooks: Sequence[Mapping[str, Any]] = (),
        auth_token: str | None = None,
    ) -> None:
        """Put ``phone_number`` in the account (or reset it) with this binding, as the dashboard would."""
        spec: dict[str, Any] = {
            "inbound_agent_id": inbound_agent_id,
            "webhooks": [dict(w) for w in webhooks],
            "auth_token": auth_token,
        }
        self.store.seed(phone_number, **spec)
        self._seeds[phone_number] = spec

    def ensure(self, phone_number: str) -> None:
        """Put ``phone_number`` in the account, unbound, unless it is there: a number a program declared,
        not a seed, so the account as seeded goes on without it."""
        if self.store.ensure(phone_number):
            self._touched.add(phone_number)

    def restore_seeds(self) -> None:
        """Put the account back as the test seeded it: what runs wrote is undone (ids and carrier SIDs
        stay), and numbers only a run brought in are gone."""
        for number in sorted(self._touched):
            spec = self._seeds.get(number)
            if spec is None:
                self.store.delete(number)
            else:
                self.store.seed(number, **spec)
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
        path = request.url.path
        if path == _PREFIX and request.method == "GET":
            index = int(request.url.params.get("index", 0))
            limit = min(int(request.url.params.get("limit", 50)), MAX_PAGE_SIZE)
            items, more = self.store.page(index, limit)
            return _json(200, {"items": items, "index": index, "has_more": more})
        if not path.startswith(_PREFIX + "/"):
            return _json(404, {"detail": "Not Found"})
        number = unquote(path[len(_PREFIX) + 1 :])
        if request.method == "GET":
            found = self.store.get(number)
            return _json(200, found) if found is not None else self._not_found(number)
        if request.method == "PATCH":
            try:
                update = PhoneNumberUpdate.model_validate(json.loads(request.content or b"null"))
            except (ValueError, pydantic.ValidationError) as exc:
                detail = exc.errors(include_input=False) if isinstance(exc, pydantic.ValidationError) else str(exc)
                return _json(422, {"detail": detail})
            changes = update.to_wire()
            agent = changes.get("inbound_agent_id")
            if agent is not None and not self.store.has_agent(agent):
                return _json(404, {"detail": f"agent {agent} not found in account {self.store.account_id}"})
            updated = self.store.update(number, changes)
            self._touched.add(number)
            return _json(200, updated) if updated is not None else self._not_found(number)
        return _json(405, {"detail": "Method Not Allowed"})

    def _not_found(self, number: str) -> httpx.Response:
        return _json(404, {"detail": f"phone number {number} not found in account {self.store.account_id}"})
