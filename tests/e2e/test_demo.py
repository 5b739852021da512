"""The README's quick start, as a newcomer types it at the repository's root: ``make demo``.

Its other line, ``make test``, is the suite this test is part of: it is not run again from inside it,
only shown to be the Makefile's target that runs pytest on the suite.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from ..docs import one_block

REPO = Path(__file__).resolve().parents[2]
OUTER_MAKE = ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")
NUMBER, AGENT = "+14155550123", "agent_support"  # scripts/demo.py's


def quick_start() -> dict[str, str]:
    """The quick start's lines by their command (the part before the comment)."""
    lines = one_block("readme-command", "quick-start", "sh").splitlines()
    return {line.split("#")[0].strip(): line for line in lines}


def a_users_shell() -> dict[str, str]:
    """This environment without what the suite's own ``make test`` and pytest put in it."""
    return {k: v for k, v in os.environ.items() if k not in OUTER_MAKE and not k.startswith(("PYTEST_", "VOICEOS_"))}


@pytest.mark.e2e
def test_the_readmes_make_demo_binds_the_number_reads_it_back_and_prints_no_warning_or_error() -> None:
    lines = quick_start()
    assert list(lines) == ["make demo", "make test"]
    demo = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", lines["make demo"]],
        cwd=REPO,
        env=a_users_shell(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    printed = demo.stdout + demo.stderr
    assert demo.returncode == 0, printed
    # The up created the binding, and the emulator, asked afterwards, holds it.
    assert re.search(r"PhoneNumberBinding support-line created\b", demo.stdout), demo.stdout
    assert "+ 2 created" in demo.stdout
    held = demo.stdout.split(f"What the emulator now holds for {NUMBER}:", 1)
    assert len(held) == 2, demo.stdout
    assert f'"inbound_agent_id": "{AGENT}"' in held[1] and f'"phone_number": "{NUMBER}"' in held[1]
    assert "Demo finished" in demo.stdout
    flagged = [line for line in printed.splitlines() if re.match(r"\s*(warning|error)", line, re.IGNORECASE)]
    assert flagged == [], flagged
    assert "Traceback" not in printed


def test_the_readmes_make_test_is_the_target_that_runs_this_suite() -> None:
    """`make -n` only prints what `make test` would run (it evaluates the CLI's bin dir, built already)."""
    assert "make test" in quick_start()
    dry = subprocess.run(
        ["make", "-n", "test"], cwd=REPO, env=a_users_shell(), capture_output=True, text=True, check=False
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr
    [pytest_line] = [line for line in dry.stdout.splitlines() if "/bin/pytest" in line]
    assert pytest_line.startswith('PATH="') and ".venv/bin/pytest -n " in pytest_line
