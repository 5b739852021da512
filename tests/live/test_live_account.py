"""The live acceptance: doctor, a read-only adopt, and one reversible cycle of the dedicated number.

Against a real account under ``make test-live`` (see docs/real-accounts.md), against an emulator
holding odd data under ``make test``. The cycle binds the number through the real Pulumi CLI
(allow_overwrite, on_delete="restore"), updates it, destroys it, and checks the number's binding
fields are byte for byte what they were; whatever fails, ``restoring`` puts them back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

import yaml
from pulumi import automation as auto

from pulumi_voiceos.core.models import Binding, undeclarable_reason
from pulumi_voiceos.testing.backend import LocalBackend, pulumi_cli, python_project

from .account import Target, as_json, binding_fields, restoring

PROGRAM: Final = Path(__file__).parent / "program"
HEADER_VALUE: Final = "SENTINEL-LIVE-TEST-HEADER-VALUE-7d31"
EVENT: Final = "phone_call:connection_requested"
# Hosts under .invalid never resolve: a call that reaches the number meanwhile fetches no agent from them.
BIND_HOOKS: Final = [{"events": [EVENT], "url": "https://voiceos-pulumi-live.invalid/bind", "method": "POST"}]
UPDATE_HOOKS: Final = [
    {
        "events": [EVENT],
        "url": "https://voiceos-pulumi-live.invalid/update",
        "method": "PUT",
        "filter": "true",
        "secret_header": True,
    }
]


def secrets_of(target: Target, saved: dict[str, Any]) -> list[str]:
    """Every value that must not appear in plaintext: the token, and each header value the number had or gets."""
    values = [target.token, HEADER_VALUE]
    for hook in saved.get("webhooks") or []:
        values += [v for v in (hook.get("headers") or {}).values() if isinstance(v, str) and len(v) >= 8]
    return values


def voiceos_pulumi(target: Target, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``voiceos-pulumi <args>`` as a user runs it: the provider's settings exported, a backend in ``root``."""
    run = subprocess.run(
        [sys.executable, "-m", "pulumi_voiceos", *args],
        env=LocalBackend(root).environ(target),
        capture_output=True,
        text=True,
        check=False,
    )
    print(run.stdout)
    return run


def test_doctor_finds_the_account_ready_and_prints_no_secret(target: Target, tmp_path: Path) -> None:
    saved = binding_fields(target.get())
    run = voiceos_pulumi(target, tmp_path, "doctor")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1] == "verdict: ready, everything the provider needs works"
    for secret in secrets_of(target, saved):
        assert secret not in run.stdout + run.stderr
    assert as_json(binding_fields(target.get())) == as_json(saved)


def test_a_read_only_adopt_writes_a_project_and_a_stack_and_changes_no_number(target: Target, tmp_path: Path) -> None:
    saved = binding_fields(target.get())
    out = tmp_path / "adopted"
    if target.emulator is not None:
        target.emulator.clear_requests()
    run = voiceos_pulumi(target, tmp_path, "adopt", "--out", str(out), "--stack", "live")
    assert run.returncode == 0, run.stdout + run.stderr
    entries = yaml.safe_load((out / "bindings.yaml").read_text())["bindings"] or []
    adopted = {entry["phone_number"] for entry in entries}
    dedicated = Binding.from_properties(saved["inbound_agent_id"], saved["webhooks"])
    if dedicated.is_unbound:
        assert target.number not in adopted
    elif (why := undeclarable_reason(dedicated)) is not None:
        assert f"  {target.number}: {why}" in run.stdout
    else:
        assert target.number in adopted
    written = "\n".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    for secret in secrets_of(target, saved):
        assert secret not in written + run.stdout + run.stderr
    assert as_json(binding_fields(target.get())) == as_json(saved)
    if target.emulator is not None:
        assert {r["method"] for r in target.emulator.requests()} == {"GET"}


def declared(agent: str | None, hooks: list[dict[str, Any]]) -> Binding:
    webhooks = []
    for hook in hooks:
        headers = {"Authorization": HEADER_VALUE} if hook.get("secret_header") else {}
        webhooks.append({k: v for k, v in hook.items() if k != "secret_header"} | {"headers": headers})
    return Binding.from_properties(agent, webhooks)


def live_binding(target: Target) -> Binding:
    body = target.get()
    return Binding.from_properties(body.get("inbound_agent_id"), body.get("webhooks"))


def test_binding_updating_and_destroying_the_dedicated_number_leaves_it_exactly_as_it_was(
    target: Target, tmp_path: Path
) -> None:
    cycle(target, tmp_path)


def cycle(target: Target, tmp_path: Path) -> None:
    """Bind, update and destroy ``target``'s number through the real CLI; then it must be as it was."""
    with restoring(target) as saved:
        kept = saved["inbound_agent_id"]
        agent = target.agent or (kept if kept and undeclarable_reason(Binding(kept)) is None else None)
        project = python_project(tmp_path / "project", "voiceos-live")
        (project / "__main__.py").write_text((PROGRAM / "__main__.py").read_text())
        backend = LocalBackend(tmp_path)
        config = {"number": target.number, "webhooks": json.dumps(BIND_HOOKS)}
        if agent is not None:
            config["agent"] = agent
        stack = backend.stack(
            project, name="live", env=backend.env(target), config=config, secrets={"headerValue": HEADER_VALUE}
        )

        bound = stack.up(on_output=print)
        assert bound.summary.resource_changes == {"create": 2}
        assert live_binding(target) == declared(agent, BIND_HOOKS)

        stack.set_config("webhooks", auto.ConfigValue(json.dumps(UPDATE_HOOKS)))
        updated = stack.up(on_output=print)
        assert updated.summary.resource_changes == {"same": 1, "update": 1}
        assert live_binding(target) == declared(agent, UPDATE_HOOKS)
        exported = pulumi_cli(stack, "stack", "export").stdout
        state = "\n".join(data.decode(errors="replace") for data in backend.state_files().values())
        for secret in secrets_of(target, saved):
            assert secret not in exported + state

        stack.destroy(on_output=print)
        assert as_json(binding_fields(target.get())) == as_json(saved)
