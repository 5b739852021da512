"""Every fenced code block of README.md and docs/*.md is run by a test, or says why it cannot be (issue 26).

A block is held to a test by the marker on the line above it (tests/docs.py): ``HELD_BY`` names, for
each marker and argument, the test file that reads the block to run it (or, for the README's pip
install from the package index, to check it against pyproject.toml). A block that cannot run here at all carries
``<!-- not-run: KEY -->`` and ``NOT_RUN`` gives its reason. So a block added to the docs without a
test, or with a marker no test reads, fails here.
"""

from __future__ import annotations

from pathlib import Path

from .docs import REPO, fenced_blocks

EVERY = "*"
"""As an argument in HELD_BY: the test runs every block of that marker, whatever its argument."""

HELD_BY: dict[tuple[str, str], str] = {
    ("readme-program", ""): "tests/test_readme.py",
    ("readme-snippet", EVERY): "tests/test_readme.py",
    ("readme-command", "quick-start"): "tests/e2e/test_demo.py",
    # Checked, not run: pulumi-voiceos from the package index is a release, not this checkout.
    ("readme-install", "pip"): "tests/test_release.py",
    ("docs-program", "python"): "tests/e2e/test_auto_install.py",
    ("docs-program", "yaml"): "tests/e2e/test_auto_install.py",
    ("docs-command", "plugin-install"): "tests/e2e/test_auto_install.py",
    ("docs-command", "adopt"): "tests/e2e/test_adopt.py",
    ("docs-command", "adopt-stacks"): "tests/e2e/test_split_stacks.py",
    ("pipeline-workflow", "examples/split/.github/workflows/voiceos-split.yml"): "tests/e2e/test_split_stacks.py",
    ("docs-command", "adopt-import-file"): "tests/e2e/test_adopt_import.py",
    ("docs-fragment", "import"): "tests/e2e/test_adopt.py",
    ("docs-output", "error-tree"): "tests/test_errors_doc.py",
    ("docs-output", "layers"): "tests/test_layout.py",
    ("docs-command", "api-token"): "tests/e2e/test_flows.py",
    ("sdk-install", "typescript"): "tests/e2e/test_languages.py",
    ("sdk-install", "go"): "tests/e2e/test_languages.py",
    ("docs-fragment", "yaml"): "tests/e2e/test_native.py",
    # Read there into the language tests' program; tests/e2e/test_examples_languages.py runs it.
    ("docs-fragment", "typescript"): "tests/e2e/test_languages.py",
    ("docs-command", "native-import"): "tests/e2e/test_native.py",
    ("docs-command", "plugin-package"): "tests/e2e/test_plugin_package.py",
    ("docs-output", "path-warning"): "tests/e2e/test_plugin_package.py",
    ("docs-output", "webhook-diff-python"): "tests/e2e/test_diffs.py",
    ("docs-output", "webhook-diff-yaml"): "tests/e2e/test_diffs.py",
    ("docs-output", "plaintext-warning"): "tests/e2e/test_diffs.py",
    ("docs-command", "bench-smoke"): "tests/e2e/test_benchmark.py",
    ("docs-command", "bench-release-smoke"): "tests/test_benchmark_release.py",
    ("pipeline", "login"): "tests/e2e/test_pipelines.py",
    ("pipeline", "state-move"): "tests/e2e/test_pipelines.py",
    ("pipeline", "recover"): "tests/e2e/test_pipelines.py",
    ("docs-command", "plans"): "tests/e2e/test_plans.py",
    ("docs-command", "budget"): "tests/e2e/test_budget.py",
    ("real-accounts-command", "doctor"): "tests/test_real_accounts_doc.py",
    ("real-accounts-command", "test-live"): "tests/test_real_accounts_doc.py",
    ("real-accounts-command", "test-live-unset"): "tests/test_real_accounts_doc.py",
    ("real-accounts-output", "doctor"): "tests/test_real_accounts_doc.py",
    ("real-accounts-output", "refused"): "tests/test_real_accounts_doc.py",
    ("real-accounts-output", "test-live-unset"): "tests/test_real_accounts_doc.py",
    ("docs-command", "emulator"): "tests/emulator/test_process.py",
    ("policies-command", "preview"): "tests/e2e/test_policies.py",
    ("policies-config", "example"): "tests/e2e/test_policies.py",
    ("policies-workflow", "example"): "tests/policies/test_docs.py",
    ("docs-test-file", "mocks-pattern"): "tests/testing/test_mocks_pattern.py",
}

