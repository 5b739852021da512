"""The pytest plugin of pulumi-voiceos: the ``voiceos_api`` and ``pulumi_stack`` fixtures (docs/testing.md)."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .api import VoiceOSAPI
    from .stack import TestStack

SCOPE_OPTION = "voiceos_api_scope"
INTEGRATION_MARKER = "voiceos_integration"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(SCOPE_OPTION, "scope of the voiceos_api fixture: function (default), class, module, package, session")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{INTEGRATION_MARKER}: runs a program through the Pulumi CLI (it uses the pulumi_stack fixture)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "pulumi_stack" in getattr(item, "fixturenames", ()):
            item.add_marker(INTEGRATION_MARKER)


def _scope(fixture_name: str, config: pytest.Config) -> Any:
    scope = str(config.getini(SCOPE_OPTION) or "function")
    if scope not in ("function", "class", "module", "package", "session"):
        raise pytest.UsageError(f"{SCOPE_OPTION} = {scope!r}: use function, class, module, package or session")
    return scope


@pytest.fixture(scope=_scope)
def voiceos_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoiceOSAPI]:
    """An emulated VoiceOS account for the test, with the provider pointed at it."""
    from ..emulator._extra import why_missing

    reason = why_missing("the voiceos_api fixture")
    if reason is not None:
        pytest.fail(reason, pytrace=False)
    from ..emulator.process import EmulatorProcess
    from .api import VoiceOSAPI, environment

    token = f"test-{secrets.token_hex(8)}"
    db = tmp_path_factory.mktemp("voiceos-api") / "voiceos.db"
    with (
        EmulatorProcess(db_path=db, token=token) as process,
        environment({"VOICEOS_API_URL": process.url, "VOICEOS_API_TOKEN": token}),
    ):
        yield VoiceOSAPI(process)


@pytest.fixture
def pulumi_stack(voiceos_api: VoiceOSAPI, tmp_path: Path) -> Callable[..., TestStack]:
    """``pulumi_stack(program, *, stack="test", project=..., config=None, secrets=None)``: a ``TestStack``."""
    if shutil.which("pulumi") is None:
        pytest.fail(
            "pulumi_stack runs the Pulumi CLI, which is not on PATH: install the CLI, or put it on PATH", pytrace=False
        )
    from .stack import make_stack

    made = iter(range(1_000_000))

    def make(program: Any, **options: Any) -> TestStack:
        return make_stack(voiceos_api, tmp_path / f"stack-{next(made)}", program, **options)

    return make
