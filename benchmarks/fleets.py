"""Benchmark ``PhoneNumberFleet`` against per-binding resources and against the API itself, in one run.

``python -m benchmarks.fleets`` (``make bench-fleet``; ``make bench`` runs it too), through the real
CLI like ``benchmarks.run``, each size on an emulator account of exactly N numbers:

- a fleet's life cycle at N = 1,000 and 3,000 (and 10,000 with ``--large``): ``up`` creating it, a
  no-change ``preview``, an ``up`` changing 100 entries, one changing every entry, ``refresh``, ``destroy``;
- the API floor: a plain httpx client sending the same N PATCHes, as many at once as the fleet sends
  (``voiceos:maxConcurrency``), to the same emulator: what the writes cost without Pulumi; and the
  destroy's floor, the account's listing then N unbinding PATCHes;
- the same-inputs floor at each N: the same program on a provider that does nothing and returns no
  outputs (a create, a no-change preview, an update of 100): what the engine charges for the inputs
  alone; with ``--shapes``, the same provider returning outputs of other shapes (``nested``, ``flat``);
- the per-binding resources of ``benchmarks.run`` at N = 1,000 (create, update all, destroy), for the
  speed-up;
- a fleet of 1,000 created at ``--latency`` ms per request, where the API phase (the emulator's log,
  first request to last) is held to the concurrency bound;
- the state a fleet keeps per entry, next to what a binding keeps per resource.

Results go to ``<out>/fleet.json`` and the section between the markers in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from pulumi import automation as auto

from pulumi_voiceos.core.config import Settings
from pulumi_voiceos.emulator.process import EmulatorProcess

from . import fleet, measure, report, run
from .fleet_targets import markdown, targets

BEGIN = "<!-- fleet-benchmark:begin -->"
END = "<!-- fleet-benchmark:end -->"
CONCURRENCY = Settings.max_concurrency
PAGE = 200
FLEET_SHAPES = ("none", "nested", "flat")
"""The output shapes of the do-nothing fleet (``programs/noop_provider.py``, which the program imports alone)."""


def _checkpoint_bytes(root: Path) -> int:
    checkpoint = root / "state" / ".pulumi" / "stacks" / run.PROJECT / f"{run.STACK}.json"
    return checkpoint.stat().st_size


def _sample(sample: run.Sample, emulator: EmulatorProcess) -> dict[str, Any]:
    logged = emulator.requests()
    return {
        "seconds": round(sample.seconds, 3),
        "requests": sample.requests_by_method,
        "listing_pages": sum(1 for r in logged if r["phone_number"] is None),
        "api_phase_seconds": round(max(r["time"] for r in logged) - min(r["time"] for r in logged), 3)
        if logged
        else 0.0,
        "cpu_seconds": sample.cpu_seconds,
        "provider_peak_mib": None if sample.provider_peak_kib is None else round(sample.provider_peak_kib / 1024, 1),
    }


def fleet_life_cycle(workspace: Path, size: int, latency: int, *, full: bool = True) -> dict[str, Any]:
    """The fleet's operations on a fresh stack; with ``full`` False, only the create (and a destroy)."""
    root = workspace / f"fleet-{latency}ms-n{size}"
    with run._account(workspace, latency, size) as emulator:
        stack = run._stack(root, "fleet", emulator)
        stack.set_all_config({"count": auto.ConfigValue(str(size)), "revision": auto.ConfigValue("r1")})
        figures: dict[str, Any] = {"size": size, "latency_ms": latency}
        sample, up = run._measure(root, emulator, stack.up)
        run._expect(up.summary.resource_changes.get("create") == 2, f"fleet create made {up.summary.resource_changes}")
        figures["create"] = _sample(sample, emulator)
        figures["state_bytes"] = _checkpoint_bytes(root)
        figures["state_bytes_per_entry"] = round(figures["state_bytes"] / size, 1)
        if full:
            sample, preview = run._measure(root, emulator, stack.preview)
            run._expect(not run._changes(preview.change_summary), f"fleet preview showed {preview.change_summary}")
            figures["preview"] = _sample(sample, emulator)
            for op, changed, revision in (("update_100", min(100, size), "r2"), ("update_all", size, "r3")):
                stack.set_all_config(
                    {"revision": auto.ConfigValue(revision), "changed": auto.ConfigValue(str(changed))}
                )
                sample, up = run._measure(root, emulator, stack.up)
                run._expect(up.summary.resource_changes.get("update") == 1, f"fleet {op} made {up.summary}")
                figures[op] = _sample(sample, emulator)
                run._expect(figures[op]["requests"] == {"PATCH": changed}, f"fleet {op} sent {figures[op]['requests']}")
            sample, _ = run._measure(root, emulator, stack.refresh)
            figures["refresh"] = _sample(sample, emulator)
        sample, destroy = run._measure(root, emulator, stack.destroy)
        run._expect(destroy.summary.resource_changes.get("delete") == 2, f"fleet destroy made {destroy.summary}")
        figures["destroy"] = _sample(sample, emulator)
        bound = [n for n in range(size) if (emulator.get_number(fleet.phone_number(n)) or {}).get("inbound_agent_id")]
        run._expect(not bound, f"{len(bound)} numbers are still bound after the fleet's destroy")
    return figures


