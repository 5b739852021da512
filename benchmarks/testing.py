"""Benchmark the two ways ``pulumi_voiceos.testing`` tests a program, on the same program, in one run.

``python -m benchmarks.testing`` (``make bench-testing``; ``make bench`` runs it too) takes the
program of ``examples/testing`` declaring N bindings (100 by default) and times:

- **a unit test**: ``VoiceOSMocks().run(program)``, every binding through the real check, guard
  and create against the in-memory account; no engine, no CLI, no emulator;
- **an integration test** as the ``voiceos_api`` and ``pulumi_stack`` fixtures run it: start an
  emulator, seed the N numbers, make a stack of the program folder (file backend, passphrase),
  ``up``, stop the emulator;
- **the fixture's start-up**: ``voiceos_api`` alone, an emulator started on a free port until it
  answers, and stopped by its pid;
- **the SDK's floor**: the same program under mocks that only echo the inputs back
  (``pulumi.runtime.Mocks`` as its docs show it), which is what the SDK's test runtime costs before
  any provider's rule runs: no mocks of ours can be faster.

Each figure is the median of ``--repetitions`` runs; the ratio of the two tests is the target
(an integration test at least 20 times as long as the unit test of the same program).
Results go to ``<out>/testing.json`` and the section between the markers in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pulumi

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing import VoiceOSMocks
from pulumi_voiceos.testing.api import VoiceOSAPI, environment
from pulumi_voiceos.testing.stack import make_stack

from . import measure, report, run

BEGIN = "<!-- testing-benchmark:begin -->"
END = "<!-- testing-benchmark:end -->"
EXAMPLE = run.REPO / "examples" / "testing"
TARGET_RATIO = 20.0
FIXED_LINES = 2
"""The example's own lines (support and sales); ``extraLines`` adds the rest."""


def _program() -> Callable[[], Any]:
    if str(EXAMPLE) not in sys.path:
        sys.path.insert(0, str(EXAMPLE))
    import lines  # the example's module, as its tests import it

    declare: Callable[[], Any] = lines.declare
    return declare


def _numbers(bindings: int) -> list[str]:
    """The numbers the example declares for ``bindings`` lines."""
    return ["+14155550101", "+14155550102"] + [f"+1415555{1000 + i:04d}" for i in range(bindings - FIXED_LINES)]


def _median(samples: list[float]) -> float:
    return round(statistics.median(samples), 3)


def unit_test(bindings: int) -> float:
    """One unit test of the program under VoiceOSMocks, in seconds."""
    declare = _program()
    started = time.perf_counter()
    mocks = VoiceOSMocks()
    outputs = mocks.run(declare, config={"extraLines": str(bindings - FIXED_LINES)})
    elapsed = time.perf_counter() - started
    if len(outputs) != bindings or mocks.live(_numbers(bindings)[-1]) is None:
        raise AssertionError(f"the unit test declared {len(outputs)} bindings, not {bindings}")
    return elapsed


class _EchoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        return f"{args.name}_id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return dict(args.args), []


def echo_test(bindings: int) -> float:
    """The same program under mocks that echo the inputs: the SDK's test runtime alone, in seconds."""
    declare = _program()
    started = time.perf_counter()
    pulumi.runtime.set_mocks(_EchoMocks(), project="project", stack="stack", preview=False)
    pulumi.runtime.set_all_config({"project:extraLines": str(bindings - FIXED_LINES)})
    try:
        pulumi.runtime.test(declare)()  # type: ignore[no-untyped-call]
    finally:
        pulumi.runtime.set_all_config({})
    return time.perf_counter() - started


def fixture_start(workspace: Path) -> tuple[float, float]:
    """The voiceos_api fixture's set-up (an emulator until it answers) and tear-down, in seconds."""
    started = time.perf_counter()
    process = EmulatorProcess(db_path=workspace / "voiceos.db", token="bench-token").start()
    ready = time.perf_counter()
    process.stop()
    return ready - started, time.perf_counter() - ready


def integration_test(workspace: Path, bindings: int) -> dict[str, float]:
    """One integration test of the program, as the fixtures run it: the phases, in seconds."""
    phases: dict[str, float] = {}
    started = time.perf_counter()
    with EmulatorProcess(db_path=workspace / "voiceos.db", token="bench-token") as process:
        phases["fixture_start"] = time.perf_counter() - started
        api = VoiceOSAPI(process)
        with environment({"VOICEOS_API_URL": api.url, "VOICEOS_API_TOKEN": api.token}):
            mark = time.perf_counter()
            process.seed_many([{"phone_number": n} for n in _numbers(bindings)])
            stack = make_stack(api, workspace / "stack", EXAMPLE, config={"extraLines": str(bindings - FIXED_LINES)})
            phases["seed_and_stack"] = time.perf_counter() - mark
            mark = time.perf_counter()
            done = stack.up()
            phases["up"] = time.perf_counter() - mark
            if len(done.writes) != bindings:
                raise AssertionError(f"the integration test wrote {len(done.writes)} numbers, not {bindings}")
    phases["total"] = time.perf_counter() - started
    return phases


