"""What README.md shows in Python is code that runs: its programs under VoiceOSMocks, its test snippets
copied from the example tests that `make test` runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pulumi_voiceos.testing import VoiceOSMocks, binding

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
PROGRAMS = re.findall(r"<!-- readme-program -->\n```python\n(.*?)```", README, re.S)
SNIPPETS = re.findall(r"<!-- readme-snippet: (\S+) -->\n```python\n(.*?)```", README, re.S)


def test_the_readme_has_the_programs_and_snippets_these_tests_hold_it_to() -> None:
    assert len(PROGRAMS) == 2 and len(SNIPPETS) == 2


@pytest.mark.parametrize("source", PROGRAMS, ids=["binding", "fleet"])
def test_each_readme_program_runs_through_the_providers_rules(source: str) -> None:
    mocks = VoiceOSMocks()
    # The fleet example adopts +14155550103 as it is: the account must already have that binding.
    mocks.seed("+14155550103", inbound_agent_id="agent_billing")
    outputs = mocks.run(lambda: exec(compile(source, "README.md", "exec"), {}), config={"webhookToken": "t0ken"})
    assert outputs
    if "PhoneNumberFleet" in source:
        assert mocks.live("+14155550102") == binding(
            "agent_sales", [{"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/voiceos"}]
        )
        assert mocks.live("+14155550103") == binding("agent_billing")
    else:
        live = mocks.live("+14155550123")
        assert live is not None and live.inbound_agent_id == "agent_support"


@pytest.mark.parametrize(("path", "snippet"), SNIPPETS, ids=[path for path, _ in SNIPPETS])
def test_each_readme_snippet_is_a_copy_of_a_test_that_runs(path: str, snippet: str) -> None:
    assert snippet in (REPO / path).read_text(), f"README.md's snippet of {path} is not in that file any more"
