"""Benchmark what the preview's checks cost: a preview creating N bindings, with and without them.

``python -m benchmarks.preview`` (``make bench-preview``; ``make bench`` runs it too) deploys
nothing: on an account of exactly N unbound numbers (1,000 by default) it runs ``pulumi preview``
of benchmarks.run's program declaring N new bindings, alternately with ``voiceos:previewChecks``
on (each check reads the number the binding will take, through one shared listing of the
account) and off (no request), ``--repetitions`` times each, through the real CLI. The targets:
at most ``ceil(N / 200)`` requests (5 at 1,000), and at most 1.10 times the time without checks.
Results go to ``<out>/preview.json`` and the section between the markers in ``docs/performance.md``.
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

from pulumi_voiceos.emulator.process import EmulatorProcess

from . import fleet, measure, report, run

BEGIN = "<!-- preview-benchmark:begin -->"
END = "<!-- preview-benchmark:end -->"
PAGE = 200
TARGET_RATIO = 1.10


def previews(workspace: Path, size: int, repetitions: int) -> dict[str, list[run.Sample]]:
    """Samples of a preview creating ``size`` bindings, with the checks on and off, interleaved."""
    samples: dict[str, list[run.Sample]] = {"checks": [], "no_checks": []}
    with EmulatorProcess(db_path=workspace / "emulator.db", token=run.TOKEN) as emulator:
        emulator.seed_many([{"phone_number": fleet.phone_number(i)} for i in range(size)])
        stack = run._stack(workspace / "stack", "voiceos", emulator)
        stack.set_all_config({"count": auto.ConfigValue(str(size)), "revision": auto.ConfigValue("r1")})
        for _ in range(repetitions):
            for kind, flag in (("checks", "true"), ("no_checks", "false")):
                stack.set_config("voiceos:previewChecks", auto.ConfigValue(flag))
                sample, result = run._measure(workspace / "stack", emulator, stack.preview)
                creates = (result.change_summary or {}).get("create")
                if creates != size + 1:  # the bindings and the stack
                    raise run.BenchmarkError(f"preview ({kind}) showed {result.change_summary}")
                samples[kind].append(sample)
    return samples


def figures_of(size: int, samples: dict[str, list[run.Sample]]) -> dict[str, Any]:
    medians = {kind: statistics.median(s.seconds for s in runs) for kind, runs in samples.items()}
    requests = {kind: max(s.requests for s in runs) for kind, runs in samples.items()}
    limit = math.ceil(size / PAGE)
    ratio = medians["checks"] / medians["no_checks"]
    return {
        "size": size,
        "seconds": {kind: round(value, 3) for kind, value in medians.items()},
        "samples": {kind: [round(s.seconds, 3) for s in runs] for kind, runs in samples.items()},
        "requests": requests,
        "requests_by_method": {kind: runs[-1].requests_by_method for kind, runs in samples.items()},
        "ratio": round(ratio, 3),
        "targets": [
            {
                "name": f"requests of a preview creating {size}",
                "target": f"<= {limit}",
                "measured": str(requests["checks"]),
                "met": requests["checks"] <= limit,
            },
            {
                "name": f"preview creating {size}, checks / no checks",
                "target": f"<= {TARGET_RATIO}",
                "measured": f"{ratio:.3f}",
                "met": ratio <= TARGET_RATIO,
            },
            {
                "name": f"requests of a preview creating {size}, checks off",
                "target": "0",
                "measured": str(requests["no_checks"]),
                "met": requests["no_checks"] == 0,
            },
        ],
    }


def markdown(figures: dict[str, Any], repetitions: int) -> str:
    size, seconds, requests = figures["size"], figures["seconds"], figures["requests"]
    lines = [
        f"`pulumi preview` of {size:,} new bindings on an account of {size:,} unbound numbers, median of "
        f"{repetitions} (runs interleaved):",
        "",
        "| `voiceos:previewChecks` | seconds | requests |",
        "|---|---|---|",
        f"| `true` (the default) | {seconds['checks']:.2f} | {requests['checks']} |",
        f"| `false` | {seconds['no_checks']:.2f} | {requests['no_checks']} |",
        "",
        "| target | wanted | measured | |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {t['name']} | {t['target']} | {t['measured']} | {'met' if t['met'] else 'MISSED'} |"
        for t in figures["targets"]
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.preview", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="new bindings the preview shows (default 1000)")
    parser.add_argument("--repetitions", type=int, default=3, help="previews of each kind (default 3)")
    parser.add_argument("--out", type=Path, default=run.REPO / "docs" / "performance", help="where preview.json goes")
    parser.add_argument("--doc", type=Path, default=run.REPO / "docs" / "performance.md")
    parser.add_argument("--no-doc", action="store_true", help="leave the markdown file alone")
    args = parser.parse_args(argv)
    if args.size < 1 or args.repetitions < 1:
        parser.error("--size and --repetitions must be positive")
    with tempfile.TemporaryDirectory(prefix="voiceos-bench-preview-") as tmp:
        samples = previews(Path(tmp), args.size, args.repetitions)
    figures = {"machine": measure.machine_and_versions(run.REPO), **figures_of(args.size, samples)}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "preview.json").write_text(json.dumps(figures, indent=2) + "\n")
    table = markdown(figures, args.repetitions)
    if not args.no_doc:
        report.rewrite_section(args.doc, f"{BEGIN}\n{table}\n{END}", begin=BEGIN, end=END)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
