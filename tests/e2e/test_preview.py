"""`pulumi preview` tells what `pulumi up` will do: one test per row of the README's table, for both providers.

A pipeline previews a pull request and deploys it after the merge; any case where
the two disagree is a bug. Each test runs the pipeline's commands through the real
CLI (`pulumi preview`, then `pulumi up --yes`) against the emulator, for the
dynamic resource (a Python program) and the native one (a YAML program), and
asserts the exit codes and messages, that no PATCH was sent, the exact requests,
and that the live number is as it was (or as declared, where `up` may write).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .harness import PROJECT, Deployment, deployment
from .test_flows import AGENTS, CARRIER, N1, N2, N3, TOKEN, hook

THEIRS_HEADER = "SENTINEL-PREVIEW-THEIR-HEADER-c3c3"
THEIRS: dict[str, Any] = {
    "inbound_agent_id": "agent_billing",
    "webhooks": [hook("theirs", headers={"X-Key": THEIRS_HEADER})],
}
MISSING = "+14155550999"
LISTING = ("GET", None)
EMPTY_YAML = f"name: {PROJECT}\nruntime: yaml\n"


class Pipeline:
    """One stack of either provider, declared from the same specs, run through the CLI itself."""

    def __init__(self, d: Deployment, provider: str) -> None:
        self.d = d
        self.provider = provider

    def declare(self, specs: list[dict[str, Any]]) -> None:
        if self.provider == "dynamic":
            self.d.set_bindings(specs)
            return
        resources: dict[str, Any] = {}
        for spec in specs:
            props: dict[str, Any] = {"phoneNumber": spec["phone_number"]}
            if spec.get("inbound_agent_id"):
                props["inboundAgentId"] = spec["inbound_agent_id"]
            if spec.get("webhooks"):
                props["webhooks"] = spec["webhooks"]
            if spec.get("allow_overwrite"):
                props["allowOverwrite"] = True
            resource: dict[str, Any] = {"type": "voiceos:PhoneNumberBinding", "properties": props}
            if spec.get("import"):
                resource["options"] = {"import": spec["phone_number"]}
            resources[spec["name"]] = resource
        program = {"name": PROJECT, "runtime": "yaml", "resources": resources}
        (self.d.work_dir / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.d.emulator.clear_requests()
        return self.d.cli(*args, check=False)

    def preview(self) -> subprocess.CompletedProcess[str]:
        return self.run("preview")

    def up(self) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes")

    def calls(self) -> list[tuple[str, str | None]]:
        return [(r["method"], r["phone_number"]) for r in self.d.emulator.requests()]

    def patches(self) -> int:
        return sum(1 for method, _ in self.calls() if method == "PATCH")

    def live(self, number: str) -> tuple[str | None, list[str]]:
        got = self.d.emulator.get_number(number)
        assert got is not None, number
        return got["inbound_agent_id"], [w["url"] for w in got["webhooks"]]

    def spelled(self, python: str, schema: str) -> str:
        """An option as the error names it to this provider's users."""
        return python if self.provider == "dynamic" else schema


@pytest.fixture(params=["dynamic", "native"])
def p(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pipeline]:
    program: str | Path = "bindings"
    if request.param == "native":
        program = tmp_path / "program.yaml"
        program.write_text(EMPTY_YAML)
    with deployment(tmp_path / "run", program=program, token=TOKEN, numbers=[], agents=AGENTS) as d:
        for n in (N1, N2, N3):
            d.emulator.seed(n, auth_token=CARRIER)
        yield Pipeline(d, request.param)


def support(number: str = N1, **extra: Any) -> dict[str, Any]:
    return {"name": "support", "phone_number": number, "inbound_agent_id": "agent_support", **extra}


def sales(number: str = N2, **extra: Any) -> dict[str, Any]:
    return {"name": "sales", "phone_number": number, "inbound_agent_id": "agent_sales", **extra}


