"""TypeScript and Go programs on the generated SDKs, through the real CLI and engine.

Each language's SDK is installed exactly as the docs tell a user: the test runs the
``<!-- sdk-install: LANGUAGE -->`` block of docs/installation-configuration.md, with ``<path>`` a
temporary copy of the repository's ``sdk/`` folder (so the working tree stays as it is). The
programs (tests/e2e/programs/typescript and tests/e2e/programs/go) are Automation API *inline*
programs: the language runtime is the program's own process, so the engine needs no
``pulumi-language-nodejs`` or ``pulumi-language-go``, and neither is on the PATH they get. Each
invocation runs one operation and prints a JSON report.

Every flow reads the live numbers back from the emulator and compares them with what the program
declares and what ``pulumi stack export`` records. Requests are counted per phone number and
method; listings (``GET /phone_numbers``, no number) are told apart and allowed only as reads.

Caches, under ``${XDG_CACHE_HOME:-~/.cache}/pulumi-voiceos/`` so that a CI machine keeping only
that folder stays warm: npm's cache (``npm``), the ``node_modules`` of the SDK's build and of the
TypeScript program (``typescript/``, keyed by what they are installed from), and Go's build and
module caches (``go/build``, ``go/mod``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pulumi_voiceos.emulator.process import EmulatorProcess

from ..docs import one_block
from .harness import NATIVE_TYPE, PROGRAMS, STACK, base_env, emulator
from .test_flows import AGENTS, CARRIER, EVENT, N1, N2, N3, REPO, TOKEN, WEBHOOK_SECRET

SDK = REPO / "sdk"
EXAMPLES = REPO / "examples"
PLACEHOLDER = "<path>"
SDK_PACKAGE = "@voiceos/pulumi-voiceos"
LANGUAGE_HOSTS = ("pulumi-language-nodejs", "pulumi-language-go")
# Not in the prefix below, unbound: listPhoneNumbers(prefix, bound: false) must leave it out.
ELSEWHERE = "+14255550100"
PREFIX = "+1415555010"
SECRET_HEADER = "X-Signature"
INVOCATION_TIMEOUT = 300
STALE_CACHE_SECONDS = 7 * 24 * 3600


# -- installing the SDKs as the docs say ------------------------------------------------------


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pulumi-voiceos"


def readme_install(language: str) -> str:
    """The commands of the docs' ``sdk-install`` block for ``language`` (docs/installation-configuration.md)."""
    block = one_block("sdk-install", language, "sh")
    assert PLACEHOLDER in block, f"the {language} install block names no {PLACEHOLDER}"
    return block


def run_readme_install(language: str, checkout: Path, project: Path, env: dict[str, str]) -> None:
    """Run the docs' commands in ``project``, with ``<path>`` the checkout holding the copied sdk/."""
    commands = readme_install(language).replace(PLACEHOLDER, shlex.quote(str(checkout)))
    run(["sh", "-exc", commands], cwd=project, env=env, what=f"the docs' {language} install")


def run(command: list[str], *, cwd: Path, env: dict[str, str], what: str) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def copy_sdk(checkout: Path) -> None:
    ignore = shutil.ignore_patterns("node_modules", "bin", "build", "*.egg-info", "__pycache__")
    shutil.copytree(SDK, checkout / "sdk", ignore=ignore)


def digest(*parts: bytes | Path) -> str:
    """A short hash of bytes, files and folders (every file under it, by relative path)."""
    hashed = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            hashed.update(part)
            continue
        files = sorted(p for p in part.rglob("*") if p.is_file()) if part.is_dir() else [part]
        for file in files:
            hashed.update(str(file.relative_to(part) if part.is_dir() else file.name).encode() + b"\0")
            hashed.update(file.read_bytes() + b"\0")
    return hashed.hexdigest()[:16]


def restore_node_modules(cached: Path, target: Path) -> bool:
    if not cached.is_dir():
        return False
    os.utime(cached)  # in use: not stale
    subprocess.run(["cp", "-a", str(cached), str(target)], check=True)
    return True


