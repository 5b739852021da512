"""The voiceos-policies pack through the real CLI: ``pulumi preview|up --policy-pack`` on a Python (dynamic)
and a YAML (native) program; a mandatory violation stops both with nothing written, an advisory one warns."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_voiceos.policies import PACK_DIR
from pulumi_voiceos.policies.analyzer import RULES

from ..docs import one_block
from .harness import Deployment, deployment

TOKEN = "policy-token"
NUMBER = "+14155550171"
AGENTS = ["agent_a", "agent_b"]
SENTINEL = "policy-header-sentinel-4b1d"
URL = "https://hooks.example.com/voiceos"
HOOK: dict[str, Any] = {"events": ["phone_call:connection_requested"], "url": URL}
BOUND_BEFORE = {"inbound_agent_id": "agent_b", "webhooks": []}

YAML_PROGRAM = """name: voiceos-e2e
runtime: yaml
config:
  url:
    type: string
  agent:
    type: string
  headerValue:
    type: string
resources:
  line:
    type: voiceos:index:PhoneNumberBinding
    properties:
      phoneNumber: "{number}"
      inboundAgentId: ${{agent}}
      allowOverwrite: true
      webhooks:
        - events: ["phone_call:connection_requested"]
          url: ${{url}}
          headers:
            Authorization: ${{headerValue}}
