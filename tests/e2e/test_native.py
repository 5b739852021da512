"""The native ``voiceos`` provider through the real CLI and engine: YAML, import, the generated Python SDK.

Every flow ends by reading the live numbers from the emulator and comparing
them with the program and the stack's state; the request log shows the exact
calls each flow made, which are the dynamic provider's for the same flow.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_voiceos.dynamic import headers

from ..docs import one_block
from .harness import NATIVE_TYPE, Deployment, deployment
from .test_flows import AGENTS, CARRIER, N1, N2, N3, REPO, TOKEN, WEBHOOK_SECRET, hook, sales, summary, support
from .test_ownership import assert_as_declared

EXAMPLE = REPO / "examples" / "yaml" / "Pulumi.yaml"
EXAMPLE_NUMBER = "+14155550123"
HEADER_SENTINEL = "SENTINEL-NATIVE-HEADER-3e8d"
IMPORTED_HEADER = "SENTINEL-IMPORTED-HEADER-b7f1"


def calls(d: Deployment) -> list[tuple[str, str | None]]:
    """The requests for numbers. The account listings that checks make for bindings about to take a
    number are left out: tests/e2e/test_preview.py counts those."""
    return [(r["method"], r["phone_number"]) for r in d.emulator.requests() if r["phone_number"] is not None]


def live(d: Deployment, number: str) -> dict[str, Any]:
    got = d.emulator.get_number(number)
    assert got is not None, f"{number} vanished from the emulator"
    return got


def state_of(d: Deployment, number: str) -> dict[str, Any]:
    found = [r for r in d.resources() if r["id"] == number]
    assert len(found) == 1, f"state has {len(found)} bindings of {number}"
    assert found[0]["type"] == NATIVE_TYPE
    return found[0]


def everything_written(d: Deployment) -> str:
    """State files, the exported stack and every line the CLI printed."""
    return "\n".join([d.state_files_text(), d.export_without_secrets(), *d.output])


# -- the YAML example ------------------------------------------------------------------------


@pytest.fixture
def example(tmp_path: Path) -> Any:
    with deployment(tmp_path, program=EXAMPLE, token=TOKEN, numbers=[EXAMPLE_NUMBER], agents=AGENTS) as d:
        d.emulator.seed(EXAMPLE_NUMBER, auth_token=CARRIER)
        d.stack.set_config("webhookToken", auto.ConfigValue(HEADER_SENTINEL, secret=True))
        d.emulator.clear_requests()
        yield d


def test_the_yaml_example_binds_updates_refreshes_and_destroys_as_declared(example: Deployment) -> None:
    d = example
    result = d.up()
    assert summary(result) == {"create": 2}
    assert calls(d) == [("GET", EXAMPLE_NUMBER), ("PATCH", EXAMPLE_NUMBER)]
    assert len(d.emulator.requests()) == 3  # and the check's one listing of the account
    number = live(d, EXAMPLE_NUMBER)
    assert number["inbound_agent_id"] == "agent_support"
    assert [(w["url"], w["headers"]) for w in number["webhooks"]] == [
        ("https://hooks.example.com/voiceos", {"Authorization": HEADER_SENTINEL})
    ]
    outputs = state_of(d, EXAMPLE_NUMBER)["outputs"]
    assert outputs["inboundAgentId"] == "agent_support" and outputs["onDelete"] == "restore"
    assert result.outputs["carrier"].value == "twilio"

    d.emulator.clear_requests()
    preview = d.preview()
    assert summary(preview) == {"same": 2}
    assert d.emulator.requests() == []
    assert summary(d.up()) == {"same": 2}
    assert d.emulator.requests() == []

    d.stack.set_config("agent", auto.ConfigValue("agent_sales"))
    d.emulator.clear_requests()
    assert summary(d.up()) == {"same": 1, "update": 1}
    assert [(r["method"], r["body"]) for r in d.emulator.requests()] == [("PATCH", {"inbound_agent_id": "agent_sales"})]
    assert live(d, EXAMPLE_NUMBER)["inbound_agent_id"] == "agent_sales"

    # Someone re-routes the number in the dashboard; refresh sees it, the next up puts it back.
    d.emulator.seed(EXAMPLE_NUMBER, inbound_agent_id="agent_billing", webhooks=number["webhooks"])
    d.emulator.clear_requests()
    d.refresh()
    assert [r["path"] for r in d.emulator.requests()] == ["/phone_numbers"]  # one listing serves the refresh
    assert state_of(d, EXAMPLE_NUMBER)["outputs"]["inboundAgentId"] == "agent_billing"
    d.emulator.clear_requests()
    d.up()
    assert [(r["method"], r["body"]) for r in d.emulator.requests()] == [("PATCH", {"inbound_agent_id": "agent_sales"})]
    assert live(d, EXAMPLE_NUMBER)["inbound_agent_id"] == "agent_sales"

    d.emulator.clear_requests()
    d.destroy()
    assert calls(d) == [("GET", EXAMPLE_NUMBER), ("PATCH", EXAMPLE_NUMBER)]
    unbound = live(d, EXAMPLE_NUMBER)
    assert unbound["inbound_agent_id"] is None and unbound["webhooks"] == []
    assert d.resources() == []
    assert HEADER_SENTINEL not in everything_written(d)


ENGINE_RPC_TRACE = ("Marshaling property for RPC[", "Unmarshaling property for RPC[")


def test_no_secret_reaches_the_verbose_log_on_an_engine_that_keeps_its_own_trace_clean(example: Deployment) -> None:
    """At -v=9 nothing the provider writes holds the header, the carrier token or the API token.

    The pinned engine (3.274) logs structured records without property values, so no line may hold a
    secret at all. An older engine (3.260) traced every property it marshalled, the value inside a
    secret included, from the program's own RegisterResource on, before any provider saw it: on such
    an engine those trace lines are the engine's and the only ones allowed to hold a secret.
    """
    d = example
    run = d.cli("up", "--yes", "--skip-preview", "-v=9", "--logtostderr")
    log = (run.stdout + run.stderr).splitlines()
    assert any("voiceos:index:PhoneNumberBinding" in line for line in log) and len(log) > 200
    assert live(d, EXAMPLE_NUMBER)["webhooks"][0]["headers"] == {"Authorization": HEADER_SENTINEL}
    leaking = [line for line in log if any(secret in line for secret in (HEADER_SENTINEL, CARRIER, TOKEN))]
    engine_traces_values = any(trace in line for line in log for trace in ENGINE_RPC_TRACE)
    if engine_traces_values:
        assert all(any(trace in line for trace in ENGINE_RPC_TRACE) for line in leaking), leaking
        assert not any(TOKEN in line for line in log)
    else:
        assert leaking == []
    assert HEADER_SENTINEL not in d.state_files_text()
    assert HEADER_SENTINEL not in d.export_without_secrets()


# -- pulumi import ------------------------------------------------------------------------------

EMPTY_YAML = "name: voiceos-e2e\nruntime: yaml\n"


@pytest.fixture
def yaml_project(tmp_path: Path) -> Any:
    program = tmp_path / "empty.yaml"
    program.write_text(EMPTY_YAML)
    with deployment(tmp_path / "run", program=program, token=TOKEN, numbers=[], agents=AGENTS) as d:
        yield d


def test_pulumi_import_adopts_a_binding_with_one_get_and_writes_its_program(
    yaml_project: Deployment, tmp_path: Path
) -> None:
    d = yaml_project
    theirs = hook("theirs", headers={"X-Key": IMPORTED_HEADER})
    d.emulator.seed(N1, inbound_agent_id="agent_billing", webhooks=[theirs], auth_token=CARRIER)
    before = live(d, N1)
    d.emulator.clear_requests()
    generated = tmp_path / "imported.yaml"
    # --skip-preview: a preview pass would read the number once more, in a provider of its own.
    d.cli("import", NATIVE_TYPE, "support", N1, "--yes", "--skip-preview", "--out", str(generated))
    assert calls(d) == [("GET", N1)]
    assert live(d, N1) == before
    code = generated.read_text()
    assert "type: voiceos:PhoneNumberBinding" in code and "agent_billing" in code
    state = state_of(d, N1)
    assert state["inputs"]["inboundAgentId"] == "agent_billing"
    # What was adopted is what onDelete: restore would put back.
    assert state["outputs"]["previousInboundAgentId"] == "agent_billing"
    assert IMPORTED_HEADER not in d.state_files_text()

    # The generated program declares exactly what is live: nothing to change, nothing sent.
    (d.work_dir / "Pulumi.yaml").write_text(EMPTY_YAML + code)
    d.emulator.clear_requests()
    assert summary(d.preview()) == {"same": 2}
    assert d.emulator.requests() == []


def test_pulumi_import_file_adopts_fifty_bindings_with_one_get_each(yaml_project: Deployment, tmp_path: Path) -> None:
    d = yaml_project
    numbers = [f"+1415555{7000 + i:04d}" for i in range(50)]
    d.emulator.seed_many(
        [
            {"phone_number": n, "inbound_agent_id": AGENTS[i % 3], "webhooks": [hook(f"n{i}")]}
            for i, n in enumerate(numbers)
        ]
    )
    plan = tmp_path / "import.json"
    plan.write_text(
        json.dumps({"resources": [{"type": NATIVE_TYPE, "name": f"line-{n[1:]}", "id": n} for n in numbers]})
    )
    d.emulator.clear_requests()
    d.cli("import", "--file", str(plan), "--yes", "--skip-preview", "--out", str(tmp_path / "imported.yaml"))
    assert sorted(calls(d)) == sorted(("GET", n) for n in numbers)
    assert sorted(r["id"] for r in d.resources()) == sorted(numbers)
    for i, n in enumerate(numbers):
        assert live(d, n)["inbound_agent_id"] == AGENTS[i % 3]
        assert state_of(d, n)["outputs"]["inboundAgentId"] == AGENTS[i % 3]


# -- the generated Python SDK, and the ownership flows ----------------------------------------------


@pytest.fixture
def native(tmp_path: Path) -> Any:
    with deployment(tmp_path, program="native_bindings", token=TOKEN, numbers=[N1, N2, N3], agents=AGENTS) as d:
        for n in (N1, N2, N3):
            d.emulator.seed(n, auth_token=CARRIER)
        d.stack.set_config("webhookSecret", auto.ConfigValue(WEBHOOK_SECRET, secret=True))
        d.emulator.clear_requests()
        yield d


def deploy(d: Deployment, specs: list[dict[str, Any]], **kwargs: Any) -> auto.UpResult:
    d.set_bindings(specs)
    d.emulator.clear_requests()
    return d.up(**kwargs)


def sorted_calls(d: Deployment) -> list[tuple[str, str | None]]:
    return sorted(calls(d), key=lambda c: (c[0], c[1] or ""))


@pytest.mark.python_sdk
def test_a_python_program_on_the_generated_sdk_binds_and_keeps_the_header_secret(native: Deployment) -> None:
    specs = [support(secret_header="X-Signature"), sales()]
    result = deploy(native, specs)
    assert summary(result) == {"create": 3}
    assert sorted_calls(native) == [("GET", N1), ("GET", N2), ("PATCH", N1), ("PATCH", N2)]
    assert_as_declared(native, specs)
    assert live(native, N1)["webhooks"][0]["headers"] == {"X-Signature": WEBHOOK_SECRET}
    assert result.outputs["support.telephony_auth_token"].secret
    assert {r["type"] for r in native.resources()} == {NATIVE_TYPE}
    native.emulator.clear_requests()
    assert summary(native.preview()) == {"same": 3}
    assert native.emulator.requests() == []
    text = everything_written(native)
    assert WEBHOOK_SECRET not in text and CARRIER not in text and TOKEN not in text


@pytest.mark.python_sdk
def test_renaming_a_native_binding_without_an_alias_keeps_the_number_bound(native: Deployment) -> None:
    deploy(native, [support()])
    renamed = support(name="support-line")
    result = deploy(native, [renamed])
    assert summary(result) == {"create": 1, "delete": 1, "same": 1}
    assert calls(native) == [("GET", N1)]
    assert_as_declared(native, [renamed])
    assert "handed over" in "".join(native.output)


@pytest.mark.python_sdk
def test_up_replace_of_a_native_binding_keeps_the_number_bound(native: Deployment) -> None:
    deploy(native, [support()])
    [resource] = native.resources()
    native.emulator.clear_requests()
    result = native.up(replace=[resource["urn"]])
    assert summary(result) == {"replace": 1, "same": 1}
    assert calls(native) == [("GET", N1)]
    assert_as_declared(native, [support()])


@pytest.mark.python_sdk
def test_swapping_the_numbers_of_two_native_bindings_ends_as_declared(native: Deployment) -> None:
    deploy(native, [support(), sales()])
    swapped = [support(number=N2, allow_overwrite=True), sales(number=N1, allow_overwrite=True)]
    result = deploy(native, swapped)
    assert summary(result) == {"replace": 2, "same": 1}
    assert sorted_calls(native) == [("GET", N1), ("GET", N2), ("PATCH", N1), ("PATCH", N2)]
    assert_as_declared(native, swapped)


@pytest.mark.python_sdk
def test_a_native_binding_refuses_a_number_bound_elsewhere_and_names_the_fix(native: Deployment) -> None:
    native.emulator.seed(N3, inbound_agent_id="agent_billing")
    native.set_bindings([support(number=N3)])
    with pytest.raises(auto.CommandError) as refused:
        native.up()
    assert "allowOverwrite: true" in str(refused.value) and "aliases" in str(refused.value)
    assert live(native, N3)["inbound_agent_id"] == "agent_billing"


@pytest.mark.python_sdk
def test_ignore_changes_on_a_native_binding_keeps_what_someone_else_set(native: Deployment) -> None:
    theirs = hook("theirs", headers={"X-Their-Key": "SENTINEL-THEIR-HEADER-5a5a"})
    deploy(native, [support(ignore_changes=["webhooks"])])
    native.emulator.seed(N1, inbound_agent_id="agent_support", webhooks=[theirs], auth_token=CARRIER)
    deploy(native, [support(inbound_agent_id="agent_sales", ignore_changes=["webhooks"])])
    [patch] = [r for r in native.emulator.requests() if r["method"] == "PATCH"]
    assert patch["body"] == {"inbound_agent_id": "agent_sales"}
    for kwargs in ({}, {"refresh": True}, {}):
        deploy(native, [support(inbound_agent_id="agent_sales", ignore_changes=["webhooks"])], **kwargs)
        assert [r for r in native.emulator.requests() if r["method"] == "PATCH"] == [], kwargs
        number = live(native, N1)
        assert (number["inbound_agent_id"], [w["url"] for w in number["webhooks"]]) == ("agent_sales", [theirs["url"]])


@pytest.mark.python_sdk
def test_destroy_of_native_bindings_leaves_a_number_someone_rebound_since(native: Deployment) -> None:
    deploy(native, [support(), sales()])
    native.emulator.seed(N1, inbound_agent_id="agent_billing", auth_token=CARRIER)
    native.emulator.clear_requests()
    native.destroy()
    assert sorted_calls(native) == [("GET", N1), ("GET", N2), ("PATCH", N2)]
    assert live(native, N1)["inbound_agent_id"] == "agent_billing"
    assert live(native, N2)["inbound_agent_id"] is None
    assert native.resources() == []
    assert "left +14155550101 as it is" in "".join(native.output)


# -- the two providers agree --------------------------------------------------------------------------

VOLATILE = {"voiceos_id", "uri", "created_at", "updated_at", "telephony", "__provider", "adopt_existing"}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _revealed(value: Any) -> Any:
    """A value of ``stack export --show-secrets`` with the secret envelopes taken off."""
    if isinstance(value, dict):
        if "plaintext" in value and "4dabf18193072939515e22adb298388d" in value:
            return _revealed(json.loads(value["plaintext"]))
        return {k: _revealed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revealed(v) for v in value]
    return value


def outputs_by_number(d: Deployment) -> dict[str, dict[str, Any]]:
    """Each binding's outputs in snake_case, secrets revealed, without what differs between two accounts
    (and without nulls: the engine keeps a null output of the dynamic provider, and leaves a native one out)."""
    exported = json.loads(d.cli("stack", "export", "--show-secrets").stdout)["deployment"]["resources"]
    bindings = {r["id"]: r for r in exported if r["urn"] in {b["urn"] for b in d.resources()}}
    # The dynamic resource keeps header values apart (webhook_headers): joined back, its webhooks are the native's.
    joined = {
        number: headers.join({_snake(k): _revealed(v) for k, v in r["outputs"].items()})
        for number, r in bindings.items()
    }
    return {
        number: {k: v for k, v in outputs.items() if k not in VOLATILE and v is not None}
        for number, outputs in joined.items()
    }


def requests_made(d: Deployment) -> list[tuple[str, str, Any]]:
    return sorted((r["method"], r["path"], json.dumps(r["body"], sort_keys=True)) for r in d.emulator.requests())


@pytest.mark.python_sdk
def test_the_dynamic_and_the_native_provider_make_the_same_calls_and_outputs(tmp_path: Path) -> None:
    specs = [
        support(webhooks=[hook("support", method="get", headers={"X-Team": "support"})]),
        sales(allow_overwrite=True, on_delete="restore"),
    ]
    results = {}
    for program in ("bindings", "native_bindings"):
        with deployment(tmp_path / program, program=program, token=TOKEN, numbers=[N1, N2], agents=AGENTS) as d:
            d.emulator.seed(N1, auth_token=CARRIER)
            d.emulator.seed(N2, inbound_agent_id="agent_billing", auth_token=CARRIER)  # sales overwrites it
            d.set_bindings(specs)
            d.emulator.clear_requests()
            d.up()
            up_calls = requests_made(d)
            state = outputs_by_number(d)
            d.emulator.clear_requests()
            d.set_bindings([support(inbound_agent_id="agent_billing"), specs[1]])
            d.up()
            update_calls = requests_made(d)
            d.emulator.clear_requests()
            d.destroy()
            results[program] = (up_calls, state, update_calls, requests_made(d), live(d, N2)["inbound_agent_id"])
    dynamic, native_ = results["bindings"], results["native_bindings"]
    assert dynamic[0] == native_[0]  # up: the same GETs and PATCH bodies
    assert dynamic[1] == native_[1]  # the same outputs (the native provider marks more of them secret)
    assert dynamic[2] == native_[2]  # update
    assert dynamic[3] == native_[3]  # destroy
    assert dynamic[4] == native_[4] == "agent_billing"  # restored


# -- invokes -------------------------------------------------------------------------------------------


def test_a_yaml_program_looks_numbers_up_with_the_providers_functions(tmp_path: Path) -> None:
    with deployment(tmp_path, program="yaml_invokes", token=TOKEN, numbers=[N1, N2, N3], agents=AGENTS) as d:
        d.emulator.seed(N1, inbound_agent_id="agent_support", webhooks=[hook("support")], auth_token=CARRIER)
        d.emulator.seed(N2, auth_token=CARRIER)
        d.emulator.seed(N3, inbound_agent_id="agent_sales", auth_token=CARRIER)
        d.emulator.seed("+14255550100", auth_token=CARRIER)
        result = d.up()
        outputs = result.outputs
        assert outputs["supportAgent"].value == "agent_support"
        assert outputs["supportWebhookUrl"].value == "https://hooks.example.com/support"
        assert outputs["supportCarrier"].value == "twilio"
        assert outputs["supportCarrierToken"].secret
        assert [n["phoneNumber"] for n in outputs["unbound"].value] == [N2]
        assert len(outputs["count"].value) == 4
        assert CARRIER not in everything_written(d)
        # No resources: every request is a read.
        assert {r["method"] for r in d.emulator.requests()} == {"GET"}


def doc_shell(d: Deployment, commands: str) -> subprocess.CompletedProcess[str]:
    """A doc's commands in bash in the project, its stack selected, as a user's shell runs them; for the
    CLI's "Do you want to perform this import?", PULUMI_SKIP_CONFIRMATIONS stands in for the user's yes."""
    run = d.bash(commands, {**os.environ, **d.env, "PULUMI_SKIP_CONFIRMATIONS": "true"})
    assert run.returncode == 0, f"{commands}\n{run.stdout}\n{run.stderr}"
    return run


def test_the_docs_pulumi_import_commands_adopt_one_binding_then_a_files_worth_with_one_get_each(
    yaml_project: Deployment,
) -> None:
    d = yaml_project
    one, from_file = one_block("docs-command", "native-import", "sh").splitlines()
    first, others = EXAMPLE_NUMBER, ["+14155550124", "+14155550125"]
    d.emulator.seed_many(
        [
            {"phone_number": n, "inbound_agent_id": AGENTS[i], "webhooks": [hook(f"n{i}")]}
            for i, n in enumerate([first, *others])
        ]
    )
    before = {n: live(d, n) for n in (first, *others)}
    # numbers.json as the doc spells it out below the block, with two more numbers.
    entries = [{"type": NATIVE_TYPE, "name": f"line-{n[-3:]}", "id": n} for n in others]
    (d.work_dir / "numbers.json").write_text(json.dumps({"resources": entries}))

    d.emulator.clear_requests()
    doc_shell(d, one)
    assert calls(d) == [("GET", first)], "one GET"
    assert state_of(d, first)["urn"].endswith("::support-line")

    d.emulator.clear_requests()
    doc_shell(d, from_file)
    assert sorted(calls(d)) == [("GET", n) for n in others], "one GET per number"
    assert sorted(r["id"] for r in d.resources()) == sorted([first, *others])
    assert {n: live(d, n) for n in (first, *others)} == before, "no write"
    for i, n in enumerate([first, *others]):
        assert state_of(d, n)["outputs"]["previousInboundAgentId"] == AGENTS[i]


def test_the_docs_yaml_program_binds_its_number_with_the_secret_header_and_its_destroy_unbinds_it(
    tmp_path: Path,
) -> None:
    """docs/installation-configuration.md's YAML program, the resources of a Pulumi.yaml, in a project of
    its own, with webhookToken set as its comment says."""
    fragment = one_block("docs-fragment", "yaml", "yaml")
    program = tmp_path / "Pulumi.yaml"
    program.write_text(f"{EMPTY_YAML}{fragment}")
    with deployment(tmp_path / "run", program=program, token=TOKEN, agents=AGENTS) as d:
        d.emulator.seed(EXAMPLE_NUMBER, auth_token=CARRIER)
        d.stack.set_config("webhookToken", auto.ConfigValue(HEADER_SENTINEL, secret=True))
        d.emulator.clear_requests()
        assert summary(d.up()) == {"create": 2}
        assert calls(d) == [("GET", EXAMPLE_NUMBER), ("PATCH", EXAMPLE_NUMBER)]
        bound = live(d, EXAMPLE_NUMBER)
        assert bound["inbound_agent_id"] == "agent_support"
        assert [(w["events"], w["url"], w["headers"]) for w in bound["webhooks"]] == [
            (
                ["phone_call:connection_requested"],
                "https://hooks.example.com/voiceos",
                {"Authorization": HEADER_SENTINEL},
            )
        ]
        assert state_of(d, EXAMPLE_NUMBER)["outputs"]["onDelete"] == "restore"
        assert HEADER_SENTINEL not in everything_written(d)
        d.destroy()
        unbound = live(d, EXAMPLE_NUMBER)
        assert (unbound["inbound_agent_id"], unbound["webhooks"]) == (None, [])
