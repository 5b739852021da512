"""Benchmark ``PhoneNumberBinding`` against the engine's floor for dynamic resources.

``python -m benchmarks.run`` (or ``make bench``): for each emulator latency and
each fleet size N, deploy N bindings and, in the same run, N resources of a
provider that does nothing, through the real Pulumi CLI (Automation API, file
backend, passphrase secrets). Each repetition runs the whole life cycle on a
fresh stack: ``up`` (create), ``preview`` and ``up`` with no change, ``up``
changing every webhook, ``refresh``, ``destroy``. Ours and the baseline take
turns going first, so drift in the machine's speed falls on both. Each N gets
an emulator account of exactly N numbers, so a refresh's listing has
ceil(N/200) pages.

At the checkpoint-study size (1,000 by default) ours and the baseline run one
more life cycle each with ``PULUMI_SKIP_CHECKPOINTS=true``, the file backend's
only option for big stacks, to show what it saves and trades away.

Results go to ``<out>/results.json``, ``<out>/time-vs-n.png`` and
``<out>/time-vs-n-loglog.png``, and the section between the markers in
``docs/performance.md`` is rewritten.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.backend import LocalBackend, pulumi_cli, python_project

from . import fleet, measure, report

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = Path(__file__).parent / "programs"
PROJECT = "voiceos-bench"
STACK = "bench"
TOKEN = "bench-token"
KINDS = ("voiceos", "baseline", "baseline_same_outputs")
PROGRAMS_OF = {
    "voiceos": ("voiceos", {}),
    "baseline": ("baseline", {"outputs": "inputs"}),
    "baseline_same_outputs": ("baseline", {"outputs": "binding"}),
    "native": ("native", {}),
    "fleet": ("fleet_resource", {}),
    "fleet_noop": ("fleet_noop", {"outputs": "none"}),
}
"""Ours; the floor (a provider that does nothing); the floor for a resource that keeps
what a binding keeps (same outputs and secret). The last runs at 0 ms latency only,
where it explains the ratio; with latency only ours talks to the API."""
OPERATIONS = tuple(report.LABELS)


@dataclass
class Sample:
    """One operation of one repetition."""

    seconds: float
    requests: int
    requests_by_method: dict[str, int]
    provider_peak_kib: int | None
    cpu_seconds: dict[str, float]
    """CPU time by process: engine, program, provider, and the emulator serving the API."""


class BenchmarkError(RuntimeError):
    """An operation did not do what the benchmark needs it to (the timing would be meaningless)."""


def _project(root: Path, program: str) -> Path:
    work_dir = root / "project"
    work_dir.mkdir(parents=True)
    for source in (PROGRAMS / program).glob("*.py"):
        shutil.copy(source, work_dir / source.name)
    shutil.copy(PROGRAMS / "noop_provider.py", work_dir / "noop_provider.py")
    shutil.copy(Path(fleet.__file__), work_dir / "fleet.py")
    return python_project(work_dir, PROJECT)


def _stack(root: Path, kind: str, emulator: EmulatorProcess, extra_env: dict[str, str] | None = None) -> auto.Stack:
    program, config = PROGRAMS_OF[kind]
    work_dir = _project(root, program)
    backend = LocalBackend(root)
    # The baseline's provider module must be importable in the provider process.
    env = {**backend.env(emulator), "PYTHONPATH": str(work_dir), **(extra_env or {})}
    return backend.stack(work_dir, name=STACK, env=env, config=config)


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise BenchmarkError(what)


def _measure(root: Path, emulator: EmulatorProcess, action: Callable[[], Any]) -> tuple[Sample, Any]:
    emulator.clear_requests()
    assert emulator.pid is not None
    sampler = measure.ProcessSampler(marker=f"PULUMI_HOME={root / 'pulumi-home'}")
    emulator_cpu = measure.cpu_seconds(emulator.pid) or 0.0
    with sampler.running():
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
    emulator_cpu = (measure.cpu_seconds(emulator.pid) or 0.0) - emulator_cpu
    logged = emulator.requests()
    sample = Sample(
        seconds=seconds,
        requests=len(logged),
        requests_by_method=dict(Counter(str(r.get("method")) for r in logged)),
        provider_peak_kib=sampler.peak_kib("provider"),
        cpu_seconds={
            **{role: round(sampler.role_cpu_seconds(role), 3) for role in ("engine", "program", "provider")},
            "emulator": round(emulator_cpu, 3),
        },
    )
    return sample, result


def _changes(summary: dict[str, int] | None) -> dict[str, int]:
    return {op: count for op, count in (summary or {}).items() if op != "same" and count}


def life_cycle(
    root: Path, kind: str, size: int, emulator: EmulatorProcess, extra_env: dict[str, str] | None = None
) -> tuple[dict[str, Sample], Any]:
    """Run every operation once on a fresh stack; return the samples and the state after create."""
    stack = _stack(root, kind, emulator, extra_env)
    stack.set_all_config({"count": auto.ConfigValue(str(size)), "revision": auto.ConfigValue("r1")})
    samples: dict[str, Sample] = {}

    # The stack itself is a resource too: created by the first up, deleted by destroy.
    samples["create"], up = _measure(root, emulator, stack.up)
    _expect(up.summary.resource_changes.get("create") == size + 1, f"{kind}: create made {up.summary.resource_changes}")
    state = _state(root, stack)

    samples["preview"], preview = _measure(root, emulator, stack.preview)
    _expect(not _changes(preview.change_summary), f"{kind}: no-change preview showed {preview.change_summary}")

    samples["noop_up"], up = _measure(root, emulator, stack.up)
    _expect(not _changes(up.summary.resource_changes), f"{kind}: no-change up made {up.summary.resource_changes}")

    stack.set_config("revision", auto.ConfigValue("r2"))
    samples["update"], up = _measure(root, emulator, stack.up)
    _expect(up.summary.resource_changes.get("update") == size, f"{kind}: update made {up.summary.resource_changes}")

    samples["refresh"], refresh = _measure(root, emulator, stack.refresh)
    _expect(
        not _changes({k: v for k, v in (refresh.summary.resource_changes or {}).items() if k != "refresh"}),
        f"{kind}: refresh found drift {refresh.summary.resource_changes}",
    )

    samples["destroy"], destroy = _measure(root, emulator, stack.destroy)
    _expect(
        destroy.summary.resource_changes.get("delete") == size + 1,
        f"{kind}: destroy made {destroy.summary.resource_changes}",
    )
    return samples, state


def _state(root: Path, stack: auto.Stack) -> measure.StateFigures:
    checkpoint = root / "state" / ".pulumi" / "stacks" / PROJECT / f"{STACK}.json"
    stored = json.loads(checkpoint.read_text())["checkpoint"]["latest"]
    exported = pulumi_cli(stack, "stack", "export", "--show-secrets").stdout
    return measure.state_figures(stored, json.loads(exported)["deployment"], checkpoint.stat().st_size)


def _summarise(samples: Sequence[Sample], size: int) -> dict[str, Any]:
    peaks = [s.provider_peak_kib for s in samples if s.provider_peak_kib is not None]
    methods: Counter[str] = Counter()
    for s in samples:
        methods.update(s.requests_by_method)
    return {
        "seconds": [round(s.seconds, 4) for s in samples],
        "median_seconds": round(statistics.median(s.seconds for s in samples), 4),
        "requests_per_resource": round(statistics.median(s.requests for s in samples) / size, 3),
        "requests_per_resource_by_method": {m: round(c / len(samples) / size, 3) for m, c in sorted(methods.items())},
        "provider_peak_mib": round(max(peaks) / 1024, 1) if peaks else None,
        "median_cpu_seconds": {
            role: round(statistics.median(s.cpu_seconds[role] for s in samples), 3) for role in samples[0].cpu_seconds
        },
    }


def run_size(
    workspace: Path, emulator: EmulatorProcess, size: int, repetitions: int, latency_ms: int
) -> dict[str, Any]:
    kinds = KINDS if latency_ms == 0 else KINDS[:2]
    samples: dict[str, dict[str, list[Sample]]] = {k: {op: [] for op in OPERATIONS} for k in kinds}
    states: dict[str, measure.StateFigures] = {}
    for repetition in range(repetitions):
        # Each kind goes first in turn, so a machine slowing down falls on all of them.
        shift = repetition % len(kinds)
        for kind in kinds[shift:] + kinds[:shift]:
            root = workspace / f"{latency_ms}ms-n{size}-{kind}-{repetition}"
            print(f"  N={size} {kind} repetition {repetition + 1}/{repetitions}", flush=True)
            cycle, state = life_cycle(root, kind, size, emulator)
            states.setdefault(kind, state)
            for op, sample in cycle.items():
                samples[kind][op].append(sample)
            shutil.rmtree(root, ignore_errors=True)
    operations: dict[str, Any] = {}
    for op in OPERATIONS:
        figures = {kind: _summarise(samples[kind][op], size) for kind in kinds}
        ours, baseline = figures["voiceos"]["median_seconds"], figures["baseline"]["median_seconds"]
        figures["ratio"] = round(ours / baseline, 3)
        if "baseline_same_outputs" in figures:
            same = figures["baseline_same_outputs"]["median_seconds"]
            figures["ratio_to_same_outputs"] = round(ours / same, 3)
            figures["same_outputs_to_baseline"] = round(same / baseline, 3)
        operations[op] = figures
    state = {
        k: {**asdict(v), "engine_metadata_per_resource": v.engine_metadata_per_resource} for k, v in states.items()
    }
    return {"size": size, "operations": operations, "state": state}


def checkpoint_study(workspace: Path, emulator: EmulatorProcess, size: int) -> dict[str, Any]:
    """One life cycle of ours and of the baseline with PULUMI_SKIP_CHECKPOINTS=true (state written once, at the end)."""
    figures: dict[str, Any] = {"size": size, "env": {"PULUMI_SKIP_CHECKPOINTS": "true"}, "kinds": {}}
    for kind in KINDS[:2]:
        root = workspace / f"skip-checkpoints-n{size}-{kind}"
        print(f"  N={size} {kind} with PULUMI_SKIP_CHECKPOINTS=true", flush=True)
        cycle, _ = life_cycle(root, kind, size, emulator, {"PULUMI_SKIP_CHECKPOINTS": "true"})
        figures["kinds"][kind] = {op: round(sample.seconds, 3) for op, sample in cycle.items()}
        shutil.rmtree(root, ignore_errors=True)
    return figures


def _account(workspace: Path, latency: int, size: int) -> EmulatorProcess:
    """An emulator whose account holds exactly the N numbers the programs declare, all unbound."""
    emulator = EmulatorProcess(db_path=workspace / f"emulator-{latency}ms-n{size}.db", token=TOKEN).start()
    emulator.seed_many([{"phone_number": fleet.phone_number(i)} for i in range(size)])
    emulator.set_latency(latency)
    return emulator


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10,100,300,1000", help="fleet sizes N, comma-separated (default 10,100,300,1000; add 3000)"
    )
    parser.add_argument("--repetitions", type=int, default=3, help="life cycles per kind and N; the median is kept")
    parser.add_argument(
        "--large-repetitions",
        type=int,
        default=1,
        help="life cycles per kind for N >= 1000, where one takes minutes (default 1)",
    )
    parser.add_argument(
        "--checkpoint-study",
        type=int,
        default=1000,
        metavar="N",
        help="N at which to also run with PULUMI_SKIP_CHECKPOINTS=true (0: skip; default 1000, if among --sizes)",
    )
    parser.add_argument("--latencies", default="0,50", help="emulator latency per API request, ms (default 0,50)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "performance", help="where results go")
    parser.add_argument(
        "--doc", type=Path, default=REPO / "docs" / "performance.md", help="markdown file whose table is rewritten"
    )
    parser.add_argument("--no-doc", action="store_true", help="leave the markdown file alone")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    latencies = [int(s) for s in args.latencies.split(",")]
    if args.repetitions < 1 or args.large_repetitions < 1 or not sizes or min(sizes) < 1 or min(latencies) < 0:
        parser.error("sizes and repetitions must be positive, latencies not negative")
    if shutil.which("pulumi") is None:
        parser.error("the pulumi CLI is not on PATH; run `make bench`, which builds and uses the pinned one")

    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": measure.machine_and_versions(REPO),
        "parameters": {
            "sizes": sizes,
            "repetitions": args.repetitions,
            "large_repetitions": args.large_repetitions,
            "latencies_ms": latencies,
        },
        "engine": {
            "provider_server_workers": measure.provider_server_workers(),
            "default_parallel": measure.engine_default_parallel(),
        },
    }
    print("import time of pulumi_voiceos on top of pulumi...", flush=True)
    results["import"] = asdict(measure.import_figures())
    results["runs"] = []
    with tempfile.TemporaryDirectory(prefix="voiceos-bench-") as tmp:
        workspace = Path(tmp)
        for latency in latencies:
            for size in sizes:
                print(f"latency {latency} ms, N={size}", flush=True)
                repetitions = args.repetitions if size < 1000 else min(args.repetitions, args.large_repetitions)
                with _account(workspace, latency, size) as emu:
                    run = run_size(workspace, emu, size, repetitions, latency)
                run["latency_ms"] = latency
                run["repetitions"] = repetitions
                results["runs"].append(run)
        if args.checkpoint_study in sizes and 0 in latencies:
            with _account(workspace, 0, args.checkpoint_study) as emu:
                results["skip_checkpoints"] = checkpoint_study(workspace, emu, args.checkpoint_study)
    results["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = report.check_targets(results)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    chart = report.write_chart(results, args.out / "time-vs-n.png")
    report.write_chart(results, args.out / "time-vs-n-loglog.png", log_log=True)
    table = report.markdown(results, chart_path=chart, doc_dir=args.doc.parent)
    if not args.no_doc:
        report.rewrite_section(args.doc, table)
    print(table)
    print(f"results: {args.out / 'results.json'}")
    missed = [t["name"] for t in results["targets"] if not t["met"]]
    if missed:
        print(f"targets missed ({len(missed)}): " + "; ".join(missed))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
