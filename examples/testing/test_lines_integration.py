"""Integration tests: the program runs through the real CLI and engine against the emulator.

The `voiceos_api` fixture (the emulated account) and `pulumi_stack` (a stack of
the program) come with pulumi-voiceos's pytest plugin.
"""

from collections.abc import Callable
from pathlib import Path

import lines

from pulumi_voiceos.testing import TestStack, VoiceOSAPI, binding

MakeStack = Callable[..., TestStack]

TOKEN = "SENTINEL-EXAMPLE-HOOK-TOKEN-3c3c"
HOOK = {
    "events": ["phone_call:connection_requested"],
    "url": "https://hooks.example.com/voiceos",
    "headers": {"Authorization": TOKEN},
}


def seeded(api: VoiceOSAPI) -> None:
    for number in ("+14155550101", "+14155550102"):
        api.seed(number)


def test_up_binds_both_lines_and_a_second_up_sends_nothing(voiceos_api: VoiceOSAPI, pulumi_stack: MakeStack) -> None:
    seeded(voiceos_api)
    stack = pulumi_stack(lines.declare, secrets={"hookToken": TOKEN})
    first = stack.up()
    assert first.changes == {"create": 3}
    assert sorted(str(r.phone_number) for r in first.writes) == ["+14155550101", "+14155550102"]
    assert voiceos_api.live("+14155550101") == binding("agent_support", [HOOK])
    assert first.outputs["support.carrier"]["provider"] == "twilio"
    assert stack.up().requests == []


def test_a_line_someone_rebound_in_the_dashboard_is_put_back_after_a_refresh(
    voiceos_api: VoiceOSAPI, pulumi_stack: MakeStack
) -> None:
    seeded(voiceos_api)
    stack = pulumi_stack(Path(__file__).parent, secrets={"hookToken": TOKEN})
    stack.up()
    voiceos_api.rebind("+14155550102", inbound_agent_id="agent_billing")
    assert stack.refresh().changes == {"update": 1}
    again = stack.up()
    assert [r.body for r in again.writes] == [{"inbound_agent_id": "agent_sales"}]
    assert voiceos_api.live("+14155550102") == binding("agent_sales", [HOOK])
