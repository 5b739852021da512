"""The VoiceOS account behind the emulator: the API's operations over the store, answering as the API does.

The emulator's routes and the in-memory account of ``pulumi_voiceos.testing`` both answer from here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Final, TypeAlias

from pydantic import Field, TypeAdapter, ValidationError

from .rules import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PhoneNumberText, PhoneNumberWrite
from .store import Store

__all__ = ["Answer", "Backend", "error_detail", "parse_body", "with_write_defaults"]

Answer: TypeAlias = tuple[int, Any]
"""A status and the JSON body to send with it (None: no body)."""

_NUMBER: Final = TypeAdapter(PhoneNumberText)
_INDEX: Final = TypeAdapter(Annotated[int, Field(ge=0)])
_LIMIT: Final = TypeAdapter(Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)])
_FLAG: Final = TypeAdapter(bool)


def with_write_defaults(webhook: Mapping[str, Any]) -> dict[str, Any]:
    """A webhook as the API stores a write of it: as sent, but a ``method`` or ``headers`` left out takes
    the default ("POST", no headers), as the service's request model fills them; one sent as null stays null."""
    stored = dict(webhook)
    stored.setdefault("method", "POST")
    stored.setdefault("headers", {})
    return stored


def error_detail(exc: ValidationError, prefix: tuple[str | int, ...]) -> list[dict[str, Any]]:
    """FastAPI's ``{loc, msg, type}`` items, without the input (nor ``ctx`` or ``url``, which may quote it)."""
    return [
        {
            "loc": [*prefix, *error["loc"]],
            "msg": str(error["msg"]).removeprefix("Value error, "),
            "type": str(error["type"]),
        }
        for error in exc.errors(include_input=False, include_url=False, include_context=False)
    ]


def _invalid(detail: list[dict[str, Any]]) -> Answer:
    return 422, {"detail": detail}


