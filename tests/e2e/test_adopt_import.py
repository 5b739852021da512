"""`voiceos-pulumi adopt --import-file`, then `pulumi import --file` and `up`, through the real CLI.

A project in a language other than Python adopts an account with Pulumi's bulk-import file: each
number's binding is read into state, the header values into secret config placeholders, and the
`up` that follows writes nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..docs import one_block
from .harness import NATIVE_TYPE, STACK, Deployment, deployment
from .test_flows import AGENTS, N1, N2, N3, TOKEN
from .test_languages import ELSEWHERE, Installed, Program, program_of

EMPTY_YAML = "name: voiceos-e2e\nruntime: yaml\n"
HEADER = "SENTINEL-IMPORT-FILE-HEADER-5a2c"
TEAM = "SENTINEL-IMPORT-FILE-TEAM-71d0"
EVENT = "phone_call:connection_requested"
SUPPORT, SALES, BILLING, UNBOUND, ODD = N1, N2, N3, "+14155550104", "+14155550105"
ADOPTED = [SUPPORT, SALES, BILLING]
FLEET_TYPE = "voiceos:index:PhoneNumberFleet"


def seed(d: Deployment | Program) -> None:
    """Numbers with agents, webhooks and headers; one unbound and one no program can declare (skipped)."""
    d.emulator.seed(
        SUPPORT,
        inbound_agent_id="agent_support",
        webhooks=[
            {
                "events": [EVENT],
                "url": "https://hooks.example.com/support",
                "method": "POST",
                "headers": {"Authorization": f"Bearer {HEADER}"},
            }
        ],
    )
    d.emulator.seed(
        SALES,
        inbound_agent_id="agent_sales",
        webhooks=[
            {"events": [EVENT], "url": "https://hooks.example.com/sales", "method": "GET"},
            {
                "events": [EVENT],
                "url": "https://hooks.example.com/sales/2",
                "method": "PUT",
                "headers": {"X-Team": TEAM, "X-Region": "us"},
                "filter": "caller.country == 'US'",
            },
        ],
    )
    d.emulator.seed(BILLING, inbound_agent_id="agent_billing")
    d.emulator.seed(UNBOUND)
    d.emulator.seed_raw(
        ODD,
        {
            "phone_number": ODD,
            "inbound_agent_id": "agent_a",
            "webhooks": [
                {
                    "events": [EVENT],
                    "url": "https://hooks.example.com/odd",
                    "method": "POST",
                    "headers": {"X-Empty": None},
                }
            ],
        },
    )


def adopt(d: Deployment, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pulumi_voiceos", "adopt", "--out", str(d.work_dir), "--stack", STACK, *args]
    return subprocess.run(command, env=d.env, capture_output=True, text=True, check=False)


def live_numbers(d: Deployment) -> dict[str, Any]:
    return {n: d.emulator.get_number(n) for n in [*ADOPTED, UNBOUND, ODD]}


def writes(d: Deployment) -> list[dict[str, Any]]:
    return [r for r in d.emulator.requests() if r["method"] != "GET"]


@pytest.fixture
def yaml_project(tmp_path: Path) -> Any:
    program = tmp_path / "empty.yaml"
    program.write_text(EMPTY_YAML)
    with deployment(tmp_path / "run", program=program, token=TOKEN, numbers=[], agents=[*AGENTS, "agent_a"]) as d:
        seed(d)
        yield d


@pytest.mark.parametrize("shape", ["bindings", "fleet"])
def test_a_yaml_project_imports_the_file_adopt_writes_and_its_up_writes_nothing(
    yaml_project: Deployment, tmp_path: Path, shape: str
) -> None:
    d = yaml_project
    before = live_numbers(d)
    plan = d.work_dir / "import.json"
    fleet = ["--fleet"] if shape == "fleet" else []

    refused = adopt(d, "--import-file", str(plan), "--strict", *fleet)
    assert refused.returncode == 2 and ODD in refused.stderr and not plan.exists()

    # docs/adopt.md's commands, in the project's folder, with this test's stack (and --fleet when asked).
    commands = one_block("docs-command", "adopt-import-file", "sh").replace("<token>", TOKEN)
    commands = commands.replace("--stack prod", f"--stack {STACK}").replace(
        "import.json --out", f"import.json {' '.join(fleet)} --out"
    )
    env = {k: v for k, v in d.env.items() if k != "VOICEOS_API_TOKEN"}  # the block exports it
    d.emulator.clear_requests()
    done = d.bash(commands, {**env, "PULUMI_SKIP_CONFIRMATIONS": "true"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert writes(d) == []
    numbered = [r["phone_number"] for r in d.emulator.requests() if r["phone_number"]]
    assert sorted(numbered) == ADOPTED, "one GET per number"
    written = json.loads(plan.read_text())
    if fleet:
        assert written == {"resources": [{"type": FLEET_TYPE, "name": "fleet", "id": ",".join(ADOPTED)}]}
    else:
        assert written == {"resources": [{"type": NATIVE_TYPE, "name": f"number-{n[1:]}", "id": n} for n in ADOPTED]}
    config = (d.work_dir / f"Pulumi.{STACK}.yaml").read_text()
    assert HEADER not in config and TEAM not in config and "secure:" in config
    assert f"{ODD}: " in done.stdout and "skipped 2" in done.stdout
    assert HEADER not in done.stdout + done.stderr + plan.read_text()

    code = yaml.safe_load((d.work_dir / "imported.yaml").read_text())
    if fleet:
        assert list(code["resources"]) == ["fleet"]
        assert sorted(code["resources"]["fleet"]["properties"]["bindings"]) == ADOPTED
        [state] = [
            r for r in json.loads(d.export_without_secrets())["deployment"]["resources"] if r["type"] == FLEET_TYPE
        ]
        assert sorted(state["inputs"]["bindings"]) == ADOPTED and state["id"] == ",".join(ADOPTED)
        assert sorted(state["outputs"]["records"]) == ADOPTED
    else:
        assert sorted(code["resources"]) == [f"number-{n[1:]}" for n in ADOPTED]
        assert sorted(r["id"] for r in d.resources()) == ADOPTED
    assert HEADER not in d.state_files_text() and TEAM not in d.state_files_text()

    # The generated code spells each header value out; the docs' step puts the placeholder there instead.
    # (It protects what it imported, as `pulumi import` does; options and all, it is the program.)
    (d.work_dir / "Pulumi.yaml").write_text(EMPTY_YAML + yaml.safe_dump(with_placeholders(code), sort_keys=False))
    assert HEADER not in (d.work_dir / "Pulumi.yaml").read_text()
    d.emulator.clear_requests()
    up = d.cli("up", "--yes", "--skip-preview")
    assert writes(d) == [], up.stdout
    d.cli("preview", "--expect-no-changes")
    assert writes(d) == []
    assert live_numbers(d) == before
    assert HEADER not in "".join(d.output) + up.stdout + up.stderr


def placeholder(number: str, index: int, header: str) -> str:
    """The stack config key adopt stores a header value under (docs/adopt.md)."""
    return f"header-{number[1:]}-{index}-" + re.sub(r"[^a-z0-9]+", "-", header.lower()).strip("-")


def with_placeholders(code: dict[str, Any]) -> dict[str, Any]:
    """The generated YAML program, each header value a reference to its config placeholder."""
    for resource in code["resources"].values():
        properties = resource["properties"]
        entries = properties["bindings"] if "bindings" in properties else {properties["phoneNumber"]: properties}
        for number, entry in entries.items():
            for index, hook in enumerate(entry.get("webhooks") or []):
                for header in hook.get("headers") or {}:
                    hook["headers"][header] = f"${{{placeholder(number, index, header)}}}"
    return code


# -- a TypeScript project: an Automation API inline program on the generated SDK (tests/e2e/test_languages.py) --

TS_SUPPORT: dict[str, Any] = {
    "events": [EVENT],
    "url": "https://hooks.example.com/support",
    "method": "POST",
    "secretConfig": {"Authorization": placeholder(N1, 0, "Authorization")},
}
TS_SALES: list[dict[str, Any]] = [
    {"events": [EVENT], "url": "https://hooks.example.com/sales", "method": "GET"},
    {
        "events": [EVENT],
        "url": "https://hooks.example.com/sales/2",
        "method": "PUT",
        "filter": "caller.country == 'US'",
        "secretConfig": {h: placeholder(N2, 1, h) for h in ("X-Team", "X-Region")},
    },
]
TS_BINDINGS: list[dict[str, Any]] = [
    {"name": f"number-{N1[1:]}", "phoneNumber": N1, "inboundAgentId": "agent_support", "webhooks": [TS_SUPPORT]},
    {"name": f"number-{N2[1:]}", "phoneNumber": N2, "inboundAgentId": "agent_sales", "webhooks": TS_SALES},
    {"name": f"number-{N3[1:]}", "phoneNumber": N3, "inboundAgentId": "agent_billing"},
]


@pytest.fixture
def typescript(installed: Installed, tmp_path: Path) -> Iterator[Program]:
    with program_of(installed, tmp_path) as made:
        yield made


@pytest.mark.parametrize("installed", ["typescript"], indirect=True)
def test_a_typescript_project_imports_the_file_adopt_writes_and_its_up_writes_nothing(typescript: Program) -> None:
    p = typescript
    seed(p)
    before = {n: p.live(n) for n in (N1, N2, N3, ELSEWHERE)}
    p.run("preview", [])  # the inline program's project and stack, as a first run makes them
    plan = p.root / "import.json"
    command = [sys.executable, "-m", "pulumi_voiceos", "adopt", "--out", str(p.work_dir), "--stack", STACK]
    done = subprocess.run(
        [*command, "--import-file", str(plan)], env=p.env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert [r["id"] for r in json.loads(plan.read_text())["resources"]] == [N1, N2, N3]
    config = (p.work_dir / f"Pulumi.{STACK}.yaml").read_text()
    assert HEADER not in config and TEAM not in config

    p.emulator.clear_requests()
    report = p.run("import", [], importFile=str(plan))
    assert report["summary"].get("import") == 3, report
    counted, patches, _ = p.calls()
    assert patches == {} and {method for method, _ in counted} == {"GET"}

    report = p.run("up", TS_BINDINGS)
    counted, patches, _ = p.calls()
    assert patches == {}, patches
    assert report["summary"] == {"same": 4}
    report = p.run("preview", TS_BINDINGS, expectNoChanges=True)
    assert report["summary"] == {"same": 4}
    assert {n: p.live(n) for n in (N1, N2, N3, ELSEWHERE)} == before
    assert HEADER not in p.state_files_text() and HEADER not in "".join(p.printed)
