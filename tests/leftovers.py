"""The processes a test run leaves behind: each pytest process is a child subreaper, so what a killed engine
orphans is re-parented to it, found at the end of the session, reported and killed (tests/conftest.py)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys

import psutil

__all__ = ["alive", "become_subreaper", "descendants", "describe", "kill_leftovers", "reap_zombies"]

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Linux: orphans of this process's descendants are re-parented to it, not to init; whether it is one."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    done: int = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    return done == 0


def reap_zombies() -> None:
    """Collect the exit status of this process's children that have exited (orphans re-parented to it)."""
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error, ChildProcessError):
            if child.status() == psutil.STATUS_ZOMBIE:
                os.waitpid(child.pid, os.WNOHANG)


def alive(process: psutil.Process) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def descendants(pid: int | None = None) -> list[psutil.Process]:
    """The live descendants of ``pid`` (this process by default), zombies reaped first."""
    reap_zombies()
    try:
        found = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [p for p in found if alive(p)]


def describe(process: psutil.Process) -> str:
    """``pid 123: <command line>``, as a report names a leftover."""
    try:
        command = " ".join(process.cmdline()) or process.name()
    except psutil.Error:
        command = "(gone)"
    return f"pid {process.pid}: {command[:300]}"


def kill_leftovers(grace: float) -> list[str]:
    """The descendants still running ``grace`` seconds from now, described, then killed and reaped.

    The grace is for a process already on its way out (a fixture's server finishing its shutdown, a
    plugin whose parent watch polls every half second), not for one that would go on running."""
    _, remaining = psutil.wait_procs(descendants(), timeout=grace)
    remaining = [p for p in remaining if alive(p)]
    described = [describe(p) for p in remaining]
    for process in remaining:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(remaining, timeout=10)
    reap_zombies()
    return described
