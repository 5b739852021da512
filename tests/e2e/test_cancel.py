"""Ctrl-C during a fleet's create, through the real CLI: SIGINT to ``pulumi up``, then ``up`` again.

The native provider implements the engine's Cancel: no write starts after it, the fleet's partial
state is recorded, and the next ``up`` writes only the rest. The dynamic provider cannot be told (the
SDK's dynamic-provider server answers Cancel with nothing), so its fleet finishes the writes it began.
Either way every number ends as declared, none is written twice, and none is unbound.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from .harness import NEEDS_SDK_3_269, PROJECT, Deployment, deployment
from .test_flows import AGENTS, TOKEN

COUNT = 2000
DECLARED = {"inbound_agent_id": "agent_support"}


def _numbers(prefix: str) -> list[str]:
    return [f"{prefix}{index:06d}" for index in range(COUNT)]


def _native_program(path: Path, nums: list[str]) -> None:
    resources = {
        "lines": {
            "type": "voiceos:PhoneNumberFleet",
            "properties": {"bindings": {n: {"inboundAgentId": "agent_support"} for n in nums}},
        }
    }
    path.write_text(yaml.safe_dump({"name": PROJECT, "runtime": "yaml", "resources": resources}, sort_keys=False))


def _interrupted_up(d: Deployment) -> tuple[int, str]:
    """``pulumi up`` with one SIGINT to the CLI (only) once 100 numbers are written; its exit code and output."""
    up = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--stack", "test", "--non-interactive"],
        cwd=d.work_dir,
        env={**os.environ, **d.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and up.poll() is None:
        if sum(1 for r in d.emulator.requests() if r["method"] == "PATCH") >= 100:
            break
        time.sleep(0.02)
    up.send_signal(signal.SIGINT)
    output, _ = up.communicate(timeout=120)
    return up.returncode, output


@pytest.mark.parametrize("provider", [pytest.param("native", marks=NEEDS_SDK_3_269), "dynamic"])
def test_ctrl_c_during_a_fleet_create_of_2000_then_up_again_binds_each_number_once(
    tmp_path: Path, provider: str
) -> None:
    nums = _numbers("+1631" if provider == "native" else "+1632")
    program: str | Path = "fleet"
    if provider == "native":
        program = tmp_path / "program.yaml"
        _native_program(program, nums)
    with deployment(
        tmp_path / "run", program=program, token=TOKEN, numbers=[], agents=AGENTS, fresh_emulator=True
    ) as d:
        if provider == "dynamic":
            declared = {"fleets": [{"name": "lines", "bindings": dict.fromkeys(nums, DECLARED)}], "bindings": []}
            (d.work_dir / "declared.json").write_text(json.dumps(declared))
        d.emulator.seed_many([{"phone_number": n} for n in nums])
        d.emulator.set_latency(20, method="PATCH")
        d.emulator.clear_requests()

        code, output = _interrupted_up(d)
        first = [r["phone_number"] for r in d.emulator.requests() if r["method"] == "PATCH"]
        if provider == "native":
            # Cancel stopped the writes: those in flight finished, none started after.
            assert code != 0 and len(first) < COUNT, output
            assert "the update was cancelled" in output and "Traceback" not in output
        else:
            # Nothing reaches a dynamic provider's fleet: it finishes the writes it began.
            assert len(first) == COUNT

        d.emulator.set_latency(0)
        d.up()
        patches = [r for r in d.emulator.requests() if r["method"] == "PATCH"]
        per_number = Counter(r["phone_number"] for r in patches)
        assert max(per_number.values()) == 1, "a number was written twice"
        assert set(per_number) == set(nums)
        assert all(r["body"]["inbound_agent_id"] == "agent_support" for r in patches), "a write did not bind"
        assert all(d.emulator.get_number(n)["inbound_agent_id"] == "agent_support" for n in nums)  # type: ignore[index]
        print(
            f"\n{provider}: SIGINT after {len(first)} of {COUNT} writes; the next up wrote {len(patches) - len(first)}"
        )
