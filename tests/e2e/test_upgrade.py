"""A stack deployed with the package of an old commit keeps working once the package is upgraded to today's.

The old package is laid out from ``git archive`` into a virtualenv of its own; the numbers are read back after each run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any, Final

import pytest
import yaml

from pulumi_voiceos.core.fleet_record import FleetRecord

from .harness import PROGRAMS, PROJECT, Deployment, deployment
from .test_flows import AGENTS, CARRIER, REPO, TOKEN, hook, summary

OLD_RELEASE: Final = "fa9c230"
"""The release before the one-house redesign (issue 29): what stacks deployed before it ran."""

PLAIN, TAKEN, FLEET_A, FLEET_B = "+14155550201", "+14155550202", "+14155550203", "+14155550204"
NUMBERS: Final = [PLAIN, TAKEN, FLEET_A, FLEET_B]
THEIRS: Final = hook("theirs", headers={"X-Their-Key": "SENTINEL-UPGRADE-THEIR-HEADER-5e2a"})
"""What ``TAKEN`` is bound to before the stack takes it over, with its agent ``agent_billing``."""
DECLARED: Final[dict[str, Any]] = {
    "bindings": [
        {
            "name": "plain",
            "phone_number": PLAIN,
            "inbound_agent_id": "agent_support",
            # Headers: today's package keeps their values apart from the webhooks; the old one kept them inside.
            "webhooks": [hook("support", headers={"X-Team": "support"})],
        },
        {
            "name": "taken",
            "phone_number": TAKEN,
            "inbound_agent_id": "agent_sales",
            "allow_overwrite": True,
            "on_delete": "restore",
        },
    ],
    "fleet": {
        "name": "lines",
        "bindings": {
            FLEET_A: {"inbound_agent_id": "agent_support"},
            FLEET_B: {"inbound_agent_id": "agent_sales", "webhooks": [hook("sales", headers={"X-Team": "sales"})]},
        },
    },
}
Binding = tuple[str | None, list[dict[str, Any]]]
UNBOUND: Final[Binding] = (None, [])


def _webhook(given: dict[str, Any]) -> dict[str, Any]:
    """A declared webhook as the API keeps it: the method upper case (POST when left out), no headers as {}."""
    return {
        "events": list(given["events"]),
        "url": given["url"],
        "method": (given.get("method") or "POST").upper(),
        "headers": dict(given.get("headers") or {}),
    }


def _binding(agent: str | None, webhooks: list[dict[str, Any]] | None) -> Binding:
    return agent, [_webhook(w) for w in webhooks or []]


DECLARED_LIVE: Final[dict[str, Binding]] = {
    **{b["phone_number"]: _binding(b["inbound_agent_id"], b.get("webhooks")) for b in DECLARED["bindings"]},
    **{n: _binding(e["inbound_agent_id"], e.get("webhooks")) for n, e in DECLARED["fleet"]["bindings"].items()},
}
AFTER_DESTROY: Final[dict[str, Binding]] = {
    PLAIN: UNBOUND,
    TAKEN: _binding("agent_billing", [THEIRS]),
    FLEET_A: UNBOUND,
    FLEET_B: UNBOUND,
}


def live(d: Deployment) -> dict[str, Binding]:
    """Every number of the stack as the emulator holds it now (a test control: not in the request log)."""
    found: dict[str, Binding] = {}
    for number in NUMBERS:
        got = d.emulator.peek(number)
        assert got is not None, f"{number} vanished from the emulator"
        hooks = [{key: w.get(key) for key in ("events", "url", "method", "headers")} for w in got["webhooks"]]
        found[number] = (got["inbound_agent_id"], hooks)
    return found


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, check=False)


def install_old_release(root: Path) -> Path:
    """A virtualenv with the package of ``OLD_RELEASE`` and, behind it, this virtualenv's dependencies.

    The package folder is laid out in site-packages as pip installs it (it is pure Python); a ``.pth``
    then appends this virtualenv's site-packages for pulumi, httpx, pydantic and PyYAML. Python reads
    ``.pth`` files only in site directories, so today's editable install, itself a ``.pth`` in there, stays
    invisible: nothing can shadow the old package.
    """
    if _git("cat-file", "-e", f"{OLD_RELEASE}^{{commit}}").returncode != 0:
        shallow = _git("rev-parse", "--is-shallow-repository").stdout.decode().strip()
        if shallow != "false" and not os.environ.get("CI"):
            # A contributor's shallow clone skips; CI (full history, fetch-depth 0) must run it.
            pytest.skip(f"git history is unavailable (a shallow clone, or no clone): cannot build {OLD_RELEASE}")
        pytest.fail(f"{OLD_RELEASE}, the release before the one-house redesign, is missing from the history")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    archive = _git("archive", "--format=tar", OLD_RELEASE, "pulumi_voiceos")
    assert archive.returncode == 0, archive.stderr.decode()
    subprocess.run(["tar", "-x", "-C", str(purelib)], input=archive.stdout, check=True)
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "upgrade_test_dependencies.pth").write_text("".join(f"{path}\n" for path in sorted(ours)))
    return venv


NATIVE_BINDING_OUTPUTS: Final = (
    "phoneNumber",
    "inboundAgentId",
    "webhooks",
    "voiceosId",
    "uri",
    "accountId",
    "createdAt",
    "updatedAt",
    "telephony",
    "telephonyAuthToken",
    "previousInboundAgentId",
    "previousWebhooks",
    "onDelete",
)
NATIVE_FLEET_OUTPUTS: Final = ("bindings", "numbers", "telephonyAuthTokens", "previous")
"""The fleet's outputs in the old schema; today's has ``records`` (one string per number) for ``numbers``, and
no ``bindings`` (the state keeps the entries once, as inputs)."""
NATIVE_FLEET_OUTPUTS_NOW: Final = ("records", "telephonyAuthTokens", "previous")


def yaml_program(path: Path, fleet_outputs: tuple[str, ...] = NATIVE_FLEET_OUTPUTS) -> Path:
    """``DECLARED`` for the native provider: a YAML program exporting every output of each resource."""
    resources: dict[str, Any] = {}
    exported: dict[str, str] = {}
    for b in DECLARED["bindings"]:
        given = {
            "phoneNumber": b["phone_number"],
            "inboundAgentId": b["inbound_agent_id"],
            "webhooks": b.get("webhooks"),
        }
        given |= {"allowOverwrite": b.get("allow_overwrite"), "onDelete": b.get("on_delete")}
        properties = {k: v for k, v in given.items() if v is not None}
        resources[b["name"]] = {"type": "voiceos:PhoneNumberBinding", "properties": properties}
        exported |= {f"{b['name']}.{out}": f"${{{b['name']}.{out}}}" for out in NATIVE_BINDING_OUTPUTS}
    fleet = DECLARED["fleet"]
    entries = {
        n: {k: v for k, v in {"inboundAgentId": e["inbound_agent_id"], "webhooks": e.get("webhooks")}.items() if v}
        for n, e in fleet["bindings"].items()
    }
    resources[fleet["name"]] = {"type": "voiceos:PhoneNumberFleet", "properties": {"bindings": entries}}
    exported |= {f"{fleet['name']}.{out}": f"${{{fleet['name']}.{out}}}" for out in fleet_outputs}
    program = {"name": PROJECT, "runtime": "yaml", "resources": resources, "outputs": exported}
    path.write_text(yaml.safe_dump(program, sort_keys=False))
    return path


PLUGIN_SCRIPT: Final = """#!{python}
# pulumi-resource-voiceos as pip writes it, recording first which package serves the engine.
import pathlib, sys
import pulumi_voiceos
with open({record!r}, "a") as record:
    record.write(str(pathlib.Path(pulumi_voiceos.__file__).parent) + "\\n")
