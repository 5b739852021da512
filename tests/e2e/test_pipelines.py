"""Pipelines on shared state: the CLI on an S3 bucket (moto's server), as teams run it, each reading the live numbers.

The fleet example's workflow commands, two `up`s of one stack started together,
an engine killed mid-`up`, two stacks that declare one number, and `pulumi state
move` between stacks; and no secret in any object of the bucket.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.backend import PASSPHRASE

from ..docs import one_block
from .harness import PROGRAMS
from .s3 import S3Server, s3_server
from .test_fleet_example import EXAMPLE, workflow_command

TOKEN = "SENTINEL-PIPELINE-API-TOKEN-6d6d"
WEBHOOK_TOKEN = "SENTINEL-PIPELINE-WEBHOOK-TOKEN-9e9e"
AGENTS = ["agent_support", "agent_sales", "agent_billing"]
N1, N2 = "+14155550101", "+14155550102"
REPO = Path(__file__).resolve().parents[2]
README_ENDPOINT = "http://127.0.0.1:9000"
"""The S3 endpoint the README's login command names; the tests put their server's in its place."""


def readme_commands(name: str) -> str:
    """The commands of the docs' ``<!-- pipeline: name -->`` block (docs/pipelines.md), as a user copies them."""
    return one_block("pipeline", name, "sh")


@pytest.fixture
def s3() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


