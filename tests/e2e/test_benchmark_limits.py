"""The rate-limit benchmark runs end to end at a hundredth of its sizes, and writes its section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import limits

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def test_the_rate_limit_benchmark_runs_every_case_and_reports_its_ratios(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{limits.BEGIN}\nold\n{limits.END}\n\nProse that stays.\n")
    assert limits.main(["--scale", "0.01", "--out", str(tmp_path), "--doc", str(doc)]) == 0
    figures = json.loads((tmp_path / "limits.json").read_text())
    results = figures["results"]
    assert [r["size"] for r in results] == [10, 10, 3, 2, 10]
    assert all(r["ok"] for r in results), results
    # Every case writes each number once; a limited one is held to its floor (a run this small fits its burst).
    assert all(r["requests"] - r["refused"] >= r["size"] for r in results)
    named = [t["name"].split(":")[0] for t in figures["targets"]]
    assert named == [
        *(c.name for c in limits.cases(0.01)[:4]),
        "without a limit, the pacer's client against an unpaced one",
    ]
    assert figures["overhead"]["paced_seconds"] > 0 and figures["overhead"]["unpaced_seconds"] > 0
    text = doc.read_text()
    assert (
        "old" not in text and "Prose that stays." in text and "| 2 bindings at 20/s, default --parallel | 2 |" in text
    )
