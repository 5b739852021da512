from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import close_idle_emulators, pulumi_available
from .test_flows import REPO
from .test_languages import INSTALLERS, Installed, npm_env


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _require_pulumi_cli() -> None:
    # `make test` puts the CLI on PATH; running pytest by hand without it is a setup error,
    # so fail loudly instead of skipping.
    if not pulumi_available():
        pytest.fail("the pulumi CLI is not on PATH: run `make test`, or PATH=$(scripts/install-pulumi):$PATH")


@pytest.fixture(scope="session", autouse=True)
def _idle_emulators() -> Iterator[None]:
    """The emulators the harness keeps for reuse are closed with the session, before its processes are counted."""
    yield
    close_idle_emulators()


# Session-wide: the language tests, the examples' and the auto-install tests share one build of each.
@pytest.fixture(scope="session", params=["typescript", "go"])
def installed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """The language's program (tests/e2e/programs/<language>, with the example's program body) on the SDK
    installed as the docs say, built."""
    language: str = request.param
    work = tmp_path_factory.mktemp(f"{language}-install")
    started = time.monotonic()
    command = INSTALLERS[language](work)
    seconds = time.monotonic() - started
    print(f"{language}: SDK installed as the docs say, program built, in {seconds:.1f}s")
    yield Installed(language, command)
    # node_modules and the Go binary are some 300 MB: not worth keeping among pytest's last three runs.
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``make dist`` into a temporary folder (``-o venv``: never rebuild the virtualenv this test runs in)."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        ["make", "--no-print-directory", "-o", "venv", "dist", f"DIST={out}"],
        cwd=REPO,
        env=npm_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return out
