"""Benchmark the native provider against the engine's concurrency bound and the dynamic provider.

``python -m benchmarks.native`` (or ``make bench-native``), through the real
CLI like ``benchmarks.run``, on one emulator account of N numbers:

- ``up`` creating N bindings with each provider at 0 ms of API latency (what
  the engine and the provider cost without waiting) and at ``--latency`` ms;
- the bound the engine's concurrency sets on that ``up``: the 0 ms time, plus
  the checks' one listing of the account (ceil(N / 200) pages, one after the
  other, while every check waits for it), plus ceil(N / P) rounds of one create
  each (1 GET + 1 PATCH, so 2 x latency), where P is how many steps run at once: the engine's default ``--parallel``
  (4 per CPU) for the native provider, and the dynamic provider server's 4
  worker threads for the dynamic one. Target: native <= 1.2 x its bound;
- the API requests of a no-change ``preview`` and ``up`` (target 0);
- ``pulumi import --file`` of N existing bindings into a stack of the native
  provider (target: N GETs, no PATCH), with ``--skip-preview`` (a preview pass
  would read every number once more).

Figures are printed and written to ``<out>/native.json``; the section between
the markers in ``docs/performance.md`` is rewritten.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from pulumi_voiceos.testing.backend import pulumi_cli

from . import fleet, measure, report, run

BEGIN = "<!-- native-benchmark:begin -->"
END = "<!-- native-benchmark:end -->"
KINDS = ("native", "voiceos")
"""The native provider and the dynamic one (``voiceos`` in benchmarks.run)."""


def _create(workspace: Path, kind: str, size: int, latency: int, repetition: int) -> dict[str, Any]:
    """One ``up`` creating N bindings, then a no-change preview and up; the stack is destroyed at 0 ms."""
    with run._account(workspace, latency, size) as emulator:
        root = workspace / f"{kind}-{latency}ms-{repetition}"
        stack = run._stack(root, kind, emulator)
        stack.set_all_config({"count": auto.ConfigValue(str(size)), "revision": auto.ConfigValue("r1")})
        create, up = run._measure(root, emulator, stack.up)
        run._expect(up.summary.resource_changes.get("create") == size + 1, f"{kind}: create made {up.summary}")
        preview, _ = run._measure(root, emulator, stack.preview)
        noop, _ = run._measure(root, emulator, stack.up)
        bound = [n for n in range(size) if (emulator.get_number(fleet.phone_number(n)) or {}).get("inbound_agent_id")]
        run._expect(len(bound) == size, f"{kind}: {size - len(bound)} numbers are not bound after up")
        return {
            "seconds": round(create.seconds, 3),
            "requests": create.requests_by_method,
            "preview_requests": preview.requests,
            "noop_up_requests": noop.requests,
        }


def _import(workspace: Path, size: int, latency: int) -> dict[str, Any]:
    """``pulumi import --file`` of N bound numbers into an empty stack of a YAML project."""
    root = workspace / f"import-{latency}ms"
    with run._account(workspace, latency, size) as emulator:
        emulator.seed_many(
            [
                {
                    "phone_number": fleet.phone_number(i),
                    "inbound_agent_id": fleet.AGENT_ID,
                    "webhooks": fleet.webhooks(i, "r1"),
                }
                for i in range(size)
            ]
        )
        stack = run._stack(root, "native", emulator)
        (Path(stack.workspace.work_dir) / "Pulumi.yaml").write_text(f"name: {run.PROJECT}\nruntime: yaml\n")
        plan = root / "import.json"
        resources = [
            {"type": "voiceos:index:PhoneNumberBinding", "name": f"line-{i}", "id": fleet.phone_number(i)}
            for i in range(size)
        ]
        plan.write_text(json.dumps({"resources": resources}))
        options = ["--file", str(plan), "--yes", "--skip-preview", "--out", str(root / "imported.yaml")]

        def imported() -> None:
            pulumi_cli(stack, "import", *options)

        sample, _ = run._measure(root, emulator, imported)
        return {"seconds": round(sample.seconds, 3), "requests": sample.requests_by_method}


def measure_native(size: int, latency: int, repetitions: int) -> dict[str, Any]:
    parallel = measure.engine_default_parallel()
    workers = measure.provider_server_workers()
    concurrency = {"native": parallel, "voiceos": workers}
    figures: dict[str, Any] = {
        "size": size,
        "latency_ms": latency,
        "repetitions": repetitions,
        "engine_default_parallel": parallel,
        "dynamic_provider_workers": workers,
        "kinds": {},
    }
    with tempfile.TemporaryDirectory(prefix="voiceos-bench-native-") as tmp:
        workspace = Path(tmp)
        for kind in KINDS:
            runs: dict[int, list[dict[str, Any]]] = {0: [], latency: []}
            for repetition in range(repetitions):
                for ms in (0, latency):
                    print(f"  {kind}: up of {size} at {ms} ms, repetition {repetition + 1}/{repetitions}", flush=True)
                    runs[ms].append(_create(workspace, kind, size, ms, repetition))
            zero = statistics.median(r["seconds"] for r in runs[0])
            slow = statistics.median(r["seconds"] for r in runs[latency])
            rounds = math.ceil(size / concurrency[kind])
            pages = math.ceil(size / 200)
            bound = zero + (pages + rounds * 2) * latency / 1000
            figures["kinds"][kind] = {
                "concurrency": concurrency[kind],
                "seconds_at_0ms": round(zero, 3),
                f"seconds_at_{latency}ms": round(slow, 3),
                "bound_seconds": round(bound, 3),
                "ratio_to_bound": round(slow / bound, 3),
                "create_requests": runs[latency][0]["requests"],
                "noop_preview_requests": max(r["preview_requests"] for r in runs[latency]),
                "noop_up_requests": max(r["noop_up_requests"] for r in runs[latency]),
            }
        print(f"  native: pulumi import --file of {size} at {latency} ms", flush=True)
        figures["import"] = _import(workspace, size, latency)
    native, dynamic = figures["kinds"]["native"], figures["kinds"]["voiceos"]
    figures["native_to_dynamic"] = round(native[f"seconds_at_{latency}ms"] / dynamic[f"seconds_at_{latency}ms"], 3)
    figures["targets"] = [
        {"name": f"native up of {size} at {latency} ms <= 1.2 x bound", "met": native["ratio_to_bound"] <= 1.2},
        {
            "name": "no-change preview and up: 0 requests",
            "met": native["noop_preview_requests"] == 0 and native["noop_up_requests"] == 0,
        },
        {
            "name": f"import --file of {size}: {size} GETs, no PATCH",
            "met": figures["import"]["requests"] == {"GET": size},
        },
    ]
    return figures


def markdown(figures: dict[str, Any]) -> str:
    latency, size = figures["latency_ms"], figures["size"]
    lines = [
        f"`up` creating {size} bindings, {latency} ms per API request, median of {figures['repetitions']}:",
        "",
        f"| provider | steps at once | at 0 ms | at {latency} ms | bound | ratio to bound | requests per create |",
        "|---|---|---|---|---|---|---|",
    ]
    names = {"native": "native (`voiceos`)", "voiceos": "dynamic"}
    for kind in KINDS:
        k = figures["kinds"][kind]
        per = ", ".join(f"{n / size:g} {m}" for m, n in sorted(k["create_requests"].items()))
        lines.append(
            f"| {names[kind]} | {k['concurrency']} | {k['seconds_at_0ms']:.2f} s | {k[f'seconds_at_{latency}ms']:.2f} s"
            f" | {k['bound_seconds']:.2f} s | {k['ratio_to_bound']:.2f} | {per} |"
        )
    imported = figures["import"]
    lines += [
        "",
        f"- The bound: the 0 ms time plus the checks' listing (ceil({size} / 200) x {latency} ms) plus"
        f" ceil({size} / steps at once) x 2 x {latency} ms (each create is a GET and a PATCH). The engine"
        f" runs {figures['engine_default_parallel']} steps at once by default"
        f" (4 per CPU); the dynamic provider's server has {figures['dynamic_provider_workers']} worker threads.",
        f"- Native / dynamic at {latency} ms: {figures['native_to_dynamic']:.2f}.",
        f"- No-change preview and up, native: {figures['kinds']['native']['noop_preview_requests']} and"
        f" {figures['kinds']['native']['noop_up_requests']} requests.",
        f"- `pulumi import --file` of {size} (`--skip-preview`): {imported['seconds']:.2f} s,"
        f" requests {imported['requests']}.",
        "",
        "Targets: " + "; ".join(f"{t['name']}: {'met' if t['met'] else 'missed'}" for t in figures["targets"]) + ".",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.native", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100, help="bindings per up (default 100)")
    parser.add_argument("--latency", type=int, default=50, help="API latency per request, ms (default 50)")
    parser.add_argument("--repetitions", type=int, default=3, help="ups per provider and latency; the median is kept")
    parser.add_argument("--out", type=Path, default=run.REPO / "docs" / "performance", help="where native.json goes")
    parser.add_argument("--doc", type=Path, default=run.REPO / "docs" / "performance.md")
    parser.add_argument("--no-doc", action="store_true", help="leave the markdown file alone")
    args = parser.parse_args(argv)
    if args.size < 1 or args.latency < 1 or args.repetitions < 1:
        parser.error("size, latency and repetitions must be positive")
    figures = measure_native(args.size, args.latency, args.repetitions)
    figures["machine"] = measure.machine_and_versions(run.REPO)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "native.json").write_text(json.dumps(figures, indent=2) + "\n")
    table = markdown(figures)
    if not args.no_doc:
        table = f"{BEGIN}\n{table}\n{END}"
        report.rewrite_section(args.doc, table, begin=BEGIN, end=END)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
