"""An account split across 4 stacks by one `adopt --stacks 4`, deployed at once from an S3 bucket under one rate limit.

The docs' adopt command and pipeline workflow (docs/adopt.md, docs/pipelines.md) are what runs: four
`pulumi` steps of the workflow's matrix, started together, then a change in one stack.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_voiceos import entries_of_split, stack_share
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.backend import LocalBackend
from pulumi_voiceos.tools.adopt_project import appended

from ..docs import REPO, one_block
from .s3 import BUCKET, S3Server, s3_server
from .test_adopt import AGENTS, account
from .test_pipelines import README_ENDPOINT, readme_commands

TOKEN = "SENTINEL-SPLIT-API-TOKEN-2c4e"
WORKFLOW_PATH = "examples/split/.github/workflows/voiceos-split.yml"
WORKFLOW = REPO / WORKFLOW_PATH
STACKS = 4
RATE_LIMIT = 10.0
"""Requests per second the emulator serves, for the four stacks together."""


def matrix() -> list[dict[str, Any]]:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    included: list[dict[str, Any]] = jobs["stack"]["strategy"]["matrix"]["include"]
    return included


def step(event: str, job: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The workflow's `pulumi` step as bash runs it for ``event``, and the job's variables."""
    [found] = [s for s in yaml.safe_load(WORKFLOW.read_text())["jobs"]["stack"]["steps"] if s.get("name") == "pulumi"]
    variables = {
        "EVENT": event,
        "PULUMI_STACK": str(job["stack"]),
        "VOICEOS_MAX_REQUESTS_PER_SECOND": str(job["requests-per-second"]),
    }
    return ["bash", "-euo", "pipefail", "-c", found["run"]], variables


