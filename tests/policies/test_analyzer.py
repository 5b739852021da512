"""The pack's policies in process, as pulumi-policy calls them: levels, config schemas, and secrets kept."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pulumi_policy
import pulumi_policy.policy
import pytest
import yaml
from pulumi_policy import EnforcementLevel, ResourceValidationArgs
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, deserialize_properties

from pulumi_voiceos import _version
from pulumi_voiceos.policies import PACK_DIR
from pulumi_voiceos.policies.analyzer import POLICIES, RULES, keep_secrets, plain

N1 = "+14155550101"
HOOK = {"events": ["phone_call:connection_requested"], "url": "http://h.example.com/x", "headers": {"A": "v"}}


def run(name: str, props: Any, config: dict[str, Any] | None = None, kind: str = "PhoneNumberBinding") -> list[str]:
    """The violations the policy ``name`` reports for a native ``kind`` with ``props``."""
    policy = next(p for p in POLICIES if p.name == name)
    assert isinstance(policy, pulumi_policy.ResourceValidationPolicy)
    args = ResourceValidationArgs(f"voiceos:index:{kind}", props, "urn", "line", None, None, config)  # type: ignore[arg-type]
    found: list[str] = []
    policy.validate(args, lambda message, _urn: found.append(message))
    return found


def test_with_no_config_the_url_and_header_rules_are_mandatory_and_the_others_advisory_and_silent() -> None:
    levels = {rule.name: rule.level for rule in RULES}
    assert levels == {
        "voiceos-webhook-https": EnforcementLevel.MANDATORY,
        "voiceos-webhook-header-secrets": EnforcementLevel.MANDATORY,
        "voiceos-allowed-agents": EnforcementLevel.ADVISORY,
        "voiceos-number-prefixes": EnforcementLevel.ADVISORY,
        "voiceos-fleet-size": EnforcementLevel.ADVISORY,
        "voiceos-overwrite-reviewer": EnforcementLevel.ADVISORY,
    }
    props = {"phoneNumber": "+447700900123", "inboundAgentId": "x", "allowOverwrite": True, "webhooks": [HOOK]}
    assert len(run("voiceos-webhook-https", props)) == 1
    assert len(run("voiceos-webhook-header-secrets", props)) == 1
    for name in (
        "voiceos-allowed-agents",
        "voiceos-number-prefixes",
        "voiceos-fleet-size",
        "voiceos-overwrite-reviewer",
    ):
        assert run(name, props) == [], name


def test_each_configured_rule_reads_its_config() -> None:
    props = {"phoneNumber": N1, "inboundAgentId": "x", "allowOverwrite": True, "webhooks": [HOOK]}
    assert run("voiceos-webhook-https", props, {"schemes": ["http"]}) == []
    assert len(run("voiceos-allowed-agents", props, {"agents": ["y"]})) == 1
    assert len(run("voiceos-number-prefixes", props, {"prefixes": ["+44"]})) == 1
    assert run("voiceos-number-prefixes", props, {"prefixes": ["+1"]}) == []
    assert len(run("voiceos-overwrite-reviewer", props, {"tag": "reviewer"})) == 1
    fleet: dict[str, Any] = {"bindings": {N1: {}, "+14155550102": {}}}
    for limit, expected in ((1.0, 1), (2.0, 0), (True, 0)):  # JSON numbers arrive as floats
        assert len(run("voiceos-fleet-size", fleet, {"maxNumbers": limit}, "PhoneNumberFleet")) == expected, limit


def test_each_config_schema_is_valid_json_schema_of_its_documented_keys() -> None:
    schemas = {p.name: (p.config_schema.properties if p.config_schema else {}) for p in POLICIES}
    assert {name: sorted(keys) for name, keys in schemas.items()} == {
        "voiceos-webhook-https": ["schemes"],
        "voiceos-webhook-header-secrets": [],
        "voiceos-allowed-agents": ["agents"],
        "voiceos-number-prefixes": ["prefixes"],
        "voiceos-fleet-size": ["maxNumbers"],
        "voiceos-overwrite-reviewer": ["tag"],
    }


def test_secrets_the_engine_sends_reach_the_rules_marked_once_the_pack_keeps_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # keep_secrets replaces the module's function; the test puts the original back afterwards.
    monkeypatch.setattr(pulumi_policy.policy, "deserialize_properties", deserialize_properties)
    wire = {
        "phoneNumber": N1,
        "webhooks": {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": [{**HOOK, "url": "https://h.example.com"}]},
    }
    keep_secrets()
    kept = pulumi_policy.policy.deserialize_properties(wire)  # type: ignore[attr-defined]
    assert plain(kept)["webhooks"].value[0]["headers"] == {"A": "v"}
    assert run("voiceos-webhook-header-secrets", kept) == []


def test_the_pack_folder_declares_a_python_pack_of_the_packages_version() -> None:
    declared = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert declared["runtime"] == "python" and declared["version"] == _version.__version__
    assert (PACK_DIR / "__main__.py").read_text().count("serve()") == 1


def test_the_pack_on_a_python_without_pulumi_policy_says_what_to_install() -> None:
    script = (
        "import runpy, sys; sys.modules['pulumi_policy'] = None; "
        f"runpy.run_path({str(PACK_DIR / '__main__.py')!r}, run_name='__main__')"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert run.returncode == 1
    assert "voiceos-policies cannot start" in run.stderr and "pip install 'pulumi-voiceos[policy]'" in run.stderr
