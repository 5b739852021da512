"""SQLite storage for the emulator: each phone number as the JSON object the API returns, plus agents.

``Store``'s docstring says why a number is a document, why WAL mode, and why one shared connection.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

__all__ = ["GENERATED_FIELDS", "Store", "format_timestamp", "phone_number_uri"]

_SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS numbers (
    phone_number TEXT PRIMARY KEY,
    document     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY
);
"""

GENERATED_FIELDS: Final = ("id", "uri", "account_id", "created_at", "updated_at")
"""The fields a number always has: made by the store when a raw seed does not give them."""


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the microsecond.

    Microseconds (rather than the contract example's whole seconds) let two
    PATCHes in the same second still give different ``updated_at`` values.
    """
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def phone_number_uri(phone_number: str) -> str:
    """The resource URI, with '+' percent-encoded as the contract asks of clients."""
    return "/phone_numbers/" + quote(phone_number, safe="")


def _now() -> str:
    return format_timestamp(datetime.now(timezone.utc))


class Store:
    """The emulator's phone numbers and agents, in one SQLite file.

    Methods take and return wire-shaped dicts (the JSON the API sends); they store what they
    are given, without rules: the request rules and defaults are the backend's.

    A number is kept as a document (every field as stored, odd values and unknown fields included), so
    the account can hold what a real one holds; ``uri`` and ``account_id`` are derived when the document
    does not carry its own. The file is in WAL mode with ``synchronous=NORMAL``: a committed write
    survives a crash of the process (tests SIGKILL it) and readers never wait for writers. One connection
    is shared behind a lock (uvicorn runs handlers in a thread pool), and every read-modify-write runs in
    a ``BEGIN IMMEDIATE`` transaction, which also keeps a second process on the same file from
    interleaving with it.
    """

    def __init__(self, path: str | Path, *, account_id: str = "acct_emulator") -> None:
        self.path = str(path)
        self.account_id = account_id
        # All numbers of one emulated account sit behind one carrier account,
        # as they would in a real Twilio import; deriving its SID from the
        # VoiceOS account keeps it stable across restarts without storing it.
        self._carrier_account_sid = "AC" + hashlib.sha256(account_id.encode()).hexdigest()[:32]
        self._lock = threading.Lock()
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE),
        # so the module never opens a deferred one behind our back.
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10.0)
        self._conn.row_factory = sqlite3.Row
        with self._lock:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
            with self._transaction():
                self._migrate()
            self._conn.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- phone numbers ---------------------------------------------------------

    def get(self, phone_number: str) -> dict[str, Any] | None:
        with self._lock:
            document = self._select(phone_number)
        return None if document is None else self._to_wire(phone_number, document)

    def page(self, index: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """Numbers ``index`` to ``index + limit - 1`` in phone-number order, and whether more follow."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT phone_number, document FROM numbers ORDER BY phone_number LIMIT ? OFFSET ?",
                (limit + 1, index),
            ).fetchall()
        wire = [self._to_wire(row["phone_number"], json.loads(row["document"])) for row in rows[:limit]]
        return wire, len(rows) > limit

    def count(self) -> int:
        with self._lock:
            (total,) = self._conn.execute("SELECT COUNT(*) FROM numbers").fetchone()
        return int(total)

    def ensure(self, phone_number: str) -> bool:
        """Add an unbound number with fresh fake telephony unless it exists; True if added.

        Used for ``--seed-number``: restarting the CLI with the same flags must
        not wipe what earlier runs did to the number.
        """
        with self._lock, self._transaction():
            if self._select(phone_number) is not None:
                return False
            self._write(phone_number, self._new_document(None, [], None))
            return True

    def seed(
        self,
        phone_number: str,
        *,
        inbound_agent_id: str | None = None,
        webhooks: Iterable[Mapping[str, Any]] = (),
        auth_token: str | None = None,
    ) -> dict[str, Any]:
        """Create the number, or reset an existing one to the given binding (webhooks stored as given).

        A reset keeps the number's id, ``created_at`` and carrier SIDs, as a
        change made in the VoiceOS dashboard would; the carrier token changes
        only when one is given.
        """
        with self._lock, self._transaction():
            return self._seed(phone_number, inbound_agent_id, [dict(w) for w in webhooks], auth_token)

    def seed_many(self, specs: Iterable[Mapping[str, Any]]) -> int:
        """``seed`` for many numbers in one transaction; each spec has ``seed``'s arguments as keys."""
        count = 0
        with self._lock, self._transaction():
            for spec in specs:
                self._seed(
                    spec["phone_number"],
                    spec.get("inbound_agent_id"),
                    [dict(w) for w in spec.get("webhooks") or ()],
                    spec.get("auth_token"),
                )
                count += 1
        return count

    def seed_raw(self, phone_number: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Create or replace the number with exactly ``fields`` (any JSON), as the API would return them.

        Only ``id``, ``created_at`` and ``updated_at`` are made when not given (an existing number keeps
        its id and ``created_at``); ``uri`` and ``account_id`` are derived when not given. A field left
        out is missing from the number, as it would be from a response.
        """
        with self._lock, self._transaction():
            previous = self._select(phone_number)
            # uri and account_id given are kept; left out, they stay derived from the account.
            document = {k: v for k, v in fields.items() if k != "phone_number"}
            document.setdefault("id", previous["id"] if previous else _new_id())
            now = _now() if previous is None else self._next_updated_at(previous.get("updated_at"))
            document.setdefault("created_at", previous.get("created_at", now) if previous else now)
            document.setdefault("updated_at", now)
            self._write(phone_number, document)
            return self._to_wire(phone_number, document)

    def update(self, phone_number: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Set the fields in ``changes`` as given (only those change); None if the number is unknown.

        ``updated_at`` moves forward on every call, even one that changes
        nothing, as the API's does.
        """
        with self._lock, self._transaction():
            document = self._select(phone_number)
            if document is None:
                return None
            document.update(changes)
            document["updated_at"] = self._next_updated_at(document.get("updated_at"))
            self._write(phone_number, document)
        return self._to_wire(phone_number, document)

    def remove(self, phone_number: str) -> dict[str, Any] | None:
        """Take the number out of the account; what it was, or None if it was not there."""
        with self._lock, self._transaction():
            document = self._select(phone_number)
            if document is None:
                return None
            self._conn.execute("DELETE FROM numbers WHERE phone_number = ?", (phone_number,))
        return self._to_wire(phone_number, document)

    def delete(self, phone_number: str) -> bool:
        return self.remove(phone_number) is not None

    def wipe(self) -> None:
        """Remove every number and agent: the account as a fresh database has it."""
        with self._lock, self._transaction():
            self._conn.execute("DELETE FROM numbers")
            self._conn.execute("DELETE FROM agents")

    # -- agents ----------------------------------------------------------------

    def add_agents(self, ids: Iterable[str]) -> None:
        with self._lock, self._transaction():
            self._conn.executemany("INSERT OR IGNORE INTO agents (id) VALUES (?)", [(i,) for i in ids])

    def agents(self) -> frozenset[str]:
        with self._lock:
            return frozenset(row["id"] for row in self._conn.execute("SELECT id FROM agents"))

    def has_agent(self, agent_id: str) -> bool:
        """Whether ``agent_id`` may be routed to: any id is, until some agent is known."""
        with self._lock:
            if self._conn.execute("SELECT 1 FROM agents LIMIT 1").fetchone() is None:
                return True
            return self._conn.execute("SELECT 1 FROM agents WHERE id = ?", (agent_id,)).fetchone() is not None

    # -- internals ---------------------------------------------------------------

    def _seed(
        self,
        phone_number: str,
        inbound_agent_id: str | None,
        webhooks: list[dict[str, Any]],
        auth_token: str | None,
    ) -> dict[str, Any]:
        document = self._select(phone_number)
        if document is None:
            document = self._new_document(inbound_agent_id, webhooks, auth_token)
        else:
            telephony = document.get("telephony")
            if not isinstance(telephony, dict):
                telephony = self._new_telephony(None)
            if auth_token is not None:
                telephony = {**telephony, "auth_token": auth_token}
            document.update(
                inbound_agent_id=inbound_agent_id,
                webhooks=webhooks,
                telephony=telephony,
                updated_at=self._next_updated_at(document.get("updated_at")),
            )
        self._write(phone_number, document)
        return self._to_wire(phone_number, document)

    def _new_document(
        self, inbound_agent_id: str | None, webhooks: list[dict[str, Any]], auth_token: str | None
    ) -> dict[str, Any]:
        now = _now()
        return {
            "id": _new_id(),
            "inbound_agent_id": inbound_agent_id,
            "created_at": now,
            "updated_at": now,
            "telephony": self._new_telephony(auth_token),
            "webhooks": webhooks,
        }

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    def _select(self, phone_number: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT document FROM numbers WHERE phone_number = ?", (phone_number,)).fetchone()
        if row is None:
            return None
        document: dict[str, Any] = json.loads(row["document"])
        return document

    def _write(self, phone_number: str, document: Mapping[str, Any]) -> None:
        self._conn.execute(
            "INSERT INTO numbers (phone_number, document) VALUES (?, ?) "
            "ON CONFLICT (phone_number) DO UPDATE SET document = excluded.document",
            (phone_number, json.dumps(document)),
        )

    def _new_telephony(self, auth_token: str | None) -> dict[str, Any]:
        return {
            "provider": "twilio",
            "phone_number_sid": "PN" + secrets.token_hex(16),
            "account_sid": self._carrier_account_sid,
            "auth_token": auth_token if auth_token is not None else secrets.token_hex(16),
        }

    @staticmethod
    def _next_updated_at(previous: Any) -> str:
        # The wall clock can repeat a microsecond or step back (NTP); clients
        # comparing timestamps must still see every write as newer.
        now = datetime.now(timezone.utc)
        parsed = _parse_timestamp(previous)
        return format_timestamp(now if parsed is None else max(now, parsed + timedelta(microseconds=1)))

    def _to_wire(self, phone_number: str, document: Mapping[str, Any]) -> dict[str, Any]:
        wire = {
            "id": document.get("id"),
            "uri": phone_number_uri(phone_number),
            "phone_number": phone_number,
            "account_id": self.account_id,
        }
        wire.update(document)
        return wire

    def _migrate(self) -> None:
        # Schema 1 kept each field in a column of its own; its rows become documents.
        if self._conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'phone_numbers'").fetchone() is None:
            return
        for row in self._conn.execute("SELECT * FROM phone_numbers").fetchall():
            document = {
                "id": row["id"],
                "inbound_agent_id": row["inbound_agent_id"],
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
                "telephony": json.loads(row["telephony"]),
                "webhooks": json.loads(row["webhooks"]),
            }
            self._write(row["phone_number"], document)
        self._conn.execute("DROP TABLE phone_numbers")


def _new_id() -> str:
    return "pn_" + secrets.token_hex(12)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on error.

    IMMEDIATE takes the write lock up front, so a read-then-write cannot be
    overtaken by another connection to the same file between the two.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        self._conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
