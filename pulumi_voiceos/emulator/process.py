"""Run the emulator as a subprocess: what tests, the demo and benchmarks use.

A real process on a real socket, rather than an in-process ASGI transport,
means the provider under test goes through the same HTTP stack it uses against
VoiceOS (connection pooling, timeouts, dropped connections), and that crashes
and restarts (``kill``, ``restart``) can be simulated for real.

The admin helpers talk to ``/_emulator/`` with a small httpx client of their
own; they ignore proxy environment variables, which would otherwise route
loopback calls through a corporate proxy.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol
from urllib.parse import quote, urlsplit

import httpx

from ..errors import EmulatorAdminError, EmulatorStartError
from ..errors import EmulatorPortInUseError as _PortInUseError
from . import DEFAULT_ACCOUNT_ID, DEFAULT_TOKEN, EXIT_ADDRESS_IN_USE, LISTENING_PREFIX

__all__ = ["EmulatorAdminError", "EmulatorProcess", "EmulatorStartError"]

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


class WireShaped(Protocol):
    """Anything that gives its JSON form, such as the package's input models (taken by duck typing, so the
    emulator imports none of the client's rules)."""

    def to_wire(self) -> Mapping[str, Any]: ...


def _wire(webhook: Mapping[str, Any] | WireShaped) -> dict[str, Any]:
    return dict(webhook) if isinstance(webhook, Mapping) else dict(webhook.to_wire())


def _terminate(process: subprocess.Popen[str]) -> None:
    # Safety net run at garbage collection or interpreter exit: a test that
    # forgot to stop its emulator must not leave a server running behind it.
    if process.poll() is None:
        process.kill()
        process.wait()


