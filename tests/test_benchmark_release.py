"""The release benchmark runs end to end at a tiny size, and what each of its measurements sends is exact:
removing k entries of a fleet is k GETs of one number and k PATCHes, without a listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import release

pytestmark = pytest.mark.timeout(180)


def test_the_release_benchmark_reads_each_removed_number_once_and_writes_it_once(
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
        assert f"| {latency} | {release.LABELS['removal']} | 20 GET by number, 0 listing, 20 PATCH |" in printed
        assert f"| {latency} | {release.LABELS['patch']} | 0 GET by number, 0 listing, 20 PATCH |" in printed
        assert f"| {latency} | {release.LABELS['get_patch']} | 20 GET by number, 0 listing, 20 PATCH |" in printed
        # The account of 40 numbers is one page of the listing.
        assert f"| {latency} | {release.LABELS['listing_patch']} | 0 GET by number, 1 listing, 20 PATCH |" in printed
    figures = json.loads((tmp_path / "release.json").read_text())
    assert [run["latency_ms"] for run in figures["runs"]] == [0, 5]
    for run in figures["runs"]:
        assert run["kinds"]["removal"]["requests"] == {"get": 20, "listing": 0, "patch": 20}
        assert run["kinds"]["patch"]["ratio_to_patch_floor"] == 1.0
        assert all(k["median_seconds"] > 0 for k in run["kinds"].values())
    # At 5 ms, 20 numbers 16 at once take two waves of a GET and a PATCH: at least 4 x 5 ms.
    assert figures["runs"][1]["kinds"]["removal"]["latency_bound_seconds"] == 0.02
    assert figures["runs"][1]["kinds"]["removal"]["median_seconds"] >= 0.02
    text = doc.read_text()
    assert "old" not in text and "Prose that stays." in text and "| 5 ms | `fleet.update` removing them" in text
