"""``adopt --stacks K``'s stacks, in-process: their names, each one's config, and a re-run with another K refused."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
import yaml

from pulumi_voiceos import stack_share
from pulumi_voiceos.errors import AdoptError
from pulumi_voiceos.testing import VoiceOSMocks
from pulumi_voiceos.tools.adopt import fleet_program
from pulumi_voiceos.tools.adopt_split import check_split, split_stack_names, split_stacks
from pulumi_voiceos.tools.cli import main


def entry(number: str) -> dict[str, object]:
    key = f"header-{number[1:]}-0-authorization"
    return {"phone_number": number, "webhooks": [{"url": "https://h.example", "headers": {"A": {"secret": key}}}]}


def test_the_stacks_are_named_after_the_stack_given_and_an_org_qualifier_is_kept() -> None:
    assert split_stack_names("prod", 3) == ["prod-1", "prod-2", "prod-3"]
    assert split_stack_names("acme/voice/prod", 2) == ["acme/voice/prod-1", "acme/voice/prod-2"]


@pytest.mark.parametrize("count", [0, -1, 101])
def test_a_count_out_of_range_is_refused_naming_the_option(count: int) -> None:
    with pytest.raises(AdoptError, match=rf"--stacks {count} is outside 1 to 100"):
        split_stack_names("prod", count)


def test_each_stack_gets_its_split_and_the_secret_header_values_of_its_own_numbers_only() -> None:
    numbers = [f"+1415555{i:04d}" for i in range(40)]
    entries = [entry(n) for n in numbers]
    secrets = {f"header-{n[1:]}-0-authorization": f"value-{n}" for n in numbers}
    stacks = split_stacks(split_stack_names("prod", 4), entries, secrets, {"voiceos:apiUrl": "http://127.0.0.1:1"})
    assert [config["split"] for config in stacks.values()] == ["1/4", "2/4", "3/4", "4/4"]
    for share, config in enumerate(stacks.values(), start=1):
        assert config["voiceos:apiUrl"] == "http://127.0.0.1:1"
        held = {key for key in config if key.startswith("header-")}
        assert held == {f"header-{n[1:]}-0-authorization" for n in numbers if stack_share(n, 4) == share}


def test_a_rerun_with_another_number_of_stacks_is_refused_before_anything_moves(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.prod-1.yaml").write_text("config:\n  voiceos-bindings:split: 1/4\n")
    check_split(tmp_path, "voiceos-bindings", split_stack_names("prod", 4))  # the same split: fine
    with pytest.raises(AdoptError, match=r"stack prod-1 holds split 1/4, not 1/3: .*give the same --stacks"):
        check_split(tmp_path, "voiceos-bindings", split_stack_names("prod", 3))
    with pytest.raises(AdoptError, match=r"is split across stacks \(prod-1 holds split 1/4\); give the same --stacks"):
        check_split(tmp_path, "voiceos-bindings", None, "prod")
    check_split(tmp_path, "voiceos-bindings", None, "dev")  # no stack dev-1 holds a split: nothing to refuse


def test_the_command_refuses_a_bad_count_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEOS_API_TOKEN", "a-token")
    out = tmp_path / "out"
    assert main(["adopt", "--out", str(out), "--stack", "prod", "--stacks", "0"]) == 2
    assert "--stacks 0 is outside 1 to 100" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("one_resource", [False, True], ids=["bindings", "fleet"])
def test_the_program_adopt_writes_declares_its_stacks_share_alone(tmp_path: Path, one_resource: bool) -> None:
    numbers = [f"+1415555{i:04d}" for i in range(24)]
    entries = [{"name": f"number-{n[1:]}", "phone_number": n, "inbound_agent_id": "agent_support"} for n in numbers]
    (tmp_path / "bindings.yaml").write_text(yaml.safe_dump({"bindings": entries}))
    (tmp_path / "__main__.py").write_text(fleet_program(one_resource=one_resource))
    mocks = VoiceOSMocks()
    mocks.run(lambda: runpy.run_path(str(tmp_path / "__main__.py")), config={"split": "3/4"})
    bound = [n for n in numbers if mocks.live(n) is not None]
    assert bound == [n for n in numbers if stack_share(n, 4) == 3] and bound