class EmulatorProcess:
    """A ``voiceos-emulator`` subprocess on loopback, with helpers to drive its admin area.

    Use it as a context manager (``with EmulatorProcess(db_path=...) as emu:``)
    or call ``start()``/``stop()``. ``token`` may be reassigned between a
    ``stop()`` and a ``start()`` to simulate a token rotation.
    """

    def __init__(
        self,
        db_path: str | os.PathLike[str] | None = None,
        *,
        token: str = DEFAULT_TOKEN,
        seed_numbers: Iterable[str] = (),
        agents: Iterable[str] = (),
        account_id: str = DEFAULT_ACCOUNT_ID,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
        startup_timeout: float = 20.0,
        stop_timeout: float = 10.0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """Describe the emulator to run; nothing starts until ``start()`` or ``with``.

        ``db_path=None`` uses a file in a private temporary folder, removed by
        ``close()`` (or when leaving the ``with`` block). ``port=0`` lets the OS
        pick a free port, which is what parallel test runs need.
        """
        self._own_dir: tempfile.TemporaryDirectory[str] | None = None
        if db_path is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="voiceos-emulator-")
            db_path = Path(self._own_dir.name) / "emulator.db"
        self.db_path = Path(db_path)
        self.token = token
        self.seed_numbers = list(seed_numbers)
        self.agents = list(agents)
        self.account_id = account_id
        self.host = host
        self.requested_port = port
        self.log_level = log_level
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.env = dict(env) if env is not None else None

        self._process: subprocess.Popen[str] | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._reader: threading.Thread | None = None
        self._stderr: IO[bytes] | None = None
        self._url: str | None = None
        self._port: int | None = None
        self._http: httpx.Client | None = None
        self.returncode: int | None = None
        """Exit status of the last run once it ended (0 after a clean ``stop()``, -9 after ``kill()``)."""

    def __repr__(self) -> str:
        state = f"running at {self._url}" if self.running else "stopped"
        return f"EmulatorProcess({state}, db_path={str(self.db_path)!r})"

    # -- where it is -----------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def url(self) -> str:
        """Base URL of the running server (or of the last run, after ``stop()``)."""
        if self._url is None:
            raise RuntimeError("the emulator has not been started; call start() or use it in a with block")
        return self._url

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the emulator has not been started; call start() or use it in a with block")
        return self._port

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running and self._process is not None else None

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> EmulatorProcess:
        """Launch on ``port`` (0: a free one) and return once it accepts requests.

        Raises ``EmulatorStartError``, with the emulator's stderr, if it exits
        or stays silent for ``startup_timeout`` seconds.
        """
        if self.running:
            raise RuntimeError(f"the emulator is already running at {self._url}")
        self._launch(self.requested_port)
        return self

    def stop(self) -> None:
        """Stop with SIGTERM (a graceful uvicorn shutdown); SIGKILL if it hangs. No-op if stopped."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._reap()

    def kill(self) -> None:
        """SIGKILL, to simulate a crash: only what SQLite had committed survives."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.kill()
            process.wait()
        self._reap()

    def restart(self) -> None:
        """Stop, then start again on the same database.

        It asks for the same port first, so clients holding ``url`` keep
        working; if that port was taken in the meantime it falls back to a new
        free port, and ``url``/``port`` change: read them again after a restart.
        """
        previous = self._port
        self.stop()
        if previous is None:
            self._launch(self.requested_port)
            return
        try:
            self._launch(previous)
        except _PortInUseError:
            self._launch(0)

    def close(self) -> None:
        """Stop, and remove the temporary folder if ``db_path`` was not given."""
        self.stop()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._own_dir is not None:
            self._own_dir.cleanup()
            self._own_dir = None

    def __enter__(self) -> EmulatorProcess:
        if not self.running:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def stderr_text(self) -> str:
        """What the current (or last) run wrote to stderr: uvicorn's logs, tracebacks."""
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", errors="replace")

    def command(self, port: int | None = None) -> list[str]:
        """The command line ``start()`` runs; handy to start the same emulator by hand."""
        argv = [
            sys.executable,
            "-m",
            "pulumi_voiceos.emulator",
            "--host",
            self.host,
            "--port",
            str(self.requested_port if port is None else port),
            "--db",
            str(self.db_path),
            "--token",
            self.token,
            "--account-id",
            self.account_id,
            "--log-level",
            self.log_level,
        ]
        for number in self.seed_numbers:
            argv += ["--seed-number", number]
        for agent in self.agents:
            argv += ["--agent", agent]
        return argv

    def _launch(self, port: int) -> None:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        if self._stderr is not None:
            self._stderr.close()
        # A file rather than a pipe: nobody reads stderr while the emulator
        # runs, and a full pipe would block it. Append mode, because the child
        # shares the file offset that stderr_text() moves.
        self._stderr = tempfile.TemporaryFile(mode="a+b")  # noqa: SIM115 - lives as long as the run
        env = dict(os.environ if self.env is None else self.env)
        # The child must import this very copy of the package, installed or not.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
        process = subprocess.Popen(
            self.command(port),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            text=True,
            encoding="utf-8",
        )
        self._process = process
        self._finalizer = weakref.finalize(self, _terminate, process)
        lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(
            target=_pump, args=(process.stdout, lines), name=f"voiceos-emulator-{process.pid}-stdout", daemon=True
        )
        self._reader.start()
        try:
            url = self._await_listening(process, lines)
        except BaseException:
            if process.poll() is None:
                process.kill()
                process.wait()
            self._reap()
            raise
        self._url = url
        self._port = urlsplit(url).port

    def _await_listening(self, process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> str:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EmulatorStartError(
                    f"the emulator printed no listening line within {self.startup_timeout:g}s; "
                    f"its stderr:\n{self.stderr_text()}"
                )
            try:
                line = lines.get(timeout=min(remaining, 0.25))
            except queue.Empty:
                continue
            if line is None:
                try:
                    status = process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    status = None
                error = _PortInUseError if status == EXIT_ADDRESS_IN_USE else EmulatorStartError
                raise error(
                    f"the emulator exited (status {status}) before listening; its stderr:\n{self.stderr_text()}"
                )
            if line.startswith(LISTENING_PREFIX):
                return line[len(LISTENING_PREFIX) :].strip()

    def _reap(self) -> None:
        if self._process is not None:
            self.returncode = self._process.returncode
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None
        if self._http is not None:
            self._http.close()
            self._http = None

    # -- admin helpers -----------------------------------------------------------

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(timeout=30.0, trust_env=False)
        return self._http

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self._client().request(method, f"{self.url}/_emulator{path}", json=body)
        if response.status_code >= 400:
            raise EmulatorAdminError(f"{method} /_emulator{path} answered {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def seed_number(
        self,
        number: str,
        inbound_agent_id: str | None = None,
        webhooks: Sequence[Mapping[str, Any] | WireShaped] | None = None,
        auth_token: str | None = None,
    ) -> dict[str, Any]:
        """Create ``number``, or reset it to this binding (its id and carrier SIDs stay)."""
        body: dict[str, Any] = {
            "phone_number": number,
            "inbound_agent_id": inbound_agent_id,
            "webhooks": [_wire(w) for w in webhooks or []],
        }
        if auth_token is not None:
            body["auth_token"] = auth_token
        seeded: dict[str, Any] = self._admin("POST", "/numbers", body)
        return seeded

    def seed_raw(self, number: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Make ``number`` exactly this JSON object, odd values included: what a dashboard or an older
        client may have left in a real account (``null`` webhooks, null headers, a wss:// URL...).

        Any of the number's fields, stored as given; ``id``, ``created_at``, ``updated_at``, ``uri`` and
        ``account_id`` are made when left out (an existing number keeps its id); any other field left
        out is missing from what the API returns. Answers with the number as the API returns it."""
        seeded: dict[str, Any] = self._admin("PUT", f"/numbers/{quote(number, safe='')}/raw", dict(body))
        return seeded

    def seed_many(self, numbers: Sequence[Mapping[str, Any]], *, batch: int = 1000) -> int:
        """``seed_number`` for many: each item has its keyword arguments (``phone_number`` first).

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


def _pump(stream: IO[str] | None, lines: queue.Queue[str | None]) -> None:
    # Keeps reading after the listening line so the child can never block on a
    # full stdout pipe; None marks the end of the stream.
    if stream is not None:
        try:
            for line in stream:
                lines.put(line)
        except (OSError, ValueError):
            pass
    lines.put(None)
