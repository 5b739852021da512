"""The testing package end to end: the pulumi_stack helper through the real CLI, and the mocks held to it.

The mocks promise the message a preview gives and the outputs an ``up``
records; these tests run the same program both ways and compare.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_voiceos import PhoneNumberBinding, WebhookArgs
from pulumi_voiceos.testing import TestStack, VoiceOSAPI, VoiceOSCheckError, VoiceOSMocks, binding

MakeStack = Callable[..., TestStack]

N1, N2 = "+14155550101", "+14155550102"
EVENT = "phone_call:connection_requested"
SECRET = "SENTINEL-TESTING-HEADER-4b4b"


def support_line() -> None:
    config = pulumi.Config()
    token = config.get_secret("hookToken")
    line = PhoneNumberBinding(
        "support",
        phone_number=N1,
        inbound_agent_id="agent_support",
        webhooks=[
            WebhookArgs(
                events=[EVENT],
                url=config.get("hookUrl") or "https://hooks.example.com/voiceos",
                headers={"Authorization": token} if token is not None else None,
            )
        ],
    )
    pulumi.export("carrier", line.telephony)
    pulumi.export("token", line.telephony_auth_token)


HOOK = {"events": [EVENT], "url": "https://hooks.example.com/voiceos", "headers": {"Authorization": SECRET}}


def test_an_inline_program_goes_up_reads_back_live_and_is_destroyed(
    voiceos_api: VoiceOSAPI, pulumi_stack: MakeStack
) -> None:
    voiceos_api.seed(N1, auth_token="carrier-token-of-the-test")
    stack = pulumi_stack(support_line, secrets={"hookToken": SECRET})

    preview = stack.preview()
    assert preview.changes == {"create": 2} and preview.writes == []

    up = stack.up()
    assert up.changes == {"create": 2}
    assert [(r.method, r.phone_number) for r in up.writes] == [("PATCH", N1)]
    assert voiceos_api.live(N1) == binding("agent_support", [HOOK])
    assert up.outputs["carrier"]["provider"] == "twilio"
    assert up.outputs["token"] == "carrier-token-of-the-test" and "token" in up.secret_outputs
    stored = stack.state_files()
    assert any(path.name == "test.json" for path in stored), sorted(stored)
    for path, body in stored.items():
        assert SECRET.encode() not in body and b"carrier-token-of-the-test" not in body, path

    assert stack.up().writes == []
    gone = stack.destroy()
    assert gone.changes == {"delete": 2}
    assert voiceos_api.live(N1) == binding()


def test_a_yaml_program_folder_runs_on_the_native_plugin(
    voiceos_api: VoiceOSAPI, pulumi_stack: MakeStack, tmp_path: Path
) -> None:
    program = tmp_path / "yaml"
    program.mkdir()
    (program / "Pulumi.yaml").write_text(
        "name: voiceos-yaml\nruntime: yaml\n"
        "config:\n  agent:\n    type: string\n"
        "resources:\n  sales:\n    type: voiceos:PhoneNumberBinding\n"
        f"    properties:\n      phoneNumber: '{N2}'\n      inboundAgentId: ${{agent}}\n"
        "outputs:\n  voiceosId: ${sales.voiceosId}\n"
    )
    voiceos_api.seed(N2)
    stack = pulumi_stack(program, config={"agent": "agent_sales"})
    up = stack.up()
    assert voiceos_api.live(N2) == binding("agent_sales")
    assert up.outputs["voiceosId"] == voiceos_api.number(N2).id  # type: ignore[union-attr]
    assert not (program / "Pulumi.test.yaml").exists()  # the helper ran a copy


def test_the_mocks_refuse_a_bad_input_with_the_reason_the_preview_gives(
    voiceos_api: VoiceOSAPI, pulumi_stack: MakeStack
) -> None:
    bad = {"hookUrl": "ftp://hooks.example.com/voiceos"}
    with pytest.raises(VoiceOSCheckError) as mocked:
        VoiceOSMocks().run(support_line, config=bad)
    voiceos_api.seed(N1)
    stack = pulumi_stack(support_line, config=bad)
    with pytest.raises(auto.CommandError) as previewed:
        stack.preview()
    # A nested path leads the reason, in the mocks as in the preview (never "value {<nil>}").
    said = str(mocked.value).split(" has a problem: ", 1)[1]
    assert said.startswith("webhooks[0].url has 'ftp:'")
    assert f"resource 'support' has a problem: {said}" in str(previewed.value)
    assert "<nil>" not in str(previewed.value)
    assert voiceos_api.requests() == [] or all(r.method == "GET" for r in voiceos_api.requests())


def test_the_mocks_record_the_outputs_an_up_records(voiceos_api: VoiceOSAPI, pulumi_stack: MakeStack) -> None:
    mocks = VoiceOSMocks()
    mocked = mocks.run(support_line, config={"hookToken": SECRET})["support"]
    voiceos_api.seed(N1)
    stack = pulumi_stack(support_line, secrets={"hookToken": SECRET})
    stack.up()
    deployment = stack.stack.export_stack().deployment or {}
    [recorded] = [r["outputs"] for r in deployment["resources"] if r["type"].endswith("Binding")]
    shown = {name for name, value in recorded.items() if value is not None and not name.startswith("__")}
    assert set(mocked) == shown
    assert mocks.live(N1) == voiceos_api.live(N1)
    same: dict[str, Any] = {k: mocked[k] for k in ("phone_number", "inbound_agent_id")}
    assert same == {k: recorded[k] for k in same}