def noop_fleet(workspace: Path, size: int, shape: str) -> dict[str, Any]:
    """The fleet program's inputs on a provider that does nothing, its outputs in ``shape`` (``none``: the
    same-inputs floor): a create, a no-change preview and an up of 100 changed entries, and its state."""
    root = workspace / f"noop-{shape}-n{size}"
    with run._account(workspace, 0, 0) as emulator:
        stack = run._stack(root, "fleet_noop", emulator)
        config = {"count": str(size), "revision": "r1", "outputs": shape}
        stack.set_all_config({key: auto.ConfigValue(value) for key, value in config.items()})
        figures: dict[str, Any] = {"size": size, "shape": shape}
        sample, up = run._measure(root, emulator, stack.up)
        run._expect(up.summary.resource_changes.get("create") == 2, f"noop fleet create made {up.summary}")
        figures["create"] = _sample(sample, emulator)
        figures["state_bytes_per_entry"] = round(_checkpoint_bytes(root) / size, 1)
        sample, preview = run._measure(root, emulator, stack.preview)
        run._expect(not run._changes(preview.change_summary), f"noop fleet preview showed {preview.change_summary}")
        figures["preview"] = _sample(sample, emulator)
        stack.set_all_config({"revision": auto.ConfigValue("r2"), "changed": auto.ConfigValue(str(min(100, size)))})
        sample, up = run._measure(root, emulator, stack.up)
        run._expect(up.summary.resource_changes.get("update") == 1, f"noop fleet update made {up.summary}")
        figures["update_100"] = _sample(sample, emulator)
    return figures


def api_floor(workspace: Path, size: int) -> dict[str, Any]:
    """N PATCHes of the fleet's bodies from a plain httpx client, ``CONCURRENCY`` at once (the create's floor);
    then the account's listing, page after page, and N unbinding PATCHes (the destroy's floor)."""
    with run._account(workspace, 0, size) as emulator:
        emulator.clear_requests()
        with httpx.Client(
            base_url=emulator.url,
            headers={"Authorization": f"Bearer {run.TOKEN}"},
            limits=httpx.Limits(max_connections=2 * CONCURRENCY, max_keepalive_connections=CONCURRENCY),
        ) as client:

            def patch(index: int) -> None:
                number = fleet.phone_number(index).replace("+", "%2B")
                body = {"inbound_agent_id": fleet.AGENT_ID, "webhooks": fleet.webhooks(index, "r1")}
                client.patch(f"/phone_numbers/{number}", json=body).raise_for_status()

            def unbind(index: int) -> None:
                number = fleet.phone_number(index).replace("+", "%2B")
                client.patch(f"/phone_numbers/{number}", json={"inbound_agent_id": None, "webhooks": []})

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                list(pool.map(patch, range(size)))
            seconds = time.perf_counter() - started
            started = time.perf_counter()
            index = 0
            while True:
                body = client.get("/phone_numbers", params={"index": index, "limit": PAGE}).raise_for_status().json()
                index += len(body["items"])
                if not body["has_more"] or not body["items"]:
                    break
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                list(pool.map(unbind, range(size)))
            destroy_seconds = time.perf_counter() - started
    return {
        "size": size,
        "concurrency": CONCURRENCY,
        "seconds": round(seconds, 3),
        "destroy_seconds": round(destroy_seconds, 3),
    }


