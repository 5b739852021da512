"""The account of the live acceptance: the real one under ``make test-live``, else an emulator like it.

The emulator's account holds every kind of odd data (tests/odd_data.py), and its dedicated number is
bound as a real one may be: to an agent, with a webhook whose method is lower case, whose header
holds a secret, and which carries a field this package does not know.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_voiceos.emulator.process import EmulatorProcess

from ..odd_data import seed_odd_account
from .account import (
    AGENT_BEFORE,
    AGENT_TEST,
    DEDICATED,
    DEDICATED_BINDING,
    EMULATOR_TOKEN,
    Target,
    live_requested,
    missing_variables,
)


@pytest.fixture(autouse=True)
def _require_pulumi_cli() -> None:
    if shutil.which("pulumi") is None:
        pytest.fail("the pulumi CLI is not on PATH: run `make test`, or PATH=$(scripts/install-pulumi):$PATH")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/live/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    if live_requested():
        missing = missing_variables()
        if missing:
            pytest.fail(f"VOICEOS_LIVE=1 but {', '.join(missing)} not set: set them, or run `make test-live`")
        yield Target(
            url=os.environ["VOICEOS_LIVE_API_URL"].rstrip("/"),
            token=os.environ["VOICEOS_LIVE_API_TOKEN"],
            number=os.environ["VOICEOS_LIVE_NUMBER"],
            agent=os.environ.get("VOICEOS_LIVE_AGENT_ID") or None,
        )
        return
    db = Path(tmp_path_factory.mktemp("live-emulator")) / "voiceos.db"
    with EmulatorProcess(db_path=db, token=EMULATOR_TOKEN, agents=[AGENT_BEFORE, AGENT_TEST]) as emulator:
        seed_odd_account(emulator)
        emulator.seed_raw(DEDICATED, {"phone_number": DEDICATED, **DEDICATED_BINDING})
        yield Target(emulator.url, EMULATOR_TOKEN, DEDICATED, AGENT_TEST, emulator)
