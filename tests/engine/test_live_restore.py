"""The live acceptance's safety net: ``restoring`` puts the dedicated number back even when a step fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_voiceos.emulator.process import EmulatorProcess

from ..live.account import (
    AGENT_BEFORE,
    AGENT_TEST,
    DEDICATED,
    DEDICATED_BINDING,
    EMULATOR_TOKEN,
    Target,
    as_json,
    binding_fields,
    restoring,
)


def test_a_failing_step_inside_restoring_still_leaves_the_number_exactly_as_it_was(tmp_path: Path) -> None:
    with EmulatorProcess(
        db_path=tmp_path / "voiceos.db", token=EMULATOR_TOKEN, agents=[AGENT_BEFORE, AGENT_TEST]
    ) as emu:
        emu.seed_raw(DEDICATED, {"phone_number": DEDICATED, **DEDICATED_BINDING})
        target = Target(emu.url, EMULATOR_TOKEN, DEDICATED, AGENT_TEST, emu)
        before = as_json(binding_fields(target.get()))
        with pytest.raises(RuntimeError, match="a step failed"), restoring(target) as saved:
            assert as_json(saved) == before
            target.patch({"inbound_agent_id": AGENT_TEST, "webhooks": []})
            assert binding_fields(target.get()) == {"inbound_agent_id": AGENT_TEST, "webhooks": []}
            raise RuntimeError("a step failed")
        methods = [r["method"] for r in emu.requests()]
        assert as_json(binding_fields(target.get())) == before
        # Read before, saved, the step's PATCH and its check, then the check that found it changed and the PATCH back.
        assert methods == ["GET", "GET", "PATCH", "GET", "GET", "PATCH"]


def test_restoring_writes_nothing_when_the_number_is_already_as_it_was(tmp_path: Path) -> None:
    with EmulatorProcess(db_path=tmp_path / "voiceos.db", token=EMULATOR_TOKEN) as emu:
        emu.seed_raw(DEDICATED, {"phone_number": DEDICATED, **DEDICATED_BINDING})
        with restoring(Target(emu.url, EMULATOR_TOKEN, DEDICATED, None, emu)):
            pass
        assert {r["method"] for r in emu.requests()} == {"GET"}