NOT_RUN: dict[str, str] = {
    "make-bench": (
        "the full benchmark takes over an hour on 2 cores and rewrites docs/performance.md and "
        "docs/performance/; the bench-smoke block below it runs the same benchmark at N=10 "
        "(tests/e2e/test_benchmark.py), and test_benchmark.py runs it at N=3 against a copy of the page"
    ),
    "make-bench-release": (
        "about 2 minutes, and it rewrites docs/performance.md and docs/performance/release.json; the "
        "bench-release-smoke block below it runs the same benchmark at 40 entries "
        "(tests/test_benchmark_release.py), which also runs it against a copy of the page"
    ),
}


def held_by(marker: str, argument: str) -> str | None:
    return HELD_BY.get((marker, argument)) or HELD_BY.get((marker, EVERY))


def test_every_fenced_block_of_the_docs_is_held_to_a_test_or_says_why_it_is_not_run() -> None:
    unheld = [
        f"{b.where}: {'no marker' if not b.marker else f'<!-- {b.marker}: {b.argument} --> is read by no test'}"
        for b in fenced_blocks()
        if b.marker != "not-run" and held_by(b.marker, b.argument) is None
    ]
    assert unheld == [], "blocks no test runs (mark each one and run it in a test, see tests/docs.py):\n" + "\n".join(
        unheld
    )


def test_each_not_run_block_has_its_reason_here_and_each_reason_a_block() -> None:
    not_run = [b for b in fenced_blocks() if b.marker == "not-run"]
    assert sorted(b.argument for b in not_run) == sorted(NOT_RUN), [b.where for b in not_run]
    assert all(reason for reason in NOT_RUN.values())


def test_each_test_file_named_reads_its_marker_and_argument_and_each_entry_has_a_block() -> None:
    blocks = fenced_blocks()
    for (marker, argument), test_file in HELD_BY.items():
        text = (REPO / test_file).read_text()
        assert marker in text, f"{test_file} never names the marker {marker}"
        if argument not in ("", EVERY):
            assert f'"{argument}"' in text, f"{test_file} never names the block <!-- {marker}: {argument} -->"
        assert any(b.marker == marker and argument in (EVERY, b.argument) for b in blocks), (
            f"no block of the docs is marked <!-- {marker}: {argument} -->"
        )


def test_a_block_of_any_fence_with_or_without_a_language_is_found_and_its_marker_read(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "Prose.\n\n```sh\nmake demo\n```\n\n<!-- docs-command: x -->\n```python\nprint(1)\n```\n\n"
        "- an item:\n\n  ```\n  a tree\n  ```\n\n~~~yaml\na: 1\n~~~\n\n````md\n```sh\nnested\n```\n````\n"
        "<!-- not-run: why -->\n```sh\nnot here\n```\n"
    )
    found = [(b.line, b.language, b.marker, b.argument, b.body) for b in fenced_blocks([doc])]
    assert found == [
        (3, "sh", "", "", "make demo\n"),
        (8, "python", "docs-command", "x", "print(1)\n"),
        (14, "", "", "", "  a tree\n"),
        (18, "yaml", "", "", "a: 1\n"),
        (22, "md", "", "", "```sh\nnested\n```\n"),
        (28, "sh", "not-run", "why", "not here\n"),
    ]
