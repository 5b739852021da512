"""examples/typescript and examples/go: their program bodies, through the real CLI and engine.

Each example is an ordinary Pulumi project (runtime: nodejs, runtime: go) whose program is one function,
``supportLine`` (supportLine.ts, supportline.go); its entry point (index.ts, main.go) only runs it. The
language tests' programs (tests/e2e/test_languages.py, built once per session) carry that file and run
it as an Automation API inline program when the spec says ``"example": true``, with the stack's config
set as a user's ``pulumi config set --secret webhookToken`` does. Every step reads the number back live.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import base_env, emulator
from .test_flows import AGENTS, CARRIER, TOKEN
from .test_languages import Installed, Program

NUMBER = "+14155550123"  # the examples' number
HEADER_VALUE = "SENTINEL-EXAMPLE-WEBHOOK-TOKEN-51c9"
EXAMPLE_SPEC: dict[str, Any] = {"example": True, "config": {"webhookToken": {"value": HEADER_VALUE, "secret": True}}}


@pytest.fixture
def example(installed: Installed, tmp_path: Path) -> Iterator[Program]:
    (tmp_path / "state").mkdir()
    (tmp_path / "stack").mkdir()
    with emulator(token=TOKEN, numbers=[NUMBER], agents=AGENTS) as emu:
        emu.seed(NUMBER, auth_token=CARRIER)
        env = {**os.environ, **base_env(tmp_path, emu), "VOICEOS_API_TOKEN": TOKEN}
        emu.clear_requests()
        yield Program(installed, tmp_path, emu, env)


def test_the_example_program_binds_its_number_as_declared_previews_no_change_and_destroys(example: Program) -> None:
    p = example

    report = p.run("up", [], **EXAMPLE_SPEC)
    counted, _, _ = p.calls()
    assert report["summary"] == {"create": 2}
    assert counted == {("GET", NUMBER): 1, ("PATCH", NUMBER): 1}
    live = p.live(NUMBER)
    assert live["inbound_agent_id"] == "agent_support"
    assert [(w["url"], w["events"], w["headers"]) for w in live["webhooks"]] == [
        ("https://hooks.example.com/voiceos", ["phone_call:connection_requested"], {"Authorization": HEADER_VALUE})
    ]
    assert report["outputs"] == {
        "phoneNumber": {"value": NUMBER, "secret": False},
        "agent": {"value": "agent_support", "secret": False},
        "carrier": {"value": live["telephony"]["provider"], "secret": False},
    }
    [state] = p.resources().values()
    assert state["urn"].endswith("::support-line")
    assert state["outputs"]["inboundAgentId"] == "agent_support"
    assert state["outputs"]["onDelete"] == "restore"

    # The same program again: no change, and the API is asked nothing.
    p.emulator.clear_requests()
    assert p.run("preview", [], **EXAMPLE_SPEC)["summary"] == {"same": 2}
    assert p.emulator.requests() == []

    # destroy with onDelete: restore puts back what the number had: nothing.
    p.emulator.clear_requests()
    assert p.run("destroy", [], **EXAMPLE_SPEC)["summary"] == {"delete": 2}
    unbound = p.live(NUMBER)
    assert (unbound["inbound_agent_id"], unbound["webhooks"]) == (None, [])
    assert p.resources() == {}

    # The header value, set as secret config, is in no state file, export or printed line.
    written = "\n".join([p.state_files_text(), *p.exported, *p.printed])
    for secret in (HEADER_VALUE, CARRIER, TOKEN):
        assert secret not in written, secret


@pytest.mark.parametrize("installed", ["typescript"], indirect=True)
def test_the_docs_typescript_program_binds_its_number_and_lists_the_unbound_numbers_of_its_prefix(
    example: Program,
) -> None:
    """The TypeScript block of docs/installation-configuration.md, run by the language tests' program
    ("docs": true): its binding, and its lookup of the unbound numbers starting with +1415."""
    p = example
    unbound_in_prefix, elsewhere = "+14155550199", "+14255550100"
    for number in (unbound_in_prefix, elsewhere):
        p.emulator.seed(number, auth_token=CARRIER)
    p.emulator.clear_requests()

    report = p.run("up", [], docs=True)
    counted, _, _ = p.calls()
    assert report["summary"] == {"create": 2}
    assert counted == {("GET", NUMBER): 1, ("PATCH", NUMBER): 1}
    assert p.live(NUMBER)["inbound_agent_id"] == "agent_support"
    assert report["outputs"]["inboundAgentId"] == {"value": "agent_support", "secret": False}
    # The lookup ran alongside the binding's create: the number may still have been unbound then.
    unbound = set(report["outputs"]["unbound"]["value"])
    assert unbound_in_prefix in unbound and unbound <= {unbound_in_prefix, NUMBER}

    assert p.run("destroy", [], docs=True)["summary"] == {"delete": 2}
    gone = p.live(NUMBER)
    assert (gone["inbound_agent_id"], gone["webhooks"]) == (None, [])
