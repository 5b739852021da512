"""``voiceos-pulumi adopt --import-file``: the file's shape, and the refusals that come before any account is read
(the rest, through the real CLI: tests/e2e/test_adopt_import.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_voiceos.errors import AdoptError
from pulumi_voiceos.tools.adopt_import import BINDING_TYPE, FLEET_TYPE, adopt_to_import_file, import_plan
from pulumi_voiceos.tools.cli import main

ENTRIES: list[dict[str, Any]] = [
    {"name": "number-14155550101", "phone_number": "+14155550101", "inbound_agent_id": "agent_support"},
    {
        "name": "number-14155550102",
        "phone_number": "+14155550102",
        "webhooks": [{"url": "https://h.example", "headers": {"Authorization": {"secret": "header-14155550102-0-x"}}}],
    },
]
ENVIRON = {"VOICEOS_API_TOKEN": "a-token", "VOICEOS_API_URL": "https://api.voiceos.example"}


def test_the_file_holds_one_binding_per_number_its_id_the_number_and_no_value() -> None:
    assert import_plan(ENTRIES) == {
        "resources": [
            {"type": BINDING_TYPE, "name": "number-14155550101", "id": "+14155550101"},
            {"type": BINDING_TYPE, "name": "number-14155550102", "id": "+14155550102"},
        ]
    }


def test_with_fleet_the_file_holds_one_fleet_whose_id_is_its_numbers() -> None:
    assert import_plan(ENTRIES, one_resource=True) == {
        "resources": [{"type": FLEET_TYPE, "name": "fleet", "id": "+14155550101,+14155550102"}]
    }
    assert import_plan([], one_resource=True) == {"resources": []}


def test_a_folder_without_a_project_is_refused_saying_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(AdoptError, match=r"holds no Pulumi.yaml.*the project \(any language\)"):
        adopt_to_import_file(tmp_path / "import.json", tmp_path, "dev", environ=ENVIRON)
    assert not (tmp_path / "import.json").exists()


def test_include_unbound_is_refused_as_an_unbound_number_has_nothing_to_import(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: yaml\n")
    with pytest.raises(AdoptError, match="no binding to import"):
        adopt_to_import_file(tmp_path / "import.json", tmp_path, "dev", include_unbound=True, environ=ENVIRON)


def test_stacks_is_refused_as_an_import_file_is_for_one_stack(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: yaml\n")
    with pytest.raises(AdoptError, match="an import file is for one stack"):
        adopt_to_import_file(tmp_path / "import.json", tmp_path, "dev", stacks=4, environ=ENVIRON)
    assert not (tmp_path / "import.json").exists()


def test_the_command_refuses_a_missing_token_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VOICEOS_API_TOKEN", raising=False)
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: yaml\n")
    plan = tmp_path / "import.json"
    argv = ["adopt", "--out", str(tmp_path), "--stack", "dev", "--import-file", str(plan)]
    assert main(argv) == 2
    assert "no VoiceOS API token" in capsys.readouterr().err and not plan.exists()
