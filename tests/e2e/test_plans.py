"""Update plans through the real CLI: ``pulumi preview --save-plan``, then ``pulumi up --plan``.

For bindings and a fleet, in both providers, with the preview's account reads on (the default): the
plan's up writes what the preview showed; a plan that a later program change made stale is refused
by the engine before anything is written. ``--plan`` is experimental: the CLI lists it in its help only
under ``PULUMI_EXPERIMENTAL`` (the CLI pinned here accepts it either way).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from ..docs import one_block
from .harness import PROJECT, STACK, Deployment, deployment
from .test_flows import AGENTS, TOKEN

FLEET = [f"+1633000{i:04d}" for i in range(5)]
BINDINGS = ["+16330010001", "+16330010002"]


def _declare(d: Deployment, provider: str, agents: dict[str, str]) -> None:
    """Every number of FLEET in one fleet and each of BINDINGS in a binding, bound to ``agents[number]``."""
    if provider == "dynamic":
        declared = {
            "fleets": [{"name": "lines", "bindings": {n: {"inbound_agent_id": agents[n]} for n in FLEET}}],
            "bindings": [
                {"name": f"line-{i}", "phone_number": n, "inbound_agent_id": agents[n]} for i, n in enumerate(BINDINGS)
            ],
        }
        (d.work_dir / "declared.json").write_text(json.dumps(declared))
        return
    resources: dict[str, object] = {
        "lines": {
            "type": "voiceos:PhoneNumberFleet",
            "properties": {"bindings": {n: {"inboundAgentId": agents[n]} for n in FLEET}},
        }
    }
    for i, n in enumerate(BINDINGS):
        resources[f"line-{i}"] = {
            "type": "voiceos:PhoneNumberBinding",
            "properties": {"phoneNumber": n, "inboundAgentId": agents[n]},
        }
    text = yaml.safe_dump({"name": PROJECT, "runtime": "yaml", "resources": resources}, sort_keys=False)
    (d.work_dir / "Pulumi.yaml").write_text(text)


def _pulumi(d: Deployment, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pulumi", *args, "--stack", STACK, "--non-interactive"],
        cwd=d.work_dir,
        env={**os.environ, **d.env, "PULUMI_EXPERIMENTAL": "true"},
        capture_output=True,
        text=True,
        check=False,
    )


def _live(d: Deployment) -> dict[str, str | None]:
    return {n: d.emulator.get_number(n)["inbound_agent_id"] for n in (*FLEET, *BINDINGS)}  # type: ignore[index]


def _patches(d: Deployment) -> list[str]:
    return sorted(r["phone_number"] for r in d.emulator.requests() if r["method"] == "PATCH")


@pytest.mark.parametrize("provider", ["native", "dynamic"])
def test_an_up_on_a_saved_plan_does_what_the_preview_showed_and_a_stale_plan_writes_nothing(
    tmp_path: Path, provider: str
) -> None:
    everyone = (*FLEET, *BINDINGS)
    first = dict.fromkeys(everyone, "agent_support")
    program = tmp_path / "program.yaml" if provider == "native" else None
    if program is not None:
        program.write_text(f"name: {PROJECT}\nruntime: yaml\n")  # the test declares its resources
    with deployment(
        tmp_path / "run", program=program or "fleet", token=TOKEN, numbers=list(everyone), agents=AGENTS
    ) as d:
        _declare(d, provider, first)
        plan = d.work_dir / "plan.json"
        saved = _pulumi(d, "preview", "--save-plan", str(plan))
        assert saved.returncode == 0, saved.stdout + saved.stderr
        reads = [r["method"] for r in d.emulator.requests()]
        assert reads and set(reads) == {"GET"}, "the preview reads the account (previewChecks) and writes nothing"
        applied = _pulumi(d, "up", "--yes", "--plan", str(plan))
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert _live(d) == first

        # A plan for a change, made stale by another change to the program before its up.
        changed = {**first, FLEET[1]: "agent_sales", BINDINGS[0]: "agent_sales"}
        _declare(d, provider, changed)
        assert _pulumi(d, "preview", "--save-plan", str(plan)).returncode == 0
        _declare(d, provider, {**changed, FLEET[3]: "agent_billing", BINDINGS[1]: "agent_billing"})
        d.emulator.clear_requests()
        stale = _pulumi(d, "up", "--yes", "--plan", str(plan))
        assert stale.returncode != 0
        assert "violates plan" in stale.stdout + stale.stderr
        assert _patches(d) == [], "the engine refused the stale plan, and nothing was written"
        assert _live(d) == first

        # The plan of the program as it is now applies, and writes exactly what it shows.
        _declare(d, provider, changed)
        d.emulator.clear_requests()
        assert _pulumi(d, "preview", "--save-plan", str(plan)).returncode == 0
        applied = _pulumi(d, "up", "--yes", "--plan", str(plan))
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert _patches(d) == sorted([FLEET[1], BINDINGS[0]])
        assert _live(d) == changed


@pytest.mark.parametrize("provider", ["native", "dynamic"])
def test_the_plans_commands_in_the_docs_save_a_plan_of_the_preview_and_up_applies_it(
    tmp_path: Path, provider: str
) -> None:
    """docs/plans-and-long-runs.md's block, run as it is in bash in the project (the stack selected, no
    PULUMI_EXPERIMENTAL but the one it exports): the plan file names every resource's create, and the
    up writes each number once, as declared."""
    commands = one_block("docs-command", "plans", "sh")
    everyone = (*FLEET, *BINDINGS)
    declared = {n: ("agent_sales" if i % 2 else "agent_support") for i, n in enumerate(everyone)}
    program = tmp_path / "program.yaml" if provider == "native" else None
    if program is not None:
        program.write_text(f"name: {PROJECT}\nruntime: yaml\n")
    with deployment(
        tmp_path / "run", program=program or "fleet", token=TOKEN, numbers=list(everyone), agents=AGENTS
    ) as d:
        _declare(d, provider, declared)
        env = {k: v for k, v in {**os.environ, **d.env}.items() if k != "PULUMI_EXPERIMENTAL"}
        run = d.bash(commands, env)
        assert run.returncode == 0, run.stdout + run.stderr
        plan = json.loads((d.work_dir / "plan.json").read_text())
        steps = {urn.rsplit("::", 1)[1]: p.get("steps") for urn, p in plan["resourcePlans"].items()}
        assert {name: steps[name] for name in ("lines", "line-0", "line-1")} == {
            "lines": ["create"],
            "line-0": ["create"],
            "line-1": ["create"],
        }
        assert _patches(d) == sorted(everyone)
        assert _live(d) == declared

        # What the export line says it is for.
        [export] = [line for line in commands.splitlines() if line.startswith("export PULUMI_EXPERIMENTAL=")]
        helps = [
            subprocess.run(
                ["bash", "-c", f"{script}pulumi up --help"], env=env, capture_output=True, text=True, check=True
            )
            for script in (f"{export}\n", "")
        ]
        assert ["--plan string" in h.stdout for h in helps] == [True, False]