def parse_body(raw: bytes) -> tuple[Any, Answer | None]:
    """A request's JSON body, or the 422 saying why there is none."""
    if not raw.strip():
        return None, _invalid([{"loc": ["body"], "msg": "Field required", "type": "missing"}])
    try:
        return json.loads(raw), None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, _invalid([{"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}])


def _checked(adapter: TypeAdapter[Any], value: Any, loc: tuple[str, ...]) -> tuple[Any, Answer | None]:
    try:
        return adapter.validate_python(value), None
    except ValidationError as exc:
        return None, _invalid(error_detail(exc, loc))


class Backend:
    """The account's numbers and agents (a ``Store``), with the API's operations over them.

    Each operation takes what a request carries (the path's number, query text, the raw body) and returns
    ``(status, body)``, so the API's semantics (what a PATCH changes, its defaults, its 404s and 422s) are
    written once, for the routes and the in-memory transport alike. The request rules are the emulator's
    own (``rules``). A 422 names the field and never shows the value sent: header values are secrets.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def account_id(self) -> str:
        return self.store.account_id

    # -- the API's operations ------------------------------------------------------------------

    def get(self, phone_number: str) -> Answer:
        number, invalid = self._path_number(phone_number)
        if invalid is not None:
            return invalid
        found = self.store.get(number)
        return (200, found) if found is not None else self._not_found(number)

    def page(self, index: str | None = None, limit: str | None = None) -> Answer:
        """``GET /phone_numbers?index=&limit=``, from the query's text (None: not given)."""
        start, invalid = _checked(_INDEX, 0 if index is None else index, ("query", "index"))
        if invalid is None:
            size, invalid = _checked(_LIMIT, DEFAULT_PAGE_SIZE if limit is None else limit, ("query", "limit"))
        if invalid is not None:
            return invalid
        items, has_more = self.store.page(start, size)
        return 200, {"items": items, "index": start, "has_more": has_more}

    def patch(self, phone_number: str, raw_body: bytes) -> Answer:
        """``PATCH /phone_numbers/{phone_number}``: only the fields sent change, stored as sent (plus
        the write defaults); an agent the account does not know is a 404, and nothing changes."""
        number, invalid = self._path_number(phone_number)
        if invalid is not None:
            return invalid
        body, invalid = parse_body(raw_body)
        if invalid is not None:
            return invalid
        try:
            PhoneNumberWrite.model_validate(body)
        except ValidationError as exc:
            return _invalid(error_detail(exc, ("body",)))
        if self.store.get(number) is None:
            return self._not_found(number)
        changes = dict(body)
        if "webhooks" in changes:
            changes["webhooks"] = [with_write_defaults(w) for w in changes["webhooks"] or ()]
        agent = changes.get("inbound_agent_id")
        if agent is not None and not self.store.has_agent(agent):
            return 404, {"detail": f"agent {agent} not found in account {self.account_id}"}
        updated = self.store.update(number, changes)
        return (200, updated) if updated is not None else self._not_found(number)

    def delete(self, phone_number: str, release_phone_number: str | None = None) -> Answer:
        """``DELETE /phone_numbers/{phone_number}``: 200 with the number as it was. Releasing it to the
        carrier has no effect of its own here: either way it leaves the account."""
        number, invalid = self._path_number(phone_number)
        if invalid is None and release_phone_number is not None:
            _, invalid = _checked(_FLAG, release_phone_number, ("query", "release_phone_number"))
        if invalid is not None:
            return invalid
        removed = self.store.remove(number)
        return (200, removed) if removed is not None else self._not_found(number)

    # -- seeding (test controls: the dashboard's side of the account) --------------------------

    def seed(
        self,
        phone_number: str,
        *,
        inbound_agent_id: str | None = None,
        webhooks: Iterable[Mapping[str, Any]] = (),
        auth_token: str | None = None,
    ) -> dict[str, Any]:
        """Create the number, or reset it to this binding (its id and carrier SIDs stay); webhooks as a write
        would store them. The caller has checked the values."""
        hooks = [with_write_defaults(w) for w in webhooks]
        return self.store.seed(phone_number, inbound_agent_id=inbound_agent_id, webhooks=hooks, auth_token=auth_token)

    def seed_many(self, specs: Iterable[Mapping[str, Any]]) -> int:
        """``seed`` for many numbers in one transaction; each spec has ``seed``'s arguments as keys."""
        return self.store.seed_many(
            {**spec, "webhooks": [with_write_defaults(w) for w in spec.get("webhooks") or ()]} for spec in specs
        )

    def seed_raw(self, phone_number: str, fields: Any) -> Answer:
        """Create or replace the number with exactly these fields, whatever they hold: what a dashboard or an
        older client may have stored. Only ``phone_number`` (the path's, if given) and a non-null string
        ``id`` are required of them; ``inbound_agent_id`` is a string or null."""
        number, invalid = self._path_number(phone_number)
        if invalid is not None:
            return invalid
        if not isinstance(fields, dict):
            return _invalid([{"loc": ["body"], "msg": "Input should be a JSON object", "type": "dict_type"}])
        problems = []
        if "phone_number" in fields and fields["phone_number"] != number:
            problems.append(
                {"loc": ["body", "phone_number"], "msg": "must be the path's number", "type": "value_error"}
            )
        if "id" in fields and not isinstance(fields["id"], str):
            problems.append({"loc": ["body", "id"], "msg": "Input should be a valid string", "type": "string_type"})
        agent = fields.get("inbound_agent_id")
        if agent is not None and not isinstance(agent, str):
            problems.append(
                {"loc": ["body", "inbound_agent_id"], "msg": "Input should be a valid string", "type": "string_type"}
            )
        if problems:
            return _invalid(problems)
        return 200, self.store.seed_raw(number, fields)

    # -- helpers ------------------------------------------------------------------------------------

    def _path_number(self, value: str) -> tuple[str, Answer | None]:
        number, invalid = _checked(_NUMBER, value, ("path", "phone_number"))
        return (number if invalid is None else value), invalid

    def _not_found(self, number: str) -> Answer:
        return 404, {"detail": f"phone number {number} not found in account {self.account_id}"}
