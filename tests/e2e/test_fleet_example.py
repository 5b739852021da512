"""examples/fleet and its pipeline, run against the emulator with the workflow's own commands.

The commands are read from the example's GitHub Actions workflow, so what this
test proves is what the pipeline runs: the preview of a pull request, the
deploy of main, and the nightly drift check that fails when someone changes a
number in the dashboard and passes again after the next deploy.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.backend import LocalBackend
from pulumi_voiceos.tools.adopt import fleet_program

from .harness import emulator as started_emulator

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "fleet"
WORKFLOW = EXAMPLE / ".github" / "workflows" / "voiceos-fleet.yml"
TOKEN = "SENTINEL-FLEET-API-TOKEN-4e4e"
WEBHOOK_TOKEN = "SENTINEL-FLEET-WEBHOOK-TOKEN-8f8f"
AGENTS = ["agent_support", "agent_sales", "agent_billing"]


def workflow_command(job: str) -> str:
    """The `run` of the job's step named `pulumi`."""
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    [step] = [s for s in jobs[job]["steps"] if s.get("name") == "pulumi"]
    command: str = step["run"]
    return command


@dataclass
class Pipeline:
    emulator: EmulatorProcess
    project: Path
    env: dict[str, str]
    fleet: list[dict[str, Any]]

    def run(self, job: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", workflow_command(job)],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )

    def live(self, number: str) -> tuple[str | None, list[str]]:
        got = self.emulator.get_number(number)
        assert got is not None
        return got["inbound_agent_id"], [w["url"] for w in got["webhooks"]]

    def assert_as_declared(self) -> None:
        for entry in self.fleet:
            declared = entry.get("inbound_agent_id"), [w["url"] for w in entry.get("webhooks") or []]
            assert self.live(entry["phone_number"]) == declared, entry["name"]


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    fleet = yaml.safe_load((EXAMPLE / "bindings.yaml").read_text())["bindings"]
    with started_emulator(token=TOKEN, agents=AGENTS) as emulator:
        emulator.seed_many([{"phone_number": e["phone_number"]} for e in fleet])
        project = tmp_path / "fleet"
        shutil.copytree(EXAMPLE, project)
        env = {**LocalBackend(tmp_path).environ(emulator), "PULUMI_STACK": "prod"}
        for args in (["stack", "init", "prod"], ["config", "set", "--secret", "supportWebhookToken", WEBHOOK_TOKEN]):
            subprocess.run(
                ["pulumi", *args, "--non-interactive"], cwd=project, env=env, check=True, capture_output=True
            )
        yield Pipeline(emulator, project, env, fleet)


def test_the_example_runs_the_program_adopt_writes() -> None:
    assert (EXAMPLE / "__main__.py").read_text() == fleet_program()


def test_pull_request_preview_deploy_and_the_nightly_drift_check(pipeline: Pipeline) -> None:
    preview = pipeline.run("preview")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "+ 4 to create" in preview.stdout  # three bindings and the stack
    # The preview checked the three numbers against one listing of the account, and wrote nothing.
    assert [(r["method"], r["phone_number"]) for r in pipeline.emulator.requests()] == [("GET", None)]

    deploy = pipeline.run("deploy")
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    pipeline.assert_as_declared()
    support = pipeline.emulator.get_number("+14155550123")
    assert support is not None and support["webhooks"][0]["headers"]["Authorization"] == WEBHOOK_TOKEN

    clean = pipeline.run("drift")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    # Someone re-routes the sales line in the dashboard: the nightly check fails the job.
    pipeline.emulator.seed("+14155550124", inbound_agent_id="agent_billing")
    drifted = pipeline.run("drift")
    assert drifted.returncode != 0
    assert "no changes were expected" in (drifted.stdout + drifted.stderr).lower()
    assert pipeline.live("+14155550124") == ("agent_billing", [])  # a check never writes

    # The next deploy (it refreshes first) puts it back, and the check passes again.
    redeploy = pipeline.run("deploy")
    assert redeploy.returncode == 0, redeploy.stdout + redeploy.stderr
    pipeline.assert_as_declared()
    again = pipeline.run("drift")
    assert again.returncode == 0, again.stdout + again.stderr

    shown = "".join(r.stdout + r.stderr for r in (preview, deploy, clean, drifted, redeploy, again))
    assert WEBHOOK_TOKEN not in shown and TOKEN not in shown


def test_a_pull_request_that_binds_a_number_someone_else_routes_fails_its_preview_job(pipeline: Pipeline) -> None:
    deploy = pipeline.run("deploy")
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    # Someone routes a fourth number in the dashboard; a pull request then declares it for the fleet.
    theirs = "+14155550126"
    pipeline.emulator.seed(theirs, inbound_agent_id="agent_billing")
    fleet = pipeline.project / "bindings.yaml"
    fleet.write_text(
        fleet.read_text() + f'  - name: marketing-us\n    phone_number: "{theirs}"\n    inbound_agent_id: agent_sales\n'
    )
    pipeline.emulator.clear_requests()
    preview = pipeline.run("preview")
    shown = preview.stdout + preview.stderr
    assert preview.returncode != 0, shown
    assert f"{theirs} is already bound to inbound_agent_id='agent_billing'" in shown and "allow_overwrite=True" in shown
    assert [r for r in pipeline.emulator.requests() if r["method"] != "GET"] == []
    assert pipeline.live(theirs) == ("agent_billing", [])
    pipeline.assert_as_declared()
