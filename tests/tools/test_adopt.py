"""``voiceos-pulumi adopt``'s refusals that come before any account is read (the rest: tests/e2e/test_adopt.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_voiceos.errors import AdoptError
from pulumi_voiceos.tools.adopt import adopt_account, fleet_program


def test_a_missing_token_is_refused_saying_how_to_give_it(tmp_path: Path) -> None:
    with pytest.raises(AdoptError, match=r"no VoiceOS API token: export VOICEOS_API_TOKEN=<token>"):
        adopt_account(tmp_path / "out", "dev", environ={"VOICEOS_API_URL": "https://api.voiceos.example"})
    assert not (tmp_path / "out").exists()


def test_a_plain_http_url_is_refused_for_what_it_is_not_as_a_missing_token(tmp_path: Path) -> None:
    environ = {"VOICEOS_API_TOKEN": "a-token", "VOICEOS_API_URL": "http://api.voiceos.example"}
    with pytest.raises(AdoptError) as raised:
        adopt_account(tmp_path / "out", "dev", environ=environ)
    assert "https" in str(raised.value) and "no VoiceOS API token" not in str(raised.value)
    assert "a-token" not in str(raised.value)


def test_the_programs_adopt_writes_import_the_package_by_its_name_as_a_users_project_must() -> None:
    for one_resource in (False, True):
        program = fleet_program(one_resource=one_resource)
        compile(program, "__main__.py", "exec")
        assert "from pulumi_voiceos import " in program
        assert not [line for line in program.splitlines() if line.startswith("from .")]
