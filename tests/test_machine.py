"""How the workers of a parallel run share the machine: an ``alone`` test waits for the running ones
and holds back those that would start after it."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from .machine import MachineLock


def _gate_is_held_exclusively(lock: MachineLock) -> bool:
    fd = os.open(lock.gate, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_an_alone_test_waits_for_the_running_one_and_the_next_one_waits_for_it(tmp_path: Path) -> None:
    lock = MachineLock(tmp_path)
    order: list[str] = []
    running, release_running, alone_in, release_alone, next_in = (threading.Event() for _ in range(5))

    def shared_test(name: str, started: threading.Event, release: threading.Event | None) -> None:
        with lock.shared():
            order.append(name)
            started.set()
            if release is not None:
                release.wait(10)

    def alone_test() -> None:
        with lock.alone():
            order.append("alone")
            alone_in.set()
            release_alone.wait(10)

    threads = [threading.Thread(target=shared_test, args=("running", running, release_running))]
    threads[0].start()
    assert running.wait(10)
    threads.append(threading.Thread(target=alone_test))
    threads[1].start()
    while not _gate_is_held_exclusively(lock):  # the alone test is at the door, waiting for the room
        threading.Event().wait(0.01)
    threads.append(threading.Thread(target=shared_test, args=("next", next_in, None)))
    threads[2].start()

    assert not alone_in.wait(0.2) and not next_in.is_set()
    release_running.set()
    assert alone_in.wait(10) and not next_in.is_set()
    release_alone.set()
    assert next_in.wait(10)
    for thread in threads:
        thread.join(10)
    assert order == ["running", "alone", "next"]
