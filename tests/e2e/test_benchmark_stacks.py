"""The stacks benchmark runs end to end at a small scale, and writes its section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import stacks

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def test_the_stacks_benchmark_runs_every_case_and_reports_its_ratios(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{stacks.BEGIN}\nold\n{stacks.END}\n\nProse that stays.\n")
    assert stacks.main(["--scale", "0.004", "--out", str(tmp_path), "--doc", str(doc)]) == 0
    figures = json.loads((tmp_path / "stacks.json").read_text())
    assert [case["headers"] for case in figures["cases"]] == [True, False]
    for case in figures["cases"]:
        assert case["size"] == 10 and case["up"]["ok"] and case["destroy"]["ok"], case
        # Every stack writes each of its numbers once.
        assert case["up"]["requests"] - case["up"]["refused"] >= stacks.STACKS * 10
    assert figures["budget"]["ok"] and figures["budget"]["requests"] >= 10
    assert len(figures["targets"]) == 5
    text = doc.read_text()
    assert "old" not in text and "Prose that stays." in text and "| 4 x 10 at 100/s, headers | `up` |" in text
