"""One step run over many numbers at once (``in_parallel``), and how its outcome is told (``failure``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Final, TypeVar

from .. import errors
from ..api.pacing import STATUS, Cancelled

__all__ = ["NAMED", "PROGRESS_SECONDS", "failure", "in_parallel", "named", "rerun"]

logger = logging.getLogger("pulumi_voiceos")

NAMED: Final = 10
"""How many numbers a message names before it gives a count of the rest."""

PROGRESS_SECONDS: Final = 1.0
"""A fan-out that lasts longer than this reports how far it has got, at most this often (``STATUS``)."""

T = TypeVar("T")


def named(numbers: Iterable[str], describe: Callable[[str], str] = str) -> str:
    """The first ``NAMED`` numbers, described, and how many more."""
    listed = sorted(numbers)
    shown = "; ".join(describe(n) for n in listed[:NAMED])
    return shown + (f"; and {len(listed) - NAMED} more" if len(listed) > NAMED else "")


def in_parallel(
    keys: Iterable[str], work: Callable[[str], T], concurrency: int, progress: str | None = None
) -> tuple[dict[str, T], dict[str, Exception]]:
    """``work(key)`` for every key, at most ``concurrency`` at once: the results, and the failures. With
    ``progress`` (a past participle: "bound"), a long fan-out logs "bound 3,000 of 10,000 numbers" as it goes.
    After the engine's Cancel, what had not started fails with ``pacing.Cancelled``."""
    keys = list(keys)
    done: dict[str, T] = {}
    failed: dict[str, Exception] = {}
    if not keys:
        return done, failed
    started = last = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(keys))), thread_name_prefix="fleet") as pool:
        futures = {pool.submit(work, key): key for key in keys}
        for future in as_completed(futures):
            key = futures[future]
            try:
                done[key] = future.result()
            except Exception as exc:  # every failure is reported with its number, none is lost
                failed[key] = exc
            now = time.monotonic()
            finished = len(done) + len(failed) == len(keys)
            if progress and now - started >= PROGRESS_SECONDS and (now - last >= PROGRESS_SECONDS or finished):
                last = now
                logger.info(
                    "%s %s of %s numbers",
                    progress,
                    f"{len(done):,}",
                    f"{len(keys):,}",
                    extra={STATUS: now - started},
                )
    return done, failed


def failure(what: str, failed: Mapping[str, Exception], total: int, then: str) -> str:
    """A failed step's message: how many, which (the first ``NAMED``, with the API's reason), those a cancel
    kept from being sent, the setting that applies, and what next."""
    cancelled = [n for n, exc in failed.items() if isinstance(exc, Cancelled)]
    errored = {n: exc for n, exc in failed.items() if not isinstance(exc, Cancelled)}
    said: list[str] = []
    if errored:
        listed = named(errored, lambda n: f"{n} ({errored[n]})")
        said.append(f"{len(errored)} of {total} numbers could not be {what}: {listed}.")
    if cancelled:
        said.append(f"{len(cancelled)} of {total} numbers were not {what}: the update was cancelled before their turn.")
    if any(isinstance(exc, errors.RateLimitError) for exc in errored.values()):
        said.append(
            "The API kept refusing requests (429): raise voiceos:maxRetrySeconds, or lower voiceos:maxConcurrency "
            "(the fleet's requests at once)."
        )
    return " ".join([*said, then])


def rerun(dynamic: bool) -> str:
    """What the next ``pulumi up`` does after a failed step, in the provider that ran it."""
    if dynamic:
        return (
            "The dynamic provider cannot record a failed step's progress, so the stack still has the fleet as it "
            "was: the next `pulumi up` adopts what was written and writes the rest."
        )
    return "What succeeded is recorded in the stack; the next `pulumi up` writes only what is not yet as declared."
