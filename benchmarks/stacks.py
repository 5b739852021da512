"""Benchmark stacks deploying at once against one rate limit, and a budget: ``python -m benchmarks.stacks``.

``make bench-stacks`` (``make bench`` runs it too), through the real CLI on the emulator's one token bucket
(burst = one second of the limit), each stack its own state and provider process, as separate CI jobs are:

- 4 stacks x a fleet of 2,500 at 100 requests/s, ``up`` then ``destroy`` all at once, with the RateLimit headers
  and with 429 + Retry-After only: the API phase (first request to last, all stacks) against the floor (accepted
  requests / the limit), and the refused share of each stack's requests;
- a fleet of 1,000 with ``voiceos:maxRequestsPerSecond = 20`` and no limit: the rate over the run and the most
  in any 2 seconds.

Results go to ``<out>/stacks.json`` and the section between the markers in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.backend import LocalBackend

from . import fleet, report, run
from .pacing import peak_rate

BEGIN = "<!-- stacks-benchmark:begin -->"
END = "<!-- stacks-benchmark:end -->"
STACKS = 4
LIMIT = 100.0
BUDGET = 20.0
TIME_LIMIT = 1.15
REFUSED_LIMIT = 0.05


def _stack(root: Path, emulator: EmulatorProcess, first: int, count: int, extra: dict[str, str]) -> auto.Stack:
    work_dir = run._project(root, "stacks")
    backend = LocalBackend(root)
    config = {"first": str(first), "count": str(count), **extra}
    return backend.stack(work_dir, name=run.STACK, env=backend.env(emulator), config=config)


def _stack_of(number: str | None, size: int) -> int | None:
    return None if number is None else int(number[5:]) // size


def _phase(emulator: EmulatorProcess, stacks: list[auto.Stack], step: str, size: int) -> dict[str, Any]:
    emulator.clear_requests()
    with ThreadPoolExecutor(len(stacks)) as pool:
        outcomes = list(pool.map(lambda s: _run(s, step), stacks))
    log = emulator.requests()
    times = [r["time"] for r in log]
    refused = [r for r in log if r["status"] == 429]
    phase = max(times) - min(times)
    floor = (len(log) - len(refused)) / LIMIT
    each = []
    for k in range(len(stacks)):
        mine = [r for r in log if _stack_of(r["phone_number"], size) == k]
        each.append(round(sum(1 for r in mine if r["status"] == 429) / max(1, len(mine)), 4))
    return {
        "ok": all(ok for ok, _ in outcomes),
        "errors": [error for _, error in outcomes if error],
        "requests": len(log),
        "refused": len(refused),
        "refused_share": round(len(refused) / len(log), 4),
        "each_refused_share": each,
        "api_phase_seconds": round(phase, 2),
        "floor_seconds": round(floor, 2),
        "ratio": round(phase / floor, 3),
    }


def _run(stack: auto.Stack, step: str) -> tuple[bool, str | None]:
    try:
        if step == "up":
            stack.up(color="never", on_output=lambda _: None)
        else:
            stack.destroy(color="never", on_output=lambda _: None)
    except auto.CommandError as exc:
        return False, str(exc)[-2000:]
    return True, None


def many_stacks(workspace: Path, size: int, headers: bool) -> dict[str, Any]:
    """``STACKS`` stacks of ``size`` each, ``up`` then ``destroy`` at once, under one limit."""
    root = workspace / f"stacks-{'headers' if headers else '429-only'}"
    with EmulatorProcess(db_path=workspace / f"emulator-{headers}.db", token=run.TOKEN) as emulator:
        emulator.seed_many([{"phone_number": fleet.phone_number(i)} for i in range(STACKS * size)])
        stacks = [_stack(root / f"stack-{k}", emulator, k * size, size, {}) for k in range(STACKS)]
        emulator.set_rate_limit(LIMIT, headers=headers)
        figures = {step: _phase(emulator, stacks, step, size) for step in ("up", "destroy")}
        emulator.set_rate_limit(0)
    return {"headers": headers, "size": size, **figures}


def budget(workspace: Path, size: int) -> dict[str, Any]:
    """One fleet of ``size`` with ``voiceos:maxRequestsPerSecond`` and no limit: the rate it kept to."""
    with EmulatorProcess(db_path=workspace / "emulator-budget.db", token=run.TOKEN) as emulator:
        emulator.seed_many([{"phone_number": fleet.phone_number(i)} for i in range(size)])
        stack = _stack(workspace / "budget", emulator, 0, size, {"voiceos:maxRequestsPerSecond": f"{BUDGET:g}"})
        emulator.clear_requests()
        ok, error = _run(stack, "up")
        times = sorted(r["time"] for r in emulator.requests())
    return {
        "ok": ok,
        "error": error,
        "size": size,
        "budget": BUDGET,
        "requests": len(times),
        "rate": round((len(times) - 1) / (times[-1] - times[0]), 2),
        "peak_2s_rate": peak_rate(times, 2.0),
    }


def targets(cases: list[dict[str, Any]], kept: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for case in cases:
        mode = "RateLimit headers" if case["headers"] else "429 + Retry-After only"
        for step in ("up", "destroy"):
            f = case[step]
            found.append(
                {
                    "name": f"{STACKS} stacks, `{step}` at once, {mode}: all succeed, <= {TIME_LIMIT} x floor, "
                    f"each stack <= 5% refused",
                    "figure": f"{f['ratio']} x floor, {max(f['each_refused_share']):.1%} refused at most",
                    "met": bool(f["ok"] and f["ratio"] <= TIME_LIMIT and max(f["each_refused_share"]) <= REFUSED_LIMIT),
                }
            )
    found.append(
        {
            "name": f"a budget of {BUDGET:g}/s: the run's rate <= 1.05 x, no 2 seconds > 1.5 x",
            "figure": f"{kept['rate']}/s over the run, {kept['peak_2s_rate']}/s at most in 2 s",
            "met": bool(kept["ok"] and kept["rate"] <= 1.05 * BUDGET and kept["peak_2s_rate"] <= 1.5 * BUDGET),
        }
    )
    return found


def table(cases: list[dict[str, Any]], kept: dict[str, Any], found: list[dict[str, Any]]) -> str:
    rows = [
        "| case | step | succeeded | requests | refused (429) | each stack's refused | floor | API phase | ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for case in cases:
        name = f"{STACKS} x {case['size']:,} at {LIMIT:g}/s, " + ("headers" if case["headers"] else "429 only")
        for step in ("up", "destroy"):
            f = case[step]
            each = ", ".join(f"{share:.1%}" for share in f["each_refused_share"])
            rows.append(
                f"| {name} | `{step}` | {'yes' if f['ok'] else 'NO'} | {f['requests']:,} | "
                f"{f['refused']} ({f['refused_share']:.1%}) | {each} | {f['floor_seconds']} s | "
                f"{f['api_phase_seconds']} s | {f['ratio']:.3f} |"
            )
    rows += [
        "",
        f"A fleet of {kept['size']:,} with `voiceos:maxRequestsPerSecond = {BUDGET:g}` and no limit: "
        f"{kept['requests']:,} requests at {kept['rate']}/s over the run, {kept['peak_2s_rate']}/s at most in "
        "any 2 seconds.",
        "",
        "| target | figure | met |",
        "|---|---|---|",
    ]
    rows += [f"| {t['name']} | {t['figure']} | {'yes' if t['met'] else 'NO'} |" for t in found]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stacks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every N (the smoke test uses 0.004)")
    parser.add_argument("--out", type=Path, default=run.REPO / "docs" / "performance", help="where stacks.json goes")
    parser.add_argument("--doc", type=Path, default=run.REPO / "docs" / "performance.md")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    size, budget_size = max(10, round(2500 * args.scale)), max(10, round(1000 * args.scale))
    with tempfile.TemporaryDirectory(prefix="voiceos-stacks-work-") as workspace:
        cases = []
        for headers in (True, False):
            case = many_stacks(Path(workspace), size, headers)
            cases.append(case)
            print(json.dumps(case), flush=True)
        kept = budget(Path(workspace), budget_size)
        print(json.dumps(kept), flush=True)
    found = targets(cases, kept)
    (out / "stacks.json").write_text(json.dumps({"cases": cases, "budget": kept, "targets": found}, indent=2))
    text = table(cases, kept, found)
    print(text)
    report.rewrite_section(args.doc, f"{BEGIN}\n{text}\n{END}", begin=BEGIN, end=END)
    return 0 if all(t["met"] for t in found) or args.scale < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
