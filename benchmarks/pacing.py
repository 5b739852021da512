"""The pacer alone, several provider processes against one rate limit: ``python -m benchmarks.pacing``.

Each process is a client with its own ``Pacer``, writing its share of the account 16 at once, as a fleet does;
faster to iterate on than ``benchmarks.stacks``, which drives the real CLI.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pulumi_voiceos.api.client import VoiceOSClient
from pulumi_voiceos.core.config import Settings
from pulumi_voiceos.core.models import PhoneNumberUpdate
from pulumi_voiceos.emulator import EmulatorProcess

from . import fleet, run


def _work(url: str, numbers: list[str], reads: bool, budget: float | None, start_at: float) -> dict[str, Any]:
    settings = Settings(url, run.TOKEN, max_requests_per_second=budget)
    update = PhoneNumberUpdate(inbound_agent_id=fleet.AGENT_ID)
    time.sleep(max(0.0, start_at - time.time()))
    started = time.monotonic()
    with VoiceOSClient(settings) as client:

        def one(number: str) -> None:
            if reads:
                client.get_phone_number(number)
            client.update_phone_number(number, update)

        with ThreadPoolExecutor(Settings.max_concurrency) as pool:
            list(pool.map(one, numbers))
        return {**client.pacer.totals, "seconds": time.monotonic() - started}


def peak_rate(times: list[float], window: float) -> float:
    """The most requests per second in any ``window`` seconds (each window starting at a request)."""
    ordered = sorted(times)
    most = end = 0
    for start, t in enumerate(ordered):
        while end < len(ordered) and ordered[end] < t + window:
            end += 1
        most = max(most, end - start)
    return most / window


def measure(
    processes: int, size: int, limit: float, *, headers: bool, reads: bool, budget: float | None
) -> dict[str, Any]:
    """``processes`` clients at once, ``size`` numbers each, against one limit (0: none)."""
    with (
        tempfile.TemporaryDirectory(prefix="voiceos-pacing-") as workspace,
        EmulatorProcess(db_path=Path(workspace) / "emulator.db", token=run.TOKEN) as emulator,
    ):
        emulator.seed_many([{"phone_number": fleet.phone_number(i)} for i in range(processes * size)])
        if limit:
            emulator.set_rate_limit(limit, headers=headers)
        emulator.clear_requests()
        start_at = time.time() + 1.0
        slices = [[fleet.phone_number(p * size + i) for i in range(size)] for p in range(processes)]
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            each = pool.starmap(_work, [(emulator.url, s, reads, budget, start_at) for s in slices])
        log = emulator.requests()
        emulator.set_rate_limit(0)
    times = [r["time"] for r in log]
    refused = sum(1 for r in log if r["status"] == 429)
    phase = max(times) - min(times)
    floor = (len(log) - refused) / (limit or budget or 1)
    return {
        "phase": round(phase, 2),
        "ratio": round(phase / floor, 3),
        "refused": round(refused / len(log), 4),
        "each_refused": [round(e["refused"] / e["sent"], 4) for e in each],
        "each_seconds": [round(e["seconds"], 1) for e in each],
        "rate": round(len(log) / phase, 1),
        "peak_2s": peak_rate(times, 2.0),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pacing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--size", type=int, default=500, help="numbers per process")
    parser.add_argument("--limit", type=float, default=100, help="the API's requests/s (0: none)")
    parser.add_argument("--no-headers", action="store_true", help="429 + Retry-After only")
    parser.add_argument("--reads", action="store_true", help="a GET before each PATCH, as a destroy")
    parser.add_argument("--budget", type=float, default=None, help="voiceos:maxRequestsPerSecond")
    args = parser.parse_args(argv)
    figures = measure(
        args.processes, args.size, args.limit, headers=not args.no_headers, reads=args.reads, budget=args.budget
    )
    print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