class Split:
    """The emulator's account, the bucket, and the project adopt writes, as a user's shell holds them."""

    def __init__(self, root: Path, s3: S3Server, emulator: EmulatorProcess) -> None:
        self.emulator, self.root, self.s3 = emulator, root, s3
        self.most_locks = 0
        """The most stack locks the bucket held at once while jobs ran."""
        backend = LocalBackend(root)
        self.env = {**backend.environ(emulator), **s3.env}
        del self.env["PULUMI_BACKEND_URL"]  # the doc's `pulumi login` names the bucket instead
        self.shell(readme_commands("login").replace(README_ENDPOINT, s3.endpoint))
        self.project = root / "voiceos-numbers"

    def shell(self, commands: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", commands],
            cwd=cwd or self.root,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, f"{commands}\n{run.stdout}\n{run.stderr}"
        return run

    def jobs(self, event: str, jobs: list[dict[str, Any]]) -> list[subprocess.CompletedProcess[str]]:
        """The workflow's step for each job, all started at once, as the matrix runs them."""
        started = []
        for job in jobs:
            command, variables = step(event, job)
            started.append(
                subprocess.Popen(
                    command,
                    cwd=self.project,
                    env={**self.env, **variables},
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
        while any(process.poll() is None for process in started):
            self.most_locks = max(self.most_locks, self.locked())
            time.sleep(0.05)
        finished = []
        for process in started:
            output, _ = process.communicate(timeout=600)
            finished.append(subprocess.CompletedProcess(process.args, process.returncode, output, ""))
        return finished

    def locked(self) -> int:
        """How many stacks hold a lock now (``.pulumi/locks/<project>/<stack>/...``), by listing alone."""
        listed = self.s3.client().list_objects_v2(Bucket=BUCKET, Prefix=".pulumi/locks/")
        return len({item["Key"].rsplit("/", 1)[0] for item in listed.get("Contents", [])})

    def entries(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = yaml.safe_load((self.project / "bindings.yaml").read_text())["bindings"]
        return listed

    def declared(self, stack: str) -> list[str]:
        """The numbers the stack's fleet records in its state (read from the bucket): one record each."""
        run = subprocess.run(
            ["pulumi", "stack", "export", "--show-secrets", "--stack", stack, "--non-interactive"],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        resources = json.loads(run.stdout)["deployment"].get("resources", [])
        numbers: list[str] = []
        for resource in resources:
            records = resource.get("outputs", {}).get("records")
            if resource["type"].startswith("pulumi-python:dynamic") and isinstance(records, dict):
                numbers += list(records)
        return sorted(numbers)


@pytest.fixture
def split(tmp_path: Path) -> Iterator[Split]:
    with (
        s3_server() as s3,
        EmulatorProcess(db_path=tmp_path / "emulator.db", token=TOKEN, agents=AGENTS) as emulator,
    ):
        yield Split(tmp_path, s3, emulator)


def test_the_docs_show_the_workflow_file_as_it_is() -> None:
    assert one_block("pipeline-workflow", WORKFLOW_PATH, "yaml") == WORKFLOW.read_text()
    assert [job["stack"] for job in matrix()] == [f"prod-{share}" for share in range(1, STACKS + 1)]


def test_four_stacks_of_one_adopt_deploy_at_once_each_its_own_share_and_a_change_in_one_leaves_the_others_empty(
    split: Split,
) -> None:
    split.emulator.seed_many(account(48))
    adopt = one_block("docs-command", "adopt-stacks", "sh")
    assert f"--stacks {STACKS}" in adopt and "--stack prod" in adopt
    split.shell(adopt)
    # Numbers bound in the account later: the same command adds them, each to the stack the rule gives it.
    split.emulator.seed_many(account(12, start=48))
    split.shell(adopt)
    # And free numbers the user gives an agent in bindings.yaml: the deploy writes them, under the limit.
    free = [f"+1650700{i:04d}" for i in range(80)]
    split.emulator.seed_many([{"phone_number": number} for number in free])
    added = [{"name": f"new-{n[1:]}", "phone_number": n, "inbound_agent_id": AGENTS[i % 3]} for i, n in enumerate(free)]
    bindings = split.project / "bindings.yaml"
    bindings.write_text(appended(bindings.read_text(), added))
    entries = split.entries()
    managed = [e for e in entries if e.get("inbound_agent_id") is not None or e.get("webhooks")]
    assert len(managed) > 120

    # Each stack's config says its share, and holds the secret header values of its own numbers only.
    for share in range(1, STACKS + 1):
        config = yaml.safe_load((split.project / f"Pulumi.prod-{share}.yaml").read_text())["config"]
        assert config["voiceos-bindings:split"] == f"{share}/{STACKS}"
        mine = {str(e["phone_number"]).lstrip("+") for e in entries if stack_share(e["phone_number"], STACKS) == share}
        headers = [key.split(":", 1)[1] for key in config if key.startswith("voiceos-bindings:header-")]
        assert headers and all(key.split("-")[1] in mine for key in headers), (share, headers)

    split.emulator.clear_requests()
    split.emulator.set_rate_limit(RATE_LIMIT, burst=int(RATE_LIMIT))
    deployed = split.jobs("push", matrix())
    assert [r.returncode for r in deployed] == [0] * STACKS, [r.stdout[-3000:] for r in deployed]
    # They ran at once: the bucket held the locks of several stacks at one moment.
    assert split.most_locks >= 2, split.most_locks
    requests = split.emulator.requests()
    refused = sum(r["status"] == 429 for r in requests)
    print(
        f"{len(requests)} requests at {RATE_LIMIT:g} req/s, {refused} refused (429), {split.most_locks} stacks at once"
    )

    # Every number as its stack declares it, live; no number in two stacks, none left out.
    shares = {f"prod-{share}": entries_of_split(managed, f"{share}/{STACKS}") for share in range(1, STACKS + 1)}
    for stack, declared in shares.items():
        assert split.declared(stack) == sorted(str(e["phone_number"]) for e in declared), stack
    assert sorted(n for d in shares.values() for n in (str(e["phone_number"]) for e in d)) == sorted(
        str(e["phone_number"]) for e in managed
    )
    for entry in managed:
        live = split.emulator.peek(str(entry["phone_number"]))
        assert live is not None
        assert live["inbound_agent_id"] == entry.get("inbound_agent_id")
        assert [(w["url"], w["method"]) for w in live["webhooks"] or []] == [
            (w["url"], w["method"]) for w in entry.get("webhooks") or []
        ]

    # One number of prod-1 moves to another agent: only prod-1's preview shows it.
    [changed] = [e for e in managed if stack_share(e["phone_number"], STACKS) == 1][:1]
    agent = next(a for a in AGENTS if a != changed.get("inbound_agent_id"))
    text = (split.project / "bindings.yaml").read_text()
    at = text.index(f"phone_number: '{changed['phone_number']}'")
    line_end = text.index("inbound_agent_id:", at)
    end = text.index("\n", line_end)
    (split.project / "bindings.yaml").write_text(f"{text[:line_end]}inbound_agent_id: {agent}{text[end:]}")
    nightly = split.jobs("schedule", matrix())
    assert [r.returncode for r in nightly[1:]] == [0] * (STACKS - 1), [r.stdout[-3000:] for r in nightly[1:]]
    assert nightly[0].returncode != 0 and "1 to update" in nightly[0].stdout, nightly[0].stdout[-3000:]
    [applied] = split.jobs("push", matrix()[:1])
    assert applied.returncode == 0, applied.stdout[-3000:]
    live = split.emulator.peek(str(changed["phone_number"]))
    assert live is not None and live["inbound_agent_id"] == agent
    assert [r.returncode for r in split.jobs("schedule", matrix())] == [0] * STACKS
