"""``EmulatorProcess``: the emulator as a subprocess on loopback, started and stopped from Python.

A real process on a real socket: the provider goes through its real HTTP stack, and crashes and restarts are real.
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
from typing import IO, Any
from urllib.parse import urlsplit

from ..errors import EmulatorPortInUseError as _PortInUseError
from ..errors import EmulatorStartError
from .client import EmulatorAdminError, EmulatorClient
from .defaults import DEFAULT_ACCOUNT_ID, DEFAULT_TOKEN, EXIT_ADDRESS_IN_USE, LISTENING_PREFIX

__all__ = ["EmulatorAdminError", "EmulatorClient", "EmulatorProcess", "EmulatorStartError"]

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def _terminate(process: subprocess.Popen[str]) -> None:
    # Safety net run at garbage collection or interpreter exit: a test that
    # forgot to stop its emulator must not leave a server running behind it.
    if process.poll() is None:
        process.kill()
        process.wait()


class EmulatorProcess(EmulatorClient):
    """A ``voiceos-emulator`` subprocess on loopback, driven through ``EmulatorClient``'s admin calls.

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
        super().__init__(token=token)
        self._own_dir: tempfile.TemporaryDirectory[str] | None = None
        if db_path is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="voiceos-emulator-")
            db_path = Path(self._own_dir.name) / "emulator.db"
        self.db_path = Path(db_path)
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
        self._port: int | None = None
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

    def wipe(self, token: str, *, agents: Sequence[str] = (), numbers: Sequence[str] = ()) -> None:
        """``EmulatorClient.wipe``; a later ``restart()`` starts with these ``token``, ``agents`` and ``numbers``."""
        super().wipe(token, agents=agents, numbers=numbers)
        self.token, self.agents, self.seed_numbers = token, list(agents), list(numbers)

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
        self.close_connections()


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
