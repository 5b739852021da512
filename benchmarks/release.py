"""Benchmark a fleet's release, which decides on a listing read at release time, against the API floor.

``python -m benchmarks.release`` (``make bench-release``; ``make bench`` runs it too). The core's fleet
hooks are called directly (no engine), against the emulator over loopback HTTP: a fleet of 2,000
entries (an agent and a webhook each) is created, then ``fleet.update`` removes 1,000 of them at once.
Each removed number is let go of as a binding's delete is, decided on a read taken at release time: the
account's listing read then (the pages up to the last removed number), then its PATCH (an unbind),
``Settings.max_concurrency`` numbers at once. Measured in the same run, on the same
emulator and the same numbers, a plain httpx client sends, as many at once:

- the same 1,000 PATCHes: the floor of the writes alone, the baseline of every ratio;
- a GET then the PATCH of each of the 1,000: the floor of what the release sent before, a GET of each;
- the account's listing (ceil(2,000 / 200) pages, one after the other), then the 1,000 PATCHes: the
  floor of what the release sends now (which stops paging once it has seen every removed number).

Before each measurement the 1,000 numbers are seeded afresh with the fleet's binding (the emulator's
admin area, not logged); the request log is then checked against what each must send, so a broken run
cannot produce a fast figure. At each latency the four take turns going first across repetitions; a
figure is the median of the repetitions. Results go to ``<out>/release.json`` and the section between
the markers in ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from pulumi_voiceos.core.config import Settings
from pulumi_voiceos.core.models import MAX_PAGE_SIZE, UNBOUND
from pulumi_voiceos.dynamic.wording import PYTHON
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.engine import fleet as core
from pulumi_voiceos.engine.deployment import Deployment

from . import fleet, report

REPO = Path(__file__).resolve().parents[1]
BEGIN = "<!-- release-benchmark:begin -->"
END = "<!-- release-benchmark:end -->"
TOKEN = "bench-token"
CONCURRENCY = Settings.max_concurrency
KINDS = ("removal", "patch", "get_patch", "listing_patch")
LABELS = {
    "removal": "`fleet.update` removing them (a listing read at release time, then the PATCH)",
    "patch": "floor: the PATCHes alone",
    "get_patch": "floor: a GET then the PATCH of each (the release before)",
    "listing_patch": "floor: the account's listing, then the PATCHes",
}
REQUEST_TIMEOUT = 10.0
"""Seconds one request may take (every request goes to 127.0.0.1); a run that hangs fails instead."""


class BenchmarkError(RuntimeError):
    """A measurement did not send what it must (its time would be meaningless)."""


def _settings(url: str) -> Settings:
    # The provider's defaults, with a request and its retries bounded tighter: on loopback, a request that
    # takes seconds is a broken run, not a figure.
    return Settings(url, TOKEN, request_timeout=REQUEST_TIMEOUT, max_retry_seconds=30.0)


def _entry(index: int) -> dict[str, Any]:
    return {"inbound_agent_id": fleet.AGENT_ID, "webhooks": fleet.webhooks(index, "r1")}


def _checked(deployment: Deployment, props: Mapping[str, Any], olds: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The fleet's inputs as the provider's check makes them canonical (it claims their numbers too)."""
    checked, failures = core.check(deployment, props, olds, say=PYTHON)
    if failures:
        raise BenchmarkError(f"the fleet's inputs fail their check: {failures[:3]}")
    return checked


