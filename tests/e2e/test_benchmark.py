"""The benchmark itself runs end to end (at a size small enough for CI) and its
request counts, which do not depend on the machine, meet the targets."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from benchmarks import fleets, native, report, run
from benchmarks import preview as preview_benchmark
from benchmarks import testing as testing_benchmark

from ..docs import REPO, one_block

# Not alone: the smoke runs check what does not depend on the machine (requests, the files written); the
# figures they measure are the benchmarks' to compare, in runs of their own.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def test_benchmark_runs_and_api_requests_meet_the_targets(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nProse that stays.\n\n{report.BEGIN}\nold table\n{report.END}\n\nMore prose.\n")

    code = run.main(
        ["--sizes", "3", "--repetitions", "1", "--latencies", "0", "--out", str(tmp_path), "--doc", str(doc)]
    )

    assert code == 0
    results = json.loads((tmp_path / "results.json").read_text())
    (run_figures,) = results["runs"]
    operations = run_figures["operations"]
    for op, limit in report.EXPECTED_REQUESTS.items():
        allowed = limit + (report.create_listing_share(3) if op == "create" else 0)
        assert operations[op]["voiceos"]["requests_per_resource"] <= allowed, op
        for kind in ("baseline", "baseline_same_outputs"):
            assert operations[op][kind]["requests_per_resource"] == 0, (op, kind)
    # A GET and a PATCH per binding, and the checks' one listing of the account of 3 (one page).
    assert operations["create"]["voiceos"]["requests_per_resource_by_method"] == {"GET": 1.333, "PATCH": 1.0}
    assert all(t["met"] for t in results["targets"] if t["name"].startswith("API requests per binding")), results
    # A refresh of 3 lists the account of 3 in one page, instead of 3 GETs.
    assert operations["refresh"]["voiceos"]["requests_per_resource"] * 3 == pytest.approx(1, abs=0.01)
    assert operations["update"]["voiceos"]["requests_per_resource_by_method"] == {"PATCH": 1.0}
    assert operations["destroy"]["voiceos"]["requests_per_resource_by_method"] == {"GET": 1.0, "PATCH": 1.0}
    assert all(operations[op]["voiceos"]["provider_peak_mib"] for op in report.LABELS)
    state = run_figures["state"]["voiceos"]
    assert state["resources"] == 3 and state["provider_bytes"] < report.PROVIDER_LIMIT_BYTES
    assert results["import"]["added_modules"] == []  # no pydantic or httpx in the program
    for chart in ("time-vs-n.png", "time-vs-n-loglog.png"):
        assert (tmp_path / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert any(t["name"] == "API requests per refresh, N=3" and t["met"] for t in results["targets"])
    text = doc.read_text()
    assert "old table" not in text and "Prose that stays." in text and "More prose." in text
    assert "| up (create all) | 3 |" in text


@pytest.mark.python_sdk  # its program runs on the generated Python SDK
def test_the_native_benchmark_runs_and_its_request_targets_are_met(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{native.BEGIN}\nold\n{native.END}\n\nProse that stays.\n")
    code = native.main(
        ["--size", "4", "--latency", "10", "--repetitions", "1", "--out", str(tmp_path), "--doc", str(doc)]
    )
    assert code == 0
    figures = json.loads((tmp_path / "native.json").read_text())
    assert figures["import"]["requests"] == {"GET": 4}
    for kind in ("native", "voiceos"):
        k = figures["kinds"][kind]
        assert k["create_requests"] == {"GET": 5, "PATCH": 4}  # a GET and a PATCH each, and the checks' listing
        assert k["noop_preview_requests"] == 0 and k["noop_up_requests"] == 0
        assert k["bound_seconds"] > k["seconds_at_0ms"]
    assert figures["kinds"]["native"]["concurrency"] == figures["engine_default_parallel"]
    text = doc.read_text()
    assert "old" not in text and "Prose that stays." in text and "ratio to bound" in text


def test_the_fleet_benchmark_runs_and_its_request_targets_are_met(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{fleets.BEGIN}\nold\n{fleets.END}\n\nProse that stays.\n")
    small = ["--sizes", "5", "--latency", "0", "--per-binding", "5", "--shapes", "flat"]
    code = fleets.main([*small, "--out", str(tmp_path), "--doc", str(doc)])
    assert code == 0
    figures = json.loads((tmp_path / "fleet.json").read_text())
    [fleet] = figures["fleets"]
    assert fleet["preview"]["requests"] == {} and fleet["update_100"]["requests"] == {"PATCH": 5}
    assert fleet["create"]["requests"] == {"GET": 1, "PATCH": 5}  # one listing page, a PATCH per entry
    assert fleet["destroy"]["requests"] == {"GET": 1, "PATCH": 5}  # the listing read at release time, a PATCH each
    assert figures["floor"]["size"] == 5 and figures["per_binding"]["size"] == 5
    assert figures["floor"]["destroy_seconds"] > 0
    # The same-inputs floor, and the study of one other shape, ran their three operations on a provider that
    # does nothing.
    assert [(f["shape"], f["size"]) for f in figures["floors"] + figures["shapes"]] == [("none", 5), ("flat", 5)]
    assert all(f[op]["requests"] == {} for f in figures["floors"] for op in ("create", "preview", "update_100"))
    assert all(t["met"] for t in figures["targets"] if t["name"].startswith("requests of")), figures["targets"]
    text = doc.read_text()
    assert "old" not in text and "Prose that stays." in text and "| 5 |" in text
    assert "| 5 | same-inputs floor |" in text and "| 5 | `flat` |" in text and "| state per entry, N=5 |" in text


def test_the_testing_benchmark_compares_the_two_tests_of_one_program(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{testing_benchmark.BEGIN}\nold\n{testing_benchmark.END}\n")
    code = testing_benchmark.main(["--bindings", "5", "--repetitions", "1", "--out", str(tmp_path), "--doc", str(doc)])
    assert code == 0
    figures = json.loads((tmp_path / "testing.json").read_text())
    assert figures["echo_seconds"] > 0 and figures["unit_seconds"] > 0 and figures["integration"]["total"] > 0
    assert figures["ratio"] == round(figures["integration"]["total"] / figures["unit_seconds"], 1)
    assert figures["fixture"]["start_seconds"] > 0
    assert "old" not in doc.read_text() and "| unit, `VoiceOSMocks` | 5 bindings" in doc.read_text()


def test_the_preview_benchmark_reads_the_account_once_with_checks_and_never_without(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{preview_benchmark.BEGIN}\nold\n{preview_benchmark.END}\n")
    code = preview_benchmark.main(["--size", "5", "--repetitions", "1", "--out", str(tmp_path), "--doc", str(doc)])
    assert code == 0
    figures = json.loads((tmp_path / "preview.json").read_text())
    assert figures["requests_by_method"] == {"checks": {"GET": 1}, "no_checks": {}}
    assert [t["met"] for t in figures["targets"] if t["name"].startswith("requests")] == [True, True]
    assert "old" not in doc.read_text() and "| `false` |" in doc.read_text()


def test_the_docs_smoke_run_of_the_benchmark_writes_its_results_in_a_new_folder_and_leaves_docs_alone(
    tmp_path: Path,
) -> None:
    """docs/performance.md's smoke-run block, as written, in bash at the repository's root (no make of
    ours around it); its ``mktemp -d`` lands in the test's folder (TMPDIR)."""
    commands = one_block("docs-command", "bench-smoke", "sh")
    docs = REPO / "docs"
    before = {p: p.read_bytes() for p in [docs / "performance.md", *sorted((docs / "performance").iterdir())]}
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        cwd=REPO,
        env={**env, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [out] = [p for p in tmp_path.iterdir() if (p / "results.json").exists()]
    results = json.loads((out / "results.json").read_text())
    assert results["parameters"] == {"sizes": [10], "repetitions": 1, "large_repetitions": 1, "latencies_ms": [0]}
    [run_figures] = results["runs"]
    assert run_figures["operations"]["create"]["voiceos"]["requests_per_resource_by_method"]["PATCH"] == 1.0
    for chart in ("time-vs-n.png", "time-vs-n-loglog.png"):
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert {p: p.read_bytes() for p in before} == before, "docs/ changed"
    # The help the last line prints lists every option the block and the page's prose around it name.
    assert "usage: python -m benchmarks.run" in done.stdout
    prose = (docs / "performance.md").read_text().split("## Running it", 1)[1].split("## Method", 1)[0]
    named = set(re.findall(r"`(--[a-z-]+)", prose)) | set(re.findall(r"(--[a-z][a-z-]*)", commands))
    assert {"--sizes", "--large-repetitions", "--checkpoint-study", "--check", "--no-doc", "--out"} <= named
    assert [option for option in sorted(named) if option not in done.stdout] == []
