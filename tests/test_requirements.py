"""Below the pulumi SDK an entry point needs, it says so and how to upgrade, instead of an ImportError."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pulumi_voiceos import _requirements
from pulumi_voiceos.native import __main__ as plugin


@pytest.mark.parametrize(("installed", "fine"), [("3.216.0", True), ("3.272.0", True), ("3.215.0", False)])
def test_the_dynamic_resource_needs_3_216(installed: str, fine: bool) -> None:
    found = _requirements.problem("PhoneNumberBinding", _requirements.DYNAMIC_RESOURCE, installed)
    assert (found is None) == fine


def test_a_version_below_the_floor_is_explained_with_the_upgrade_command() -> None:
    found = _requirements.problem("pulumi-resource-voiceos", "3.171.0", "3.170.0")
    assert found is not None
    assert "needs the pulumi Python SDK 3.171.0 or later, but pulumi 3.170.0 is installed" in found
    assert "pip install --upgrade 'pulumi>=3.216,<4'" in found


def test_a_missing_sdk_is_explained_too() -> None:
    found = _requirements.problem("pulumi-resource-voiceos", "3.171.0", None)
    assert found is not None and "the pulumi SDK is not installed" in found


def test_the_native_plugin_below_its_floor_exits_with_the_reason_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(plugin, "installed_pulumi", lambda: "3.150.0")
    with pytest.raises(SystemExit) as exited:
        plugin.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: pulumi-resource-voiceos needs the pulumi Python SDK 3.171.0 or later")
    assert "Traceback" not in err


def test_the_dynamic_resource_below_its_floor_fails_to_load_with_the_reason() -> None:
    # A fresh interpreter that reports an old pulumi, as an environment installed with --no-deps would.
    program = (
        "import importlib.metadata as m\n"
        "real = m.version\n"
        "m.version = lambda name: '3.215.0' if name == 'pulumi' else real(name)\n"
        "from pulumi_voiceos import PhoneNumberBinding\n"
    )
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert ran.returncode != 0
    assert "PulumiVersionError: pulumi-voiceos's PhoneNumberBinding needs the pulumi Python SDK 3.216.0" in ran.stderr
