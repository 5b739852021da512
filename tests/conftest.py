"""Shared fixtures: one real emulator on loopback per session (per worker of a parallel run), a fresh
number per test; how a parallel run (pytest-xdist, ``--dist loadgroup``) shares the machine; and a run
that leaves a process behind fails (tests/leftovers.py)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_voiceos.api.client import VoiceOSClient
from pulumi_voiceos.dynamic.provider import PhoneNumberBindingProvider
from pulumi_voiceos.emulator.process import EmulatorProcess

from . import leftovers
from .helpers import AGENTS, API_TOKEN, CARRIER_TOKEN, dynamic_provider, quick_settings
from .machine import MachineLock

_numbers = itertools.count(1000)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    db = Path(tmp_path_factory.mktemp("emulator")) / "voiceos.db"
    with EmulatorProcess(db_path=db, token=API_TOKEN, agents=list(AGENTS)) as process:
        yield process


@pytest.fixture
def api(emulator: EmulatorProcess) -> EmulatorProcess:
    """The session emulator with faults, latency, rate limits and the request log cleared."""
    emulator.reset()
    return emulator


@pytest.fixture
def number(api: EmulatorProcess) -> str:
    """A number that exists in the account, unbound, with a known carrier token."""
    phone_number = f"+1415555{next(_numbers):04d}"
    api.seed(phone_number, auth_token=CARRIER_TOKEN)
    api.clear_requests()
    return phone_number


@pytest.fixture
def client(api: EmulatorProcess) -> Iterator[VoiceOSClient]:
    with VoiceOSClient(quick_settings(api.url)) as c:
        yield c


@pytest.fixture
def provider(api: EmulatorProcess) -> PhoneNumberBindingProvider:
    """A provider configured as the engine does, from stack config, in a fresh deployment (no claims)."""
    return dynamic_provider(PhoneNumberBindingProvider, api.url)


# -- a parallel run -----------------------------------------------------------------------------


def _group(item: pytest.Item) -> str | None:
    """The tests one worker runs one after the other: those that share what a module-scoped fixture
    built (a language's SDK install, the plugin archive), and the ``alone`` ones."""
    if item.get_closest_marker("alone") is not None:
        return "alone"
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "installed" in callspec.params:
        return f"languages-{callspec.params['installed']}"
    if item.path.name == "test_plugin_package.py":
        return "plugin-package"
    return None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups from the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        group = _group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def _machine(tmp_path_factory: pytest.TempPathFactory) -> MachineLock | None:
    """The lock the workers of a parallel run share (in the folder above each worker's own temporary
    folder); None when the run is not parallel."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return None
    return MachineLock(tmp_path_factory.getbasetemp().parent)


@pytest.fixture(autouse=True)
def _share_of_the_machine(request: pytest.FixtureRequest, _machine: MachineLock | None) -> Iterator[None]:
    if _machine is None:
        yield
        return
    hold = _machine.alone if request.node.get_closest_marker("alone") is not None else _machine.shared
    with hold():
        yield


# -- no process left behind -------------------------------------------------------------------------

_LEFT_BEHIND = pytest.StashKey[list[str]]()
# A process already on its way out at the end of the session is given this long before it counts.
_GRACE_SECONDS = 3.0


def pytest_configure(config: pytest.Config) -> None:
    # Each pytest process (the controller and every xdist worker): what a killed engine orphans comes
    # back to the process that ran the test, and is found below.
    leftovers.become_subreaper()
    config.stash[_LEFT_BEHIND] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """A worker's leftovers, reported by the controller (pytest-xdist's hook)."""
    found = getattr(node, "workeroutput", {}).get("leftover_processes", [])
    node.config.stash[_LEFT_BEHIND].extend(f"{node.gateway.id}: {line}" for line in found)


@pytest.hookimpl(trylast=True)  # after the session's fixtures (the session emulator) are torn down
def pytest_sessionfinish(session: pytest.Session) -> None:
    found = leftovers.kill_leftovers(_GRACE_SECONDS)
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: its controller reports them
        workeroutput["leftover_processes"] = found
        return
    left = session.config.stash[_LEFT_BEHIND]
    left.extend(found)
    if left and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    left = config.stash.get(_LEFT_BEHIND, [])
    if left:
        terminalreporter.section("processes left behind (now killed)", red=True, bold=True)
        for line in left:
            terminalreporter.line(line)
        terminalreporter.line(f"{len(left)} process(es) outlived the tests that started them: the run fails")
