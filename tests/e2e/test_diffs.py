"""A pull request's preview shows what changes in a webhook, and never a header value: both providers, real CLI.

The URL reads in clear in ``pulumi preview --diff`` and in a stale plan's refusal, for a binding and a fleet's
entry; a header value (a secret, or plain text, which warns) shows only as ``[secret]`` and is encrypted in state."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any, Final

import pytest
import yaml
from pulumi import automation as auto

from ..docs import one_block
from .harness import PROJECT, Deployment, deployment
from .test_flows import AGENTS, CARRIER, EVENT, N1, N2, TOKEN

HEADER_VALUE: Final = "SENTINEL-DIFFS-SECRET-HEADER-6d1f"
PLAIN_HEADER: Final = "SENTINEL-DIFFS-PLAIN-HEADER-0b7e"
"""A header value the program gives in plain text: it warns, and is encrypted in state all the same."""
URL: Final = "https://hooks.example.com/{name}-{version}"
DIFF_BLOCK: Final = {"dynamic": "webhook-diff-python", "native": "webhook-diff-yaml"}
"""docs/preview.md's diff of a URL change, per provider."""


def _hooks(name: str, version: str, secret: str) -> list[dict[str, Any]]:
    headers = {"X-Team": PLAIN_HEADER, "X-Webhook-Key": secret}
    return [{"events": [EVENT], "url": URL.format(name=name, version=version), "headers": headers}]


def dynamic_declared(version: str, url: str = "") -> dict[str, Any]:
    """The program's ``declared.json``; ``url`` replaces the binding's first URL (a bad one)."""
    hooks = _hooks("binding", version, "$webhookSecret")
    if url:
        hooks[0]["url"] = url
    return {
        "binding": {"name": "support", "phone_number": N1, "inbound_agent_id": "agent_support", "webhooks": hooks},
        "fleet": {"name": "lines", "bindings": {N2: {"webhooks": _hooks("fleet", version, "$webhookSecret")}}},
    }


def yaml_program(version: str, url: str = "") -> dict[str, Any]:
    hooks = _hooks("binding", version, "${webhookSecret}")
    if url:
        hooks[0]["url"] = url
    return {
        "name": PROJECT,
        "runtime": "yaml",
        "config": {"webhookSecret": {"type": "string", "secret": True}},
        "resources": {
            "support": {
                "type": "voiceos:PhoneNumberBinding",
                "properties": {"phoneNumber": N1, "inboundAgentId": "agent_support", "webhooks": hooks},
            },
            "lines": {
                "type": "voiceos:PhoneNumberFleet",
                "properties": {"bindings": {N2: {"webhooks": _hooks("fleet", version, "${webhookSecret}")}}},
            },
        },
    }


def shown_lines(text: str) -> list[str]:
    """The lines of a CLI's output, stripped, without the ``[id=...]`` and ``[urn=...]`` lines the docs leave out."""
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith(("[id=", "[urn="))]


def assert_shows(block: str, text: str) -> None:
    """The doc ``block``'s lines appear in ``text``, one after the other, as the CLI printed them."""
    wanted, shown = shown_lines(block), shown_lines(text)
    starts = [i for i in range(len(shown)) if shown[i : i + len(wanted)] == wanted]
    assert starts, f"the docs show:\n{block}\nthe CLI printed:\n{text}"


class Stack:
    """One stack of either provider, its program rewritten between runs, and everything the CLI printed."""

    def __init__(self, d: Deployment, provider: str) -> None:
        self.d, self.provider = d, provider
        self.printed: list[str] = []

    def declare(self, version: str, url: str = "") -> None:
        if self.provider == "dynamic":
            (self.d.work_dir / "declared.json").write_text(json.dumps(dynamic_declared(version, url)))
        else:
            program = yaml.safe_dump(yaml_program(version, url), sort_keys=False)
            (self.d.work_dir / "Pulumi.yaml").write_text(program)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.d.emulator.clear_requests()
        result = self.d.cli(*args, check=False)
        self.printed.append(result.stdout + result.stderr)
        return result

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.d.emulator.requests() if r["method"] != "GET"]


@pytest.fixture(params=["dynamic", "native"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    program: str | Path = "diffs"
    if request.param == "native":
        program = tmp_path / "program.yaml"
        program.write_text(f"name: {PROJECT}\nruntime: yaml\n")
    with deployment(tmp_path / "run", program=program, token=TOKEN, numbers=[], agents=AGENTS) as d:
        for number in (N1, N2):
            d.emulator.seed(number, auth_token=CARRIER)
        d.stack.set_config("webhookSecret", auto.ConfigValue(HEADER_VALUE, secret=True))
        yield Stack(d, request.param)


def test_a_url_change_reads_in_clear_in_the_preview_and_the_plans_refusal_and_no_header_value_shows_anywhere(
    stack: Stack, tmp_path: Path
) -> None:
    stack.declare("v1")
    deployed = stack.run("up", "--yes")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    # A header given in plain text warns, naming the resource, its webhook and the header.
    assert "webhooks[0] has header 'X-Team' given in plain text" in deployed.stdout
    assert f"bindings[\"{N2}\"].webhooks[0] has header 'X-Team'" in deployed.stdout
    if stack.provider == "dynamic":
        assert_shows(one_block("docs-output", "plaintext-warning", "text"), deployed.stdout)

    stack.declare("v2")
    assert "[diff: ~webhooks]" in stack.run("preview").stdout
    shown = stack.run("preview", "--diff").stdout
    for name in ("binding", "fleet"):
        before, after = URL.format(name=name, version="v1"), URL.format(name=name, version="v2")
        assert f'"{before}" => "{after}"' in shown, shown
    assert_shows(one_block("docs-output", DIFF_BLOCK[stack.provider], "text"), shown)

    plan = tmp_path / "plan.json"
    assert stack.run("preview", "--save-plan", str(plan)).returncode == 0
    stack.declare("v3")
    refused = stack.run("up", "--yes", "--plan", str(plan))
    assert refused.returncode != 0
    # The engine stops at the first resource that violates the plan; either one names the URL it planned and
    # the one it got.
    assert "violates plan" in refused.stdout
    planned_then_got = r"url:\{https://hooks\.example\.com/(binding|fleet)-v2\}.*!=.*-v3\}"
    assert re.search(planned_then_got, refused.stdout), refused.stdout
    assert stack.writes() == []

    # A nested field's check failure names its path and the problem, never a value of {<nil>}.
    stack.declare("v2", url="ftp://hooks.example.com/x")
    failed = stack.run("preview")
    assert failed.returncode != 0
    assert "has a problem: webhooks[0].url has 'ftp:'" in failed.stdout, failed.stdout
    assert "<nil>" not in failed.stdout

    printed = "\n".join(stack.printed)
    assert HEADER_VALUE not in printed and PLAIN_HEADER not in printed
    state = stack.d.state_files_text() + stack.d.export_without_secrets()
    assert HEADER_VALUE not in state and PLAIN_HEADER not in state