def save_node_modules(source: Path, cached: Path, *, leave_out: tuple[str, ...] = ()) -> None:
    """Keep a copy of ``source`` as ``cached``, without the ``leave_out`` packages; a concurrent run
    that saved it first wins."""
    if cached.exists():
        return
    cached.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{cached.name}.", dir=cached.parent))
    try:
        copy = staging / "node_modules"
        subprocess.run(["cp", "-a", str(source), str(copy)], check=True)
        if leave_out:
            # npm's record of the tree would still list them.
            (copy / ".package-lock.json").unlink(missing_ok=True)
        for package in leave_out:
            shutil.rmtree(copy / package)
        with contextlib.suppress(OSError):  # saved meanwhile by another run
            copy.rename(cached)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    kind = cached.name.rsplit("-", 1)[0]
    for old in cached.parent.glob(f"{kind}-*"):
        if old != cached and time.time() - old.stat().st_mtime > STALE_CACHE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)


def npm_env() -> dict[str, str]:
    return {
        **os.environ,
        "npm_config_cache": str(cache_root() / "npm"),
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
    }


def write_docs_typescript(project: Path) -> None:
    """The TypeScript block of docs/installation-configuration.md, beside the program, which runs it when the
    spec says "docs": true; the export of its two values, for the program to report them, is the test's."""
    block = one_block("docs-fragment", "typescript", "typescript")
    (project / "docsSnippet.ts").write_text(f"{block}\nexport {{ line, unbound }};\n")


def install_typescript(work: Path) -> list[str]:
    """The TypeScript program on the SDK installed as the docs say; returns its command."""
    checkout, project = work / "checkout", work / "project"
    copy_sdk(checkout)
    shutil.copytree(PROGRAMS / "typescript", project, ignore=shutil.ignore_patterns("node_modules", "bin"))
    shutil.copy(EXAMPLES / "typescript" / "supportLine.ts", project)  # the example's program body
    write_docs_typescript(project)
    env = npm_env()
    sdk_build = checkout / "sdk" / "nodejs"
    tools = run(["node", "--version"], cwd=work, env=env, what="node").encode()
    tools += run(["npm", "--version"], cwd=work, env=env, what="npm").encode()
    cache = cache_root() / "typescript"
    # The SDK's build tools come from its package.json; the program's packages from its package.json and
    # lock. The program's cache leaves the SDK out: each run installs a copy of the SDK it just built.
    sdk_modules = cache / f"sdk-node_modules-{digest(tools, sdk_build / 'package.json')}"
    project_modules = cache / (
        "program-node_modules-" + digest(tools, project / "package.json", project / "package-lock.json")
    )
    restore_node_modules(sdk_modules, sdk_build / "node_modules")
    restore_node_modules(project_modules, project / "node_modules")

    run_readme_install("typescript", checkout, project, env)

    installed = project / "node_modules" / SDK_PACKAGE
    assert not installed.is_symlink(), "npm linked the SDK instead of installing a copy"
    assert digest(installed) == digest(sdk_build / "bin"), "the installed SDK is not the one just built"
    # One Pulumi SDK: the copy brings no node_modules of its own.
    assert not (installed / "node_modules").exists()
    save_node_modules(sdk_build / "node_modules", sdk_modules)
    save_node_modules(project / "node_modules", project_modules, leave_out=(SDK_PACKAGE,))
    run(["npm", "run", "build"], cwd=project, env=env, what="tsc of the program")
    return ["node", str(project / "bin" / "index.js")]


def install_go(work: Path) -> list[str]:
    """The Go program on the SDK installed as the docs say; returns its command."""
    checkout, project = work / "checkout", work / "project"
    copy_sdk(checkout)
    shutil.copytree(PROGRAMS / "go", project)
    shutil.copy(EXAMPLES / "go" / "supportline.go", project)  # the example's program body
    env = {
        **os.environ,
        "GOCACHE": str(cache_root() / "go" / "build"),
        "GOMODCACHE": str(cache_root() / "go" / "mod"),
        "GOTOOLCHAIN": "local",
    }

    run_readme_install("go", checkout, project, env)

    module = json.loads(run(["go", "mod", "edit", "-json"], cwd=project, env=env, what="go mod edit -json"))
    replaces = {r["Old"]["Path"]: r["New"]["Path"] for r in module.get("Replace") or []}
    assert replaces == {"github.com/voiceos/pulumi-voiceos/sdk": str(checkout / "sdk")}
    binary = project / "voiceos-e2e-go"
    # The build must need nothing beyond the committed go.sum and what `go mod tidy` added.
    run(["go", "build", "-mod=readonly", "-o", str(binary), "."], cwd=project, env=env, what="go build")
    return [str(binary)]


