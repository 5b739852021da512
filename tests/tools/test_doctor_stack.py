"""`voiceos-pulumi doctor --stack`: a stack's config over the environment, as the provider resolves it, secrets kept."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_voiceos.core.config import STACK_CONFIG_KEYS
from pulumi_voiceos.core.config_sources import env_var
from pulumi_voiceos.core.properties import CONFIG
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.backend import LocalBackend, python_project

TOKEN = "SENTINEL-DOCTOR-STACK-TOKEN-71c2"
ENV_TOKEN = "SENTINEL-DOCTOR-ENV-TOKEN-0d0d"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(db_path=tmp_path_factory.mktemp("doctor-stack") / "voiceos.db", token=TOKEN) as emulator:
        emulator.seed_many([{"phone_number": "+14155550100", "inbound_agent_id": "agent_support"}])
        yield emulator


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, api: EmulatorProcess) -> tuple[LocalBackend, Path]:
    """Stack ``dev``: the token (a secret), the URL and maxConcurrency in its config."""
    root = tmp_path_factory.mktemp("doctor-project")
    backend = LocalBackend(root)
    work_dir = python_project(root / "project", "doctor-check")
    backend.stack(
        work_dir,
        name="dev",
        config={"voiceos:apiUrl": api.url, "voiceos:maxConcurrency": "4"},
        secrets={"voiceos:apiToken": TOKEN},
    )
    return backend, work_dir


def doctor(backend: LocalBackend, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pulumi_voiceos", "doctor", "--no-census", *args],
        env={**backend.environ(), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_setting_of_the_table_is_read_from_its_environment_variable_by_that_name() -> None:
    assert len(CONFIG) == len(STACK_CONFIG_KEYS)
    source = (Path(__file__).resolve().parents[2] / "pulumi_voiceos" / "core" / "config.py").read_text()
    for prop in CONFIG:
        assert f'"{env_var(prop.name)}"' in source, prop.name


def test_a_stacks_config_wins_over_the_environment_and_every_setting_says_where_it_came_from(
    project: tuple[LocalBackend, Path],
) -> None:
    backend, work_dir = project
    run = doctor(
        backend,
        "--stack",
        "dev",
        "--cwd",
        str(work_dir),
        VOICEOS_API_TOKEN=ENV_TOKEN,
        VOICEOS_MAX_CONCURRENCY="9",
        VOICEOS_REQUEST_TIMEOUT="12",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert "token from stack dev's voiceos:apiToken (not shown)" in lines[0]
    shown = {line.split()[0]: line.split(None, 1)[1] for line in lines[1 : 1 + len(STACK_CONFIG_KEYS)]}
    assert list(shown) == list(STACK_CONFIG_KEYS)
    assert shown["voiceos:apiToken"] == "[secret] (from the stack's config)"
    assert shown["voiceos:maxConcurrency"] == "4 (from the stack's config)"
    assert shown["voiceos:requestTimeout"] == "12 (from VOICEOS_REQUEST_TIMEOUT)"
    assert shown["voiceos:maxAttempts"] == "5 (default)"
    assert "verdict: ready" in lines[-1]
    assert TOKEN not in run.stdout + run.stderr and ENV_TOKEN not in run.stdout + run.stderr


def test_a_bad_value_in_the_stacks_config_fails_the_settings_check_naming_the_key(
    project: tuple[LocalBackend, Path],
) -> None:
    backend, work_dir = project
    env = backend.environ()
    subprocess.run(
        ["pulumi", "config", "set", "voiceos:maxAttempts", "0", "--stack", "dev", "--cwd", str(work_dir)],
        env=env,
        check=True,
        capture_output=True,
    )
    try:
        run = doctor(backend, "--stack", "dev", "--cwd", str(work_dir))
    finally:
        subprocess.run(
            ["pulumi", "config", "rm", "voiceos:maxAttempts", "--stack", "dev", "--cwd", str(work_dir)],
            env=env,
            check=True,
            capture_output=True,
        )
    assert run.returncode == 1
    assert run.stdout.startswith("FAIL settings: voiceos:maxAttempts must be at least 1, got '0'")
    assert TOKEN not in run.stdout + run.stderr


def test_a_stack_that_does_not_exist_fails_saying_what_to_check(project: tuple[LocalBackend, Path]) -> None:
    backend, work_dir = project
    run = doctor(backend, "--stack", "nope", "--cwd", str(work_dir))
    assert run.returncode == 1
    assert "FAIL settings: cannot read the config of stack 'nope'" in run.stdout
    assert "no stack named 'nope' found" in run.stdout and "pulumi stack ls" in run.stdout


def test_a_folder_without_a_project_is_named_as_such(project: tuple[LocalBackend, Path], tmp_path: Path) -> None:
    backend, _ = project
    run = doctor(backend, "--stack", "dev", "--cwd", str(tmp_path))
    assert run.returncode == 1
    assert f"FAIL settings: --cwd {tmp_path} holds no Pulumi project (Pulumi.yaml)" in run.stdout


def test_without_a_stack_doctor_reads_the_environment_alone(
    project: tuple[LocalBackend, Path], api: EmulatorProcess
) -> None:
    backend, _ = project
    run = doctor(backend, VOICEOS_API_URL=api.url, VOICEOS_API_TOKEN=TOKEN)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "token from VOICEOS_API_TOKEN (not shown)" in run.stdout
    assert "voiceos:apiUrl" in run.stdout and f"{api.url} (from VOICEOS_API_URL)" in run.stdout


def test_a_setting_the_stack_holds_as_a_secret_is_never_shown_even_the_url(
    project: tuple[LocalBackend, Path], api: EmulatorProcess, tmp_path: Path
) -> None:
    backend, _ = project
    work_dir = python_project(tmp_path / "secret-url", "doctor-secret-url")
    backend.stack(work_dir, name="dev", secrets={"voiceos:apiToken": TOKEN, "voiceos:apiUrl": api.url})
    run = doctor(backend, "--stack", "dev", "--cwd", str(work_dir))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("ok   settings: API [secret] (from stack dev's voiceos:apiUrl)")
    assert api.url not in run.stdout + run.stderr and TOKEN not in run.stdout + run.stderr