def markdown(figures: dict[str, Any]) -> str:
    n = figures["bindings"]
    unit, integration = figures["unit_seconds"], figures["integration"]
    start, stop = figures["fixture"]["start_seconds"], figures["fixture"]["stop_seconds"]
    ratio = figures["ratio"]
    echo = figures["echo_seconds"]
    met = "met" if ratio >= TARGET_RATIO else "MISSED"
    return "\n".join(
        [
            f"Medians of {figures['repetitions']} runs, {figures['machine']['cores']} cores, "
            f"{figures['machine']['pulumi_cli']}, pulumi {figures['machine']['pulumi_sdk']}.",
            "",
            "| test of the example program | what it runs | seconds |",
            "|---|---|---|",
            f"| unit, `VoiceOSMocks` | {n} bindings through check, guard and create, in memory | {unit:.3f} |",
            f"| integration, `voiceos_api` + `pulumi_stack` | emulator, seed, stack, `up` of {n} bindings "
            f"| {integration['total']:.2f} |",
            f"| of which: the fixture's start | an emulator on a free port, until it answers "
            f"| {integration['fixture_start']:.2f} |",
            f"| of which: seed and stack | {n} numbers seeded, a stack on a file backend "
            f"| {integration['seed_and_stack']:.2f} |",
            f"| of which: `up` | the CLI, the engine, the provider, {n} PATCHes | {integration['up']:.2f} |",
            f"| baseline: echo mocks | the same program under mocks that echo the inputs (the SDK alone) "
            f"| {echo:.3f} |",
            "",
            f"- Integration / unit: **{ratio:.0f}x** (target at least {TARGET_RATIO:.0f}x: {met}).",
            f"- Unit / echo baseline: {unit / echo:.1f}x: of the unit test's {unit:.3f} s, the SDK's test runtime "
            f"takes {echo:.3f} s with no rule run at all; integration / echo baseline: "
            f"{integration['total'] / echo:.0f}x, the most any mocks could reach on this machine.",
            f"- The `voiceos_api` fixture alone: {start:.2f} s to start, {stop:.2f} s to stop "
            "(once per test; once per module or session with `voiceos_api_scope`).",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.testing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bindings", type=int, default=100, help="bindings the program declares (default 100)")
    parser.add_argument("--repetitions", type=int, default=3, help="runs of each test (default 3)")
    parser.add_argument("--out", type=Path, default=run.REPO / "docs" / "performance", help="where testing.json goes")
    parser.add_argument("--doc", type=Path, default=run.REPO / "docs" / "performance.md")
    parser.add_argument("--no-doc", action="store_true", help="leave the markdown file alone")
    args = parser.parse_args(argv)
    if args.bindings < FIXED_LINES or args.repetitions < 1:
        parser.error(f"--bindings must be at least {FIXED_LINES} and --repetitions at least 1")
    units: list[float] = []
    echoes: list[float] = []
    integrations: list[dict[str, float]] = []
    starts: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="voiceos-bench-testing-") as tmp:
        for index in range(args.repetitions):
            echoes.append(echo_test(args.bindings))
            units.append(unit_test(args.bindings))
            print(f"run {index + 1}: unit test {units[-1]:.3f} s", flush=True)
            workspace = Path(tmp) / f"run-{index}"
            workspace.mkdir()
            integrations.append(integration_test(workspace, args.bindings))
            print(f"run {index + 1}: integration test {integrations[-1]['total']:.2f} s", flush=True)
            starts.append(fixture_start(workspace))
    integration = {phase: _median([run_[phase] for run_ in integrations]) for phase in integrations[0]}
    unit = _median(units)
    figures: dict[str, Any] = {
        "machine": measure.machine_and_versions(run.REPO),
        "bindings": args.bindings,
        "repetitions": args.repetitions,
        "unit_seconds": unit,
        "unit_samples": [round(u, 4) for u in units],
        "echo_seconds": _median(echoes),
        "integration": integration,
        "fixture": {"start_seconds": _median([s for s, _ in starts]), "stop_seconds": _median([s for _, s in starts])},
        "ratio": round(integration["total"] / unit, 1),
    }
    figures["target_met"] = figures["ratio"] >= TARGET_RATIO
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "testing.json").write_text(json.dumps(figures, indent=2) + "\n")
    table = markdown(figures)
    if not args.no_doc:
        report.rewrite_section(args.doc, f"{BEGIN}\n{table}\n{END}", begin=BEGIN, end=END)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
