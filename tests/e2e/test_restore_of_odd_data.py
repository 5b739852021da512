"""The live acceptance's cycle on odd webhook values that pass through Pulumi's property values.

A destroy with on_delete="restore" writes back the number's previous webhooks from state; property
values hold every number as a float, so a whole number of an unknown field must come back whole.
(A null header value is dropped by the Python SDK on the way; docs/real-accounts.md says so.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_voiceos.emulator.process import EmulatorProcess

from ..live.account import AGENT_BEFORE, AGENT_TEST, DEDICATED, DEDICATED_BINDING, EMULATOR_TOKEN, Target
from ..live.test_live_account import cycle


@pytest.mark.parametrize("odd", [{"retries": 2}, {"timeout": {"connect_ms": 500}}], ids=["whole number", "nested"])
def test_a_restore_puts_back_odd_webhook_values_exactly(tmp_path: Path, odd: dict[str, object]) -> None:
    hook = {**DEDICATED_BINDING["webhooks"][0], **odd}
    with EmulatorProcess(
        db_path=tmp_path / "voiceos.db", token=EMULATOR_TOKEN, agents=[AGENT_BEFORE, AGENT_TEST]
    ) as emu:
        emu.seed_raw(DEDICATED, {"phone_number": DEDICATED, "inbound_agent_id": AGENT_BEFORE, "webhooks": [hook]})
        cycle(Target(emu.url, EMULATOR_TOKEN, DEDICATED, AGENT_TEST, emu), tmp_path)