def per_binding(workspace: Path, size: int) -> dict[str, Any]:
    """``benchmarks.run``'s life cycle of N ``PhoneNumberBinding`` resources, and their state per resource."""
    root = workspace / f"bindings-n{size}"
    with run._account(workspace, 0, size) as emulator:
        cycle, state = run.life_cycle(root, "voiceos", size, emulator)
    return {
        "size": size,
        **{op: round(cycle[op].seconds, 3) for op in ("create", "update", "destroy")},
        "state_bytes_per_resource": round(state.state_per_resource, 1),
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleets", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3000", help="fleet sizes N, comma-separated (default 1000,3000)")
    parser.add_argument("--large", action="store_true", help="add N = 10,000 (a few minutes more)")
    parser.add_argument(
        "--latency", type=int, default=50, help="ms per request for the latency run at N=1,000; 0: skip"
    )
    parser.add_argument(
        "--per-binding", type=int, default=1000, metavar="N", help="per-binding life cycle at N (0: skip; default 1000)"
    )
    parser.add_argument(
        "--shapes",
        default="",
        help="also the do-nothing fleet returning outputs of these shapes at the largest N (e.g. nested,flat)",
    )
    parser.add_argument("--out", type=Path, default=run.REPO / "docs" / "performance", help="where fleet.json goes")
    parser.add_argument("--doc", type=Path, default=run.REPO / "docs" / "performance.md")
    parser.add_argument("--no-doc", action="store_true", help="leave the markdown file alone")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    shapes = [s for s in args.shapes.split(",") if s]
    if any(shape not in FLEET_SHAPES for shape in shapes):
        parser.error(f"shapes are {', '.join(FLEET_SHAPES)}")
    if args.large and 10_000 not in sizes:
        sizes.append(10_000)
    if not sizes or min(sizes) < 1:
        parser.error("sizes must be positive")
    started = time.perf_counter()
    figures: dict[str, Any] = {
        "machine": measure.machine_and_versions(run.REPO),
        "fleets": [],
        "concurrency": CONCURRENCY,
        "load_before": round(os.getloadavg()[0], 1),
        "floors": [],
        "shapes": [],
    }
    with tempfile.TemporaryDirectory(prefix="voiceos-bench-fleet-") as tmp:
        workspace = Path(tmp)
        for size in sizes:
            print(f"fleet of {size}: life cycle at 0 ms", flush=True)
            figures["fleets"].append(fleet_life_cycle(workspace, size, 0))
            print(f"fleet of {size}: the same-inputs floor (a do-nothing provider, no outputs)", flush=True)
            figures["floors"].append(noop_fleet(workspace, size, "none"))
        largest = max(sizes)
        for shape in shapes:
            print(f"fleet of {largest}: a do-nothing provider returning {shape} outputs", flush=True)
            figures["shapes"].append(noop_fleet(workspace, largest, shape))
        print(f"API floor: {largest} PATCHes, {CONCURRENCY} at once", flush=True)
        figures["floor"] = api_floor(workspace, largest)
        figures["latency"] = None
        if args.latency:
            print(f"fleet of 1000 created at {args.latency} ms", flush=True)
            figures["latency"] = fleet_life_cycle(workspace, 1000, args.latency, full=False)
        figures["per_binding"] = None
        if args.per_binding:
            print(f"{args.per_binding} PhoneNumberBinding resources: life cycle at 0 ms", flush=True)
            figures["per_binding"] = per_binding(workspace, args.per_binding)
    figures["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    figures["load_after"] = round(os.getloadavg()[0], 1)
    figures["targets"] = targets(figures)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fleet.json").write_text(json.dumps(figures, indent=2) + "\n")
    table = markdown(figures)
    if not args.no_doc:
        report.rewrite_section(args.doc, f"{BEGIN}\n{table}\n{END}", begin=BEGIN, end=END)
    print(table)
    missed = [t["name"] for t in figures["targets"] if not t["met"]]
    if missed:
        print(f"targets missed ({len(missed)}): " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
