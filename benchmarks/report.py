"""Turn benchmark results into verdicts against the targets, a chart and a markdown table."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

BEGIN = "<!-- benchmark results: begin (written by `make bench`; edits here are overwritten) -->"
END = "<!-- benchmark results: end -->"

RATIO_LIMIT = 1.10
RATIO_SIZES = (100, 300)
LATENCY_SIZE = 100
EXPECTED_REQUESTS = {"preview": 0, "noop_up": 0, "create": 2, "update": 1, "destroy": 2}
"""API requests per binding; a refresh is counted per run instead (``refresh_request_limit``)."""
PAGE_SIZE = 200
REFRESH_LATENCY_LIMIT = 1.2
REFRESH_LATENCY_SIZES = (300, 1000)
LARGE_SIZE = 1000
GROWTH_TOLERANCE = 0.05
GROWTH_FROM = 100
"""Growth exponents are fitted over N >= this: below it, start-up dominates every operation."""
PROVIDER_LIMIT_BYTES = 200
STATE_TO_OUTPUTS_LIMIT = 2.0
IMPORT_LIMIT_MS = 100.0

LABELS = {
    "create": "up (create all)",
    "preview": "preview, no change",
    "noop_up": "up, no change",
    "update": "up, every webhook changed",
    "refresh": "refresh",
    "destroy": "destroy",
}


def _runs(results: dict[str, Any], latency: int) -> list[dict[str, Any]]:
    return sorted((r for r in results["runs"] if r["latency_ms"] == latency), key=lambda r: r["size"])


def _run(results: dict[str, Any], latency: int, size: int) -> dict[str, Any] | None:
    return next((r for r in _runs(results, latency) if r["size"] == size), None)


def latency_bound(results: dict[str, Any], latency: int, size: int) -> dict[str, Any] | None:
    """How long ``up`` (create) of ``size`` bindings must take when every request waits ``latency`` ms.

    The engine runs up to ``default_parallel`` steps at once, but every call of a
    Python dynamic provider goes through one server with a fixed thread pool, so
    at most ``concurrency`` creates are in flight. Each create makes its requests
    one after another, so the waiting alone is ceil(N / concurrency) rounds of
    requests-per-binding x latency; the bound adds it to the same create at 0 ms.
    """
    slow, fast = _run(results, latency, size), _run(results, 0, size)
    if slow is None or fast is None or latency == 0:
        return None
    concurrency = min(results["engine"]["provider_server_workers"], results["engine"]["default_parallel"])
    requests = slow["operations"]["create"]["voiceos"]["requests_per_resource"]
    waiting = math.ceil(size / concurrency) * requests * latency / 1000
    at_zero = fast["operations"]["create"]["voiceos"]["median_seconds"]
    measured = slow["operations"]["create"]["voiceos"]["median_seconds"]
    bound = at_zero + waiting
    return {
        "size": size,
        "latency_ms": latency,
        "concurrency": concurrency,
        "requests_per_binding": requests,
        "waiting_seconds": round(waiting, 3),
        "serial_waiting_seconds": round(size * requests * latency / 1000, 3),
        "at_zero_latency_seconds": at_zero,
        "bound_seconds": round(bound, 3),
        "measured_seconds": measured,
        "measured_to_bound": round(measured / bound, 3),
    }


def refresh_request_limit(size: int) -> int:
    """A refresh lists the account once (the emulator's account holds exactly the N numbers)."""
    return math.ceil(size / PAGE_SIZE)


def growth_exponents(results: dict[str, Any], latency: int) -> dict[str, dict[str, float]]:
    """Per operation and kind, the slope of log(time) against log(N), least squares over N >= GROWTH_FROM."""
    runs = [r for r in _runs(results, latency) if r["size"] >= GROWTH_FROM]
    exponents: dict[str, dict[str, float]] = {}
    if len(runs) < 2:
        return exponents
    for op in LABELS:
        for kind in ("voiceos", "baseline", "baseline_same_outputs"):
            points = [
                (math.log(r["size"]), math.log(r["operations"][op][kind]["median_seconds"]))
                for r in runs
                if kind in r["operations"][op]
            ]
            if len(points) < 2:
                continue
            mean_x = sum(x for x, _ in points) / len(points)
            mean_y = sum(y for _, y in points) / len(points)
            slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
            exponents.setdefault(op, {})[kind] = round(slope, 3)
    return exponents


def create_listing_share(size: int) -> float:
    """The requests per binding of the one account listing the checks of ``up`` (create) make: an
    account of exactly N numbers is ceil(N/200) pages, rounded as the per-binding figures are."""
    return round(refresh_request_limit(size) / size, 3)


_Add = Callable[[str, str, str, bool], None]
"""How a section of ``check_targets`` adds a target: name, target, measured, met."""


def check_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    targets: list[dict[str, Any]] = []

    def add(name: str, target: str, measured: str, met: bool) -> None:
        targets.append({"name": name, "target": target, "measured": measured, "met": met})

    _request_targets(results, add)
    _growth_targets(results, add)
    _ratio_targets(results, add)
    _state_targets(results, add)
    return targets


def _request_targets(results: dict[str, Any], add: _Add) -> None:
    """API requests per binding and per refresh."""
    for op, limit in EXPECTED_REQUESTS.items():
        if op == "create":
            # Each create's GET and PATCH, and the checks' one listing of the account (ceil(N/200) pages).
            over = [
                (r["operations"][op]["voiceos"]["requests_per_resource"], limit + create_listing_share(r["size"]))
                for r in results["runs"]
            ]
            worst, allowed = max(over, key=lambda pair: pair[0] - pair[1])
            add(
                f"API requests per binding: {LABELS[op]}",
                f"<= {limit} + ceil(N/{PAGE_SIZE})/N (the checks' listing)",
                f"{worst:g} (worst run, allowed {allowed:g})",
                all(made <= most + 1e-9 for made, most in over),
            )
            continue
        worst = max(r["operations"][op]["voiceos"]["requests_per_resource"] for r in results["runs"])
        wanted = "0" if limit == 0 else f"<= {limit}"
        add(f"API requests per binding: {LABELS[op]}", wanted, f"{worst:g} (worst run)", worst <= limit)
    for each in _runs(results, 0):
        made = round(each["operations"]["refresh"]["voiceos"]["requests_per_resource"] * each["size"])
        limit = refresh_request_limit(each["size"])
        add(
            f"API requests per refresh, N={each['size']}", f"<= {limit} (ceil(N/{PAGE_SIZE}))", f"{made}", made <= limit
        )


def _growth_targets(results: dict[str, Any], add: _Add) -> None:
    """Refresh under latency, the large run against its floor, growth exponents."""
    for size in REFRESH_LATENCY_SIZES:
        for latency in results["parameters"]["latencies_ms"]:
            slow = _run(results, latency, size)
            if latency == 0 or slow is None:
                continue
            ratio = slow["operations"]["refresh"]["ratio"]
            add(
                f"refresh, N={size}, {latency} ms: ratio to baseline",
                f"<= {REFRESH_LATENCY_LIMIT:.1f}",
                f"{ratio:.3f}",
                ratio <= REFRESH_LATENCY_LIMIT,
            )

    large = _run(results, 0, LARGE_SIZE)
    if large is not None:
        for op, label in LABELS.items():
            figures = large["operations"][op]
            if op == "refresh" or "ratio_to_same_outputs" not in figures:
                continue
            add(
                f"N={LARGE_SIZE}, 0 ms: ours / same-outputs floor, {label}",
                f"<= {RATIO_LIMIT:.2f}",
                f"{figures['ratio_to_same_outputs']:.3f}",
                figures["ratio_to_same_outputs"] <= RATIO_LIMIT,
            )
    for op, kinds in growth_exponents(results, 0).items():
        if "voiceos" in kinds and "baseline_same_outputs" in kinds:
            gap = kinds["voiceos"] - kinds["baseline_same_outputs"]
            add(
                f"growth exponent, 0 ms, {LABELS[op]}: ours - same-outputs floor",
                f"<= {GROWTH_TOLERANCE:.2f}",
                f"{gap:+.3f} (ours N^{kinds['voiceos']:.2f}, floor N^{kinds['baseline_same_outputs']:.2f}, "
                f"baseline N^{kinds.get('baseline', float('nan')):.2f})",
                gap <= GROWTH_TOLERANCE,
            )


def _ratio_targets(results: dict[str, Any], add: _Add) -> None:
    """Ratios to the baseline and the latency bound."""
    for size in RATIO_SIZES:
        fast = _run(results, 0, size)
        if fast is None:
            continue
        for op, label in LABELS.items():
            figures = fast["operations"][op]
            ratio = figures["ratio"]
            measured = f"{ratio:.3f}"
            if "ratio_to_same_outputs" in figures:
                measured += (
                    f" (same-outputs floor / baseline {figures['same_outputs_to_baseline']:.3f}; "
                    f"ours / same-outputs floor {figures['ratio_to_same_outputs']:.3f})"
                )
            add(
                f"ratio to baseline, N={size}, 0 ms: {label}",
                f"<= {RATIO_LIMIT:.2f}",
                measured,
                ratio <= RATIO_LIMIT,
            )

    for latency in results["parameters"]["latencies_ms"]:
        bound = latency_bound(results, latency, LATENCY_SIZE)
        if bound is not None:
            add(
                f"up (create) of {LATENCY_SIZE} at {latency} ms latency",
                f"<= {bound['bound_seconds']:.2f} s (the 0 ms time + {bound['waiting_seconds']:.2f} s of waiting "
                f"at {bound['concurrency']} in flight)",
                f"{bound['measured_seconds']:.2f} s ({bound['measured_to_bound']:.2f} of the bound)",
                bound["measured_seconds"] <= bound["bound_seconds"],
            )


def _state_targets(results: dict[str, Any], add: _Add) -> None:
    """The state's size and the import's cost."""
    state = next((r["state"]["voiceos"] for r in results["runs"] if "voiceos" in r["state"]), None)
    if state is not None:
        add(
            "__provider size",
            f"< {PROVIDER_LIMIT_BYTES} bytes",
            f"{state['provider_bytes']} bytes",
            state["provider_bytes"] < PROVIDER_LIMIT_BYTES,
        )
        ratio = state["state_per_resource"] / state["outputs_per_resource"]
        base = next((r["state"]["baseline"] for r in results["runs"] if "baseline" in r["state"]), None)
        floor = (
            f"; the baseline's entry is {base['state_per_resource'] / base['outputs_per_resource']:.1f}x its outputs, "
            f"as the engine keeps {base['engine_metadata_per_resource']:.0f} bytes of metadata per resource"
            if base
            else ""
        )
        add(
            "state per binding / its outputs' JSON: whole checkpoint entry",
            f"<= {STATE_TO_OUTPUTS_LIMIT:.1f}x",
            f"{ratio:.2f}x ({state['state_per_resource']:.0f} / {state['outputs_per_resource']:.0f} bytes{floor})",
            ratio <= STATE_TO_OUTPUTS_LIMIT,
        )
        kept = state["inputs_per_resource"] + state["stored_outputs_per_resource"]
        add(
            "state per binding / its outputs' JSON: what the provider decides (inputs + outputs as stored)",
            f"<= {STATE_TO_OUTPUTS_LIMIT:.1f}x",
            f"{kept / state['outputs_per_resource']:.2f}x ({kept:.0f} / {state['outputs_per_resource']:.0f} bytes)",
            kept / state["outputs_per_resource"] <= STATE_TO_OUTPUTS_LIMIT,
        )
    added = results["import"]["added_ms"]
    add(
        "import pulumi_voiceos on top of pulumi",
        f"< {IMPORT_LIMIT_MS:.0f} ms",
        f"{added:.1f} ms",
        added < IMPORT_LIMIT_MS,
    )


def write_chart(results: dict[str, Any], path: Path, *, log_log: bool = False) -> Path:
    """Median wall time against N, ours and the baseline, one panel per operation (log-log on request)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise SystemExit("the chart needs matplotlib: pip install -e '.[bench]' (make bench does it)") from exc

    latencies = results["parameters"]["latencies_ms"]
    figure, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True)
    colours = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
    for panel, (op, label) in zip(axes.flat, LABELS.items(), strict=True):
        for index, latency in enumerate(latencies):
            runs = _runs(results, latency)
            sizes = [r["size"] for r in runs]
            colour = colours[index % len(colours)]
            panel.plot(
                sizes,
                [r["operations"][op]["voiceos"]["median_seconds"] for r in runs],
                "o-",
                color=colour,
                label=f"pulumi-voiceos, {latency} ms API latency",
            )
            panel.plot(
                sizes,
                [r["operations"][op]["baseline"]["median_seconds"] for r in runs],
                "s--",
                color=colour,
                alpha=0.6,
                label=f"do-nothing baseline, {latency} ms run",
            )
            same = [r for r in runs if "baseline_same_outputs" in r["operations"][op]]
            if same:
                panel.plot(
                    [r["size"] for r in same],
                    [r["operations"][op]["baseline_same_outputs"]["median_seconds"] for r in same],
                    "^:",
                    color="grey",
                    label=f"do-nothing, a binding's outputs, {latency} ms run",
                )
        panel.set_title(label)
        panel.set_xlabel("resources (N)")
        panel.set_ylabel("median wall time (s)")
        if log_log:
            panel.set_xscale("log")
            panel.set_yscale("log")
        else:
            panel.set_ylim(bottom=0)
        panel.grid(alpha=0.3, which="both" if log_log else "major")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize="small")
    machine = results["machine"]
    figure.suptitle(
        f"pulumi-voiceos vs a do-nothing dynamic provider ({machine['pulumi_cli']}, {machine['cores']} cores, "
        f"median of {results['parameters']['repetitions']}{'; log-log axes' if log_log else ''})"
    )
    figure.tight_layout(rect=(0, 0.05, 1, 0.96))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def _exp(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _cpu(seconds: dict[str, float]) -> str:
    return " / ".join(f"{seconds.get(role, 0):.2f}" for role in ("engine", "program", "provider", "emulator"))


def _by_method(counts: dict[str, float]) -> str:
    return " + ".join(f"{v:g} {m}" for m, v in counts.items()) if counts else "0"


def markdown(results: dict[str, Any], *, chart_path: Path, doc_dir: Path) -> str:
    machine = results["machine"]
    params = results["parameters"]
    lines = [
        BEGIN,
        "",
        f"Run of commit `{machine['commit']}`: {machine['pulumi_cli']} CLI, pulumi {machine['pulumi_sdk']} "
        f"(Python {machine['python']}), httpx {machine['httpx']}, pydantic {machine['pydantic']}; "
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, {machine['os']}. "
        f"Median of {params['repetitions']} life cycles per kind and N "
        f"({params.get('large_repetitions', params['repetitions'])} at N >= 1000); the whole run took "
        f"{results['elapsed_seconds'] / 60:.0f} min. Each N has an emulator account of exactly N numbers.",
        "",
        f"![median wall time against N]({os.path.relpath(chart_path, doc_dir)})",
        "",
        f"![the same on log-log axes]({os.path.relpath(chart_path.with_name('time-vs-n-loglog.png'), doc_dir)})",
        "",
    ]
    for latency in params["latencies_ms"]:
        lines += [
            f"### Emulator latency {latency} ms",
            "",
            "| operation | N | ours (s) | baseline (s) | ratio | same-outputs floor (s) | ours / that floor "
            "| API requests per binding | provider peak MiB (ours / baseline) | CPU s, ours: engine / program / "
            "provider / emulator | CPU s, baseline |",
            "|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|",
        ]
        for op, label in LABELS.items():
            for run in _runs(results, latency):
                figures = run["operations"][op]
                ours, base = figures["voiceos"], figures["baseline"]
                same = figures.get("baseline_same_outputs")
                same_cells = (
                    f"{same['median_seconds']:.2f} | {figures['ratio_to_same_outputs']:.3f}" if same else "- | -"
                )
                lines.append(
                    f"| {label} | {run['size']} | {ours['median_seconds']:.2f} | {base['median_seconds']:.2f} | "
                    f"{figures['ratio']:.3f} | {same_cells} | {_by_method(ours['requests_per_resource_by_method'])} | "
                    f"{_mib(ours['provider_peak_mib'])} / {_mib(base['provider_peak_mib'])} | "
                    f"{_cpu(ours['median_cpu_seconds'])} | {_cpu(base['median_cpu_seconds'])} |"
                )
        lines.append("")
        bound = latency_bound(results, latency, LATENCY_SIZE)
        if bound is not None:
            lines += [
                f"Latency bound for `up` (create) of {bound['size']}: at most {bound['concurrency']} provider calls "
                f"run at once, each create makes {bound['requests_per_binding']:g} requests in a row, so waiting "
                f"adds ceil({bound['size']}/{bound['concurrency']}) x {bound['requests_per_binding']:g} x "
                f"{latency} ms = {bound['waiting_seconds']:.2f} s to the {bound['at_zero_latency_seconds']:.2f} s "
                f"measured at 0 ms: bound {bound['bound_seconds']:.2f} s, measured {bound['measured_seconds']:.2f} s "
                f"({bound['measured_to_bound']:.2f} of it). One request at a time would wait "
                f"{bound['serial_waiting_seconds']:.1f} s.",
                "",
            ]
    for latency in params["latencies_ms"]:
        exponents = growth_exponents(results, latency)
        if not exponents:
            continue
        lines += [
            f"### Growth of time with N, {latency} ms (log-log slope, N >= {GROWTH_FROM})",
            "",
            "| operation | ours | baseline | same-outputs floor | ours - floor |",
            "|---|--:|--:|--:|--:|",
        ]
        for op, label in LABELS.items():
            kinds = exponents.get(op, {})
            ours, base, same = (kinds.get(k) for k in ("voiceos", "baseline", "baseline_same_outputs"))
            gap = f"{ours - same:+.3f}" if ours is not None and same is not None else "-"
            lines.append(f"| {label} | {_exp(ours)} | {_exp(base)} | {_exp(same)} | {gap} |")
        lines.append("")
    study = results.get("skip_checkpoints")
    if study:
        size = study["size"]
        normal = _run(results, 0, size)
        lines += [
            f"### `PULUMI_SKIP_CHECKPOINTS=true` at N={size}, 0 ms (one life cycle each)",
            "",
            "| operation | ours (s) | ours, skip (s) | baseline (s) | baseline, skip (s) |",
            "|---|--:|--:|--:|--:|",
        ]
        for op, label in LABELS.items():
            ours_normal = normal["operations"][op]["voiceos"]["median_seconds"] if normal else float("nan")
            base_normal = normal["operations"][op]["baseline"]["median_seconds"] if normal else float("nan")
            lines.append(
                f"| {label} | {ours_normal:.2f} | {study['kinds']['voiceos'][op]:.2f} | "
                f"{base_normal:.2f} | {study['kinds']['baseline'][op]:.2f} |"
            )
        lines.append("")
    lines += [
        "### State, start-up and memory",
        "",
        "| | pulumi-voiceos | baseline | same-outputs floor |",
        "|---|--:|--:|--:|",
    ]
    states = next((r["state"] for r in results["runs"] if len(r["state"]) == 3), None) or results["runs"][0]["state"]
    ours, base, same = (states.get(k, {}) for k in ("voiceos", "baseline", "baseline_same_outputs"))
    for key, label in (
        ("state_per_resource", "state per resource (bytes, checkpoint entry as stored)"),
        ("engine_metadata_per_resource", "of which engine metadata: URNs, timestamps, stack trace (bytes)"),
        ("inputs_per_resource", "of which inputs (bytes)"),
        ("stored_outputs_per_resource", "of which outputs, secrets encrypted (bytes)"),
        ("outputs_per_resource", "outputs per resource, plaintext JSON (bytes)"),
        ("provider_bytes", "`__provider` (bytes)"),
    ):
        lines.append(f"| {label} | {ours.get(key, 0):.0f} | {base.get(key, 0):.0f} | {same.get(key, 0):.0f} |")
    imported = results["import"]
    lines += [
        "",
        f"`import pulumi_voiceos` after `import pulumi`: {imported['added_ms']:.1f} ms "
        f"(`import pulumi` itself: {imported['pulumi_ms']:.0f} ms; medians of {imported['runs']} `-X importtime` "
        f"runs). Packages it loads that `pulumi` had not: {', '.join(imported['added_modules']) or 'none'}.",
        "",
        "### Targets",
        "",
        "| target | wanted | measured | met |",
        "|---|---|---|---|",
    ]
    for target in results["targets"]:
        lines.append(
            f"| {target['name']} | {target['target']} | {target['measured']} | {'yes' if target['met'] else '**no**'} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def rewrite_section(doc: Path, section: str, *, begin: str = BEGIN, end: str = END) -> None:
    """Replace what lies between the markers (or append the section), keeping the prose around it.
    ``section`` starts with ``begin`` and ends with ``end``."""
    text = doc.read_text() if doc.exists() else "# Performance\n\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text)
