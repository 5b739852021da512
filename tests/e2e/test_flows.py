"""Every user flow through the real Pulumi CLI and engine (Automation API)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from ..docs import one_block
from .harness import Deployment, deployment

TOKEN = "SENTINEL-E2E-API-TOKEN-4d1c"
CARRIER = "SENTINEL-E2E-CARRIER-TOKEN-9ab2"
WEBHOOK_SECRET = "SENTINEL-E2E-WEBHOOK-SECRET-77e0"
N1, N2, N3 = "+14155550101", "+14155550102", "+14155550103"
AGENTS = ["agent_support", "agent_sales", "agent_billing"]
EVENT = "phone_call:connection_requested"
REPO = Path(__file__).resolve().parents[2]


def hook(path: str, **extra: Any) -> dict[str, Any]:
    return {"events": [EVENT], "url": f"https://hooks.example.com/{path}", **extra}


def support(number: str = N1, **extra: Any) -> dict[str, Any]:
    return {
        "name": "support",
        "phone_number": number,
        "inbound_agent_id": "agent_support",
        "webhooks": [hook("support")],
        **extra,
    }


def sales(number: str = N2, **extra: Any) -> dict[str, Any]:
    return {"name": "sales", "phone_number": number, "inbound_agent_id": "agent_sales", **extra}


def writes(d: Deployment) -> list[dict[str, Any]]:
    return [r for r in d.emulator.requests() if r["method"] != "GET"]


LISTING = ("GET", None)
"""A page of ``GET /phone_numbers``: what the check of a binding about to take a number reads."""


def requested(d: Deployment) -> list[tuple[str, str | None]]:
    return [(r["method"], r["phone_number"]) for r in d.emulator.requests()]


def number_requests(d: Deployment) -> list[tuple[str, str]]:
    """The requests for numbers, leaving out the account listings checks make."""
    return [(r["method"], r["phone_number"]) for r in d.emulator.requests() if r["phone_number"] is not None]


def held(d: Deployment, number: str) -> dict[str, Any]:
    got = d.emulator.get_number(number)
    assert got is not None, f"{number} vanished from the emulator"
    return got


def summary(result: Any) -> dict[str, int]:
    changes = result.change_summary if hasattr(result, "change_summary") else result.summary.resource_changes
    return {str(k): v for k, v in (changes or {}).items() if v}


@pytest.fixture
def seeded(tmp_path: Path) -> Any:
    with deployment(tmp_path, token=TOKEN, numbers=[N1, N2, N3], agents=AGENTS) as d:
        for n in (N1, N2, N3):
            d.emulator.seed(n, auth_token=CARRIER)
        d.emulator.clear_requests()
        yield d


def test_preview_reports_creates_and_writes_nothing(seeded: Deployment) -> None:
    seeded.set_bindings([support(), sales()])
    result = seeded.preview()
    assert summary(result) == {"create": 3}  # two bindings and the stack
    assert writes(seeded) == []
    assert requested(seeded) == [LISTING]  # both numbers checked against one listing of the account


def test_up_then_no_change_preview_and_up_make_no_api_request(seeded: Deployment) -> None:
    seeded.set_bindings([support(), sales()])
    result = seeded.up()
    assert summary(result) == {"create": 3}
    assert sorted(number_requests(seeded)) == sorted([("GET", N1), ("PATCH", N1), ("GET", N2), ("PATCH", N2)])
    assert requested(seeded).count(LISTING) == 1  # the checks' one listing (the Automation API's up skips the preview)
    assert held(seeded, N1)["inbound_agent_id"] == "agent_support"
    assert [w["url"] for w in held(seeded, N1)["webhooks"]] == ["https://hooks.example.com/support"]
    assert held(seeded, N2)["inbound_agent_id"] == "agent_sales"
    outputs = result.outputs
    assert outputs["support.phone_number"].value == N1
    assert outputs["support.inbound_agent_id"].value == "agent_support"
    assert outputs["support.telephony"].value["provider"] == "twilio"
    assert outputs["support.telephony_auth_token"].secret is True
    assert outputs["support.webhooks"].value[0]["method"] == "POST"

    seeded.emulator.clear_requests()
    assert summary(seeded.preview()) == {"same": 3}
    assert summary(seeded.up()) == {"same": 3}
    assert seeded.emulator.requests() == []


def test_changing_a_webhook_is_one_update(seeded: Deployment) -> None:
    seeded.set_bindings([support(), sales()])
    seeded.up()
    seeded.set_bindings([support(webhooks=[hook("support-v2", method="get")]), sales()])
    seeded.emulator.clear_requests()
    assert summary(seeded.preview()) == {"update": 1, "same": 2}
    assert seeded.emulator.requests() == []
    assert summary(seeded.up()) == {"update": 1, "same": 2}
    assert [(r["method"], r["phone_number"]) for r in seeded.emulator.requests()] == [("PATCH", N1)]
    [webhook] = held(seeded, N1)["webhooks"]
    assert (webhook["url"], webhook["method"]) == ("https://hooks.example.com/support-v2", "GET")


def test_changing_the_number_replaces_the_binding(seeded: Deployment) -> None:
    seeded.set_bindings([support()])
    seeded.up()
    seeded.set_bindings([support(number=N3)])
    assert summary(seeded.preview()) == {"replace": 1, "same": 1}
    seeded.up()
    assert held(seeded, N3)["inbound_agent_id"] == "agent_support"
    old = held(seeded, N1)
    assert old["inbound_agent_id"] is None and old["webhooks"] == []
    assert [r["id"] for r in seeded.resources()] == [N3]


def test_refresh_shows_drift_and_up_corrects_it(seeded: Deployment) -> None:
    seeded.set_bindings([support()])
    seeded.up()
    seeded.emulator.seed(N1, inbound_agent_id="agent_billing", webhooks=[], auth_token=CARRIER)
    seeded.emulator.clear_requests()
    refreshed = seeded.refresh()
    assert summary(refreshed) == {"update": 1, "same": 1}
    # One listing of the account serves the refresh.
    assert [(r["method"], r["path"]) for r in seeded.emulator.requests()] == [("GET", "/phone_numbers")]
    assert summary(seeded.preview()) == {"update": 1, "same": 1}
    seeded.up()
    assert held(seeded, N1)["inbound_agent_id"] == "agent_support"
    assert [w["url"] for w in held(seeded, N1)["webhooks"]] == ["https://hooks.example.com/support"]
    seeded.emulator.clear_requests()
    assert summary(seeded.preview()) == {"same": 2}


def test_refresh_of_a_vanished_number_drops_it_from_state(seeded: Deployment) -> None:
    seeded.set_bindings([support(), sales()])
    seeded.up()
    seeded.emulator.remove_number(N2)
    assert summary(seeded.refresh()) == {"delete": 1, "same": 2}
    assert [r["id"] for r in seeded.resources()] == [N1]


def test_adopting_an_existing_binding_writes_nothing(seeded: Deployment) -> None:
    seeded.emulator.seed(N1, inbound_agent_id="agent_support", webhooks=[hook("support")])
    seeded.emulator.clear_requests()
    seeded.set_bindings([dict(support(), **{"import": True})])
    seeded.up()
    assert writes(seeded) == []
    assert number_requests(seeded) == [("GET", N1)]
    seeded.emulator.clear_requests()
    assert summary(seeded.preview()) == {"same": 2}
    assert seeded.emulator.requests() == []


def test_adopting_a_binding_that_differs_fails_and_changes_nothing(seeded: Deployment) -> None:
    seeded.emulator.seed(N1, inbound_agent_id="agent_billing")
    seeded.emulator.clear_requests()
    seeded.set_bindings([dict(support(), **{"import": True})])
    with pytest.raises(auto.CommandError) as exc:
        seeded.up()
    assert "cannot import +14155550101" in str(exc.value) and "agent_billing" in str(exc.value)
    assert writes(seeded) == []
    assert held(seeded, N1)["inbound_agent_id"] == "agent_billing"


def test_overwrite_guard_through_the_engine(seeded: Deployment) -> None:
    old_hook = {"events": ["phone_call:connection_requested"], "url": "https://old.example.com/hook"}
    seeded.emulator.seed(N1, inbound_agent_id="agent_billing", webhooks=[old_hook])
    seeded.set_bindings([support()])
    with pytest.raises(auto.CommandError) as exc:
        seeded.up()
    assert "already bound to inbound_agent_id='agent_billing'" in str(exc.value)
    assert held(seeded, N1)["inbound_agent_id"] == "agent_billing"
    seeded.set_bindings([support(allow_overwrite=True)])
    seeded.up()
    assert held(seeded, N1)["inbound_agent_id"] == "agent_support"
    [resource] = seeded.resources()
    assert resource["outputs"]["previous_inbound_agent_id"] == "agent_billing"
    # What was replaced may carry credentials in its headers: it is kept, as a secret.
    assert "ciphertext" in resource["outputs"]["previous_webhooks"]


def test_destroy_unbinds_every_number_and_deletes_none(seeded: Deployment) -> None:
    seeded.set_bindings([support(), sales()])
    seeded.up()
    seeded.emulator.clear_requests()
    seeded.destroy()
    methods = sorted((r["method"], r["phone_number"]) for r in seeded.emulator.requests())
    assert methods == [("GET", N1), ("GET", N2), ("PATCH", N1), ("PATCH", N2)]
    for number in (N1, N2):
        left = held(seeded, number)
        assert left["inbound_agent_id"] is None and left["webhooks"] == []


def test_secrets_never_reach_state_export_or_output_in_plaintext(tmp_path: Path) -> None:
    with deployment(tmp_path, token=TOKEN, numbers=[N1], agents=AGENTS, token_in_env=False) as d:
        d.emulator.seed(N1, auth_token=CARRIER)
        d.stack.set_config("voiceos:apiToken", auto.ConfigValue(TOKEN, secret=True))
        d.stack.set_config("webhookSecret", auto.ConfigValue(WEBHOOK_SECRET, secret=True))
        d.set_bindings([support(secret_header="X-Webhook-Key")])
        d.preview(diff=True)
        d.up()
        d.refresh()
        d.preview(diff=True)
        stored = held(d, N1)
        assert stored["webhooks"][0]["headers"]["X-Webhook-Key"] == WEBHOOK_SECRET  # it did reach the API
        exported = d.export_without_secrets()
        texts = {
            "state files": d.state_files_text(),
            "stack export": exported,
            "CLI output": "".join(d.output),
            "stack config": (d.work_dir / "Pulumi.test.yaml").read_text(),
        }
        for where, text in texts.items():
            for sentinel in (TOKEN, CARRIER, WEBHOOK_SECRET):
                assert sentinel not in text, f"{sentinel} in plaintext in the {where}"
        [resource] = [
            r for r in json.loads(exported)["deployment"]["resources"] if r["type"].startswith("pulumi-python:dynamic")
        ]
        provider_blob = resource["inputs"]["__provider"]
        assert isinstance(provider_blob, str), "__provider must not be stored as a secret"
        assert len(provider_blob) < 200
        outputs = resource["outputs"]
        for name in ("telephony_auth_token", "webhook_headers"):
            assert isinstance(outputs[name], dict) and "ciphertext" in outputs[name], name
        # The header values are apart, so the rest of each webhook reads in clear (a preview shows its changes).
        assert [hook["url"] for hook in outputs["webhooks"]] == [w["url"] for w in support()["webhooks"]]
        assert "previous_webhooks" not in outputs  # nothing was replaced, so nothing (not even a secret []) is kept


BAD_INPUTS = [
    ({"phone_number": "4155550101"}, "phone_number"),
    ({"webhooks": [hook("x", url="ftp://hooks.example.com/x")]}, "webhooks[0].url"),
    ({"webhooks": [hook("x", headers={"X-A": "one\ntwo"})]}, "webhooks[0].headers"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUTS, ids=[f for _, f in BAD_INPUTS])
def test_bad_input_fails_preview_naming_the_field(seeded: Deployment, change: dict[str, Any], field: str) -> None:
    seeded.set_bindings([support(**change), sales()])
    with pytest.raises(auto.CommandError) as exc:
        seeded.preview()
    assert field in str(exc.value)
    # Nothing was read for the bad binding (its check failed first) and nothing was written.
    assert number_requests(seeded) == [] and writes(seeded) == []


def rotate_emulator_token(d: Deployment, rotated: str) -> None:
    d.emulator.stop()
    d.emulator.token = rotated
    d.emulator.start()
    d.env_vars["VOICEOS_API_URL"] = d.emulator.url


def test_token_rotation_in_the_environment_between_up_and_destroy(tmp_path: Path) -> None:
    with deployment(tmp_path, token=TOKEN, numbers=[N1], agents=AGENTS) as d:
        d.set_bindings([support()])
        d.up()
        rotated = "SENTINEL-ROTATED-ENV-TOKEN-3e1a"
        rotate_emulator_token(d, rotated)
        d.env_vars["VOICEOS_API_TOKEN"] = rotated
        d.destroy()
        assert held(d, N1)["inbound_agent_id"] is None
        assert TOKEN not in d.state_files_text() and rotated not in d.state_files_text()


def test_token_rotation_in_stack_config_between_up_and_destroy(tmp_path: Path) -> None:
    with deployment(tmp_path, token=TOKEN, numbers=[N1], agents=AGENTS, token_in_env=False) as d:
        d.stack.set_config("voiceos:apiToken", auto.ConfigValue(TOKEN, secret=True))
        d.set_bindings([support()])
        d.up()
        rotated = "SENTINEL-ROTATED-CONFIG-TOKEN-0c55"
        rotate_emulator_token(d, rotated)
        d.stack.set_config("voiceos:apiToken", auto.ConfigValue(rotated, secret=True))
        # Without the program, destroy configures providers from the state it recorded at the
        # last up; --run-program gives it the stack's current config (Pulumi's documented way).
        d.destroy(run_program=True)
        assert held(d, N1)["inbound_agent_id"] is None
        assert TOKEN not in d.state_files_text() and rotated not in d.state_files_text()


def test_token_from_stack_config(tmp_path: Path) -> None:
    with deployment(tmp_path, token=TOKEN, numbers=[N1], agents=AGENTS, token_in_env=False) as d:
        d.stack.set_config("voiceos:apiToken", auto.ConfigValue(TOKEN, secret=True))
        d.set_bindings([support()])
        d.up()
        assert held(d, N1)["inbound_agent_id"] == "agent_support"


@pytest.mark.parametrize("way", ["stack config", "environment"])
def test_each_way_the_docs_set_the_api_token_lets_an_up_bind_the_number_and_keeps_it_out_of_state(
    tmp_path: Path, way: str
) -> None:
    """The docs' two ways (docs/installation-configuration.md), each run in bash in the project before an up
    there; the run's environment has no token but the one the doc's line exports."""
    block = one_block("docs-command", "api-token", "sh")
    ways = [line for line in block.splitlines() if not line.startswith("#")]
    assert [line.split("<token>")[0] for line in ways] == [
        "pulumi config set --secret voiceos:apiToken ",
        "export VOICEOS_API_TOKEN=",
    ]
    line = ways[0] if way == "stack config" else ways[1]
    with deployment(tmp_path, token=TOKEN, numbers=[N1], agents=AGENTS, token_in_env=False) as d:
        d.set_bindings([support()])
        env = {k: v for k, v in os.environ.items() if k != "VOICEOS_API_TOKEN"} | d.env
        script = f"{line.replace('<token>', TOKEN)}\npulumi up --yes --non-interactive\n"
        run = d.bash(script, env)
        assert run.returncode == 0, run.stdout + run.stderr
        assert held(d, N1)["inbound_agent_id"] == "agent_support"
        stack_config = (d.work_dir / "Pulumi.test.yaml").read_text() if way == "stack config" else ""
        assert ("voiceos:apiToken:\n    secure: " in stack_config) == (way == "stack config"), stack_config
        assert TOKEN not in d.state_files_text() + stack_config + run.stdout + run.stderr


def test_missing_token_says_how_to_set_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOICEOS_API_TOKEN", raising=False)
    with deployment(tmp_path, token=TOKEN, numbers=[N1], agents=AGENTS, token_in_env=False) as d:
        d.set_bindings([support()])
        with pytest.raises(auto.CommandError) as exc:
            d.up()
        message = str(exc.value)
        assert "pulumi config set --secret voiceos:apiToken" in message and "VOICEOS_API_TOKEN" in message
        assert writes(d) == []


def test_values_unknown_at_preview_are_bound_on_up(tmp_path: Path) -> None:
    with deployment(tmp_path, program="unknowns", token=TOKEN, numbers=[N1], agents=AGENTS) as d:
        d.stack.set_config("agentName", auto.ConfigValue("agent_sales"))
        d.stack.set_config("phoneNumber", auto.ConfigValue(N1))
        d.emulator.clear_requests()
        assert summary(d.preview()) == {"create": 3}
        assert requested(d) == [LISTING]  # the number is checked even though the agent is not known yet
        result = d.up()
        assert result.outputs["inbound_agent_id"].value == "agent_sales"
        assert held(d, N1)["inbound_agent_id"] == "agent_sales"


def test_two_bindings_of_one_number_are_refused(seeded: Deployment) -> None:
    seeded.set_bindings([support(), sales(number=N1)])
    with pytest.raises(auto.CommandError) as exc:
        seeded.preview()
    assert "already bound by PhoneNumberBinding 'support'" in str(exc.value)
    assert number_requests(seeded) == [] and writes(seeded) == []


def test_preview_from_the_repository_root(tmp_path: Path) -> None:
    stack = f"e2e-root-{uuid.uuid4().hex[:8]}"
    stack_file = REPO / f"Pulumi.{stack}.yaml"
    with deployment(tmp_path, token=TOKEN, numbers=["+14155550123"], agents=AGENTS) as d:
        # As a user with the repository's virtualenv activated.
        venv_bin = str(Path(sys.prefix) / "bin")
        env = {**os.environ, **d.env, "PATH": venv_bin + os.pathsep + os.environ["PATH"], "VIRTUAL_ENV": sys.prefix}
        try:
            for args in (["stack", "init", stack], ["preview", "--stack", stack]):
                run = subprocess.run(
                    ["pulumi", *args, "--non-interactive"],
                    cwd=REPO,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                assert run.returncode == 0, run.stdout + run.stderr
            assert "+ 2 to create" in run.stdout
            assert requested(d) == [LISTING]
        finally:
            stack_file.unlink(missing_ok=True)