from pulumi_voiceos.native.__main__ import main
sys.exit(main())
"""

DYNAMIC_HOOK: Final = """import pathlib, sys
# Run by a .pth as any Python of this virtualenv starts: records the dynamic provider's processes.
if "pulumi.dynamic" in sys.orig_argv:
    with open({record!r}, "a") as record:
        record.write(str(pathlib.Path(__file__).parent / "pulumi_voiceos") + "\\n")
"""


def record_old_processes(venv: Path, record: Path) -> None:
    """Make every process of the old package say so in ``record``: the plugin, and the dynamic provider.

    The plugin is ``venv``'s ``pulumi-resource-voiceos``, where the engine finds it on PATH; the dynamic
    provider process, ``python -m pulumi.dynamic``, is recorded by a ``.pth`` of ``venv``'s site-packages.
    """
    script = venv / "bin" / "pulumi-resource-voiceos"
    script.write_text(PLUGIN_SCRIPT.format(python=venv / "bin" / "python", record=str(record)))
    script.chmod(0o755)
    [purelib] = {p.parent for p in venv.glob("lib/*/site-packages/pulumi_voiceos")}
    (purelib / "upgrade_test_record.py").write_text(DYNAMIC_HOOK.format(record=str(record)))
    (purelib / "upgrade_test_record.pth").write_text("import upgrade_test_record\n")


def use_package(d: Deployment, venv: Path, path: str) -> None:
    """Run the program, the dynamic provider and the plugin from ``venv``, as a user's upgrade of the package does.

    ``path``: the deployment's own PATH, which ``venv``'s bin then precedes."""
    project = d.work_dir / "Pulumi.yaml"
    spec = yaml.safe_load(project.read_text())
    if spec["runtime"] != "yaml":
        spec["runtime"]["options"]["virtualenv"] = str(venv)
        project.write_text(yaml.safe_dump(spec))
    # The dynamic provider process is `python3 -m pulumi.dynamic` of this virtualenv (the SDK's provider script).
    d.env_vars["PULUMI_RUNTIME_VIRTUALENV"] = str(venv)
    d.env_vars["PATH"] = f"{venv / 'bin'}:{path}"


def outputs(d: Deployment) -> dict[str, Any]:
    """The stack's outputs, the fleet's ``records`` (today's native schema) read as the old ``numbers`` were."""
    found = {name: (out.value, out.secret) for name, out in d.stack.outputs().items() if name != "package"}
    if "lines.records" in found:
        records, secret = found.pop("lines.records")
        found["lines.numbers"] = ({n: _number(FleetRecord.parse(text)) for n, text in records.items()}, secret)
    return found


def _number(record: FleetRecord) -> dict[str, str]:
    """A record as the old ``numbers`` held it, in the schema's spelling."""
    fields = {"voiceosId": record.voiceos_id, "provider": record.provider}
    fields |= {"phoneNumberSid": record.phone_number_sid, "accountSid": record.account_sid}
    return {name: value for name, value in fields.items() if value is not None}


class Served:
    """Which packages served a run: the dynamic program exports its own, the old package's processes record theirs."""

    def __init__(self, d: Deployment, record: Path) -> None:
        self.d, self.record = d, record

    def packages(self, *, program: bool = True) -> set[Path]:
        recorded = {Path(line) for line in self.record.read_text().splitlines()} if self.record.exists() else set()
        exported = self.d.stack.outputs().get("package") if program else None
        return recorded | ({Path(exported.value)} if exported else set())


@pytest.mark.parametrize("provider", ["dynamic", "native"])
def test_a_stack_deployed_by_the_release_before_the_redesign_writes_nothing_on_upgrade_and_destroys_as_before(
    provider: str, tmp_path: Path
) -> None:
    old = install_old_release(tmp_path / "old")
    record = tmp_path / "old" / "served-by"
    record_old_processes(old, record)
    program = PROGRAMS / "upgrade" if provider == "dynamic" else yaml_program(tmp_path / "program.yaml")
    with deployment(tmp_path / "stack", program=program, token=TOKEN, numbers=NUMBERS, agents=AGENTS) as d:
        for number in NUMBERS:
            d.emulator.seed(number, auth_token=CARRIER)
        d.emulator.seed(TAKEN, inbound_agent_id="agent_billing", webhooks=[THEIRS], auth_token=CARRIER)
        (d.work_dir / "declared.json").write_text(json.dumps(DECLARED))
        served = Served(d, record)
        path = d.env_vars["PATH"]

        use_package(d, old, path)
        deployed = d.up()
        assert set(summary(deployed)) == {"create"}
        ran = served.packages()
        assert served.packages(program=False) and all(p.is_relative_to(old) for p in ran), f"not the old package: {ran}"
        assert live(d) == DECLARED_LIVE
        deployed_outputs = outputs(d)
        resources = summary(deployed)["create"]

        use_package(d, Path(sys.prefix), path)
        if provider == "native":  # the program reads the fleet's outputs in today's schema
            yaml_program(d.work_dir / "Pulumi.yaml", NATIVE_FLEET_OUTPUTS_NOW)
        record.unlink(missing_ok=True)
        d.emulator.clear_requests()
        # The bindings are unchanged; the fleet's outputs take today's compact shape, which writes nothing.
        upgrading = {"same": resources - 1, "update": 1}
        previewed = d.preview(diff=True)
        assert summary(previewed) == upgrading, "\n".join(d.output)
        assert live(d) == DECLARED_LIVE

        upgraded = d.up()
        assert summary(upgraded) == upgrading, "\n".join(d.output)
        assert not any(p.is_relative_to(old) for p in served.packages()), "the old package still ran"
        assert [r for r in d.emulator.requests() if r["method"] != "GET"] == []
        assert live(d) == DECLARED_LIVE
        # What the old package recorded and exported (ids, carrier, the takeover's memory) is what today's reports.
        # The fleet's entries are its inputs, no longer an output: the native schema has none, and the dynamic
        # fleet's `bindings` reads the entries as declared (the old output held them as VoiceOS keeps them).
        now = outputs(d)
        if provider == "native":
            assert set(deployed_outputs.pop("lines.bindings")[0]) == {FLEET_A, FLEET_B}
        else:
            was_fleet, now_fleet = deployed_outputs.pop("lines")[0], now.pop("lines")[0]
            assert set(was_fleet.pop("bindings")) == set(now_fleet.pop("bindings")) == {FLEET_A, FLEET_B}
            assert now_fleet == was_fleet
        assert now == deployed_outputs
        assert summary(d.preview()) == {"same": resources}, "\n".join(d.output)

        d.destroy()
        assert live(d) == AFTER_DESTROY
        assert served.packages(program=False) == set(), "the old package served the destroy"
