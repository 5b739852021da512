"""What docs/real-accounts.md shows is what runs: its commands, run by bash against an emulator, print its samples."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_voiceos.emulator.process import EmulatorProcess

from .live.account import AGENT_BEFORE, AGENT_TEST, DEDICATED, DEDICATED_BINDING
from .odd_data import seed_odd_account

REPO = Path(__file__).resolve().parents[1]
DOC = (REPO / "docs" / "real-accounts.md").read_text()
COMMANDS = dict(re.findall(r"<!-- real-accounts-command: (\S+) -->\n```sh\n(.*?)```", DOC, re.S))
OUTPUTS = dict(re.findall(r"<!-- real-accounts-output: (\S+) -->\n```text\n(.*?)```", DOC, re.S))
TOKEN = "SENTINEL-DOC-TOKEN-0b5e77"
DOC_URL = "https://api.voiceos.io"


def shell(script: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``script`` in bash at the repository's root, with this virtualenv's commands first on PATH."""
    # As a user's shell: no make of ours around it (under `make test`, MAKELEVEL would make the doc's
    # `make` print "Entering directory" lines the doc does not show).
    outer_make = ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOICEOS_", "PYTEST_")) and k not in outer_make}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(variables)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )


def pointed_at(block: str, url: str, token: str, number: str = "") -> str:
    """The doc's block, with its URL, token placeholder and number pointed at the test's emulator."""
    block = block.replace(DOC_URL, url).replace("<token>", token)
    return block.replace("+14155550123", number) if number else block


def comparable(text: str, url: str) -> list[str]:
    """Lines with what differs between runs (times, the URL) made alike."""
    text = text.replace(url, DOC_URL)
    return [re.sub(r"\d+ ms|\d+\.\d s", "T", line) for line in text.strip().splitlines()]


def test_the_doc_shows_the_commands_and_samples_these_tests_run() -> None:
    assert set(COMMANDS) == {"doctor", "test-live", "test-live-unset"}
    assert set(OUTPUTS) == {"doctor", "refused", "test-live-unset"}


@pytest.fixture
def sample_account(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """The account of the doc's sample: 240 ordinary numbers (one in three unbound) and the odd data."""
    with EmulatorProcess(db_path=tmp_path / "voiceos.db", token=TOKEN) as emulator:
        yield seeded(emulator)


def seeded(emulator: EmulatorProcess) -> EmulatorProcess:
    numbers = [f"+1415555{i:04d}" for i in range(240)]
    emulator.seed_many(
        [{"phone_number": n, "inbound_agent_id": "agent_support" if i % 3 else None} for i, n in enumerate(numbers)]
    )
    seed_odd_account(emulator)
    return emulator


def test_the_doctor_command_prints_the_docs_sample_on_the_samples_account(sample_account: EmulatorProcess) -> None:
    run = shell(pointed_at(COMMANDS["doctor"], sample_account.url, TOKEN))
    refused = shell(pointed_at(COMMANDS["doctor"], sample_account.url, "a-wrong-token"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert comparable(run.stdout, sample_account.url) == comparable(OUTPUTS["doctor"], sample_account.url)
    assert refused.returncode == 1
    assert comparable(refused.stdout, sample_account.url)[-2:] == comparable(OUTPUTS["refused"], sample_account.url)


def test_make_test_live_without_the_variables_runs_nothing_says_what_to_set_and_exits_0() -> None:
    run = shell(COMMANDS["test-live-unset"])
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout == OUTPUTS["test-live-unset"]


@pytest.mark.e2e
def test_make_test_live_with_the_variables_runs_the_live_suite_on_the_account_they_name(tmp_path: Path) -> None:
    """The emulator stands in for the real account: the suite sees only the three variables, as on one."""
    with EmulatorProcess(db_path=tmp_path / "voiceos.db", token=TOKEN, agents=[AGENT_BEFORE, AGENT_TEST]) as emulator:
        seed_odd_account(emulator)
        emulator.seed_raw(DEDICATED, {"phone_number": DEDICATED, **DEDICATED_BINDING})
        before = emulator.peek(DEDICATED)
        run = shell(pointed_at(COMMANDS["test-live"], emulator.url, TOKEN, DEDICATED))
        after = emulator.peek(DEDICATED)
        methods = {r["method"] for r in emulator.requests()}
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert re.search(r"\b3 passed\b", run.stdout), run.stdout[-3000:]
    assert "PATCH" in methods  # the cycle did write, through the provider
    assert before is not None and after is not None
    assert {k: after[k] for k in ("inbound_agent_id", "webhooks")} == {
        k: before[k] for k in ("inbound_agent_id", "webhooks")
    }
    assert TOKEN not in run.stdout + run.stderr
