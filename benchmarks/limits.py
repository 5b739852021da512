"""Benchmark ``pulumi up`` under the API's rate limit: the pacer against the limit's floor, in one run.

``python -m benchmarks.limits`` (``make bench-limits``; ``make bench`` runs it too), through the real
CLI on the emulator's token bucket (burst = one second of the limit), each case on a fresh account:

- a dynamic fleet of 1,000 created at 50 requests/s, with the rate-limit headers and with 429s only;
- a fleet of 300 at 5 requests/s, 429s only (the run of the issue that failed);
- 200 bindings at 20 requests/s at the default ``--parallel`` (a GET and a PATCH each);
- a fleet of 1,000 without a limit; and the client's 1,000 PATCHes, 16 at once, with the pacer and with a
  pacer that lets everything through (median of 9 each): what pacing costs where there is no limit.

The floor of a case is its accepted requests / the limit; the API phase (the emulator's log, first request
to last) is held to it, and refusals (429) to 5% of all requests. Results go to ``<out>/limits.json`` and
the section between the markers in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from pulumi_voiceos.api.client import VoiceOSClient
from pulumi_voiceos.api.pacing import Pacer, Slot
from pulumi_voiceos.core.config import Settings
from pulumi_voiceos.core.models import PhoneNumberUpdate

from . import fleet, report, run

BEGIN = "<!-- limits-benchmark:begin -->"
END = "<!-- limits-benchmark:end -->"
REFUSED_LIMIT = 0.05


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "fleet" or "voiceos" (bindings)
    size: int
    per_second: float
    headers: bool
    time_limit: float | None
    """The target: API phase <= time_limit x floor; None for the case without a rate limit."""


def cases(scale: float) -> list[Case]:
    def n(size: int) -> int:
        return max(2, round(size * scale))

    return [
        Case(f"fleet of {n(1000):,} at 50/s, RateLimit headers", "fleet", n(1000), 50, True, 1.10),
        Case(f"fleet of {n(1000):,} at 50/s, 429 + Retry-After only", "fleet", n(1000), 50, False, 1.10),
        Case(f"fleet of {n(300):,} at 5/s, 429 + Retry-After only", "fleet", n(300), 5, False, 1.15),
        Case(f"{n(200):,} bindings at 20/s, default --parallel", "voiceos", n(200), 20, True, 1.2),
        Case(f"fleet of {n(1000):,}, no rate limit", "fleet", n(1000), 0, True, None),
    ]


def measure_case(workspace: Path, case: Case) -> dict[str, Any]:
    root = workspace / case.name.replace(" ", "-").replace(",", "").replace("/", "per")
    with run._account(workspace, 0, case.size) as emulator:
        stack = run._stack(root, case.kind, emulator)
        stack.set_all_config({"count": auto.ConfigValue(str(case.size)), "revision": auto.ConfigValue("r1")})
        if case.per_second:
            emulator.set_rate_limit(case.per_second, headers=case.headers)
        emulator.clear_requests()
        lines: list[str] = []
        started = time.monotonic()
        try:
            stack.up(on_output=lines.append, color="never")
            ok, error = True, None
        except auto.CommandError as exc:
            ok, error = False, str(exc)[-2000:]
        seconds = time.monotonic() - started
        log = emulator.requests()
        emulator.set_rate_limit(0)
        refused = sum(1 for r in log if r["status"] == 429)
        accepted = len(log) - refused
        patched = {r["phone_number"] for r in log if r["method"] == "PATCH" and r["status"] == 200}
        phase = max(r["time"] for r in log) - min(r["time"] for r in log) if log else 0.0
        floor = accepted / case.per_second if case.per_second else None
        return {
            "case": case.name,
            "size": case.size,
            "per_second": case.per_second,
            "headers": case.headers,
            "ok": ok and len(patched) == case.size,
            "error": error,
            "up_seconds": round(seconds, 2),
            "api_phase_seconds": round(phase, 2),
            "requests": len(log),
            "refused": refused,
            "refused_share": round(refused / len(log), 4) if log else 0.0,
            "floor_seconds": None if floor is None else round(floor, 2),
            "ratio": None if not floor else round(phase / floor, 3),
            "up_ratio": None if not floor else round(seconds / floor, 3),
            "output_lines": len([line for line in lines if line.strip()]),
            "paced_lines": sum(1 for line in lines if "paced by the VoiceOS API" in line),
        }


class _Unpaced(Pacer):
    """A pacer that lets every request through at once and learns nothing: the client as it was."""

    @contextlib.contextmanager
    def turn(self, operation: str) -> Iterator[Slot]:
        yield Slot(0, 0.0)

    def accepted(self, headers: Mapping[str, str], *, progress: bool = True) -> None:
        return None


def pacing_overhead(workspace: Path, size: int, repetitions: int = 9) -> dict[str, Any]:
    """``size`` PATCHes, ``Settings.max_concurrency`` at once, without a limit: paced against unpaced."""
    seconds: dict[str, list[float]] = {"paced": [], "unpaced": []}
    with run._account(workspace, 0, size) as emulator:
        numbers = [fleet.phone_number(i) for i in range(size)]
        update = PhoneNumberUpdate(inbound_agent_id=fleet.AGENT_ID)
        for _ in range(repetitions):
            for kind, took in seconds.items():
                pacer = Pacer() if kind == "paced" else _Unpaced()
                with VoiceOSClient(Settings(emulator.url, run.TOKEN), pacer=pacer) as client:
                    started = time.monotonic()
                    with ThreadPoolExecutor(Settings.max_concurrency) as pool:
                        list(pool.map(lambda n, c=client, u=update: c.update_phone_number(n, u), numbers))
                    took.append(time.monotonic() - started)
    paced, unpaced = statistics.median(seconds["paced"]), statistics.median(seconds["unpaced"])
    return {
        "size": size,
        "paced_seconds": round(paced, 3),
        "unpaced_seconds": round(unpaced, 3),
        "ratio": round(paced / unpaced, 3),
    }


def targets(results: list[dict[str, Any]], all_cases: list[Case]) -> list[dict[str, Any]]:
    found = []
    for case, figures in zip(all_cases, results, strict=True):
        if case.time_limit is None:
            continue
        found.append(
            {
                "name": f"{case.name}: succeeds, API phase <= {case.time_limit:.2f} x floor, refused <= 5%",
                "figure": f"{figures['ratio']} x floor, {figures['refused_share']:.1%} refused",
                "met": bool(
                    figures["ok"]
                    and figures["ratio"] is not None
                    and figures["ratio"] <= case.time_limit
                    and figures["refused_share"] <= REFUSED_LIMIT
                ),
            }
        )
    return found


def table(results: list[dict[str, Any]], found: list[dict[str, Any]], overhead: dict[str, Any]) -> str:
    rows = [
        "| case | N | succeeded | requests | refused (429) | floor | API phase | ratio | whole `up` | output lines |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in results:
        floor = "-" if f["floor_seconds"] is None else f"{f['floor_seconds']} s"
        ratio = "-" if f["ratio"] is None else f"{f['ratio']:.3f}"
        rows.append(
            f"| {f['case']} | {f['size']:,} | {'yes' if f['ok'] else 'NO'} | {f['requests']:,} | "
            f"{f['refused']} ({f['refused_share']:.1%}) | {floor} | {f['api_phase_seconds']} s | {ratio} | "
            f"{f['up_seconds']} s | {f['output_lines']} ({f['paced_lines']} about pacing) |"
        )
    rows += [
        "",
        f"Without a limit, {overhead['size']:,} PATCHes of the client, {Settings.max_concurrency} at once "
        f"(median of 9, interleaved): {overhead['paced_seconds']} s paced, {overhead['unpaced_seconds']} s "
        f"through a pacer that lets everything through, a ratio of {overhead['ratio']}.",
    ]
    rows += ["", "| target | figure | met |", "|---|---|---|"]
    rows += [f"| {t['name']} | {t['figure']} | {'yes' if t['met'] else 'NO'} |" for t in found]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.limits", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every N (the smoke test uses 0.01)")
    parser.add_argument("--out", type=Path, default=run.REPO / "docs" / "performance", help="where limits.json goes")
    parser.add_argument("--doc", type=Path, default=run.REPO / "docs" / "performance.md")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    all_cases = cases(args.scale)
    results = []
    with tempfile.TemporaryDirectory(prefix="voiceos-limits-work-") as workspace:
        for case in all_cases:
            figures = measure_case(Path(workspace), case)
            results.append(figures)
            print(
                f"{case.name}: ok={figures['ok']} api phase {figures['api_phase_seconds']} s, "
                f"ratio {figures['ratio']}, refused {figures['refused']}/{figures['requests']}, "
                f"whole up {figures['up_seconds']} s",
                flush=True,
            )
        overhead = pacing_overhead(Path(workspace), max(10, round(1000 * args.scale)))
    found = targets(results, all_cases)
    found.append(
        {
            "name": "without a limit, the pacer's client against an unpaced one: <= 1.10",
            "figure": f"{overhead['ratio']}",
            "met": overhead["ratio"] <= 1.10,
        }
    )
    (out / "limits.json").write_text(json.dumps({"results": results, "overhead": overhead, "targets": found}, indent=2))
    text = table(results, found, overhead)
    print(text)
    report.rewrite_section(args.doc, f"{BEGIN}\n{text}\n{END}", begin=BEGIN, end=END)
    return 0 if all(t["met"] for t in found) or args.scale < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
