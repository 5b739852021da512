"""The emulator over real HTTP on loopback: the contract it mirrors, its admin area, its CLI.

Most tests share one emulator process (module scope) and reset its controls
first; tests that need an empty account, a restart or a crash get their own.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_voiceos.core.models import PhoneNumber, PhoneNumberPage
from pulumi_voiceos.emulator import EXIT_ADDRESS_IN_USE, LISTENING_PREFIX
from pulumi_voiceos.emulator.backend import Backend
from pulumi_voiceos.emulator.process import EmulatorAdminError, EmulatorProcess, EmulatorStartError
from pulumi_voiceos.emulator.store import Store
from pulumi_voiceos.testing.account import InMemoryAccount

from ..docs import one_block

TOKEN = "SENTINEL-EMULATOR-TOKEN-3b8e1d"
CARRIER = "SENTINEL-EMULATOR-CARRIER-c4f2a0"
AGENTS = ("agent_a", "agent_b", "agent_c")
EVENT = "phone_call:connection_requested"
HOOK = {"events": [EVENT], "url": "https://hooks.example.com/a", "method": "POST", "headers": {}}

_numbers = itertools.count(1)


def new_number() -> str:
    return f"+1650555{next(_numbers):04d}"


def enc(number: str) -> str:
    return "%2B" + number.removeprefix("+")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    db = tmp_path_factory.mktemp("emulator") / "voiceos.db"
    with EmulatorProcess(db_path=db, token=TOKEN, agents=AGENTS) as process:
        yield process


@pytest.fixture
def emu(shared: EmulatorProcess) -> EmulatorProcess:
    shared.reset()
    return shared


@pytest.fixture
def http(emu: EmulatorProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.url, headers={"Authorization": f"Bearer {TOKEN}"}, trust_env=False) as client:
        yield client


@pytest.fixture
def number(emu: EmulatorProcess) -> str:
    phone_number = new_number()
    emu.seed(phone_number, auth_token=CARRIER)
    emu.clear_requests()
    return phone_number


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """An emulator of its own: an empty account, no agents known."""
    with EmulatorProcess(db_path=tmp_path / "fresh.db", token=TOKEN) as process:
        yield process


def client_for(emu: EmulatorProcess) -> httpx.Client:
    return httpx.Client(base_url=emu.url, headers={"Authorization": f"Bearer {TOKEN}"}, trust_env=False)


# -- the process and the CLI ----------------------------------------------------------------


def test_listens_on_loopback_and_answers_health(emu: EmulatorProcess) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.url)
    assert emu.port > 0 and emu.running
    response = httpx.get(f"{emu.url}/_emulator/health", trust_env=False)
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert emu.requests() == []  # the admin area is not logged


def test_cli_prints_one_line_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_voiceos.emulator", "--port", "0", "--db", str(tmp_path / "x.db")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith(LISTENING_PREFIX) and line.endswith("\n")
        url = line[len(LISTENING_PREFIX) :].strip()
        health = httpx.get(f"{url}/_emulator/health", trust_env=False)
        assert health.status_code == 200
        process.terminate()
        stdout, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert stdout == ""  # nothing after the listening line, not even access logs
    assert (tmp_path / "x.db").exists()


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The emulator's CLI, for arguments it refuses before it starts serving."""
    return subprocess.run(
        [sys.executable, "-m", "pulumi_voiceos.emulator", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_cli_refuses_a_non_loopback_host_without_allow_remote(tmp_path: Path) -> None:
    result = _run_cli("--host", "0.0.0.0", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "--allow-remote" in result.stderr and result.stdout == ""


def test_cli_rejects_a_bad_seed_number(tmp_path: Path) -> None:
    result = _run_cli("--seed-number", "4155550123", "--db", str(tmp_path / "x"))
    assert result.returncode == 2 and "--seed-number 4155550123" in result.stderr


def test_cli_reports_a_taken_port_with_its_own_status(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "pulumi_voiceos.emulator", "--port", str(port), "--db", str(tmp_path / "x.db")],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == EXIT_ADDRESS_IN_USE
    assert f"127.0.0.1:{port}" in result.stderr


def test_a_failed_start_raises_with_the_emulators_stderr(tmp_path: Path) -> None:
    process = EmulatorProcess(db_path=tmp_path, token=TOKEN, startup_timeout=20)  # a folder is no database
    with pytest.raises(EmulatorStartError) as exc:
        process.start()
    assert "unable to open database" in str(exc.value)
    assert not process.running


def test_restart_falls_back_to_a_new_port_when_the_old_one_is_taken(tmp_path: Path) -> None:
    with EmulatorProcess(db_path=tmp_path / "r.db", token=TOKEN, seed_numbers=["+16505559999"]) as process:
        old_port = process.port
        process.kill()
        assert process.returncode is not None and process.returncode != 0
        with socket.socket() as squatter:
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind(("127.0.0.1", old_port))
            squatter.listen()
            process.restart()
        assert process.running and process.port != old_port
        assert process.get_number("+16505559999") is not None


def test_data_survives_a_restart_and_a_crash(tmp_path: Path) -> None:
    seeded = "+16505550001"
    with EmulatorProcess(db_path=tmp_path / "p.db", token=TOKEN, seed_numbers=[seeded]) as process:
        with client_for(process) as http:
            patched = http.patch(f"/phone_numbers/{enc(seeded)}", json={"inbound_agent_id": "agent_x"}).json()
        process.restart()
        assert process.returncode == 0
        # --seed-number leaves an existing row alone: the binding is still there.
        assert process.get_number(seeded) == patched
        with client_for(process) as http:
            http.patch(f"/phone_numbers/{enc(seeded)}", json={"webhooks": [HOOK]}).raise_for_status()
        process.kill()
        process.start()
        after = process.get_number(seeded)
        assert after is not None
        assert (after["id"], after["inbound_agent_id"]) == (patched["id"], "agent_x")
        assert after["webhooks"] == [HOOK]


def test_token_can_change_between_runs(fresh: EmulatorProcess) -> None:
    fresh.stop()
    fresh.token = "rotated-token"
    fresh.start()
    old = httpx.get(f"{fresh.url}/phone_numbers", headers={"Authorization": f"Bearer {TOKEN}"}, trust_env=False)
    assert old.status_code == 401
    ok = httpx.get(f"{fresh.url}/phone_numbers", headers={"Authorization": "Bearer rotated-token"}, trust_env=False)
    assert ok.status_code == 200


def test_a_wipe_leaves_the_emulator_as_a_new_one_with_its_numbers_agents_and_token(fresh: EmulatorProcess) -> None:
    fresh.seed("+14155550190", inbound_agent_id="agent_x")
    fresh.add_agents("agent_x")
    fresh.set_latency(5)
    fresh.wipe("wiped-token", agents=["agent_y"], numbers=["+14155550191"])
    assert fresh.requests() == [] and fresh.get_number("+14155550190") is None
    kept = fresh.get_number("+14155550191")
    assert kept is not None and kept["inbound_agent_id"] is None and kept["webhooks"] == []
    old = httpx.get(f"{fresh.url}/phone_numbers", headers={"Authorization": f"Bearer {TOKEN}"}, trust_env=False)
    assert old.status_code == 401
    auth = {"Authorization": "Bearer wiped-token"}
    body = {"inbound_agent_id": "agent_x"}
    refused = httpx.patch(f"{fresh.url}/phone_numbers/%2B14155550191", json=body, headers=auth, trust_env=False)
    assert refused.status_code == 404  # agent_x is no longer known; agent_y is
    # A restart keeps what the wipe set.
    fresh.restart()
    assert fresh.token == "wiped-token" and fresh.get_number("+14155550191") is not None


def test_admin_errors_are_raised_with_the_reason(emu: EmulatorProcess) -> None:
    with pytest.raises(EmulatorAdminError) as exc:
        emu.seed("not-a-number")
    assert "422" in str(exc.value) and "phone_number" in str(exc.value)


# -- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer", f"{TOKEN}"],
    ids=["missing", "wrong", "other-scheme", "longer", "empty", "no-scheme"],
)
def test_missing_or_wrong_token_is_401(emu: EmulatorProcess, number: str, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = httpx.get(f"{emu.url}/phone_numbers/{enc(number)}", headers=headers, trust_env=False)
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert TOKEN not in response.text and "wrong-token" not in response.text
    assert [(r["method"], r["status"]) for r in emu.requests()] == [("GET", 401)]


def test_bearer_scheme_is_case_insensitive(emu: EmulatorProcess, number: str) -> None:
    response = httpx.get(
        f"{emu.url}/phone_numbers/{enc(number)}", headers={"Authorization": f"bearer {TOKEN}"}, trust_env=False
    )
    assert response.status_code == 200


# -- reading numbers ------------------------------------------------------------------------


def test_get_returns_the_contract_object(http: httpx.Client, number: str) -> None:
    response = http.get(f"/phone_numbers/{enc(number)}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "uri",
        "phone_number",
        "account_id",
        "inbound_agent_id",
        "created_at",
        "updated_at",
        "telephony",
        "webhooks",
    }
    assert re.fullmatch(r"pn_[0-9a-f]+", body["id"])
    assert body["uri"] == f"/phone_numbers/{enc(number)}"
    assert (body["phone_number"], body["account_id"]) == (number, "acct_emulator")
    assert body["inbound_agent_id"] is None and body["webhooks"] == []
    for stamp in (body["created_at"], body["updated_at"]):
        assert stamp.endswith("Z")
        assert datetime.fromisoformat(stamp.replace("Z", "+00:00")).utcoffset() is not None
    telephony = body["telephony"]
    assert telephony["provider"] == "twilio"
    assert re.fullmatch(r"PN[0-9a-f]{32}", telephony["phone_number_sid"])
    assert re.fullmatch(r"AC[0-9a-f]{32}", telephony["account_sid"])
    assert telephony["auth_token"] == CARRIER
    parsed = PhoneNumber.model_validate(body)
    assert parsed.telephony is not None and parsed.telephony.auth_token == CARRIER


def test_generated_carrier_tokens_are_32_hex(emu: EmulatorProcess) -> None:
    seeded = emu.seed(new_number())
    assert re.fullmatch(r"[0-9a-f]{32}", seeded["telephony"]["auth_token"])


def test_unknown_number_is_404_naming_it(http: httpx.Client) -> None:
    response = http.get("/phone_numbers/%2B19995550000")
    assert response.status_code == 404
    assert response.json() == {"detail": "phone number +19995550000 not found in account acct_emulator"}


def test_plus_may_be_encoded_or_raw(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    encoded = http.get(f"/phone_numbers/{enc(number)}")
    raw = http.get(f"/phone_numbers/{number}")
    assert encoded.status_code == raw.status_code == 200
    assert encoded.json() == raw.json()
    logged = [(r["path"], r["phone_number"]) for r in emu.requests()]
    assert logged == [(f"/phone_numbers/{enc(number)}", number), (f"/phone_numbers/{number}", number)]


@pytest.mark.parametrize("bad", ["14155550123", "%2B0415555", "%2B1415555012x", "%2B1234567890123456"])
def test_invalid_number_in_the_path_is_422(http: httpx.Client, bad: str) -> None:
    response = http.get(f"/phone_numbers/{bad}")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["path", "phone_number"]
    assert set(error) == {"loc", "msg", "type"}


def test_listing_pages_with_index_limit_and_has_more(fresh: EmulatorProcess) -> None:
    numbers = [f"+1628555{i:04d}" for i in (6, 2, 4, 0, 5, 1, 3)]
    for n in numbers:
        fresh.seed(n)
    with client_for(fresh) as http:
        pages = [http.get("/phone_numbers", params={"index": i, "limit": 3}).json() for i in (0, 3, 6)]
        default = http.get("/phone_numbers").json()
        beyond = http.get("/phone_numbers", params={"index": 50}).json()
        too_big = http.get("/phone_numbers", params={"limit": 201})
        negative = http.get("/phone_numbers", params={"index": -1})
    assert [p["index"] for p in pages] == [0, 3, 6]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    listed = [item["phone_number"] for p in pages for item in p["items"]]
    assert listed == sorted(numbers)
    for page in pages:
        PhoneNumberPage.model_validate(page)
    assert [i["phone_number"] for i in default["items"]] == sorted(numbers) and default["has_more"] is False
    assert beyond == {"items": [], "index": 50, "has_more": False}
    assert too_big.status_code == 422 and too_big.json()["detail"][0]["loc"] == ["query", "limit"]
    assert negative.status_code == 422 and negative.json()["detail"][0]["loc"] == ["query", "index"]


def test_bulk_seed_creates_and_resets_many_numbers_in_one_call(fresh: EmulatorProcess) -> None:
    hook = {
        "events": ["phone_call:connection_requested"],
        "url": "https://hooks.example.com/a",
        "method": "get",
        "headers": {"X-Key": "v"},
        "filter": "true",
    }
    specs = [
        {"phone_number": f"+1628556{i:04d}", "inbound_agent_id": "agent_a" if i % 2 else None, "webhooks": [hook]}
        for i in range(2500)
    ]
    assert fresh.seed_many(specs, batch=1000) == 2500
    first = fresh.get_number("+16285560001")
    assert first is not None and first["inbound_agent_id"] == "agent_a"
    # Stored as sent, as the API stores a write: the method's case is the client's business.
    assert first["webhooks"] == [hook]
    # Seeding again resets the binding and keeps the number's identity.
    assert fresh.seed_many([{"phone_number": "+16285560001"}]) == 1
    again = fresh.get_number("+16285560001")
    assert again is not None and again["id"] == first["id"] and again["webhooks"] == []
    assert fresh.requests()[-1]["method"] == "GET"  # admin calls never reach the request log


def test_bulk_seed_refuses_a_bad_number_and_seeds_none(fresh: EmulatorProcess) -> None:
    with pytest.raises(EmulatorAdminError) as exc:
        fresh.seed_many([{"phone_number": "+16285570000"}, {"phone_number": "5570001"}])
    assert "422" in str(exc.value)
    assert fresh.get_number("+16285570000") is None


def test_the_api_and_the_admin_area_are_separate_modules() -> None:
    from pulumi_voiceos.emulator import admin, api
    from pulumi_voiceos.emulator.controls import Controls

    contract = {route.path for route in api.api_router(Backend(Store(":memory:"))).routes}  # type: ignore[attr-defined]
    assert contract == {"/phone_numbers/{phone_number}", "/phone_numbers"}
    controls = admin.admin_router(Backend(Store(":memory:")), Controls())
    assert all(route.path.startswith("/_emulator/") for route in controls.routes)  # type: ignore[attr-defined]


# -- PATCH ----------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    before = emu.seed(number, inbound_agent_id="agent_a", webhooks=[HOOK], auth_token=CARRIER)
    after_agent = http.patch(f"/phone_numbers/{enc(number)}", json={"inbound_agent_id": "agent_b"}).json()
    assert after_agent["inbound_agent_id"] == "agent_b" and after_agent["webhooks"] == [HOOK]

    other = {"events": [EVENT, "a:b", EVENT], "url": "https://hooks.example.com/b", "method": "get"}
    after_hooks = http.patch(f"/phone_numbers/{enc(number)}", json={"webhooks": [other]}).json()
    assert after_hooks["inbound_agent_id"] == "agent_b"
    # Stored as sent, as the API stores a write; headers left out are none.
    assert after_hooks["webhooks"] == [{**other, "headers": {}}]

    unchanged = http.patch(f"/phone_numbers/{enc(number)}", json={}).json()
    assert {k: v for k, v in unchanged.items() if k != "updated_at"} == {
        k: v for k, v in after_hooks.items() if k != "updated_at"
    }
    stamps = [before["updated_at"], after_agent["updated_at"], after_hooks["updated_at"], unchanged["updated_at"]]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    assert unchanged["created_at"] == before["created_at"] and unchanged["id"] == before["id"]
    assert unchanged["telephony"] == before["telephony"]

    cleared = http.patch(f"/phone_numbers/{enc(number)}", json={"inbound_agent_id": None, "webhooks": []}).json()
    assert cleared["inbound_agent_id"] is None and cleared["webhooks"] == []
    assert emu.get_number(number) == cleared


def test_patch_of_an_unknown_number_is_404(http: httpx.Client) -> None:
    response = http.patch("/phone_numbers/%2B19995550001", json={"inbound_agent_id": "agent_a"})
    assert response.status_code == 404
    assert "+19995550001 not found" in response.json()["detail"]


def test_unknown_agent_is_404_and_changes_nothing(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    before = emu.seed(number, inbound_agent_id="agent_a")
    response = http.patch(f"/phone_numbers/{enc(number)}", json={"inbound_agent_id": "agent_nobody", "webhooks": []})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("agent agent_nobody not found")
    assert emu.get_number(number) == before


def test_any_agent_is_accepted_while_none_is_known(fresh: EmulatorProcess) -> None:
    n = "+16505550002"
    fresh.seed(n)
    with client_for(fresh) as http:
        assert http.patch(f"/phone_numbers/{enc(n)}", json={"inbound_agent_id": "whatever"}).status_code == 200
        fresh.add_agents("agent_known")
        assert http.patch(f"/phone_numbers/{enc(n)}", json={"inbound_agent_id": "whatever"}).status_code == 404
        assert http.patch(f"/phone_numbers/{enc(n)}", json={"inbound_agent_id": "agent_known"}).status_code == 200
        assert http.patch(f"/phone_numbers/{enc(n)}", json={"inbound_agent_id": None}).status_code == 200


def test_validation_errors_name_the_field_and_never_echo_values(http: httpx.Client, number: str) -> None:
    header_secret = "SENTINEL-HEADER-VALUE-9d41"
    url_secret = "SENTINEL-URL-PART-5e7a"
    extra_secret = "SENTINEL-EXTRA-FIELD-0b3c"
    event_secret = "SENTINEL-EVENT-77c1"
    body = {
        "inbound_agent_id": 42,
        "webhooks": [
            {"events": [EVENT], "url": {"secret": url_secret}, "headers": {"X-Key": [header_secret]}},
            {"events": event_secret, "url": "https://hooks.example.com/ok", "method": 1},
            {"url": "https://hooks.example.com/no-events"},
            "not a webhook",
        ],
        "surprise": extra_secret,
    }
    response = http.patch(f"/phone_numbers/{enc(number)}", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {tuple(error["loc"]): error["type"] for error in detail} == {
        ("body", "inbound_agent_id"): "string_type",
        ("body", "webhooks", 0, "url"): "string_type",
        ("body", "webhooks", 0, "headers", "X-Key"): "string_type",
        ("body", "webhooks", 1, "events"): "list_type",
        ("body", "webhooks", 1, "method"): "string_type",
        ("body", "webhooks", 2, "events"): "missing",
        ("body", "webhooks", 3): "model_type",
        ("body", "surprise"): "extra_forbidden",
    }
    for error in detail:
        assert set(error) == {"loc", "msg", "type"}
        assert error["msg"] and error["type"]
    for secret in (header_secret, url_secret, extra_secret, event_secret):
        assert secret not in response.text
    assert http.get(f"/phone_numbers/{enc(number)}").json()["webhooks"] == []


def test_a_write_takes_what_the_api_returns_and_stores_it_as_sent(
    http: httpx.Client, emu: EmulatorProcess, number: str
) -> None:
    # What a restore writes back: a live binding exactly as the API returned it, odd values included.
    odd: list[dict[str, Any]] = [
        {"events": [], "url": "wss://hooks.example.com/stream", "method": None, "headers": None},
        {"events": ["call:ended", EVENT], "url": "ftp://x", "method": "BREW", "headers": {"X-Gone": None}},
        {"events": [EVENT], "url": "https://hooks.example.com/new", "retries": 3, "filter": None},
    ]
    patched = http.patch(f"/phone_numbers/{enc(number)}", json={"webhooks": odd})
    assert patched.status_code == 200
    # Left out, method and headers take the API's defaults; sent as null they stay null.
    assert patched.json()["webhooks"] == [odd[0], odd[1], {**odd[2], "method": "POST", "headers": {}}]
    assert http.patch(f"/phone_numbers/{enc(number)}", json={"webhooks": None}).json()["webhooks"] == []
    assert emu.peek(number)["webhooks"] == []  # type: ignore[index]


@pytest.mark.parametrize(
    ("content", "expected_type"),
    [(b"not json at all", "json_invalid"), (b"", "missing"), (b"[1, 2]", "model_type"), (b"\xff\xfe", "json_invalid")],
    ids=["garbage", "empty", "array", "not-utf8"],
)
def test_a_body_that_is_not_an_object_is_422_at_body(
    http: httpx.Client, number: str, content: bytes, expected_type: str
) -> None:
    response = http.patch(
        f"/phone_numbers/{enc(number)}", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body"], expected_type)


# -- DELETE ---------------------------------------------------------------------------------


@pytest.mark.parametrize("release", ["false", "true"])
def test_delete_removes_the_number(http: httpx.Client, emu: EmulatorProcess, number: str, release: str) -> None:
    before = http.get(f"/phone_numbers/{enc(number)}").json()
    response = http.delete(f"/phone_numbers/{enc(number)}", params={"release_phone_number": release})
    assert (response.status_code, response.json()) == (200, before)  # the number as it was
    assert http.get(f"/phone_numbers/{enc(number)}").status_code == 404
    assert http.delete(f"/phone_numbers/{enc(number)}").status_code == 404
    assert emu.get_number(number) is None


def test_remove_number_is_silent_and_idempotent(emu: EmulatorProcess, number: str) -> None:
    assert emu.remove_number(number) is True
    assert emu.remove_number(number) is False
    assert emu.requests() == []
    assert emu.get_number(number) is None


# -- faults ---------------------------------------------------------------------------------


def statuses(http: httpx.Client, path: str, times: int, method: str = "GET") -> list[int]:
    return [http.request(method, path, json={} if method == "PATCH" else None).status_code for _ in range(times)]


def test_counted_fault_fails_that_many_requests(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    emu.inject_fault(status=503, count=2)
    first = http.get(f"/phone_numbers/{enc(number)}")
    assert first.json() == {"detail": "injected fault"}
    assert "Retry-After" not in first.headers
    assert [first.status_code, *statuses(http, f"/phone_numbers/{enc(number)}", 2)] == [503, 503, 200]
    assert [r["status"] for r in emu.requests()] == [503, 503, 200]


def test_fault_sends_retry_after_when_asked(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    emu.inject_fault(status=429, retry_after=2)
    response = http.get(f"/phone_numbers/{enc(number)}")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "2")


def test_permanent_fault_lasts_until_cleared(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    emu.inject_fault(status=502, permanent=True)
    assert statuses(http, f"/phone_numbers/{enc(number)}", 6) == [502] * 6
    emu.clear_faults()
    assert statuses(http, f"/phone_numbers/{enc(number)}", 1) == [200]


def test_fault_filters_by_method_and_number(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    other = new_number()
    emu.seed(other)
    emu.inject_fault(status=500, permanent=True, method="patch", phone_number=number)
    assert statuses(http, f"/phone_numbers/{enc(number)}", 2) == [200, 200]
    assert statuses(http, f"/phone_numbers/{enc(other)}", 1, "PATCH") == [200]
    assert statuses(http, f"/phone_numbers/{enc(number)}", 2, "PATCH") == [500, 500]


def test_probability_fault_is_reproducible_with_a_seed(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    path = f"/phone_numbers/{enc(number)}"
    emu.inject_fault(status=503, probability=0.3, seed=1234)
    first = statuses(http, path, 60)
    emu.clear_faults()
    emu.inject_fault(status=503, probability=0.3, seed=1234)
    second = statuses(http, path, 60)
    assert first == second
    assert set(first) == {200, 503}
    rng = random.Random(1234)
    assert first == [503 if rng.random() < 0.3 else 200 for _ in range(60)]


def test_probability_fault_with_a_count_stops_after_that_many(
    http: httpx.Client, emu: EmulatorProcess, number: str
) -> None:
    emu.inject_fault(status=503, probability=0.5, seed=3, count=2)
    assert statuses(http, f"/phone_numbers/{enc(number)}", 40).count(503) == 2


def test_dropped_connection_is_a_transport_error(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    emu.inject_fault(drop_connection=True, count=1)
    with pytest.raises(httpx.TransportError):
        http.get(f"/phone_numbers/{enc(number)}")
    assert http.get(f"/phone_numbers/{enc(number)}").status_code == 200
    dropped, served = emu.requests()
    assert (dropped["dropped"], dropped["status"]) == (True, None)
    assert (served["dropped"], served["status"]) == (False, 200)


def test_conflicting_fault_options_are_refused(emu: EmulatorProcess) -> None:
    with pytest.raises(EmulatorAdminError):
        emu.inject_fault(count=2, permanent=True)
    with pytest.raises(EmulatorAdminError):
        emu.inject_fault(status=200)


# -- latency and rate limit -----------------------------------------------------------------


def timed(http: httpx.Client, method: str, path: str, **kwargs: Any) -> tuple[int, float]:
    started = time.monotonic()
    response = http.request(method, path, **kwargs)
    return response.status_code, time.monotonic() - started


def test_latency_delays_requests_until_cleared(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    path = f"/phone_numbers/{enc(number)}"
    emu.set_latency(300)
    status, elapsed = timed(http, "GET", path)
    assert status == 200 and elapsed >= 0.3
    emu.set_latency(300, method="PATCH")
    assert timed(http, "GET", path)[1] < 0.25
    status, elapsed = timed(http, "PATCH", path, json={})
    assert status == 200 and elapsed >= 0.3
    emu.set_latency(0)
    assert timed(http, "PATCH", path, json={})[1] < 0.25


def test_rate_limit_answers_429_with_retry_after(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    path = f"/phone_numbers/{enc(number)}"
    emu.set_rate_limit(0.5, burst=2)
    assert statuses(http, path, 2) == [200, 200]
    limited = http.get(path)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert "rate limit" in limited.json()["detail"]
    emu.set_rate_limit(0)
    assert statuses(http, path, 3) == [200, 200, 200]


def test_rate_limit_refills_over_time(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    path = f"/phone_numbers/{enc(number)}"
    # One token a second: the second request comes well within the second, and the wait outlasts it.
    emu.set_rate_limit(1, burst=1)
    assert statuses(http, path, 2) == [200, 429]
    time.sleep(1.1)
    assert statuses(http, path, 1) == [200]


def test_reset_clears_controls_but_keeps_numbers(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    emu.inject_fault(permanent=True)
    emu.set_latency(500)
    emu.set_rate_limit(0.1, burst=1)
    emu.reset()
    path = f"/phone_numbers/{enc(number)}"
    started = time.monotonic()
    assert statuses(http, path, 3) == [200, 200, 200]
    assert time.monotonic() - started < 1.0
    assert len(emu.requests()) == 3


# -- the request log ------------------------------------------------------------------------


def test_request_log_records_every_api_request_in_order(http: httpx.Client, emu: EmulatorProcess, number: str) -> None:
    http.get(f"/phone_numbers/{enc(number)}")
    http.patch(f"/phone_numbers/{enc(number)}", json={"inbound_agent_id": "agent_c"})
    http.patch(f"/phone_numbers/{enc(number)}", content=b"{oops", headers={"Content-Type": "application/json"})
    http.get("/phone_numbers", params={"limit": 2})
    httpx.get(f"{emu.url}/phone_numbers", trust_env=False)  # no token
    emu.seed(new_number())  # admin: not logged
    log = emu.requests()
    summary = [(r["seq"], r["method"], r["path"], r["phone_number"], r["status"], r["body"]) for r in log]
    assert summary == [
        (1, "GET", f"/phone_numbers/{enc(number)}", number, 200, None),
        (2, "PATCH", f"/phone_numbers/{enc(number)}", number, 200, {"inbound_agent_id": "agent_c"}),
        (3, "PATCH", f"/phone_numbers/{enc(number)}", number, 422, None),
        (4, "GET", "/phone_numbers", None, 200, None),
        (5, "GET", "/phone_numbers", None, 401, None),
    ]
    assert log[3]["query"] == "limit=2"
    times = [r["time"] for r in log]
    assert times == sorted(times) and abs(times[0] - time.time()) < 60
    assert TOKEN not in str(log)
    emu.clear_requests()
    assert emu.requests() == []
    http.get(f"/phone_numbers/{enc(number)}")
    assert [r["seq"] for r in emu.requests()] == [1]


# -- concurrency ----------------------------------------------------------------------------


def test_concurrent_patches_all_succeed_and_leave_consistent_rows(http: httpx.Client, emu: EmulatorProcess) -> None:
    numbers = [new_number() for _ in range(4)]
    for n in numbers:
        emu.seed(n)
    emu.clear_requests()
    barrier = threading.Barrier(32)

    def patch(i: int) -> tuple[int, str]:
        n = numbers[i % len(numbers)]
        body = {
            "inbound_agent_id": AGENTS[i % len(AGENTS)],
            "webhooks": [{**HOOK, "url": f"https://hooks.example.com/{i}"}],
        }
        with client_for(emu) as own:
            barrier.wait(timeout=10)
            return own.patch(f"/phone_numbers/{enc(n)}", json=body).status_code, n

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(patch, range(32)))
    assert [status for status, _ in results] == [200] * 32
    log = emu.requests()
    assert len(log) == 32 and {(r["method"], r["status"]) for r in log} == {("PATCH", 200)}
    for n in numbers:
        row = http.get(f"/phone_numbers/{enc(n)}").json()
        [hook] = row["webhooks"]
        writer = int(hook["url"].rsplit("/", 1)[1])
        # Agent and webhook come from the same request: no write was interleaved with another.
        assert numbers[writer % len(numbers)] == n
        assert row["inbound_agent_id"] == AGENTS[writer % len(AGENTS)]
        last = [r for r in log if r["phone_number"] == n][-1]
        assert last["seq"] <= 32


# -- the store on its own -------------------------------------------------------------------


def test_store_semantics(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db", account_id="acct_x")
    try:
        assert store.has_agent("anything")
        assert store.ensure("+14155550123") is True
        original = store.get("+14155550123")
        assert original is not None and original["account_id"] == "acct_x"
        store.update("+14155550123", {"inbound_agent_id": "a"})
        assert store.ensure("+14155550123") is False
        assert store.get("+14155550123")["inbound_agent_id"] == "a"  # type: ignore[index]
        reset = store.seed("+14155550123", inbound_agent_id="b", webhooks=[HOOK])
        assert (reset["id"], reset["created_at"], reset["telephony"]) == (
            original["id"],
            original["created_at"],
            original["telephony"],
        )
        assert (reset["inbound_agent_id"], reset["webhooks"]) == ("b", [HOOK])
        stamps = [store.update("+14155550123", {})["updated_at"] for _ in range(50)]  # type: ignore[index]
        assert stamps == sorted(stamps) and len(set(stamps)) == 50
        assert store.update("+19995550000", {"inbound_agent_id": "a"}) is None
        store.add_agents(["a"])
        assert not store.has_agent("anything") and store.has_agent("a")
        assert store.count() == 1 and store.delete("+14155550123") and not store.delete("+14155550123")
    finally:
        store.close()
    reopened = Store(tmp_path / "s.db", account_id="acct_x")
    try:
        assert reopened.agents() == frozenset({"a"}) and reopened.count() == 0
    finally:
        reopened.close()


def test_requests_are_answered_without_a_delayed_ack_stall(http: httpx.Client, number: str) -> None:
    # Headers and body leave in separate writes; without TCP_NODELAY on the
    # accepted sockets every response waited ~40 ms for the client's delayed ACK.
    path = f"/phone_numbers/{enc(number)}"
    http.get(path)
    durations = sorted(timed(http, "GET", path)[1] for _ in range(21))
    assert durations[10] < 0.03


def test_a_database_of_the_previous_schema_is_read_with_its_numbers_intact(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE phone_numbers (phone_number TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
            "inbound_agent_id TEXT, webhooks TEXT NOT NULL, telephony TEXT NOT NULL, "
            "created_at TEXT NOT NULL, updated_at TEXT NOT NULL); CREATE TABLE agents (id TEXT PRIMARY KEY);"
        )
        conn.execute(
            "INSERT INTO phone_numbers VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                "+14155550123",
                "pn_old",
                "agent_a",
                json.dumps([HOOK]),
                json.dumps({"provider": "twilio", "auth_token": CARRIER}),
                "2024-01-01T00:00:00.000000Z",
                "2024-01-02T00:00:00.000000Z",
            ),
        )
    conn.close()
    store = Store(path, account_id="acct_x")
    try:
        assert store.get("+14155550123") == {
            "id": "pn_old",
            "uri": "/phone_numbers/%2B14155550123",
            "phone_number": "+14155550123",
            "account_id": "acct_x",
            "inbound_agent_id": "agent_a",
            "created_at": "2024-01-01T00:00:00.000000Z",
            "updated_at": "2024-01-02T00:00:00.000000Z",
            "telephony": {"provider": "twilio", "auth_token": CARRIER},
            "webhooks": [HOOK],
        }
        assert store.update("+14155550123", {})["updated_at"] > "2024-01-02"  # type: ignore[index]
    finally:
        store.close()


# -- one backend behind the emulator and the in-memory account -------------------------------------


def test_the_in_memory_account_answers_every_request_as_the_emulator_does(fresh: EmulatorProcess) -> None:
    n = "+16505550003"
    account = InMemoryAccount(account_id="acct_emulator")
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/phone_numbers/{enc(n)}", {}),
        ("GET", "/phone_numbers/12345", {}),
        ("GET", "/phone_numbers", {"params": {"limit": 201}}),
        ("GET", "/phone_numbers", {"params": {"index": "x"}}),
        ("PATCH", f"/phone_numbers/{enc(n)}", {"json": {"webhooks": [{"events": "a", "url": 1}], "x": 1}}),
        ("PATCH", f"/phone_numbers/{enc(n)}", {"content": b"[1]"}),
        ("PATCH", f"/phone_numbers/{enc(n)}", {"content": b""}),
        ("PATCH", f"/phone_numbers/{enc(n)}", {"json": {"inbound_agent_id": "agent_nobody"}}),
        ("PATCH", f"/phone_numbers/{enc(n)}", {"json": {"webhooks": [{"events": [], "url": "wss://x", "k": 1}]}}),
        ("PATCH", f"/phone_numbers/{enc(n)}", {"json": {"inbound_agent_id": "agent_known", "webhooks": None}}),
        ("DELETE", f"/phone_numbers/{enc(n)}", {"params": {"release_phone_number": "maybe"}}),
        ("DELETE", f"/phone_numbers/{enc(n)}", {}),
        ("DELETE", f"/phone_numbers/{enc(n)}", {}),
    ]
    raw = {"id": "pn_same", "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z"}
    fresh.add_agents("agent_known")
    account.store.add_agents(["agent_known"])
    fresh.seed_raw(n, raw)
    account.seed_raw(n, raw)

    def answers(client: httpx.Client) -> list[tuple[int, Any]]:
        got = []
        for method, path, options in requests:
            response = client.request(method, path, **options)
            body = response.json() if response.content else None
            if isinstance(body, dict):
                body.pop("updated_at", None)  # the clock's, not the semantics'
            got.append((response.status_code, body))
        return got

    with client_for(fresh) as http:
        over_http = answers(http)
    with httpx.Client(base_url="https://voiceos.mocks.invalid", transport=account.transport()) as mocked:
        in_memory = answers(mocked)
    assert in_memory == over_http
    assert [status for status, _ in over_http] == [200, 422, 422, 422, 422, 422, 422, 404, 200, 200, 422, 200, 404]


def test_the_testing_docs_emulator_command_serves_its_number_and_agent_where_the_exported_settings_point(
    tmp_path: Path,
) -> None:
    """docs/testing.md's block as a user runs it, in a folder of its own: the emulator command in the
    background (its port made a free one), then the export line, then `voiceos-pulumi doctor`, which reads
    the settings as the provider does."""
    block = one_block("docs-command", "emulator", "sh")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert block.count("8787") == 2  # the emulator's port, and the URL the export points at
    block = block.replace("8787", str(port))
    [emulator_command, export] = re.sub(r"\\\n\s*", "", block).strip().splitlines()
    assert emulator_command.startswith("voiceos-emulator ") and export.startswith("export VOICEOS_API_URL=")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICEOS_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    emulator = subprocess.Popen(
        ["bash", "-c", f"exec {emulator_command}"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        assert emulator.stdout.readline() == f"{LISTENING_PREFIX}http://127.0.0.1:{port}\n"
        doctor = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", f"{export}\nvoiceos-pulumi doctor"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert f"ok   settings: API http://127.0.0.1:{port} (from VOICEOS_API_URL)" in doctor.stdout
        assert "ok   get: GET /phone_numbers/%2B14155550123 read +14155550123" in doctor.stdout
        assert "1 number listed" in doctor.stdout and "1 unbound" in doctor.stdout
        headers = {"Authorization": "Bearer dev-token"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, trust_env=False) as http:
            # --agent makes agent_support the one known agent: a PATCH naming another is a 404.
            assert (
                http.patch(f"/phone_numbers/{enc('+14155550123')}", json={"inbound_agent_id": "x"}).status_code == 404
            )
            bound = http.patch(f"/phone_numbers/{enc('+14155550123')}", json={"inbound_agent_id": "agent_support"})
            assert (bound.status_code, bound.json()["inbound_agent_id"]) == (200, "agent_support")
        assert (tmp_path / "voiceos.db").exists()
        emulator.terminate()
        emulator.communicate(timeout=10)
    finally:
        if emulator.poll() is None:
            emulator.kill()
            emulator.communicate()
    assert emulator.returncode == 0
