"""Make our processes exit when the Pulumi engine that started them is gone: ``exit_with_parent()``.

Called where our code owns the process: the native plugin's entry point, the dynamic provider server's ``configure``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

# The engine polls nothing of ours, so how soon a leftover goes is this interval (a getppid() is cheap).
POLL_SECONDS = 0.5

# SIGKILL, not SIGTERM: once the engine is gone nothing a process of ours still does is recorded, and a
# handler (a gRPC server's graceful stop, a user's tool) could delay or swallow a SIGTERM.
_SIGNAL = signal.SIGKILL

_PR_SET_PDEATHSIG = 1
# Shells that run a script as a child instead of exec'ing it: the SDK's pulumi-resource-pulumi-python is a
# /bin/sh script that starts `python -m pulumi.dynamic` and waits for it, so its parent is the engine.
_WRAPPERS = frozenset({"sh", "dash", "bash", "ash", "busybox"})

_started = threading.Lock()
_watching = False


def exit_with_parent(*, only_under: str | None = None) -> None:
    """Make this process exit once the process that started it (looking through a shell wrapper) is gone;
    with ``only_under``, only when this process runs ``python -m <only_under>`` (not in a test calling a hook)."""
    global _watching  # noqa: PLW0603  (one watcher a process, however often a hook calls this)
    if only_under is not None and _main_module() not in (only_under, f"{only_under}.__main__"):
        return
    with _started:
        if _watching:
            return
        _watching = True
    parent = os.getppid()
    _set_parent_death_signal()
    owner = _parent_of(parent) if _program(parent) in _WRAPPERS else None
    thread = threading.Thread(target=_watch, args=(parent, owner), name="voiceos-exit-with-parent", daemon=True)
    thread.start()


def _main_module() -> str | None:
    """The module this process runs as ``python -m``, if any."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None)


def _set_parent_death_signal() -> None:
    """Linux only: the kernel sends us ``_SIGNAL`` the moment our parent exits."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, int(_SIGNAL), 0, 0, 0)


def _watch(parent: int, owner: int | None) -> None:
    """Poll until the parent (or the wrapper's parent) is gone, then exit: this also covers a parent that died
    before the death signal was set, and systems that have none."""
    while not _gone(parent, owner):
        time.sleep(POLL_SECONDS)
    os._exit(1)


def _gone(parent: int, owner: int | None) -> bool:
    """Whether we were re-parented (our parent exited), or our wrapper shell was (the engine exited)."""
    if os.getppid() != parent or parent == 1:
        return True
    return owner is not None and _parent_of(parent) != owner


def _program(pid: int) -> str | None:
    """The file name of the program a process runs (a script's interpreter, not the script); None without /proc."""
    try:
        return Path(os.readlink(f"/proc/{pid}/exe")).name
    except OSError:
        return None


def _parent_of(pid: int) -> int | None:
    """A process's parent, from /proc; None once it is gone or without /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (in parentheses) may hold spaces: the fields after it are state, then ppid.
    return int(stat[stat.rfind(")") + 2 :].split()[1])
