"""The release benchmark runs end to end at a tiny size, and what each of its measurements sends is exact:
removing k entries of a fleet is the listing's pages up to the last of them and k PATCHes, without a GET."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from benchmarks import release

from .docs import REPO, one_block

pytestmark = pytest.mark.timeout(180)


def test_the_release_benchmark_lists_the_account_at_release_time_and_writes_each_removed_number_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{release.BEGIN}\nold\n{release.END}\n\nProse that stays.\n")

    code = release.main(
        ["--entries", "40", "--latencies", "0,5", "--repetitions", "1", "--out", str(tmp_path), "--doc", str(doc)]
    )

    assert code == 0
    printed = capsys.readouterr().out
    for latency in ("0 ms", "5 ms"):
        assert f"| {latency} | {release.LABELS['removal']} | 0 GET by number, 1 listing, 20 PATCH |" in printed
        assert f"| {latency} | {release.LABELS['patch']} | 0 GET by number, 0 listing, 20 PATCH |" in printed
        assert f"| {latency} | {release.LABELS['get_patch']} | 20 GET by number, 0 listing, 20 PATCH |" in printed
        # The account of 40 numbers is one page of the listing.
        assert f"| {latency} | {release.LABELS['listing_patch']} | 0 GET by number, 1 listing, 20 PATCH |" in printed
    figures = json.loads((tmp_path / "release.json").read_text())
    assert [run["latency_ms"] for run in figures["runs"]] == [0, 5]
    for run in figures["runs"]:
        assert run["kinds"]["removal"]["requests"] == {"get": 0, "listing": 1, "patch": 20}
        assert run["kinds"]["patch"]["ratio_to_patch_floor"] == 1.0
        assert all(k["median_seconds"] > 0 for k in run["kinds"].values())
    # At 5 ms, a page of the listing, then 20 numbers 16 at once in two waves of a PATCH: at least 3 x 5 ms.
    assert figures["runs"][1]["kinds"]["removal"]["latency_bound_seconds"] == 0.015
    assert figures["runs"][1]["kinds"]["removal"]["median_seconds"] >= 0.015
    text = doc.read_text()
    assert "old" not in text and "Prose that stays." in text and "| 5 ms | `fleet.update` removing them" in text


def test_the_docs_smoke_run_of_the_release_benchmark_writes_release_json_in_a_new_folder_and_leaves_docs_alone(
    tmp_path: Path,
) -> None:
    """docs/performance.md's block, as written, in bash at the repository's root; its ``mktemp -d`` lands
    in the test's folder (TMPDIR)."""
    commands = one_block("docs-command", "bench-release-smoke", "sh")
    docs = REPO / "docs"
    before = {p: p.read_bytes() for p in [docs / "performance.md", *sorted((docs / "performance").iterdir())]}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [written] = list(tmp_path.glob("*/release.json"))
    figures = json.loads(written.read_text())
    assert (figures["entries"], figures["removed"], figures["repetitions"]) == (40, 20, 1)
    for run in figures["runs"]:
        assert run["kinds"]["removal"]["requests"] == {"get": 0, "listing": 1, "patch": 20}
    assert {p: p.read_bytes() for p in before} == before, "docs/ changed"