def text(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def diagnostics(result: subprocess.CompletedProcess[str]) -> str:
    """The run's Diagnostics section, where the engine lists each message once (the progress lines above
    it may repeat a resource's line)."""
    shown = result.stdout
    return shown[shown.index("Diagnostics:") :] if "Diagnostics:" in shown else ""


def our_warnings(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The warnings of the run but the engine's note that the native plugin comes from $PATH."""
    return [
        line
        for line in diagnostics(result).splitlines()
        if "warning:" in line and "pulumi-resource-voiceos from $PATH" not in line
    ]


def assert_refused(p: Pipeline, result: subprocess.CompletedProcess[str], *words: str) -> None:
    shown = text(result)
    assert result.returncode != 0, shown
    for word in words:
        assert word in shown, (word, shown)
    assert THEIRS_HEADER not in shown and TOKEN not in shown
    assert p.patches() == 0


def deployed(p: Pipeline, specs: list[dict[str, Any]]) -> None:
    p.declare(specs)
    result = p.up()
    assert result.returncode == 0, text(result)


# -- rows that refuse: the preview fails where up fails, before anything is written --------------


def test_binding_a_number_bound_elsewhere_fails_the_preview_and_the_up_alike(p: Pipeline) -> None:
    p.d.emulator.seed(N1, **THEIRS)
    before = p.live(N1)
    p.declare([support()])
    preview = p.preview()
    words = ("already bound to", "agent_billing", "https://hooks.example.com/theirs", "aliases")
    assert_refused(p, preview, *words, p.spelled("allow_overwrite=True", "allowOverwrite: true"))
    assert p.calls() == [LISTING]
    up = p.up()
    assert_refused(p, up, *words)
    assert p.calls() == [LISTING]  # up's own preview refused it: no create ran
    assert p.live(N1) == before


def test_binding_a_number_not_in_the_account_fails_the_preview_and_the_up_alike(p: Pipeline) -> None:
    p.declare([support(MISSING)])
    preview = p.preview()
    assert_refused(p, preview, f"{MISSING} is not in the VoiceOS account", "add the number to VoiceOS")
    assert p.calls() == [LISTING, ("GET", MISSING)]  # the listing's miss is confirmed by the number's own GET
    assert_refused(p, p.up(), f"{MISSING} is not in the VoiceOS account")
    assert p.d.emulator.get_number(MISSING) is None


def test_importing_a_number_whose_binding_differs_fails_the_preview_and_the_up_alike(p: Pipeline) -> None:
    p.d.emulator.seed(N1, **THEIRS)
    before = p.live(N1)
    p.declare([{**support(), "import": True}])
    preview = p.preview()
    # The dynamic resource adopts through its check and create; the engine imports a native resource itself
    # (it reads the number, then checks the program against what it read), and both refuse with one text.
    words = ("cannot import", p.spelled("inbound_agent_id='agent_billing'", "inboundAgentId='agent_billing'"))
    assert_refused(p, preview, *words)
    assert_refused(p, p.up(), *words)
    assert p.live(N1) == before


def test_renaming_and_changing_a_binding_without_an_alias_fails_the_preview_with_the_alias_hint(p: Pipeline) -> None:
    deployed(p, [support()])
    p.declare([support(name="support-line", inbound_agent_id="agent_sales")])
    preview = p.preview()
    assert_refused(p, preview, "already bound to", "aliases")
    assert p.calls() == [LISTING]
    assert_refused(p, p.up(), "aliases")
    assert p.live(N1) == ("agent_support", [])


def test_giving_a_number_to_another_binding_without_allow_overwrite_fails_the_preview(p: Pipeline) -> None:
    deployed(p, [support(), sales()])
    p.declare([support(number=N2)])  # sales is removed; support would take its number
    assert_refused(p, p.preview(), "already bound to", "agent_sales")
    assert p.calls() == [LISTING]
    assert_refused(p, p.up(), "already bound to")
    assert (p.live(N1), p.live(N2)) == (("agent_support", []), ("agent_sales", []))


# -- rows that pass: what the preview says, and that the up then does exactly that -----------------


def test_taking_a_number_over_with_allow_overwrite_is_announced_by_the_preview(p: Pipeline) -> None:
    p.d.emulator.seed(N1, **THEIRS)
    p.declare([support(allow_overwrite=True)])
    preview = p.preview()
    assert preview.returncode == 0, text(preview)
    shown = text(preview)
    assert f"{N1} is bound to inbound_agent_id='agent_billing'" in shown or "inboundAgentId='agent_billing'" in shown
    assert "https://hooks.example.com/theirs" in shown and p.spelled("previous_inbound_agent_id", "previous") in shown
    assert THEIRS_HEADER not in shown
    assert p.calls() == [LISTING] and p.patches() == 0
    up = p.up()
    assert up.returncode == 0, text(up)
    assert p.live(N1) == ("agent_support", [])


def test_swapping_two_numbers_with_allow_overwrite_previews_two_takeovers_and_no_failure(p: Pipeline) -> None:
    deployed(p, [support(), sales()])
    p.declare([support(number=N2, allow_overwrite=True), sales(number=N1, allow_overwrite=True)])
    preview = p.preview()
    assert preview.returncode == 0, text(preview)
    assert diagnostics(preview).count(" is bound to ") == 2, text(preview)
    assert p.calls() == [LISTING] and p.patches() == 0
    assert p.up().returncode == 0
    assert (p.live(N1), p.live(N2)) == (("agent_sales", []), ("agent_support", []))


def test_renaming_a_binding_without_an_alias_previews_clean(p: Pipeline) -> None:
    deployed(p, [support()])
    p.declare([support(name="support-line")])
    preview = p.preview()
    assert preview.returncode == 0, text(preview)
    assert our_warnings(preview) == []
    assert p.calls() == [LISTING]
    assert p.up().returncode == 0
    assert p.patches() == 0 and p.live(N1) == ("agent_support", [])


def test_adopting_a_number_bound_as_declared_and_binding_a_free_one_preview_clean(p: Pipeline) -> None:
    p.d.emulator.seed(N1, inbound_agent_id="agent_support")
    p.declare([support(), sales()])
    preview = p.preview()
    assert preview.returncode == 0, text(preview)
    assert our_warnings(preview) == []
    assert p.calls() == [LISTING]
    assert p.up().returncode == 0
    assert p.calls().count(("PATCH", N1)) == 0 and p.calls().count(("PATCH", N2)) == 1
    assert (p.live(N1), p.live(N2)) == (("agent_support", []), ("agent_sales", []))


def test_a_preview_that_takes_no_number_reads_nothing(p: Pipeline) -> None:
    deployed(p, [support(), sales()])
    p.declare([support(inbound_agent_id="agent_billing"), sales()])  # an update: no number changes hands
    preview = p.preview()
    assert preview.returncode == 0, text(preview)
    assert p.calls() == []


# -- without the API: the preview goes on and says what it could not check -------------------------


@pytest.mark.parametrize("outage", ["no token", "nothing listens at the API URL"])
def test_a_preview_without_the_api_passes_and_warns_once(p: Pipeline, outage: str) -> None:
    p.d.emulator.seed(N1, **THEIRS)
    p.declare([support(), sales()])
    if outage == "no token":
        p.d.env_vars.pop("VOICEOS_API_TOKEN")
        reason = "no API token is set"
    else:
        p.d.env_vars.update(VOICEOS_API_URL="http://127.0.0.1:9", VOICEOS_MAX_ATTEMPTS="2")
        reason = "could not reach the VoiceOS API"
    preview = p.preview()
    assert preview.returncode == 0, text(preview)
    shown = text(preview)
    assert diagnostics(preview).count("could not check the numbers of new bindings") == 1, shown
    assert reason in shown and "`up` checks each number before writing" in shown
    assert p.calls() == []


def test_preview_checks_turned_off_make_the_preview_read_nothing(p: Pipeline) -> None:
    p.d.emulator.seed(N1, **THEIRS)
    p.d.env_vars["VOICEOS_PREVIEW_CHECKS"] = "false"
    p.declare([support()])
    preview = p.preview()
    assert preview.returncode == 0, text(preview)
    assert p.calls() == [] and "could not check" not in text(preview)
    # up still refuses at create, with the same text and no write.
    assert_refused(p, p.up(), "already bound to")
    assert p.calls() == [("GET", N1)]


# -- inputs not known until up -------------------------------------------------------------------


def test_an_agent_not_known_until_up_is_decided_on_what_is_known_and_the_rest_announced(tmp_path: Path) -> None:
    # The dynamic resource: the agent id comes from another resource created in the same run.
    with deployment(tmp_path, program="unknowns", token=TOKEN, numbers=[], agents=AGENTS) as d:
        p = Pipeline(d, "dynamic")
        d.emulator.seed(N1, inbound_agent_id="agent_billing", webhooks=[hook("unknowns")])
        d.cli("config", "set", "agentName", "agent_sales")
        d.cli("config", "set", "phoneNumber", N1)
        preview = p.preview()
        assert preview.returncode == 0, text(preview)
        shown = text(preview)
        assert "inbound_agent_id (not known until `up`)" in shown and "adopts it if" in shown and "fails" in shown
        assert p.calls() == [LISTING]
        # The agent turns out to differ from the live one: up fails as the preview said it would.
        assert_refused(p, p.up(), "already bound to")
        assert p.live(N1) == ("agent_billing", ["https://hooks.example.com/unknowns"])


def test_a_webhook_url_not_known_until_up_is_announced_by_the_native_preview(tmp_path: Path) -> None:
    program = tmp_path / "program.yaml"
    program.write_text(EMPTY_YAML)
    with deployment(tmp_path / "run", program=program, token=TOKEN, numbers=[], agents=AGENTS) as d:
        p = Pipeline(d, "native")
        for n in (N1, N3):
            d.emulator.seed(n)
        d.emulator.seed(N1, inbound_agent_id="agent_support", webhooks=[hook("live")])
        # support's webhook URL holds another binding's voiceosId, which a preview cannot know.
        resources = {
            "first": {
                "type": "voiceos:PhoneNumberBinding",
                "properties": {"phoneNumber": N3, "inboundAgentId": "agent_sales"},
            },
            "support": {
                "type": "voiceos:PhoneNumberBinding",
                "properties": {
                    "phoneNumber": N1,
                    "inboundAgentId": "agent_support",
                    "webhooks": [
                        {"events": [hook("x")["events"][0]], "url": "https://hooks.example.com/${first.voiceosId}"}
                    ],
                },
            },
        }
        (d.work_dir / "Pulumi.yaml").write_text(
            yaml.safe_dump({"name": PROJECT, "runtime": "yaml", "resources": resources}, sort_keys=False)
        )
        preview = p.preview()
        assert preview.returncode == 0, text(preview)
        shown = text(preview)
        assert "webhooks (not known until `up`)" in shown and "adopts it if" in shown
        assert p.calls() == [LISTING] and p.patches() == 0
        assert p.live(N1) == ("agent_support", ["https://hooks.example.com/live"])
