"""``LocalBackend``: stacks on a file backend in a folder, secrets by passphrase, the provider on a given API.

The one such setup: ``TestStack``, this repository's end-to-end tests, its benchmarks and ``make demo`` build on it."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from pulumi import automation as auto

__all__ = ["PASSPHRASE", "Endpoint", "LocalBackend", "pulumi_cli", "python_project"]

PASSPHRASE = "pulumi-voiceos-testing"


class Endpoint(Protocol):
    """A VoiceOS API to point the provider at: an ``EmulatorProcess``, the ``voiceos_api`` fixture, an account."""

    @property
    def url(self) -> str: ...

    @property
    def token(self) -> str: ...


def python_project(work_dir: Path, name: str, *, main: Path | None = None) -> Path:
    """Write ``work_dir/Pulumi.yaml``: a Python project run in this interpreter's environment, where
    pulumi-voiceos is installed; ``main``, a program folder elsewhere to run as it is."""
    work_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"name: {name}", *([f"main: {main}/"] if main is not None else [])]
    lines += ["runtime:", "  name: python", "  options:", f"    virtualenv: {Path(sys.prefix)}"]
    (work_dir / "Pulumi.yaml").write_text("\n".join(lines) + "\n")
    return work_dir


@functools.cache
def _pulumi_command() -> auto.PulumiCommand:
    """The ``pulumi`` on PATH, its version read once per process: every workspace would run `pulumi version`."""
    return auto.PulumiCommand()


def _config(config: Mapping[str, str] | None, secrets: Mapping[str, str] | None) -> dict[str, auto.ConfigValue]:
    values = {key: auto.ConfigValue(value) for key, value in (config or {}).items()}
    values.update({key: auto.ConfigValue(value, secret=True) for key, value in (secrets or {}).items()})
    return values


class LocalBackend:
    """A file backend in ``root/state`` with a passphrase secrets provider and, unless ``own_home`` is
    False, a PULUMI_HOME of its own in ``root/pulumi-home``: nothing outside ``root`` is read or written."""

    def __init__(self, root: Path, *, passphrase: str = PASSPHRASE, own_home: bool = True) -> None:
        self.root = root
        self.passphrase = passphrase
        self.state = root / "state"
        """The backend's folder: the state as the engine wrote it (secrets encrypted), to grep."""
        self.home: Path | None = root / "pulumi-home" if own_home else None
        self.state.mkdir(parents=True, exist_ok=True)

    def env(self, api: Endpoint | None = None, *, token: bool = True, python: bool = True) -> dict[str, str]:
        """The variables the CLI needs on top of the environment: the backend, the passphrase, and ``api``
        as the provider's settings (its token only if ``token``)."""
        env = {
            "PULUMI_BACKEND_URL": self.state.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": self.passphrase,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # The native plugin (pulumi-resource-voiceos) is a console script beside this interpreter.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        }
        if python:
            # A Python project with no virtualenv of its own runs here, where pulumi-voiceos is installed.
            env["PULUMI_PYTHON_CMD"] = os.environ.get("PULUMI_PYTHON_CMD", sys.executable)
        if self.home is not None:
            # A fresh home has no plugin cache: what runs is what is installed here, never a download.
            env["PULUMI_HOME"] = str(self.home)
            env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
        if api is not None:
            env["VOICEOS_API_URL"] = api.url
            if token:
                env["VOICEOS_API_TOKEN"] = api.token
        return env

    def environ(self, api: Endpoint | None = None, *, token: bool = True) -> dict[str, str]:
        """The whole environment of a command: this process's without its ``VOICEOS_`` settings, and ``env``."""
        outer = {name: value for name, value in os.environ.items() if not name.startswith("VOICEOS_")}
        return {**outer, **self.env(api, token=token)}

    def stack(
        self,
        program: Path | Callable[[], None],
        *,
        name: str = "test",
        project: str = "voiceos-test",
        env: Mapping[str, str] | None = None,
        config: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
    ) -> auto.Stack:
        """A new stack ``name`` of a project folder (run where it is) or of a function (an inline program
        of ``project``, in ``root/project``), with ``env`` (see ``env``) and its config set."""
        options = auto.LocalWorkspaceOptions(
            env_vars=dict(env or self.env()),
            secrets_provider="passphrase",
            pulumi_home=str(self.home) if self.home is not None else None,
            pulumi_command=_pulumi_command(),
        )
        if callable(program):
            work_dir = self.root / "project"
            work_dir.mkdir(parents=True, exist_ok=True)
            options.work_dir = str(work_dir)
            created = auto.create_stack(name, project_name=project, program=program, opts=options)
        else:
            created = auto.create_stack(name, work_dir=str(program), opts=options)
        values = _config(config, secrets)
        if values:
            created.set_all_config(values)
        return created

    def cli(
        self, *args: str, cwd: Path, env: Mapping[str, str] | None = None, capture: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``pulumi <args> --non-interactive`` in ``cwd``, with ``env`` (``environ()`` if not given)."""
        return subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=cwd,
            env=dict(env) if env is not None else self.environ(),
            capture_output=capture,
            text=True,
            check=False,
        )

    def state_files(self) -> dict[Path, bytes]:
        """Every file of the backend (checkpoints, history, backups), by path: what a bucket would hold."""
        return {path: path.read_bytes() for path in sorted(self.state.rglob("*")) if path.is_file()}


def pulumi_cli(stack: auto.Stack, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``pulumi <args>`` of ``stack``, as its workspace runs the CLI, for what the Automation API does not wrap."""
    env_vars = stack.workspace.env_vars or {}
    run = subprocess.run(
        ["pulumi", *args, "--stack", stack.name, "--non-interactive"],
        cwd=stack.workspace.work_dir,
        env={**os.environ, **env_vars},
        capture_output=True,
        text=True,
        check=False,
    )
    if check and run.returncode != 0:
        raise RuntimeError(f"pulumi {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}")
    return run
