"""The machine shared by the workers of a parallel run (``make test``: pytest-xdist, ``--dist loadgroup``).

Most tests share it: each holds a shared lock while it runs. A test marked ``alone`` (a benchmark's
figures, a large fleet) takes it exclusively, so no other test runs meanwhile; a gate in front of the
shared lock stops new tests from starting while an ``alone`` one waits, so it is not starved.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["MachineLock"]


@contextmanager
def _flock(path: Path, operation: int) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, operation)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases its lock


class MachineLock:
    """A readers-writer lock across the processes of one run, in files under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.gate = folder / "machine.gate"
        self.room = folder / "machine.lock"

    @contextmanager
    def shared(self) -> Iterator[None]:
        fd = os.open(self.room, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            with _flock(self.gate, fcntl.LOCK_SH):
                fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

    @contextmanager
    def alone(self) -> Iterator[None]:
        with _flock(self.gate, fcntl.LOCK_EX), _flock(self.room, fcntl.LOCK_EX):
            yield