class Team:
    """Projects of the bindings test program, their stacks kept in the bucket."""

    def __init__(self, root: Path, s3: S3Server, emulator: EmulatorProcess) -> None:
        self.root, self.s3, self.emulator = root, s3, emulator
        self.env = {
            **os.environ,
            **s3.env,
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_HOME": str(root / "pulumi-home"),
            "PULUMI_PYTHON_CMD": sys.executable,
            "VOICEOS_API_URL": emulator.url,
            "VOICEOS_API_TOKEN": TOKEN,
            "VOICEOS_MAX_RETRY_SECONDS": "30",
        }
        self.project = root / "project"
        self.project.mkdir(parents=True)
        login = readme_commands("login")
        assert README_ENDPOINT in login
        self.shell(login.replace(README_ENDPOINT, s3.endpoint))
        shutil.copy(PROGRAMS / "bindings" / "__main__.py", self.project / "__main__.py")
        (self.project / "Pulumi.yaml").write_text("name: voiceos-team\nruntime: python\n")

    def pulumi(self, *args: str, stack: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = ["pulumi", *args, "--non-interactive", *(["--stack", stack] if stack else [])]
        run = subprocess.run(command, cwd=self.project, env=self.env, capture_output=True, text=True, check=False)
        if check and run.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}")
        return run

    def shell(self, commands: str, **replace: str) -> subprocess.CompletedProcess[str]:
        """Run a README block's commands as a user's shell would, with its ``<placeholders>`` filled in."""
        for placeholder, value in replace.items():
            commands = commands.replace(f"<{placeholder}>", value)
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", commands],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, f"{commands}\n{run.stdout}\n{run.stderr}"
        return run

    def start(self, *args: str, stack: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            ["pulumi", *args, "--non-interactive", "--stack", stack],
            cwd=self.project,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def declare(self, stack: str, bindings: list[dict[str, Any]]) -> None:
        self.pulumi("config", "set", "bindings", json.dumps(bindings), stack=stack)

    def new_stack(self, stack: str, bindings: list[dict[str, Any]]) -> None:
        self.pulumi("stack", "init", stack)
        self.declare(stack, bindings)

    def agent(self, number: str) -> str | None:
        held = self.emulator.peek(number)
        assert held is not None, number
        agent: str | None = held["inbound_agent_id"]
        return agent

    def patches(self) -> list[str]:
        return sorted(r["phone_number"] for r in self.emulator.requests() if r["method"] == "PATCH")

    def resources(self, stack: str) -> list[dict[str, Any]]:
        """The stack's bindings as its state holds them."""
        exported = json.loads(self.pulumi("stack", "export", stack=stack).stdout)["deployment"]
        return [r for r in exported.get("resources", []) if r["type"].startswith("pulumi-python:dynamic")]

    def state(self, stack: str) -> list[str]:
        """The numbers the stack's state holds."""
        return sorted(r["id"] for r in self.resources(stack))


@pytest.fixture
def team(tmp_path: Path, s3: S3Server) -> Iterator[Team]:
    with EmulatorProcess(db_path=tmp_path / "emulator.db", token=TOKEN, agents=AGENTS) as emulator:
        yield Team(tmp_path, s3, emulator)


def lines(count: int, agent: str = "agent_support", prefix: str = "+1650") -> list[dict[str, Any]]:
    return [{"name": f"line-{i}", "phone_number": f"{prefix}{i:07d}", "inbound_agent_id": agent} for i in range(count)]


def test_the_fleet_examples_pipeline_runs_on_a_bucket_and_leaves_no_secret_in_it(tmp_path: Path, s3: S3Server) -> None:
    fleet = yaml.safe_load((EXAMPLE / "bindings.yaml").read_text())["bindings"]
    with EmulatorProcess(db_path=tmp_path / "emulator.db", token=TOKEN, agents=AGENTS) as emulator:
        emulator.seed_many([{"phone_number": e["phone_number"]} for e in fleet])
        project = tmp_path / "fleet"
        shutil.copytree(EXAMPLE, project)
        team = Team(tmp_path, s3, emulator)
        env = {**team.env, "PULUMI_STACK": "prod"}
        for args in (["stack", "init", "prod"], ["config", "set", "--secret", "supportWebhookToken", WEBHOOK_TOKEN]):
            subprocess.run(
                ["pulumi", *args, "--non-interactive"], cwd=project, env=env, check=True, capture_output=True
            )

        def job(name: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["bash", "-c", workflow_command(name)],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )

        runs = [job("preview"), job("deploy"), job("drift")]
        assert [r.returncode for r in runs] == [0, 0, 0], [r.stdout + r.stderr for r in runs]
        for entry in fleet:
            assert team.agent(entry["phone_number"]) == entry.get("inbound_agent_id")
        stored = s3.objects()
        assert any(key.endswith("prod.json") for key in stored), sorted(stored)
        for key, body in stored.items():
            assert WEBHOOK_TOKEN.encode() not in body and TOKEN.encode() not in body, key
        assert s3.locks() == []  # every run let go of its lock


def test_two_ups_of_one_stack_started_together_one_is_refused_by_the_lock_and_the_other_converges(team: Team) -> None:
    declared = lines(20)
    team.emulator.seed_many([{"phone_number": b["phone_number"]} for b in declared])
    team.new_stack("prod", declared)
    team.emulator.set_latency(100)  # the first up holds its lock for a few seconds
    first = team.start("up", "--yes", "--skip-preview", stack="prod")
    deadline = time.monotonic() + 60
    while not team.s3.locks() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert team.s3.locks(), "the first up never took its lock"
    second = team.pulumi("up", "--yes", "--skip-preview", stack="prod", check=False)
    output, _ = first.communicate(timeout=300)
    assert first.returncode == 0, output
    assert second.returncode != 0
    shown = second.stdout + second.stderr
    assert "the stack is currently locked by 1 lock(s)" in shown and "pulumi cancel" in shown
    # Only the first wrote: one PATCH per number, all bound as declared.
    assert team.patches() == sorted(b["phone_number"] for b in declared)
    assert {team.agent(b["phone_number"]) for b in declared} == {"agent_support"}
    assert team.s3.locks() == []


def test_an_engine_killed_mid_up_leaves_a_lock_that_pulumi_cancel_removes_and_a_rerun_converges(team: Team) -> None:
    declared = lines(30)
    team.emulator.seed_many([{"phone_number": b["phone_number"]} for b in declared])
    team.new_stack("prod", declared)
    team.emulator.set_latency(50)
    up = team.start("up", "--yes", "--skip-preview", stack="prod")
    deadline = time.monotonic() + 120
    while len(team.patches()) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(up.pid, signal.SIGKILL)
    up.wait()
    team.emulator.set_latency(0)
    written = set(team.patches())
    assert 5 <= len(written) < 30, "the kill should land mid-run"
    assert len(team.s3.locks()) == 1  # the killed engine could not let go of it
    refused = team.pulumi("up", "--yes", "--skip-preview", stack="prod", check=False)
    assert refused.returncode != 0 and "pulumi cancel" in refused.stdout + refused.stderr
    team.emulator.clear_requests()
    team.shell(readme_commands("recover"))  # the README's recovery: pulumi cancel, then up
    assert team.s3.locks() == []
    assert not set(team.patches()) & written, "the re-run wrote again numbers that were already as declared"
    assert {team.agent(b["phone_number"]) for b in declared} == {"agent_support"}
    assert team.state("prod") == sorted(b["phone_number"] for b in declared)


def test_a_second_stack_that_declares_another_binding_of_a_number_is_refused_and_told_how_to_move_it(
    team: Team,
) -> None:
    team.emulator.seed_many([{"phone_number": N1}])
    team.new_stack("team-a", [{"name": "support", "phone_number": N1, "inbound_agent_id": "agent_support"}])
    team.pulumi("up", "--yes", stack="team-a")
    team.new_stack("team-b", [{"name": "sales", "phone_number": N1, "inbound_agent_id": "agent_sales"}])
    team.emulator.clear_requests()
    refused = team.pulumi("up", "--yes", stack="team-b", check=False)
    shown = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "already bound to inbound_agent_id='agent_support'" in shown and "pulumi state move" in shown
    assert team.patches() == [] and team.agent(N1) == "agent_support"


def test_two_stacks_that_declare_the_same_binding_share_the_number_until_one_destroys_it(team: Team) -> None:
    # The API cannot tell two stacks apart: the second create adopts, and a destroy of either unbinds
    # the number the other still declares. The README says so, and how to move a number instead.
    same = [{"name": "support", "phone_number": N1, "inbound_agent_id": "agent_support"}]
    team.emulator.seed_many([{"phone_number": N1}])
    team.new_stack("team-a", same)
    team.pulumi("up", "--yes", stack="team-a")
    team.new_stack("team-b", same)
    team.emulator.clear_requests()
    team.pulumi("up", "--yes", stack="team-b")
    assert team.patches() == []  # adopted: it already had exactly this binding
    team.pulumi("destroy", "--yes", stack="team-a")
    assert team.agent(N1) is None  # unbound, though team-b still declares it
    assert team.state("team-b") == [N1]
    drift = team.pulumi("preview", "--refresh", "--expect-no-changes", stack="team-b", check=False)
    assert drift.returncode != 0  # team-b's nightly drift check sees it
    team.pulumi("up", "--yes", "--refresh", stack="team-b")
    assert team.agent(N1) == "agent_support"


def test_state_move_hands_a_binding_to_another_stack_without_a_request(team: Team) -> None:
    team.emulator.seed_many([{"phone_number": n} for n in (N1, N2)])
    support = {"name": "support", "phone_number": N1, "inbound_agent_id": "agent_support"}
    sales = {"name": "sales", "phone_number": N2, "inbound_agent_id": "agent_sales"}
    team.new_stack("team-a", [support, sales])
    team.pulumi("up", "--yes", stack="team-a")
    team.pulumi("stack", "init", "team-b")
    [urn] = [r["urn"] for r in team.resources("team-a") if r["id"] == N2]
    team.emulator.clear_requests()
    team.shell(readme_commands("state-move"), urn=urn)
    assert team.emulator.requests() == []
    assert team.state("team-a") == [N1] and team.state("team-b") == [N2]
    # Each program now declares what its stack holds: nothing changes, nothing is sent.
    team.declare("team-a", [support])
    team.declare("team-b", [sales])
    for stack in ("team-a", "team-b"):
        team.pulumi("up", "--yes", stack=stack)
    assert team.patches() == []
    team.pulumi("destroy", "--yes", stack="team-a")
    assert team.agent(N1) is None and team.agent(N2) == "agent_sales"  # team-a let go of its own number only
