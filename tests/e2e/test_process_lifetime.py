"""A SIGKILLed ``pulumi up`` leaves none of the processes its engine started: the language host, the
program, the dynamic provider's server, our plugin; and the next ``up`` converges (issue #29)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml

from .. import leftovers
from .harness import PROJECT, Deployment, deployment
from .test_flows import AGENTS, TOKEN
from .test_ownership import assert_as_declared

COUNT = 20
# How long the engine's processes may take to notice it is gone (the bound).
EXIT_SECONDS = 10


def _specs(prefix: str) -> list[dict[str, Any]]:
    return [
        {"name": f"line-{i}", "phone_number": f"{prefix}{i:07d}", "inbound_agent_id": "agent_support"}
        for i in range(COUNT)
    ]


def _yaml_program(path: Path, specs: list[dict[str, Any]]) -> Path:
    resources = {
        s["name"]: {
            "type": "voiceos:PhoneNumberBinding",
            "properties": {"phoneNumber": s["phone_number"], "inboundAgentId": s["inbound_agent_id"]},
        }
        for s in specs
    }
    path.write_text(yaml.safe_dump({"name": PROJECT, "runtime": "yaml", "resources": resources}, sort_keys=False))
    return path


def _patches(d: Deployment) -> int:
    return sum(1 for r in d.emulator.requests() if r["method"] == "PATCH")


def _killed_mid_up(d: Deployment) -> tuple[list[psutil.Process], str]:
    """Start ``pulumi up`` and SIGKILL the CLI (only) once it writes: the processes its engine had
    started, and their command lines."""
    up = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--parallel", "2", "--stack", "test", "--non-interactive"],
        cwd=d.work_dir,
        env={**os.environ, **d.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and up.poll() is None and _patches(d) == 0:
        time.sleep(0.05)
    started = leftovers.descendants(up.pid)
    commands = "\n".join(leftovers.describe(p) for p in started)
    up.kill()
    up.wait()
    return started, commands


def _still_running(started: list[psutil.Process]) -> list[str]:
    """Those of ``started`` still running once they have had EXIT_SECONDS to go; then killed, so a
    failure leaves the machine clean."""
    deadline = time.monotonic() + EXIT_SECONDS
    while time.monotonic() < deadline and any(leftovers.alive(p) for p in started):
        time.sleep(0.1)
        leftovers.reap_zombies()  # the orphans come back to this process (a subreaper, tests/conftest.py)
    running = [p for p in started if leftovers.alive(p)]
    described = [leftovers.describe(p) for p in running]
    for process in running:
        process.kill()
    psutil.wait_procs(running, timeout=10)
    leftovers.reap_zombies()
    return described


@pytest.mark.parametrize(
    ("provider", "prefix", "expected"),
    [
        ("dynamic", "+1634", ["pulumi-language-python", "pulumi-language-python-exec", "pulumi.dynamic"]),
        ("native", "+1635", ["pulumi-language-yaml", "pulumi-resource-voiceos"]),
    ],
)
def test_ten_seconds_after_a_sigkill_of_pulumi_up_no_process_its_engine_started_is_left_and_up_converges(
    tmp_path: Path, provider: str, prefix: str, expected: list[str]
) -> None:
    specs = _specs(prefix)
    program: str | Path = "bindings" if provider == "dynamic" else _yaml_program(tmp_path / "program.yaml", specs)
    numbers = [s["phone_number"] for s in specs]
    with deployment(
        tmp_path / "run", program=program, token=TOKEN, numbers=numbers, agents=AGENTS, fresh_emulator=True
    ) as d:
        if provider == "dynamic":
            d.set_bindings(specs)
        d.emulator.set_latency(1000, method="PATCH")  # two at a time: some 10 s of writes to land in
        d.emulator.clear_requests()

        started, commands = _killed_mid_up(d)
        assert all(name in commands for name in expected), f"not mid-run: {commands}"
        left = _still_running(started)
        assert left == [], "\n".join(["still running after the kill:", *left])
        assert _patches(d) < COUNT, "the kill should land mid-run"

        d.emulator.set_latency(0)
        d.cli("cancel", "--yes", check=False)  # a lock the killed engine could not let go of, if any
        d.up()
        assert_as_declared(d, specs)