"""


def preview(d: Deployment, *args: str) -> Any:
    return d.cli("preview", "--policy-pack", str(PACK_DIR), *args, check=False)


def up(d: Deployment, *args: str) -> Any:
    return d.cli("up", "--yes", "--policy-pack", str(PACK_DIR), *args, check=False)


def violated(output: str) -> list[str]:
    return [rule.name for rule in RULES if rule.name in output]


def writes(d: Deployment) -> list[tuple[str, str | None]]:
    return [(r["method"], r["phone_number"]) for r in d.emulator.requests() if r["method"] != "GET"]


def live(d: Deployment) -> dict[str, Any]:
    found = d.emulator.peek(NUMBER)
    assert found is not None
    return {"inbound_agent_id": found.get("inbound_agent_id"), "webhooks": found.get("webhooks")}


@pytest.fixture
def python_program(tmp_path: Path) -> Iterator[Deployment]:
    """The ``bindings`` test program (dynamic provider), its number bound to agent_b already."""
    with deployment(tmp_path, program="bindings", token=TOKEN, agents=AGENTS) as d:
        d.emulator.seed(NUMBER, inbound_agent_id="agent_b")
        d.stack.set_config("webhookSecret", auto.ConfigValue(SENTINEL, secret=True))
        d.emulator.clear_requests()
        yield d


def declare(d: Deployment, *, url: str = URL, secret_header: bool = True, **binding: Any) -> None:
    hook: dict[str, Any] = {**HOOK, "url": url}
    spec: dict[str, Any] = {"name": "line", "phone_number": NUMBER, "inbound_agent_id": "agent_a", **binding}
    if secret_header:
        spec["secret_header"] = "Authorization"
    else:
        hook["headers"] = {"Authorization": SENTINEL}
    spec["webhooks"] = [hook]
    d.set_bindings([spec])


def test_a_mandatory_violation_stops_the_python_programs_preview_and_up_with_nothing_written(
    python_program: Deployment,
) -> None:
    d = python_program
    declare(d, url="http://hooks.example.com/voiceos", secret_header=False, allow_overwrite=True)
    refused = preview(d)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "voiceos-webhook-https" in output and "mandatory" in output
    assert f"{NUMBER}: webhooks[0].url has 'http:'" in output
    # The resource class keeps every header value secret, so the pack sees none in plain text; the preview warns.
    assert "voiceos-webhook-header-secrets" not in output and "header 'Authorization' given in plain text" in output
    assert SENTINEL not in output
    stopped = up(d)
    assert stopped.returncode != 0
    assert writes(d) == [] and live(d) == BOUND_BEFORE


def test_an_advisory_violation_warns_and_a_compliant_python_program_is_deployed(
    python_program: Deployment, tmp_path: Path
) -> None:
    d = python_program
    declare(d, allow_overwrite=True)
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"voiceos-allowed-agents": {"agents": ["agent_b"]}, "voiceos-fleet-size": {}}))
    warned = preview(d, "--policy-pack-config", str(config))
    output = warned.stdout + warned.stderr
    assert warned.returncode == 0, output
    assert "voiceos-allowed-agents" in output and "advisory" in output
    assert "inbound_agent_id 'agent_a' is not an allowed agent (agent_b)" in output
    assert "voiceos-webhook-header-secrets" not in output  # the header came as a secret
    assert "voiceos-overwrite-reviewer" not in output  # not configured: it never fires

    passed = up(d)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert not violated(passed.stdout)
    assert writes(d) == [("PATCH", NUMBER)]
    assert live(d)["inbound_agent_id"] == "agent_a"


@pytest.fixture
def yaml_program(tmp_path: Path) -> Iterator[Deployment]:
    """A YAML program (native provider) binding the number, which is bound to agent_b already."""
    program = tmp_path / "Pulumi.yaml"
    program.write_text(YAML_PROGRAM.format(number=NUMBER))
    with deployment(tmp_path / "run", program=program, token=TOKEN, agents=AGENTS) as d:
        d.emulator.seed(NUMBER, inbound_agent_id="agent_b")
        d.emulator.clear_requests()
        yield d


def configure(d: Deployment, *, url: str, secret: bool) -> None:
    d.stack.set_all_config(
        {
            "url": auto.ConfigValue(url),
            "agent": auto.ConfigValue("agent_a"),
            "headerValue": auto.ConfigValue(SENTINEL, secret=secret),
        }
    )


def test_a_mandatory_violation_stops_the_yaml_programs_preview_and_up_with_nothing_written(
    yaml_program: Deployment,
) -> None:
    d = yaml_program
    configure(d, url="ftp://hooks.example.com/voiceos", secret=True)
    refused = preview(d)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "voiceos-webhook-https" in output and f"{NUMBER}: webhooks[0].url has 'ftp:'" in output
    assert "voiceos-webhook-header-secrets" not in output
    stopped = up(d)
    assert stopped.returncode != 0
    assert writes(d) == [] and live(d) == BOUND_BEFORE


def test_an_advisory_reviewer_rule_warns_and_the_compliant_yaml_program_is_deployed(
    yaml_program: Deployment, tmp_path: Path
) -> None:
    d = yaml_program
    configure(d, url=URL, secret=True)
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"voiceos-overwrite-reviewer": {"tag": "voiceos-reviewer"}}))
    warned = preview(d, "--policy-pack-config", str(config))
    output = warned.stdout + warned.stderr
    assert warned.returncode == 0, output
    assert "voiceos-overwrite-reviewer" in output and "advisory" in output
    assert "pulumi stack tag set voiceos-reviewer <reviewer>" in output

    d.cli("stack", "tag", "set", "voiceos-reviewer", "alice")
    passed = up(d, "--policy-pack-config", str(config))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert not violated(passed.stdout)
    assert writes(d) == [("PATCH", NUMBER)]
    assert live(d)["inbound_agent_id"] == "agent_a"
    assert SENTINEL not in passed.stdout + passed.stderr


def test_a_plaintext_header_in_the_yaml_program_reaches_the_pack_as_a_secret_and_the_preview_warns_naming_it(
    yaml_program: Deployment,
) -> None:
    d = yaml_program
    configure(d, url=URL, secret=False)
    warned = preview(d)
    output = warned.stdout + warned.stderr
    assert warned.returncode == 0, output
    assert "voiceos-webhook-header-secrets" not in output
    assert "webhooks[0] has header 'Authorization' given in plain text" in output
    assert SENTINEL not in output
    assert writes(d) == [] and live(d) == BOUND_BEFORE


def test_the_docs_command_with_the_docs_config_passes_with_a_warning_then_fails_a_mandatory_agent_rule(
    python_program: Deployment,
) -> None:
    """docs/policies.md's preview command, as a user types it, with its example config as policy-config.json."""
    d = python_program
    (d.work_dir / "policy-config.json").write_text(one_block("policies-config", "example", "json"))
    command = one_block("policies-command", "preview", "sh")
    env = {**os.environ, **d.env}
    declare(d, allow_overwrite=True)
    warned = d.bash(command, env)
    output = warned.stdout + warned.stderr
    assert warned.returncode == 0, output
    assert violated(output) == ["voiceos-overwrite-reviewer"] and "advisory" in output

    declare(d, inbound_agent_id="agent_b")
    refused = d.bash(command, env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert violated(output) == ["voiceos-allowed-agents"] and "mandatory" in output
    assert writes(d) == [] and live(d) == BOUND_BEFORE


FLEET_PROGRAM = """name: voiceos-e2e
runtime: yaml
resources:
  lines:
    type: voiceos:index:PhoneNumberFleet
    properties:
      bindings:
        "{number}":
          inboundAgentId: agent_a
          webhooks:
            - events: ["phone_call:connection_requested"]
              url: http://hooks.example.com/voiceos
"""


def test_a_native_fleet_is_checked_entry_by_entry_and_its_bad_entry_stops_the_preview(tmp_path: Path) -> None:
    program = tmp_path / "Pulumi.yaml"
    program.write_text(FLEET_PROGRAM.format(number=NUMBER))
    with deployment(tmp_path / "run", program=program, token=TOKEN, agents=AGENTS) as d:
        d.emulator.seed(NUMBER, inbound_agent_id="agent_b")
        d.emulator.clear_requests()
        refused = preview(d)
        output = refused.stdout + refused.stderr
        assert refused.returncode != 0, output
        assert f"{NUMBER}: bindings[\"{NUMBER}\"].webhooks[0].url has 'http:'" in output
        assert writes(d) == [] and live(d) == BOUND_BEFORE


def test_a_python_fleet_is_checked_entry_by_entry_naming_the_number_and_its_ceiling_warns(tmp_path: Path) -> None:
    other = "+14155550172"
    bad_url = {"inbound_agent_id": "agent_a", "webhooks": [{**HOOK, "url": "http://hooks.example.com/x"}]}
    secret_header = {"inbound_agent_id": "agent_a", "webhooks": [HOOK], "secret_header": "X-Key"}
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"voiceos-fleet-size": {"maxNumbers": 1}}))
    with deployment(tmp_path / "run", program="fleet", token=TOKEN, numbers=[other], agents=AGENTS) as d:
        d.emulator.seed(NUMBER, inbound_agent_id="agent_b")
        d.stack.set_config("webhookSecret", auto.ConfigValue(SENTINEL, secret=True))

        def declare_fleet(entry: dict[str, Any]) -> None:
            bindings = {NUMBER: {"inbound_agent_id": "agent_a", "webhooks": [HOOK]}, other: entry}
            fleet = {"name": "lines", "allow_overwrite": True, "bindings": bindings}
            (d.work_dir / "declared.json").write_text(json.dumps({"fleets": [fleet]}))

        declare_fleet(bad_url)
        d.emulator.clear_requests()
        refused = preview(d, "--policy-pack-config", str(config))
        output = refused.stdout + refused.stderr
        assert refused.returncode != 0, output
        assert violated(output) == ["voiceos-webhook-https", "voiceos-fleet-size"]
        assert f"{other}: bindings[\"{other}\"].webhooks[0].url has 'http:'" in output
        assert "the fleet has 2 numbers; the limit is 1" in output and SENTINEL not in output

        declare_fleet(secret_header)
        warned = preview(d, "--policy-pack-config", str(config))
        output = warned.stdout + warned.stderr
        assert warned.returncode == 0, output
        assert violated(output) == ["voiceos-fleet-size"]
        assert writes(d) == [] and live(d) == BOUND_BEFORE