def _split(log: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Requests by kind: GETs of one number, listing pages, PATCHes, and anything else."""
    counted: Counter[str] = Counter()
    for r in log:
        if r["method"] == "GET":
            counted["get" if r["phone_number"] is not None else "listing"] += 1
        else:
            counted[r["method"].lower()] += 1
    split = {"get": counted.pop("get", 0), "listing": counted.pop("listing", 0), "patch": counted.pop("patch", 0)}
    return {**split, **counted}


def _release_pages(removed: int) -> int:
    """The pages the release reads: up to the last removed number (the first ``removed`` of the listing);
    a single number is read with its own GET instead."""
    return math.ceil(removed / MAX_PAGE_SIZE) if removed > 1 else 0


def _expected(kind: str, removed: int, pages: int) -> dict[str, int]:
    return {
        "removal": {"get": 1 if removed == 1 else 0, "listing": _release_pages(removed), "patch": removed},
        "patch": {"get": 0, "listing": 0, "patch": removed},
        "get_patch": {"get": removed, "listing": 0, "patch": removed},
        "listing_patch": {"get": 0, "listing": pages, "patch": removed},
    }[kind]


def _rounds(kind: str, removed: int, pages: int) -> int:
    """Round trips one after the other that the kind needs at ``CONCURRENCY`` at once (its latency bound)."""
    waves = math.ceil(removed / CONCURRENCY)
    release = max(1, _release_pages(removed)) + waves
    return {"removal": release, "patch": waves, "get_patch": 2 * waves, "listing_patch": pages + waves}[kind]


class Account:
    """One emulator, its account of ``size`` numbers, and the fleet created over all of them."""

    def __init__(self, emulator: EmulatorProcess, size: int, remove: int) -> None:
        self.emulator = emulator
        self.size = size
        self.kept = range(remove, size)
        self.removed = range(remove)
        self.pages = math.ceil(size / MAX_PAGE_SIZE)
        self.settings = _settings(emulator.url)
        emulator.seed_many([{"phone_number": fleet.phone_number(i)} for i in range(size)])
        self.deployment = Deployment()
        props = _checked(self.deployment, {"bindings": {fleet.phone_number(i): _entry(i) for i in range(size)}})
        self.inputs = props
        _, self.outputs = core.create(self.deployment, self.settings, props, PYTHON)
        if len(self.outputs["records"]) != size:
            raise BenchmarkError(f"the fleet's create bound {len(self.outputs['records'])} of {size} numbers")
        self.unbind = UNBOUND.patch().to_wire()
        self.news: dict[str, Any] = {}

    def rebind(self) -> None:
        """The removed numbers bound again as the fleet bound them (their ids and carrier SIDs stay)."""
        self.emulator.seed_many(
            [{"phone_number": fleet.phone_number(i), **_entry(i)} for i in self.removed],
        )

    def prepare_removal(self) -> dict[str, Any]:
        """What the removal's ``up`` does before the update (no request): a later ``up`` runs in a new provider
        process, a new deployment, whose check makes the inputs canonical and claims only what stays."""
        self.deployment = Deployment()
        return _checked(
            self.deployment, {"bindings": {fleet.phone_number(i): _entry(i) for i in self.kept}}, self.inputs
        )

    def removal(self) -> None:
        # ``declared_elsewhere``: the program's other resources declare none of the removed numbers (the dynamic
        # provider is told so, and hands nothing over); the native provider would wait for quiet checks first.
        outputs = core.update(self.deployment, self.settings, self.outputs, self.news, PYTHON)
        if len(outputs["records"]) != len(self.kept):
            raise BenchmarkError(f"after the removal the fleet has {len(outputs['records'])} entries")

    def _fan_out(self, work: Callable[[httpx.Client, str], None], before: Callable[[httpx.Client], None]) -> None:
        with httpx.Client(
            base_url=self.emulator.url,
            headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"},
            timeout=REQUEST_TIMEOUT,
            limits=httpx.Limits(max_connections=2 * CONCURRENCY, max_keepalive_connections=CONCURRENCY),
            trust_env=False,  # loopback only, never through a proxy from the environment
        ) as client:
            before(client)
            numbers = [fleet.phone_number(i).replace("+", "%2B") for i in self.removed]
            with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
                list(pool.map(lambda n: work(client, n), numbers))

    def _unbind(self, client: httpx.Client, number: str) -> None:
        client.patch(f"/phone_numbers/{number}", json=self.unbind).raise_for_status()

    def patch(self) -> None:
        self._fan_out(self._unbind, _nothing)

    def get_patch(self) -> None:
        def each(client: httpx.Client, number: str) -> None:
            client.get(f"/phone_numbers/{number}").raise_for_status()
            self._unbind(client, number)

        self._fan_out(each, _nothing)

    def listing_patch(self) -> None:
        def listing(client: httpx.Client) -> None:
            index = 0
            while True:
                page = client.get("/phone_numbers", params={"index": index, "limit": MAX_PAGE_SIZE})
                body = page.raise_for_status().json()
                index += len(body["items"])
                if not body["has_more"] or not body["items"]:
                    return

        self._fan_out(self._unbind, listing)

    def measure(self, kind: str, latency: int) -> dict[str, Any]:
        self.rebind()
        if kind == "removal":
            self.news = self.prepare_removal()
        self.emulator.clear_requests()
        self.emulator.set_latency(latency)
        started = time.perf_counter()
        try:
            getattr(self, kind)()
            seconds = time.perf_counter() - started
        finally:
            self.emulator.set_latency(0)
        log = self.emulator.requests()
        sent = _split(log)
        wanted = _expected(kind, len(self.removed), self.pages)
        if sent != wanted:
            raise BenchmarkError(f"{kind} at {latency} ms sent {sent}, not {wanted}")
        failed = [r for r in log if r["status"] != 200]
        written = {r["phone_number"] for r in log if r["method"] == "PATCH"}
        if failed or written != {fleet.phone_number(i) for i in self.removed}:
            raise BenchmarkError(
                f"{kind} at {latency} ms: {len(failed)} failed requests, {len(written)} numbers written"
            )
        return {"seconds": seconds, "requests": sent}


def _nothing(_client: httpx.Client) -> None:
    return None


def run_latency(account: Account, latency: int, repetitions: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
    requests: dict[str, dict[str, int]] = {}
    for repetition in range(repetitions):
        order = KINDS[repetition % len(KINDS) :] + KINDS[: repetition % len(KINDS)]
        for kind in order:
            measured = account.measure(kind, latency)
            samples[kind].append(measured["seconds"])
            requests[kind] = measured["requests"]
        print(
            f"  {latency} ms, repetition {repetition + 1}: "
            + ", ".join(f"{kind} {samples[kind][-1]:.3f} s" for kind in KINDS),
            flush=True,
        )
    medians = {kind: statistics.median(samples[kind]) for kind in KINDS}
    removed = len(account.removed)
    return {
        "latency_ms": latency,
        "kinds": {
            kind: {
                "requests": requests[kind],
                "samples": [round(s, 4) for s in samples[kind]],
                "median_seconds": round(medians[kind], 4),
                "ratio_to_patch_floor": round(medians[kind] / medians["patch"], 3),
                "latency_bound_seconds": round(_rounds(kind, removed, account.pages) * latency / 1000, 3),
            }
            for kind in KINDS
        },
        "removal_over_listing_patch_floor": round(medians["removal"] / medians["listing_patch"], 3),
    }


def _requests(sent: Mapping[str, int]) -> str:
    return f"{sent['get']:,} GET by number, {sent['listing']} listing, {sent['patch']:,} PATCH"


def table(figures: Mapping[str, Any]) -> str:
    size, removed = figures["entries"], figures["removed"]
    rows = [
        f"A fleet of {size:,} entries; one `fleet.update` removes {removed:,} of them at once, "
        f"{figures['concurrency']} numbers at once; the floors are a plain httpx client, as many at once, "
        f"in the same run. Median of {figures['repetitions']} (load average {figures['load_before']} before, "
        f"{figures['load_after']} after, {figures['cores']} cores):",
        "",
        "| latency | what | requests | median | latency bound | ratio to PATCH-only floor |",
        "|---|---|---|---|---|---|",
    ]
    for run in figures["runs"]:
        for kind in KINDS:
            k = run["kinds"][kind]
            bound = "-" if not run["latency_ms"] else f"{k['latency_bound_seconds']:.2f} s"
            rows.append(
                f"| {run['latency_ms']} ms | {LABELS[kind]} | {_requests(k['requests'])} | "
                f"{k['median_seconds']:.3f} s | {bound} | {k['ratio_to_patch_floor']:.2f} |"
            )
    rows.append("")
    rows += [
        f"At {run['latency_ms']} ms the removal took {run['removal_over_listing_patch_floor']:.2f} times the "
        "floor of the account's listing, then the PATCHes (it reads no more pages than that)."
        for run in figures["runs"]
    ]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.release", description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000, help="the fleet's size, and the account's (default 2000)")
    parser.add_argument("--remove", type=int, default=None, help="entries the update removes (default: half)")
    parser.add_argument("--latencies", default="0,20", help="emulator latency per request, ms (default 0,20)")
    parser.add_argument("--repetitions", type=int, default=5, help="per latency and kind; the median is kept")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "performance", help="where release.json goes")
    parser.add_argument("--doc", type=Path, default=REPO / "docs" / "performance.md")
    parser.add_argument("--no-doc", action="store_true", help="leave the markdown file alone")
    args = parser.parse_args(argv)
    remove = args.entries // 2 if args.remove is None else args.remove
    latencies = [int(ms) for ms in args.latencies.split(",") if ms]
    if not 1 <= remove <= args.entries or args.repetitions < 1 or not latencies or min(latencies) < 0:
        parser.error("need 1 <= --remove <= --entries, --repetitions >= 1 and latencies >= 0")
    started = time.perf_counter()
    figures: dict[str, Any] = {
        "entries": args.entries,
        "removed": remove,
        "concurrency": CONCURRENCY,
        "repetitions": args.repetitions,
        "cores": os.cpu_count(),
        "load_before": round(os.getloadavg()[0], 1),
        "runs": [],
    }
    with EmulatorProcess(token=TOKEN, host="127.0.0.1") as emulator:
        print(f"a fleet of {args.entries} entries, {remove} removed at once", flush=True)
        account = Account(emulator, args.entries, remove)
        for latency in latencies:
            figures["runs"].append(run_latency(account, latency, args.repetitions))
    figures["load_after"] = round(os.getloadavg()[0], 1)
    figures["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "release.json").write_text(json.dumps(figures, indent=2) + "\n")
    text = table(figures)
    if not args.no_doc:
        report.rewrite_section(args.doc, f"{BEGIN}\n{text}\n{END}", begin=BEGIN, end=END)
    print(text)
    print(f"elapsed {figures['elapsed_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