INSTALLERS = {"typescript": install_typescript, "go": install_go}


@dataclass(frozen=True)
class Installed:
    language: str
    command: list[str]


# -- running the programs -------------------------------------------------------------------------


@dataclass
class Program:
    """A program of one language, its own stack (file backend), and an emulator of its own."""

    installed: Installed
    root: Path
    emulator: EmulatorProcess
    env: dict[str, str]
    printed: list[str] = field(default_factory=list)
    exported: list[str] = field(default_factory=list)

    @property
    def work_dir(self) -> Path:
        return self.root / "stack"

    def run(
        self,
        operation: str,
        bindings: list[dict[str, Any]],
        lookup: dict[str, str] | None = None,
        **more: Any,
    ) -> dict[str, Any]:
        """One operation (up, preview, destroy) of the program declaring ``bindings``; its report.
        ``more`` goes into the spec as it is (``example``, ``config``)."""
        spec = {"workDir": str(self.work_dir), "bindings": bindings, **({"lookup": lookup} if lookup else {}), **more}
        spec_file = self.root / "spec.json"
        spec_file.write_text(json.dumps(spec))
        done = subprocess.run(
            [*self.installed.command, operation, str(spec_file)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=INVOCATION_TIMEOUT,
            check=False,
        )
        self.printed += [done.stdout, done.stderr]
        assert done.returncode == 0, f"{operation} failed:\n{done.stdout}\n{done.stderr}"
        report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        report["summary"] = {k: v for k, v in (report.get("summary") or {}).items() if v}
        return report

    def export(self) -> dict[str, Any]:
        done = subprocess.run(
            ["pulumi", "stack", "export", "--stack", STACK, "--non-interactive"],
            cwd=self.work_dir,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"pulumi stack export failed:\n{done.stdout}\n{done.stderr}"
        self.exported.append(done.stdout)
        exported: dict[str, Any] = json.loads(done.stdout)
        return exported

    def resources(self) -> dict[str, dict[str, Any]]:
        """The bindings in state, by phone number."""
        resources = self.export()["deployment"].get("resources", [])
        bindings = [r for r in resources if r["type"] == NATIVE_TYPE]
        by_number = {r["id"]: r for r in bindings}
        assert len(by_number) == len(bindings), f"two bindings of one number in state: {bindings}"
        return by_number

    def state_files_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted((self.root / "state").rglob("*")) if p.is_file())

    def calls(self) -> tuple[Counter[tuple[str, str]], dict[str, list[Any]], list[dict[str, Any]]]:
        """Requests since the last clear: counted per (method, number), PATCH bodies per number, listings."""
        requests = self.emulator.requests()
        numbered = [r for r in requests if r["phone_number"]]
        listings = [r for r in requests if not r["phone_number"]]
        assert all(r["method"] == "GET" and r["path"] == "/phone_numbers" for r in listings), listings
        patches: dict[str, list[Any]] = {}
        for r in numbered:
            if r["method"] == "PATCH":
                patches.setdefault(r["phone_number"], []).append(r["body"])
        return Counter((r["method"], r["phone_number"]) for r in numbered), patches, listings

    def live(self, number: str) -> dict[str, Any]:
        """The number as the API has it (a GET of its own: read the request log first)."""
        got = self.emulator.get_number(number)
        assert got is not None, f"{number} vanished from the emulator"
        return got


@pytest.fixture
def program(installed: Installed, tmp_path: Path) -> Iterator[Program]:
    with program_of(installed, tmp_path) as made:
        yield made


@contextlib.contextmanager
def program_of(installed: Installed, tmp_path: Path) -> Iterator[Program]:
    """The built program in ``tmp_path``: its stack's folder, a file backend and an emulator of its own."""
    (tmp_path / "state").mkdir()
    (tmp_path / "stack").mkdir()
    numbers = [N1, N2, N3, ELSEWHERE]
    with emulator(token=TOKEN, numbers=numbers, agents=AGENTS) as emu:
        for number in numbers:
            emu.seed(number, auth_token=CARRIER)
        env = {**os.environ, **base_env(tmp_path, emu), "VOICEOS_API_TOKEN": TOKEN, "WEBHOOK_SECRET": WEBHOOK_SECRET}
        for host in LANGUAGE_HOSTS:
            assert shutil.which(host, path=env["PATH"]) is None, f"{host} is on the programs' PATH"
        assert shutil.which("pulumi", path=env["PATH"]) is not None
        assert shutil.which("pulumi-resource-voiceos", path=env["PATH"]) is not None
        emu.clear_requests()
        yield Program(installed, tmp_path, emu, env)


# -- the flows --------------------------------------------------------------------------------------


def binding(name: str, number: str, agent: str, webhooks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "phoneNumber": number,
        "inboundAgentId": agent,
        **({"webhooks": webhooks} if webhooks else {}),
    }


SUPPORT_HOOK = {"events": [EVENT], "url": "https://hooks.example.com/support", "secretHeader": SECRET_HEADER}
SUPPORT = binding("support", N1, "agent_support", [SUPPORT_HOOK])
SALES = binding("sales", N2, "agent_sales")


def urls(webhooks: list[dict[str, Any]]) -> list[str]:
    return [w["url"] for w in webhooks]


def assert_as_declared(p: Program, report: dict[str, Any], bindings: list[dict[str, Any]]) -> None:
    """Live numbers, state and the program's outputs are what the program declares."""
    state = p.resources()
    assert sorted(state) == sorted(b["phoneNumber"] for b in bindings)
    outputs = report["outputs"]
    for b in bindings:
        number, name, agent = b["phoneNumber"], b["name"], b["inboundAgentId"]
        declared_urls = urls(b.get("webhooks", []))
        live = p.live(number)
        assert (live["inbound_agent_id"], urls(live["webhooks"])) == (agent, declared_urls), number
        assert state[number]["urn"].endswith(f"::{name}")
        assert state[number]["outputs"]["inboundAgentId"] == agent
        assert state[number]["outputs"]["phoneNumber"] == number
        assert outputs[f"{name}.phoneNumber"] == {"value": number, "secret": False}
        assert outputs[f"{name}.inboundAgentId"] == {"value": agent, "secret": False}
        assert outputs[f"{name}.webhookUrls"] == {"value": declared_urls, "secret": False}
        assert outputs[f"{name}.telephonyAuthToken"] == {"secret": True}


def assert_unbound(p: Program, *numbers: str) -> None:
    for number in numbers:
        live = p.live(number)
        assert (live["inbound_agent_id"], live["webhooks"]) == (None, []), number


def looked_up(live: dict[str, Any]) -> dict[str, Any]:
    """What the program's getPhoneNumber reports of a number: the API's fields, but the carrier
    credential and header values."""
    telephony = live["telephony"]
    return {
        "phoneNumber": live["phone_number"],
        "voiceosId": live["id"],
        "uri": live["uri"],
        "accountId": live["account_id"],
        "inboundAgentId": live["inbound_agent_id"],
        "createdAt": live["created_at"],
        "updatedAt": live["updated_at"],
        "telephony": {
            "provider": telephony["provider"],
            "phoneNumberSid": telephony["phone_number_sid"],
            "accountSid": telephony["account_sid"],
        },
        "webhookUrls": urls(live["webhooks"]),
    }


def test_a_program_on_the_generated_sdk_binds_previews_updates_renames_looks_up_and_destroys_as_declared(
    program: Program,
) -> None:
    p = program

    # up: both numbers bound as declared, the secret header sent to the API.
    declared = [SUPPORT, SALES]
    report = p.run("up", declared)
    counted, patches, _ = p.calls()
    assert report["summary"] == {"create": 3}
    assert counted == {("GET", N1): 1, ("PATCH", N1): 1, ("GET", N2): 1, ("PATCH", N2): 1}
    [[hook]] = [body["webhooks"] for body in patches[N1]]
    assert hook["headers"] == {SECRET_HEADER: WEBHOOK_SECRET}
    assert patches[N2] == [{"inbound_agent_id": "agent_sales", "webhooks": []}]
    assert_as_declared(p, report, declared)
    assert p.live(N1)["webhooks"][0]["headers"] == {SECRET_HEADER: WEBHOOK_SECRET}
    assert_unbound(p, N3, ELSEWHERE)
    assert WEBHOOK_SECRET not in p.state_files_text()

    # A preview of the same program changes nothing and asks the API nothing.
    p.emulator.clear_requests()
    report = p.run("preview", declared)
    assert report["summary"] == {"same": 3}
    assert p.emulator.requests() == []

    # Changing only the agent is one PATCH of only the agent.
    declared = [SUPPORT, {**SALES, "inboundAgentId": "agent_billing"}]
    p.emulator.clear_requests()
    report = p.run("up", declared)
    counted, patches, _ = p.calls()
    assert report["summary"] == {"update": 1, "same": 2}
    assert counted == {("PATCH", N2): 1}
    assert patches == {N2: [{"inbound_agent_id": "agent_billing"}]}
    assert_as_declared(p, report, declared)

    # A rename without an alias: the new binding adopts the number (one GET), the old one hands it over.
    declared = [{**SUPPORT, "name": "support-line"}, declared[1]]
    p.emulator.clear_requests()
    report = p.run("up", declared)
    counted, patches, _ = p.calls()
    assert report["summary"] == {"create": 1, "delete": 1, "same": 2}
    assert counted == {("GET", N1): 1}
    assert patches == {}
    assert "handed over" in report["output"]
    assert_as_declared(p, report, declared)
    assert p.live(N1)["webhooks"][0]["headers"] == {SECRET_HEADER: WEBHOOK_SECRET}

    # getPhoneNumber and listPhoneNumbers report what the API has; the bindings stay as they are.
    p.emulator.clear_requests()
    report = p.run("up", declared, lookup={"phoneNumber": N1, "prefix": PREFIX})
    counted, patches, listings = p.calls()
    assert report["summary"] == {"same": 3}
    assert counted == {("GET", N1): 1}  # getPhoneNumber
    assert len(listings) >= 2  # a page (200 numbers) per listPhoneNumbers, and any listing at check time
    accounts = {n: p.live(n) for n in (N1, N2, N3, ELSEWHERE)}
    outputs = report["outputs"]
    assert outputs["lookup.number"] == {"value": looked_up(accounts[N1]), "secret": False}
    assert outputs["lookup.telephonyAuthToken"] == {"secret": True}
    unbound = [n for n, live in accounts.items() if n.startswith(PREFIX) and not live["inbound_agent_id"]]
    assert unbound == [N3]
    assert outputs["lookup.unbound"] == {"value": unbound, "secret": False}
    assert outputs["lookup.bound"]["secret"] is False
    assert sorted(outputs["lookup.bound"]["value"]) == [N1, N2]
    assert_as_declared(p, report, declared)

    # destroy: both numbers unbound (they stay in the account), state empty.
    p.emulator.clear_requests()
    report = p.run("destroy", declared)
    counted, patches, _ = p.calls()
    assert report["summary"] == {"delete": 3}
    assert counted == {("GET", N1): 1, ("PATCH", N1): 1, ("GET", N2): 1, ("PATCH", N2): 1}
    assert patches == {n: [{"inbound_agent_id": None, "webhooks": []}] for n in (N1, N2)}
    assert_unbound(p, N1, N2, N3, ELSEWHERE)
    assert p.resources() == {}

    # No secret in plaintext: not in the state files, the exported stacks or anything printed.
    written = "\n".join([p.state_files_text(), *p.exported, *p.printed])
    for secret in (WEBHOOK_SECRET, CARRIER, TOKEN):
        assert secret not in written, secret
