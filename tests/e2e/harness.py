"""The end-to-end tests' deployments: a test program on a ``LocalBackend`` against its own emulator.

What is test-only lives here: the test programs, quick retries, and reading the state back.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.backend import LocalBackend, pulumi_cli, python_project

PROGRAMS = Path(__file__).parent / "programs"
PROJECT = "voiceos-e2e"
STACK = "test"
NATIVE_TYPE = "voiceos:index:PhoneNumberBinding"


def pulumi_available() -> bool:
    return shutil.which("pulumi") is not None


def _sdk_version() -> tuple[int, ...]:
    from importlib.metadata import version

    return tuple(int(part) for part in version("pulumi").split(".")[:3])


NEEDS_SDK_3_269 = pytest.mark.skipif(
    _sdk_version() < (3, 269),
    reason="needs pulumi 3.269 or later in the program's and plugin's environment (make test-compat found it "
    "failing on the floor, 3.216; docs/installation-configuration.md, Versions)",
)
"""What ``make test-compat``'s floor stage found to need a newer pulumi SDK than the package's floor."""


@dataclass
class Deployment:
    stack: auto.Stack
    emulator: EmulatorProcess
    root: Path
    output: list[str] = field(default_factory=list)

    @property
    def work_dir(self) -> Path:
        return self.root / "project"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def env_vars(self) -> dict[str, str]:
        """The environment the workspace gives the CLI; changes apply to the next command."""
        env_vars = self.stack.workspace.env_vars
        assert isinstance(env_vars, dict)
        return env_vars

    @property
    def env(self) -> dict[str, str]:
        return dict(self.env_vars)

    def _collect(self, line: str) -> None:
        self.output.append(line)

    def set_bindings(self, bindings: list[dict[str, Any]]) -> None:
        self.stack.set_config("bindings", auto.ConfigValue(json.dumps(bindings)))

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=self._collect, **kwargs)

    def up(self, **kwargs: Any) -> auto.UpResult:
        kwargs.setdefault("show_secrets", False)
        return self.stack.up(on_output=self._collect, **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        kwargs.setdefault("show_secrets", False)
        return self.stack.refresh(on_output=self._collect, **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self._collect, **kwargs)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the pulumi CLI itself in the project, with the deployment's environment."""
        result = pulumi_cli(self.stack, *args, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def bash(self, script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """``script`` as a user types it in a shell, in the project's folder, with exactly ``env``."""
        return subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=self.work_dir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def export_without_secrets(self) -> str:
        return self.cli("stack", "export").stdout

    def state_files_text(self) -> str:
        files = LocalBackend(self.root).state_files()
        return "\n".join(data.decode(errors="replace") for data in files.values())

    def resources(self) -> list[dict[str, Any]]:
        """The bindings in state, of either provider."""
        deployment = json.loads(self.export_without_secrets())["deployment"]
        return [
            r
            for r in deployment.get("resources", [])
            if r["type"].startswith("pulumi-python:dynamic") or r["type"] == NATIVE_TYPE
        ]


def write_project(work_dir: Path, program: str | Path) -> None:
    """A project of the named program in tests/e2e/programs, or of a YAML file (a YAML program)."""
    work_dir.mkdir(parents=True)
    source = program if isinstance(program, Path) else PROGRAMS / program
    if source.suffix == ".yaml" or (source / "Pulumi.yaml").exists():
        yaml_file = source if source.suffix == ".yaml" else source / "Pulumi.yaml"
        # One project name for every test program, so stacks and config keys look alike.
        text = re.sub(r"^name: .*$", f"name: {PROJECT}", yaml_file.read_text(), count=1, flags=re.MULTILINE)
        (work_dir / "Pulumi.yaml").write_text(text)
        return
    shutil.copy(source / "__main__.py", work_dir / "__main__.py")
    python_project(work_dir, PROJECT)


def base_env(root: Path, emulator: EmulatorProcess) -> dict[str, str]:
    """The ``LocalBackend`` of ``root`` pointed at ``emulator``, without its token (the tests choose where it goes)."""
    # The programs name their interpreter (virtualenv), and the auto-install tests build a plugin's
    # virtualenv with the system's Python: no PULUMI_PYTHON_CMD.
    env = LocalBackend(root).env(emulator, token=False, python=False)
    # Quick retries keep fault tests short; the bound is what matters.
    return {**env, "VOICEOS_MAX_RETRY_SECONDS": "30"}


_IDLE: list[EmulatorProcess] = []
"""Emulators of this process's finished tests, kept running for the next: a start costs some 1.5 s and a
second of CPU, a wipe a few milliseconds. tests/e2e/conftest.py closes them at the end of the session."""


@contextmanager
def emulator(
    *, token: str, numbers: list[str] | None = None, agents: list[str] | None = None, fresh: bool = False
) -> Iterator[EmulatorProcess]:
    """An emulator as a new one starts: holding ``numbers`` (unbound) and ``agents``, accepting ``token``.

    An idle one of an earlier test is wiped and reused, unless ``fresh``: a test that kills processes
    (the engine, or the emulator) gets one of its own, so nothing it leaves running can reach the next test's.
    One given back after its test failed, or stopped by the test, is closed."""
    if fresh:
        with EmulatorProcess(token=token, seed_numbers=numbers or [], agents=agents or []) as own:
            yield own
        return
    emu = _IDLE.pop() if _IDLE else EmulatorProcess(token=token, seed_numbers=numbers or [], agents=agents or [])
    reusable = False
    try:
        if not emu.running:
            emu.start()
        emu.wipe(token, agents=agents or [], numbers=numbers or [])
        yield emu
        reusable = emu.running
    finally:
        if reusable:
            _IDLE.append(emu)
        else:
            emu.close()


def close_idle_emulators() -> None:
    while _IDLE:
        _IDLE.pop().close()


@contextmanager
def deployment(
    root: Path,
    *,
    program: str | Path = "bindings",
    token: str,
    numbers: list[str] | None = None,
    agents: list[str] | None = None,
    token_in_env: bool = True,
    extra_env: dict[str, str] | None = None,
    fresh_emulator: bool = False,
) -> Iterator[Deployment]:
    """A stack of ``program`` in ``root`` on its own file backend, and an emulator (``emulator``)."""
    backend = LocalBackend(root)
    with emulator(token=token, numbers=numbers, agents=agents, fresh=fresh_emulator) as emu:
        env = base_env(root, emu)
        if token_in_env:
            env["VOICEOS_API_TOKEN"] = token
        env.update(extra_env or {})
        write_project(root / "project", program)
        stack = backend.stack(root / "project", name=STACK, env=env)
        yield Deployment(stack=stack, emulator=emu, root=root)
