"""What README.md and docs/ show is code that runs: their Python programs under VoiceOSMocks, their
snippets copied from files that `make test` runs (example tests, the examples' programs)."""

from __future__ import annotations

import pytest

from pulumi_voiceos.testing import VoiceOSMocks, binding

from .docs import REPO, marked_blocks

PROGRAMS = [body for _, body in marked_blocks("readme-program", "python")]
SNIPPETS = marked_blocks("readme-snippet")


def test_the_docs_have_the_programs_and_snippets_these_tests_hold_them_to() -> None:
    assert len(PROGRAMS) == 2 and len(SNIPPETS) == 4


@pytest.mark.parametrize("source", PROGRAMS, ids=["binding", "fleet"])
def test_each_docs_program_runs_through_the_providers_rules(source: str) -> None:
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
def test_each_docs_snippet_is_a_copy_of_a_file_that_runs(path: str, snippet: str) -> None:
    assert snippet in (REPO / path).read_text(), f"the docs' snippet of {path} is not in that file any more"
