"""Pacing under the API's rate limit: one ``Pacer`` per provider process, in front of every request.

How it learns the limit: docs/internals.md, "Pacing under the rate limit".
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from .. import errors
from .limits import Limits, parse_limits, retry_after_seconds

__all__ = ["STATUS", "SUMMARY_SECONDS", "Cancelled", "Limits", "Pacer", "Slot", "parse_limits", "retry_after_seconds"]

logger = logging.getLogger("pulumi_voiceos")

STATUS: Final = "voiceos_status"
"""The ``extra`` key that marks a log record as progress (its value: the seconds the work has run): the
native provider sends it as an ephemeral status, the dynamic provider at most every 10 s."""
SUMMARY_SECONDS: Final = 10.0
"""At most one line about pacing per this many seconds."""
MAX_IN_FLIGHT: Final = 256
"""The ceiling of the adaptive concurrency: above anything a fleet or ``--parallel`` sends, so that
without a rate limit the pacer changes nothing."""
_START_IN_FLIGHT: Final = 1.0
_MARGIN: Final = 0.98
"""The share of a learnt limit the pacer sends at, so that timing jitter does not cost refusals."""
_RECOVER_PER_SECOND: Final = 0.3
"""How fast a rate learnt from 429s grows back to the rate last refused (a cut takes it below)."""
_PROBE_PER_SECOND: Final = 0.05
"""How fast it grows beyond (the limit may have risen, or another process sharing it finished); the
growth speeds up the longer the rate is above the one last refused without a refusal (``_PROBE_SPEEDUP``)."""
_PROBE_STEADY: Final = 1.5
"""Seconds above the rate last refused at ``_PROBE_PER_SECOND``; then every ``_PROBE_SPEEDUP`` seconds doubles
the growth, up to ``_PROBE_MAX``."""
_PROBE_SPEEDUP: Final = 0.5
_PROBE_PACE: Final = 10.0
"""At a rate below this, the probe's seconds count as its accepted requests / this: a slow rate learns slowly."""
_PROBE_MAX: Final = 1.0
_CUT: Final = 0.85
"""What a refusal leaves of a rate learnt from 429s, at most."""
_RESERVE: Final = 0.5
"""The share of the API's advertised quota (``RateLimit-Remaining``) a burst leaves for other processes."""
_LOW: Final = 0.25
"""Below this share of the quota left, other processes draw on it too: the rate is cut (at most once per
``_CUT_SECONDS``, jittered so that processes sharing the limit do not move in lockstep)."""
_CUT_SECONDS: Final = 0.3
_GROW_PER_SECOND: Final = 0.1
"""While the quota is above ``_RESERVE``, the rate grows back by this share of the advertised limit per second."""


class Cancelled(errors.VoiceOSError):
    """A request that was not sent because the engine cancelled the operation (Ctrl-C)."""


@dataclass
class Slot:
    """One request's turn: when it was let through, and in which refusal epoch."""

    epoch: int
    started: float


