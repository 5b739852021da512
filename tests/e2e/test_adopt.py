"""`voiceos-pulumi adopt`, then `pulumi up` of what it wrote, through the real CLI.

The account is an emulator seeded in bulk with bound and unbound numbers,
several webhooks, secret headers, filters and mixed methods. The request log
proves what adoption costs: one GET per number and not a single write.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.backend import LocalBackend
from pulumi_voiceos.tools.adopt import binding_name

from ..docs import one_block
from ..odd_data import HEADER_SECRET, ODD_NUMBERS, UNDECLARABLE, seed_odd_account
from .harness import deployment
from .harness import emulator as started_emulator
from .test_flows import summary

TOKEN = "SENTINEL-ADOPT-API-TOKEN-93c1"
HEADER_SENTINEL = "SENTINEL-ADOPT-HEADER"
STACK = "fleet"
EVENT = "phone_call:connection_requested"
AGENTS = ["agent_support", "agent_sales", "agent_billing"]
METHODS = ["POST", "GET", "PUT"]


def account(count: int, start: int = 0) -> list[dict[str, Any]]:
    """Numbers of every shape: 1 in 5 unbound, webhooks only, several webhooks, secret headers, filters."""
    numbers = []
    for i in range(start, start + count):
        spec: dict[str, Any] = {"phone_number": f"+1415600{i:04d}"}
        if i % 5 != 0:
            spec["inbound_agent_id"] = None if i % 7 == 0 else AGENTS[i % 3]
            hooks = []
            for j in range(i % 4):
                hook: dict[str, Any] = {
                    "events": [EVENT],
                    "url": f"https://hooks.example.com/{i}/{j}",
                    "method": METHODS[(i + j) % 3],
                }
                if (i + j) % 2:
                    hook["headers"] = {"Authorization": f"Bearer {HEADER_SENTINEL}-{i}-{j}", "X-Team": "voice"}
                if j == 2:
                    hook["filter"] = "caller.country == 'US'"
                hooks.append(hook)
            if spec["inbound_agent_id"] is None and not hooks:
                spec["inbound_agent_id"] = "agent_support"
            spec["webhooks"] = hooks
        numbers.append(spec)
    return numbers


@dataclass
class Account:
    emulator: EmulatorProcess
    backend: LocalBackend
    env: dict[str, str] = field(init=False)
    """What a user's shell holds: the backend, and the emulator's URL and token exported."""

    def __post_init__(self) -> None:
        self.env = self.backend.environ(self.emulator)

    @property
    def root(self) -> Path:
        return self.backend.root

    @property
    def out(self) -> Path:
        return self.root / "fleet"

    def adopt(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pulumi_voiceos", "adopt", "--out", str(self.out), "--stack", STACK, *args]
        return subprocess.run(command, env=env or self.env, capture_output=True, text=True, check=False)

    def pulumi(self, *args: str, stack: str = STACK, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        run = self.backend.cli(*args, "--stack", stack, cwd=cwd or self.out, env=self.env)
        assert run.returncode == 0, run.stdout + run.stderr
        return run

    def live(self) -> dict[str, dict[str, Any]]:
        return {n: self.emulator.get_number(n) or {} for n in self.numbers()}

    def numbers(self) -> list[str]:
        import httpx

        found, index = [], 0
        while True:
            page = httpx.get(
                f"{self.emulator.url}/phone_numbers",
                params={"index": index, "limit": 200},
                headers={"Authorization": f"Bearer {TOKEN}"},
            ).json()
            found += [item["phone_number"] for item in page["items"]]
            if not page["has_more"]:
                return found
            index += len(page["items"])


@contextmanager
def opened(root: Path, numbers: int) -> Iterator[Account]:
    """An account of ``numbers`` numbers of every shape, its request log empty, on a backend in ``root``."""
    with started_emulator(token=TOKEN, agents=AGENTS) as emulator:
        assert emulator.seed_many(account(numbers)) == numbers
        emulator.clear_requests()
        yield Account(emulator, LocalBackend(root))


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Account]:
    with opened(tmp_path, 10) as acct:
        yield acct


def everything_written(acct: Account) -> str:
    files = [p.read_bytes() for p in acct.out.rglob("*") if p.is_file()] + list(acct.backend.state_files().values())
    return "\n".join(data.decode(errors="replace") for data in files)


def test_adopting_300_numbers_then_up_makes_one_get_each_and_no_write(tmp_path: Path) -> None:
    started = time.monotonic()
    with opened(tmp_path, 300) as acct:
        seed_seconds = time.monotonic() - started
        emulator, seeded = acct.emulator, account(300)
        before = acct.live()
        bound = sorted(s["phone_number"] for s in seeded if "webhooks" in s)
        emulator.clear_requests()

        started = time.monotonic()
        adopted = acct.adopt()
        adopt_seconds = time.monotonic() - started
        assert adopted.returncode == 0, adopted.stderr
        assert "listed 300 numbers" in adopted.stdout and f"adopted {len(bound)}" in adopted.stdout
        assert f"cd {acct.out} && pulumi up --stack {STACK}" in adopted.stdout
        listing = emulator.requests()
        assert {r["path"] for r in listing} == {"/phone_numbers"} and len(listing) == 2  # 300 at 200 a page

        fleet = yaml.safe_load((acct.out / "bindings.yaml").read_text())["bindings"]
        assert sorted(e["phone_number"] for e in fleet) == bound
        assert all(e["adopt"] is True and e["name"] == binding_name(e["phone_number"]) for e in fleet)

        emulator.clear_requests()
        started = time.monotonic()
        up = acct.pulumi("up", "--yes", "--skip-preview")
        up_seconds = time.monotonic() - started
        log = emulator.requests()
        # One GET per adopted number, and the checks' listing of the account (300 numbers: two pages).
        assert sorted((r["method"], r["phone_number"]) for r in log if r["phone_number"]) == [("GET", n) for n in bound]
        assert [r["path"] for r in log if not r["phone_number"]] == ["/phone_numbers"] * 2
        assert acct.live() == before  # nothing was written to any number

        emulator.clear_requests()
        preview = acct.pulumi("preview", "--expect-no-changes", "--diff")
        assert emulator.requests() == []

        shown = adopted.stdout + adopted.stderr + up.stdout + up.stderr + preview.stdout + preview.stderr
        export = acct.pulumi("stack", "export").stdout
        for where, text in {
            "the project folder and state": everything_written(acct),
            "stack export": export,
            "CLI output": shown,
        }.items():
            assert HEADER_SENTINEL not in text, where
            assert TOKEN not in text, where
        print(
            f"\nadopt of 300 numbers ({len(bound)} bound): emulator start and seed {seed_seconds:.1f}s, "
            f"adopt {adopt_seconds:.1f}s "
            f"({len(listing)} list requests), up {up_seconds:.1f}s ({len(log)} GETs, 0 PATCH), "
            "preview: 0 requests"
        )


def test_adopting_again_adds_only_new_numbers_and_keeps_the_users_edits(small: Account) -> None:
    assert small.adopt().returncode == 0
    # The emulator is not the default API URL, so the stack records it.
    assert small.pulumi("config", "get", "voiceos:apiUrl").stdout.strip() == small.emulator.url
    fleet_file = small.out / "bindings.yaml"
    edited = fleet_file.read_text().replace("inbound_agent_id: agent_sales", "inbound_agent_id: agent_billing", 1)
    edited = edited.replace("bindings:\n", "bindings:\n  # our support lines\n", 1)
    fleet_file.write_text(edited)
    (small.out / "__main__.py").write_text((small.out / "__main__.py").read_text() + "\n# ours\n")
    small.emulator.seed_many(account(3, start=10))  # 10 is unbound, 11 and 12 are bound

    again = small.adopt()
    assert again.returncode == 0, again.stderr
    assert "adopted 2" in again.stdout and "already in bindings.yaml" in again.stdout
    text = fleet_file.read_text()
    assert text.startswith(edited)  # every byte of the user's file, then the new entries
    entries = yaml.safe_load(text)["bindings"]
    assert [e["phone_number"] for e in entries[-2:]] == ["+14156000011", "+14156000012"]
    assert (small.out / "__main__.py").read_text().endswith("# ours\n")
    assert small.adopt().stdout.count("adopted 0") == 1


def test_adopting_again_extends_a_bindings_file_a_yaml_tool_re_indented(small: Account) -> None:
    assert small.adopt().returncode == 0
    fleet_file = small.out / "bindings.yaml"
    # PyYAML (and many editors) write the list items at the key's column.
    reindented = yaml.safe_dump(yaml.safe_load(fleet_file.read_text()), sort_keys=False)
    assert "\n- name:" in reindented
    fleet_file.write_text(reindented)
    small.emulator.seed_many(account(2, start=11))
    again = small.adopt()
    assert again.returncode == 0, again.stderr
    text = fleet_file.read_text()
    assert text.startswith(reindented) and "adopted 2" in again.stdout
    assert [e["phone_number"] for e in yaml.safe_load(text)["bindings"][-2:]] == ["+14156000011", "+14156000012"]


def test_a_bindings_file_in_flow_style_is_refused_naming_its_line_and_nothing_is_written(small: Account) -> None:
    assert small.adopt().returncode == 0
    fleet_file = small.out / "bindings.yaml"
    entries = yaml.safe_load(fleet_file.read_text())["bindings"]
    flow = "# fleet\nbindings: " + yaml.safe_dump(entries, default_flow_style=True, width=100000)
    fleet_file.write_text(flow)
    small.emulator.seed_many(account(2, start=11))
    again = small.adopt()
    refused(again, "bindings.yaml line 2")
    assert "flow style" in again.stderr and "block list" in again.stderr
    assert fleet_file.read_text() == flow


def test_adopting_as_one_fleet_takes_the_account_over_with_one_listing_and_no_write(tmp_path: Path) -> None:
    with opened(tmp_path, 300) as acct:
        emulator = acct.emulator
        before = acct.live()
        adopted = acct.adopt("--fleet")
        assert adopted.returncode == 0, adopted.stderr
        assert "PhoneNumberFleet(" in (acct.out / "__main__.py").read_text()
        assert "one number of the PhoneNumberFleet" in (acct.out / "bindings.yaml").read_text()
        emulator.clear_requests()
        up = acct.pulumi("up", "--yes", "--skip-preview")
        assert up.returncode == 0, up.stdout + up.stderr
        # The fleet's check and create share one listing (two pages of 200); every number already has
        # its declared binding, so nothing is written and no number needs a GET of its own.
        assert [(r["method"], r["path"]) for r in emulator.requests()] == [("GET", "/phone_numbers")] * 2
        assert acct.live() == before
        emulator.clear_requests()
        assert acct.pulumi("preview", "--expect-no-changes").returncode == 0
        assert emulator.requests() == []
        shown = adopted.stdout + adopted.stderr + up.stdout + up.stderr
        assert HEADER_SENTINEL not in shown and HEADER_SENTINEL not in everything_written(acct)


def test_include_unbound_and_prefix_choose_what_is_listed(small: Account) -> None:
    small.emulator.seed_many([{"phone_number": "+16285550000", "inbound_agent_id": "agent_support"}])
    result = small.adopt("--include-unbound", "--prefix", "+1415")
    assert result.returncode == 0, result.stderr
    numbers = [e["phone_number"] for e in yaml.safe_load((small.out / "bindings.yaml").read_text())["bindings"]]
    assert len(numbers) == 10 and "+16285550000" not in numbers
    assert "1 outside --prefix" in result.stdout
    # The unbound ones are listed but not declared: the up adopts only the bound numbers.
    small.emulator.clear_requests()
    small.pulumi("up", "--yes", "--skip-preview")
    assert len(small.emulator.requests()) == 9  # a GET per adopted number, and the checks' one listing


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr and "nothing was written" in result.stderr
    assert TOKEN not in result.stderr


def test_a_missing_token_is_refused_and_nothing_is_written(small: Account) -> None:
    env = {k: v for k, v in small.env.items() if k != "VOICEOS_API_TOKEN"}
    refused(small.adopt(env=env), "export VOICEOS_API_TOKEN")
    assert not small.out.exists()


def test_an_unreachable_api_is_refused_and_nothing_is_written(small: Account) -> None:
    env = {**small.env, "VOICEOS_API_URL": "http://127.0.0.1:9", "VOICEOS_MAX_ATTEMPTS": "1"}
    refused(small.adopt(env=env), "could not reach the VoiceOS API")
    assert not small.out.exists()


def test_a_folder_holding_another_project_is_refused_and_left_as_it_is(small: Account) -> None:
    small.out.mkdir()
    (small.out / "Pulumi.yaml").write_text("name: web-app\nruntime: nodejs\n")
    (small.out / "index.ts").write_text("export {}\n")
    refused(small.adopt(), "not empty and holds no project written by voiceos-pulumi adopt")
    assert sorted(p.name for p in small.out.iterdir()) == ["Pulumi.yaml", "index.ts"]
    (small.out / "bindings.yaml").write_text("bindings: []\n")
    refused(small.adopt(), "holds Pulumi project 'web-app'")
    assert (small.out / "Pulumi.yaml").read_text() == "name: web-app\nruntime: nodejs\n"


def test_a_backend_not_logged_in_is_refused_and_nothing_is_written(small: Account) -> None:
    env = {k: v for k, v in small.env.items() if k not in ("PULUMI_BACKEND_URL", "PULUMI_ACCESS_TOKEN")}
    env["PULUMI_HOME"] = str(small.root / "logged-out-home")
    refused(small.adopt(env=env), "pulumi login")
    assert not small.out.exists()
    assert small.emulator.requests() == []


def test_a_stack_that_cannot_be_created_takes_back_the_files_it_wrote(small: Account) -> None:
    env = {k: v for k, v in small.env.items() if k != "PULUMI_CONFIG_PASSPHRASE"}
    refused(small.adopt(env=env), "could not create or configure stack 'fleet'")
    assert not small.out.exists()


def test_adopting_an_account_with_odd_numbers_names_and_skips_them_and_adopts_the_rest(small: Account) -> None:
    seed_odd_account(small.emulator)
    strict = small.adopt("--strict")
    assert strict.returncode == 2 and not small.out.exists()
    assert all(number in strict.stderr for number in UNDECLARABLE) and "Traceback" not in strict.stderr
    before = small.live()
    run = small.adopt()
    assert run.returncode == 0, run.stderr
    assert f"{len(UNDECLARABLE)} whose binding no program can declare" in run.stdout
    for number in UNDECLARABLE:
        assert number in run.stdout
    assert "allow_overwrite=True" in run.stdout
    assert HEADER_SECRET not in run.stdout + run.stderr + everything_written(small)
    entries = yaml.safe_load((small.out / "bindings.yaml").read_text())["bindings"]
    adopted = {entry["phone_number"] for entry in entries}
    assert adopted.isdisjoint(UNDECLARABLE)
    assert {n for n in ODD_NUMBERS if n not in UNDECLARABLE} <= adopted
    small.emulator.clear_requests()
    small.pulumi("up", "--yes", "--skip-preview")
    assert [r for r in small.emulator.requests() if r["method"] != "GET"] == []
    assert small.live() == before


def doc_shell(commands: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A doc's commands in bash, as a user's shell runs them (the backend's environment puts this
    virtualenv's commands on PATH), PULUMI_SKIP_CONFIRMATIONS standing in for the user answering yes."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        cwd=cwd,
        env={**env, "PULUMI_SKIP_CONFIRMATIONS": "true"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_docs_adopt_commands_write_the_project_and_its_up_takes_every_number_over_with_one_get_each(
    small: Account,
) -> None:
    commands = one_block("docs-command", "adopt", "sh")
    assert "<token>" in commands
    bound = sorted(s["phone_number"] for s in account(10) if "webhooks" in s)
    before = small.live()
    small.emulator.clear_requests()
    work = small.root / "work"
    work.mkdir()
    env = {k: v for k, v in small.env.items() if k != "VOICEOS_API_TOKEN"}  # the block exports it

    run = doc_shell(commands.replace("<token>", TOKEN), work, env)

    assert run.returncode == 0, run.stdout + run.stderr
    out = work / "voiceos-fleet"
    entries = yaml.safe_load((out / "bindings.yaml").read_text())["bindings"]
    assert sorted(e["phone_number"] for e in entries) == bound and all(e["adopt"] is True for e in entries)
    log = small.emulator.requests()
    assert {r["method"] for r in log} == {"GET"}, "no write"
    by_number = sorted(r["phone_number"] for r in log if r["phone_number"])
    assert by_number == bound, "one GET per number"
    assert small.live() == before
    exported = small.pulumi("stack", "export", stack="prod", cwd=out)
    resources = json.loads(exported.stdout)["deployment"]["resources"]
    assert sorted(r["outputs"]["phone_number"] for r in resources if "dynamic" in r["type"]) == bound
    assert TOKEN not in run.stdout + run.stderr + everything_written(small)


def import_program(root: Path) -> Path:
    """The doc's import fragment as a program: the fragment, after the imports its page's programs have."""
    program = root / "import-program"
    program.mkdir()
    fragment = one_block("docs-fragment", "import", "python")
    (program / "__main__.py").write_text(
        f"import pulumi\n\nfrom pulumi_voiceos import PhoneNumberBinding\n\n{fragment}"
    )
    return program


@pytest.mark.parametrize("live_agent", ["agent_support", "agent_sales"])
def test_the_docs_import_program_takes_a_matching_binding_over_writing_nothing_and_refuses_a_differing_one(
    tmp_path: Path, live_agent: str
) -> None:
    """The doc's number bound to the declared agent is taken over by the up with no write, and kept
    (previous_inbound_agent_id) for a restore; bound to another, the import fails showing both."""
    number = "+14155550123"
    with deployment(tmp_path / "run", program=import_program(tmp_path), token=TOKEN, agents=AGENTS) as d:
        d.emulator.seed(number, inbound_agent_id=live_agent)
        before = d.emulator.peek(number)
        d.emulator.clear_requests()
        if live_agent == "agent_support":
            assert summary(d.up()) == {"create": 2}
            [state] = d.resources()
            assert state["outputs"]["inbound_agent_id"] == "agent_support"
            assert state["outputs"]["previous_inbound_agent_id"] == "agent_support"
        else:
            with pytest.raises(auto.CommandError) as failed:
                d.up()
            shown = str(failed.value)
            assert "agent_support" in shown and "agent_sales" in shown, shown
            assert d.resources() == []
        assert {r["method"] for r in d.emulator.requests()} == {"GET"}
        assert d.emulator.peek(number) == before
