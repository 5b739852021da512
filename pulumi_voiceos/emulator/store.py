"""SQLite persistence for the emulator: one row per phone number, plus the known agents.

The emulator's data must outlive the process (tests restart and even SIGKILL it
to check that the provider copes), so it lives in a SQLite file, in WAL mode
with ``synchronous=NORMAL``: a committed write survives a crash of the process
and readers never wait for writers.

Thread safety: uvicorn runs the API handlers in a thread pool, so one
connection is shared behind a ``threading.Lock``. Every read-modify-write runs
under the lock inside a ``BEGIN IMMEDIATE`` transaction, which also keeps a
second process pointed at the same file from interleaving with it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["Store", "format_timestamp", "phone_number_uri"]

_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS phone_numbers (
    phone_number     TEXT PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    inbound_agent_id TEXT,
    webhooks         TEXT NOT NULL,
    telephony        TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY
);
"""
_COLUMNS = "phone_number, id, inbound_agent_id, webhooks, telephony, created_at, updated_at"


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the microsecond.

    Microseconds (rather than the contract example's whole seconds) let two
    PATCHes in the same second still give different ``updated_at`` values.
    """
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def with_write_defaults(webhook: Mapping[str, Any]) -> dict[str, Any]:
    """A webhook as the API stores a write of it: a ``method`` or ``headers`` left out takes the
    request model's default (FastAPI fills defaults); one sent as null stays null."""
    stored = dict(webhook)
    stored.setdefault("method", "POST")
    stored.setdefault("headers", {})
    return stored


def phone_number_uri(phone_number: str) -> str:
    """The resource URI, with '+' percent-encoded as the contract asks of clients."""
    return "/phone_numbers/" + quote(phone_number, safe="")


class Store:
    """The emulator's phone numbers and agents, in one SQLite file.

    Methods take and return wire-shaped dicts (the JSON the API sends), so the
    HTTP layer never has to know about columns.
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
            self._conn.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- phone numbers ---------------------------------------------------------

    def get(self, phone_number: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._select(phone_number)
        return None if row is None else self._to_wire(row)

    def page(self, index: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """Numbers ``index`` to ``index + limit - 1`` in phone-number order, and whether more follow."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM phone_numbers ORDER BY phone_number LIMIT ? OFFSET ?",
                (limit + 1, index),
            ).fetchall()
        return [self._to_wire(row) for row in rows[:limit]], len(rows) > limit

    def count(self) -> int:
        with self._lock:
            (total,) = self._conn.execute("SELECT COUNT(*) FROM phone_numbers").fetchone()
        return int(total)

    def ensure(self, phone_number: str) -> bool:
        """Add an unbound number with fresh fake telephony unless it exists; True if added.

        Used for ``--seed-number``: restarting the CLI with the same flags must
        not wipe what earlier runs did to the number.
        """
        with self._lock, self._transaction():
            if self._select(phone_number) is not None:
                return False
            now = format_timestamp(datetime.now(timezone.utc))
            self._insert(phone_number, None, [], self._new_telephony(None), now)
            return True

    def seed(
        self,
        phone_number: str,
        *,
        inbound_agent_id: str | None = None,
        webhooks: Sequence[Mapping[str, Any]] = (),
        auth_token: str | None = None,
    ) -> dict[str, Any]:
        """Create the number, or reset an existing one to the given binding.

        A reset keeps the number's id, ``created_at`` and carrier SIDs, as a
        change made in the VoiceOS dashboard would; the carrier token changes
        only when one is given.
        """
        with self._lock, self._transaction():
            return self._seed(phone_number, inbound_agent_id, webhooks, auth_token)

    def seed_many(self, specs: Iterable[Mapping[str, Any]]) -> int:
        """``seed`` for many numbers in one transaction; each spec has ``seed``'s arguments as keys."""
        count = 0
        with self._lock, self._transaction():
            for spec in specs:
                self._seed(
                    spec["phone_number"],
                    spec.get("inbound_agent_id"),
                    spec.get("webhooks") or (),
                    spec.get("auth_token"),
                )
                count += 1
        return count

    def update(self, phone_number: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Apply a PATCH (only the keys present change); None if the number is unknown.

        ``updated_at`` moves forward on every call, even one that changes
        nothing, as the API's does.
        """
        with self._lock, self._transaction():
            row = self._select(phone_number)
            if row is None:
                return None
            agent = changes["inbound_agent_id"] if "inbound_agent_id" in changes else row["inbound_agent_id"]
            hooks = (
                json.dumps([with_write_defaults(w) for w in changes["webhooks"] or []])
                if "webhooks" in changes
                else row["webhooks"]
            )
            self._conn.execute(
                "UPDATE phone_numbers SET inbound_agent_id = ?, webhooks = ?, updated_at = ? WHERE phone_number = ?",
                (agent, hooks, self._next_updated_at(row["updated_at"]), phone_number),
            )
            stored = self._select(phone_number)
        assert stored is not None
        return self._to_wire(stored)

    def delete(self, phone_number: str) -> bool:
        with self._lock, self._transaction():
            cursor = self._conn.execute("DELETE FROM phone_numbers WHERE phone_number = ?", (phone_number,))
            return cursor.rowcount > 0

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
        webhooks: Sequence[Mapping[str, Any]],
        auth_token: str | None,
    ) -> dict[str, Any]:
        hooks = [with_write_defaults(w) for w in webhooks]
        row = self._select(phone_number)
        if row is None:
            now = format_timestamp(datetime.now(timezone.utc))
            self._insert(phone_number, inbound_agent_id, hooks, self._new_telephony(auth_token), now)
        else:
            telephony = json.loads(row["telephony"])
            if auth_token is not None:
                telephony["auth_token"] = auth_token
            self._conn.execute(
                "UPDATE phone_numbers SET inbound_agent_id = ?, webhooks = ?, telephony = ?, updated_at = ? "
                "WHERE phone_number = ?",
                (
                    inbound_agent_id,
                    json.dumps(hooks),
                    json.dumps(telephony),
                    self._next_updated_at(row["updated_at"]),
                    phone_number,
                ),
            )
        stored = self._select(phone_number)
        assert stored is not None
        return self._to_wire(stored)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)

    def _select(self, phone_number: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._conn.execute(
            f"SELECT {_COLUMNS} FROM phone_numbers WHERE phone_number = ?", (phone_number,)
        ).fetchone()
        return row

    def _insert(
        self,
        phone_number: str,
        inbound_agent_id: str | None,
        webhooks: list[dict[str, Any]],
        telephony: dict[str, Any],
        now: str,
    ) -> None:
        self._conn.execute(
            f"INSERT INTO phone_numbers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                phone_number,
                "pn_" + secrets.token_hex(12),
                inbound_agent_id,
                json.dumps(webhooks),
                json.dumps(telephony),
                now,
                now,
            ),
        )

    def _new_telephony(self, auth_token: str | None) -> dict[str, Any]:
        return {
            "provider": "twilio",
            "phone_number_sid": "PN" + secrets.token_hex(16),
            "account_sid": self._carrier_account_sid,
            "auth_token": auth_token if auth_token is not None else secrets.token_hex(16),
        }

    @staticmethod
    def _next_updated_at(previous: str) -> str:
        # The wall clock can repeat a microsecond or step back (NTP); clients
        # comparing timestamps must still see every write as newer.
        now = datetime.now(timezone.utc)
        floor = _parse_timestamp(previous) + timedelta(microseconds=1)
        return format_timestamp(max(now, floor))

    def _to_wire(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "uri": phone_number_uri(row["phone_number"]),
            "phone_number": row["phone_number"],
            "account_id": self.account_id,
            "inbound_agent_id": row["inbound_agent_id"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "telephony": json.loads(row["telephony"]),
            "webhooks": json.loads(row["webhooks"]),
        }


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