class Pacer:
    """Shared by every request of a provider process (all clients of its deployment); thread-safe.

    It learns the rate from ``RateLimit-*`` / ``X-RateLimit-*`` headers where the API sends them, and
    otherwise from 429s: the requests accepted between two refusals are what the limit let through
    (a token bucket is empty at both), so their rate is the limit's. It honours ``Retry-After`` for
    everyone at once, adapts how many requests are in flight (additive increase, multiplicative
    decrease: halved on a refusal, grown again on success), and says what it did at most once per
    ``SUMMARY_SECONDS``. ``cancel()`` (the engine's Cancel) stops every request not yet sent.
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._cancelled = False
        self._in_flight = 0
        self._waiting = 0
        self._window = _START_IN_FLIGHT
        self._slow_start = True
        self._rate: float | None = None
        """Requests per second the pacer sends at; None until the API shows a limit."""
        self._rate_from_headers = False
        self._cap: float | None = None
        """What the advertised limit allows one run: ``RateLimit-*`` x ``rate_limit_share`` x the margin."""
        self._share = 1.0
        self._ceiling: float | None = None
        """``voiceos:maxRequestsPerSecond``: no request starts sooner than 1/ceiling after the one before."""
        self._ceiling_next = 0.0
        self._next_cut = 0.0
        self._steered = clock()
        self._refused_rate = 0.0
        """The rate a refusal last cut (CUBIC's W_max): below it the rate recovers fast, above it it probes."""
        self._above_since: float | None = None
        self._accepted_above = 0
        self._random = random.Random()
        self._next_start = 0.0
        self._credit = 0.0
        self._burst_left = True
        """Requests the API's ``RateLimit-Remaining`` still allows now, beyond those in flight."""
        self._blocked_until = 0.0
        self._epoch = 0
        self._epoch_started = clock()
        self._accepted_in_epoch = 0
        self._blocked_in_epoch = 0.0
        self._last_probe = clock()
        self._last_success = clock()
        self._recent: list[float] = []
        """When the last successes came, for a first estimate of the rate."""
        # What the summary line reports.
        self._summary_at = clock()
        self._waited = 0
        self._refused = 0
        self._sent = 0
        self.totals = {"sent": 0, "refused": 0, "waited": 0}

    # -- state ----------------------------------------------------------------------------

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def rate(self) -> float | None:
        return self._rate

    @property
    def concurrency(self) -> int:
        return max(1, int(self._window))

    def budget(self, ceiling: float | None, share: float = 1.0) -> None:
        """The user's budget: at most ``ceiling`` requests per second (the smallest given in the process), and
        ``share`` of the limit the API advertises."""
        with self._cond:
            if ceiling is not None:
                self._ceiling = ceiling if self._ceiling is None else min(self._ceiling, ceiling)
            self._share = min(self._share, share)

    def cancel(self) -> None:
        """No request starts after this; those waiting for their turn raise ``Cancelled``."""
        with self._cond:
            self._cancelled = True
            self._cond.notify_all()

    def stalled_for(self, since: float) -> float:
        """How long no request of the process has succeeded, counted from ``since`` at the earliest."""
        return self._clock() - max(self._last_success, since)

    # -- a request's turn -----------------------------------------------------------------

    @contextmanager
    def turn(self, operation: str) -> Iterator[Slot]:
        """Wait for a turn (the limit's pace, Retry-After, the concurrency window), then hold it."""
        slot = self._acquire(operation)
        try:
            yield slot
        finally:
            with self._cond:
                self._in_flight -= 1
                if self._waiting:
                    self._cond.notify_all()

    def _acquire(self, operation: str) -> Slot:
        waited = False
        with self._cond:
            while True:
                if self._cancelled:
                    raise Cancelled(f"{operation}: not sent, the update was cancelled")
                now = self._clock()
                start_at = self._blocked_until if self._credit >= 1 else max(self._blocked_until, self._next_start)
                if self._ceiling is not None:
                    start_at = max(start_at, self._ceiling_next)
                if self._in_flight < self.concurrency and now >= start_at:
                    break
                waited = True
                timeout = start_at - now if now < start_at else None
                self._waiting += 1
                try:
                    self._cond.wait(timeout)
                finally:
                    self._waiting -= 1
            self._in_flight += 1
            if self._ceiling is not None:
                self._ceiling_next = max(now, self._ceiling_next) + 1.0 / self._ceiling
            if self._credit >= 1:
                self._credit -= 1
            elif self._rate:
                self._next_start = max(now, self._next_start) + 1.0 / self._rate
            self._sent += 1
            self.totals["sent"] += 1
            if waited:
                self._waited += 1
                self.totals["waited"] += 1
            return Slot(self._epoch, now)

    # -- what the API said ----------------------------------------------------------------

    def accepted(self, headers: Mapping[str, str], *, progress: bool = True) -> None:
        """A request that was not refused: the window grows, a learnt rate probes upwards; ``progress``
        unless the API failed it (a 5xx)."""
        with self._cond:
            now = self._clock()
            if progress:
                self._last_success = now
            self._accepted_in_epoch += 1
            self._recent.append(now)
            if len(self._recent) > 64:
                del self._recent[:32]
            if self._slow_start:
                self._window = min(float(MAX_IN_FLIGHT), self._window + 1.0)
            else:
                self._window = min(float(MAX_IN_FLIGHT), self._window + 1.0 / self._window)
            if self._rate is not None and not self._rate_from_headers:
                if self._rate < self._refused_rate:
                    growth, self._above_since, self._accepted_above = _RECOVER_PER_SECOND, None, 0
                else:
                    self._above_since = now if self._above_since is None else self._above_since
                    self._accepted_above += 1
                    growth = min(_PROBE_MAX, _PROBE_PER_SECOND * 2.0 ** (self._probing(now) / _PROBE_SPEEDUP))
                self._rate *= 1.0 + growth * max(0.0, now - self._last_probe)
            self._last_probe = now
            self._learn(parse_limits(headers), now)
            if self._waiting:
                self._cond.notify_all()
        self._summarise()

    def refused(self, slot: Slot, headers: Mapping[str, str], backoff: float) -> float | None:
        """A 429: everyone waits for ``Retry-After`` (else ``backoff``); the first refusal of an epoch halves
        the window and sets the rate to what the limit let through since the last one. Returns Retry-After."""
        retry_after = retry_after_seconds(headers)
        with self._cond:
            now = self._clock()
            self._refused += 1
            self.totals["refused"] += 1
            limits = parse_limits(headers)
            if slot.epoch == self._epoch:
                self._new_epoch(now)
            self._learn(limits, now)
            wait = retry_after if retry_after is not None else backoff
            # A little later than asked, by a random amount: processes refused together resume apart.
            wait *= 1.0 + 0.2 * self._random.random()
            self._blocked_in_epoch += max(0.0, now + wait - max(now, self._blocked_until))
            self._blocked_until = max(self._blocked_until, now + wait)
            self._cond.notify_all()
        self._summarise()
        return retry_after

    def _new_epoch(self, now: float) -> None:
        # Half the time spent waiting out a Retry-After is left out: the process sent nothing then, and of what the
        # limit let through meanwhile, other processes took some and the bucket kept the rest for this one.
        elapsed = now - self._epoch_started - min(0.5 * self._blocked_in_epoch, 0.5 * (now - self._epoch_started))
        self._blocked_in_epoch = 0.0
        if not self._rate_from_headers:
            if self._epoch > 0 and elapsed >= 1.0:
                # Between two refusals a token bucket went from empty to empty: what it let through is its rate.
                measured = self._accepted_in_epoch / elapsed
            else:
                # The first refusal: what was accepted in the last second is the best guess at the limit.
                measured = float(sum(1 for t in self._recent if now - t <= 1.0))
            learnt = max(measured, 0.5) * _MARGIN
            # Never above what was just refused, and cut by a share: of several processes drawing on one limit,
            # the one sending most is refused most, so cuts even out their rates (AIMD's fairness).
            self._refused_rate = learnt if self._rate is None else min(learnt, self._rate)
            self._rate = learnt if self._rate is None else min(learnt, self._rate * _CUT)
            self._above_since, self._accepted_above = None, 0
            self._next_start = max(self._next_start, now)
        elif self._rate is not None and self._cap is not None:
            # The quota ran out: other processes draw on it too.
            self._rate = max(self._cap * 0.02, self._rate * 0.5)
            self._next_cut = now + _CUT_SECONDS * (1.0 + self._random.random())
        self._slow_start = False
        self._window = max(1.0, self._window / 2)
        self._epoch += 1
        self._epoch_started = now
        self._accepted_in_epoch = 0

    def _learn(self, limits: Limits | None, now: float) -> None:
        if limits is None:
            return
        rate = limits.rate
        if rate:
            self._cap = rate * self._share * _MARGIN
            self._rate = self._cap if self._rate is None or not self._rate_from_headers else min(self._rate, self._cap)
            self._rate_from_headers = True
        if limits.remaining is not None and limits.limit and rate:
            # Burst only down to a reserve, and steer the rate by what is left: the quota is shared.
            # The credit is the first burst only: refilled by every answer, it would outrun the rate.
            reserve = max(_RESERVE, 1.0 - self._share) * limits.limit
            credit = max(0.0, limits.remaining - reserve - self._in_flight)
            self._credit = credit if self._burst_left else min(self._credit, credit)
            self._burst_left = False
            self._steer(limits.remaining / limits.limit, now)
        elif limits.remaining is not None:
            self._credit = max(0.0, limits.remaining - self._in_flight)
        if limits.remaining is not None and limits.remaining < 1 and limits.reset is not None:
            # The quota is spent: its next request is worth waiting for (one at the limit's pace, at most the reset).
            pause = min(limits.reset, 1.0 / rate) if rate else limits.reset
            self._blocked_until = max(self._blocked_until, now + pause)

    def _probing(self, now: float) -> float:
        """Seconds the rate has been above the one last refused (counted in requests at a slow rate), beyond
        ``_PROBE_STEADY``."""
        above = min(now - (self._above_since or now), self._accepted_above / _PROBE_PACE)
        return max(0.0, above - _PROBE_STEADY)

    def _steer(self, left: float, now: float) -> None:
        """Additive increase while the quota is well filled, multiplicative decrease when it runs low."""
        assert self._rate is not None and self._cap is not None
        elapsed, self._steered = max(0.0, now - self._steered), now
        if left < _LOW:
            if now >= self._next_cut:
                factor = 0.5 if left < _LOW / 4 else 0.8
                self._rate = max(self._cap * 0.02, self._rate * factor)
                self._next_cut = now + _CUT_SECONDS * (1.0 + self._random.random())
        elif left >= _RESERVE:
            self._rate = min(self._cap, self._rate + _GROW_PER_SECOND * self._cap * elapsed)

    # -- what it says ---------------------------------------------------------------------

    def _summarise(self) -> None:
        if self._clock() - self._summary_at < SUMMARY_SECONDS:
            return  # read without the lock: most answers need not take it a second time
        with self._cond:
            now = self._clock()
            if now - self._summary_at < SUMMARY_SECONDS:
                return
            elapsed, self._summary_at = now - self._summary_at, now
            waited, refused, sent = self._waited, self._refused, self._sent
            self._waited = self._refused = self._sent = 0
            rate = self._rate
        if not refused and rate is None:
            return  # not paced: nothing to say
        pace = f"{sent / elapsed:.1f} requests/s" + (f" (the limit: about {rate / _MARGIN:.1f}/s)" if rate else "")
        logger.info(
            "paced by the VoiceOS API's rate limit: %d of %d requests in the last %.0fs waited for their turn, "
            "%d were refused (429) and retried; sending at %s",
            waited,
            sent,
            elapsed,
            refused,
            pace,
        )
