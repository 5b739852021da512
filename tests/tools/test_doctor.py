"""`voiceos-pulumi doctor` against the emulator over real HTTP: what it checks, when it fails, what it never prints."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.tools import doctor
from pulumi_voiceos.tools.cli import main as cli_main

from ..odd_data import CARRIER_SECRET, HEADER_SECRET, ODD_NUMBERS, UNDECLARABLE, seed_odd_account

TOKEN = "SENTINEL-DOCTOR-TOKEN-6a1f0c"
WRONG_TOKEN = "SENTINEL-DOCTOR-WRONG-TOKEN-b3d2"
ORDINARY = [f"+1415555{i:04d}" for i in range(7)]


@pytest.fixture(scope="module")
def account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """Seven ordinary numbers (three bound) and every kind of odd data."""
    db = tmp_path_factory.mktemp("doctor") / "voiceos.db"
    with EmulatorProcess(db_path=db, token=TOKEN, agents=["agent_a", "agent_b"]) as emulator:
        emulator.seed_many(
            [{"phone_number": n, "inbound_agent_id": "agent_a" if i % 2 else None} for i, n in enumerate(ORDINARY)]
        )
        seed_odd_account(emulator)
        yield emulator


@pytest.fixture
def api(account: EmulatorProcess) -> EmulatorProcess:
    account.reset()
    return account


def environ(url: str, token: str | None = TOKEN, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICEOS_")}
    env["VOICEOS_API_URL"] = url
    if token is not None:
        env["VOICEOS_API_TOKEN"] = token
    return {**env, **extra}


def run_doctor(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    lines: list[str] = []
    page_size, census = 200, True
    if "--page-size" in args:
        page_size = int(args[args.index("--page-size") + 1])
    if "--no-census" in args:
        census = False
    code = doctor.run(page_size, census, lines.append, env)
    return code, lines


def line_of(lines: list[str], check: str) -> str:
    found = [line for line in lines if line[5:].startswith(f"{check}:")]
    assert len(found) == 1, f"no single {check!r} line in:\n" + "\n".join(lines)
    return found[0]


def test_a_healthy_account_passes_every_check_with_gets_only_and_the_verdict_says_ready(api: EmulatorProcess) -> None:
    code, lines = run_doctor(environ(api.url), "--page-size", "4")
    text = "\n".join(lines)
    assert code == 0, text
    for check in ("settings", "reach", "authentication", "listing", "paging", "get", "latency", "rate limits"):
        assert line_of(lines, check).startswith("ok   "), text
    assert "page 1 holds 4 numbers (index 0, limit 4, has_more true)" in line_of(lines, "listing")
    assert "page 2 at index 4 holds 4 numbers" in line_of(lines, "paging")
    assert f"read {ORDINARY[0]}" in line_of(lines, "get")
    assert lines[-1] == "verdict: ready, everything the provider needs works"
    requests = api.requests()
    # Page 1 and 2 of the probe, one GET, then the census's 4 pages of the 16 numbers.
    assert {r["method"] for r in requests} == {"GET"}
    assert len(requests) == 2 + 1 + 4
    assert "7 requests" in line_of(lines, "latency")


def test_the_census_names_each_number_no_program_can_declare_and_why_and_counts_the_rest(
    api: EmulatorProcess,
) -> None:
    code, lines = run_doctor(environ(api.url))
    assert code == 0
    census = line_of(lines, "census")
    total = len(ORDINARY) + len(ODD_NUMBERS)
    declarable = 3 + len(ODD_NUMBERS) - len(UNDECLARABLE)
    assert census.startswith("note ")
    assert f"{total} numbers listed" in census
    assert f"{declarable} bound as a program can declare, 4 unbound, {len(UNDECLARABLE)} whose live binding" in census
    details = lines[lines.index(census) + 1 :]
    named = {line.split()[0].rstrip(":") for line in details if line.strip().startswith("+")}
    assert named == set(UNDECLARABLE)
    why = {line.split()[0].rstrip(":"): line for line in details if line.strip().startswith("+")}
    assert "webhooks[0].method" in why["+15550100001"]
    assert "webhooks[0].events: must list at least one event" in why["+15550100002"]
    assert "'CallStarted' is not an event name" in why["+15550100003"]
    assert "'wss:'" in why["+15550100004"]
    assert "webhooks[0].headers.X-Empty" in why["+15550100005"]
    assert any(
        "numbers by field: webhooks[].events 2, webhooks[].headers 1, webhooks[].method 1, webhooks[].url 1" in line
        for line in details
    )


def test_no_token_fails_the_settings_check_saying_what_to_export(api: EmulatorProcess) -> None:
    code, lines = run_doctor(environ(api.url, token=None))
    assert code == 1
    assert lines[0].startswith("FAIL settings: no API token: export VOICEOS_API_TOKEN=<token>")
    assert lines[-1].startswith("verdict: not ready, the settings check failed")
    assert api.requests() == []


def test_plain_http_to_another_host_fails_the_settings_check_before_any_request() -> None:
    code, lines = run_doctor(environ("http://api.example.com"))
    assert code == 1
    assert "FAIL settings:" in lines[0] and "plain http to a non-loopback host" in lines[0]


def test_an_unreachable_url_fails_the_reach_check_naming_the_url() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: the connection is refused
        code, lines = run_doctor(environ(f"http://127.0.0.1:{port}"))
    assert code == 1
    assert line_of(lines, "reach").startswith(
        f"FAIL reach: GET /phone_numbers?index=0&limit=200: cannot reach http://127.0.0.1:{port}"
    )
    assert "ConnectError" in line_of(lines, "reach")
    assert lines[-1].startswith("verdict: not ready, the reach check failed")


def test_a_refused_token_fails_authentication_with_the_status_and_the_fix(api: EmulatorProcess) -> None:
    code, lines = run_doctor(environ(api.url, token=WRONG_TOKEN))
    assert code == 1
    assert line_of(lines, "reach").startswith("ok   ")
    assert line_of(lines, "authentication").startswith(
        "FAIL authentication: the API refused the token (401 Unauthorized); check VOICEOS_API_TOKEN"
    )
    assert not any(line[5:].startswith("listing:") for line in lines)


def test_a_listing_that_keeps_failing_fails_the_listing_check_after_the_providers_retries(api: EmulatorProcess) -> None:
    api.inject_fault(status=503, permanent=True, method="GET")
    code, lines = run_doctor(environ(api.url, VOICEOS_MAX_ATTEMPTS="2"))
    assert code == 1
    assert line_of(lines, "listing").startswith(
        "FAIL listing: GET /phone_numbers?index=0&limit=200 answered 503 Service Unavailable"
    )
    assert len(api.requests()) == 2


def test_a_listed_number_whose_get_fails_fails_the_get_check(api: EmulatorProcess) -> None:
    api.inject_fault(status=404, permanent=True, phone_number=ORDINARY[0])
    code, lines = run_doctor(environ(api.url), "--no-census")
    assert code == 1
    assert line_of(lines, "get").startswith(f"FAIL get: {ORDINARY[0]} is listed but could not be read: GET")
    assert not any(line[5:].startswith("census:") for line in lines)


def test_a_body_that_is_not_json_fails_the_listing_check_asking_whether_the_url_is_the_api(tmp_path: Path) -> None:
    page = tmp_path / "phone_numbers"
    page.write_text("<html>a web page</html>")
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        announced = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (...)"
        port = int(announced.split(" port ")[1].split()[0])
        code, lines = run_doctor(environ(f"http://127.0.0.1:{port}"))
    finally:
        server.terminate()
        server.wait()
    assert code == 1
    assert "answered 200 with a body that is not JSON" in line_of(lines, "listing")
    assert "is VOICEOS_API_URL the VoiceOS API?" in line_of(lines, "listing")


@pytest.mark.parametrize("headers", [True, False], ids=["rate-limit-headers", "only-retry-after"])
def test_rate_limited_answers_are_reported_and_retried_and_the_account_still_passes(
    api: EmulatorProcess, headers: bool
) -> None:
    api.set_rate_limit(per_second=4, burst=2, headers=headers)
    code, lines = run_doctor(environ(api.url), "--page-size", "4")
    assert code == 0, "\n".join(lines)
    limits = line_of(lines, "rate limits")
    # Headers are listed in one fixed order, whichever answer carried each first.
    if headers:
        # Doctor's requests go through the provider's client, which paces itself by these headers: no 429.
        assert limits.startswith("ok   rate limits: headers seen: RateLimit-Policy (not a plain number), ")
        assert "RateLimit-Limit 2, RateLimit-Remaining " in limits and "X-RateLimit-Limit 2" in limits
        assert "; no 429; " in limits and "turn, paced as the provider paces" in limits
    else:
        assert limits.startswith("note rate limits: headers seen: Retry-After 1")
        assert "RateLimit-Limit" not in limits
        assert "429 (rate limited), retried as the provider retries" in limits
    assert lines[-1] == "verdict: ready, everything the provider needs works"


def test_the_command_line_prints_no_secret_in_any_outcome(api: EmulatorProcess) -> None:
    """The token, the wrong token, a carrier auth token and a header value, over every kind of run."""
    outputs = []
    for env, args in (
        (environ(api.url), ["--page-size", "3"]),
        (environ(api.url, token=WRONG_TOKEN), []),
        (environ(api.url, VOICEOS_MAX_ATTEMPTS="1"), []),
    ):
        if env.get("VOICEOS_MAX_ATTEMPTS") == "1":
            api.inject_fault(status=500, count=1, method="GET", skip=2)  # the census's page
        run = subprocess.run(
            [sys.executable, "-m", "pulumi_voiceos", "doctor", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        outputs.append((run.returncode, run.stdout + run.stderr))
    assert [code for code, _ in outputs] == [0, 1, 1], outputs
    everything = "\n".join(text for _, text in outputs)
    assert "census:" in outputs[0][1] and "authentication:" in outputs[1][1] and "FAIL census" in outputs[2][1]
    for secret in (TOKEN, WRONG_TOKEN, CARRIER_SECRET, HEADER_SECRET, "Bearer "):
        assert secret not in everything


def test_the_page_size_is_refused_outside_what_the_api_allows(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli_main(["doctor", "--page-size", "201"])
    assert exited.value.code == 2
    assert "201 is outside 1 to 200, the limits the API allows" in capsys.readouterr().err


class _HeaderedAPI(http.server.BaseHTTPRequestHandler):
    """An API that sends the rate-limit headers the emulator does not: one number, and a listing
    without ``index`` (which the contract asks for)."""

    NUMBER: ClassVar[dict[str, Any]] = {
        "id": "pn_1",
        "phone_number": "+14155550100",
        "inbound_agent_id": "agent_a",
        "webhooks": [],
    }

    def do_GET(self) -> None:
        body = self.NUMBER if self.path.startswith("/phone_numbers/") else {"items": [self.NUMBER], "has_more": False}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("RateLimit-Limit", "100")
        self.send_header("RateLimit-Remaining", "97")
        self.send_header("X-RateLimit-Reset", f"reset-at {WRONG_TOKEN}")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


def test_rate_limit_headers_are_named_with_their_values_only_when_plain_numbers_and_contract_gaps_noted() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HeaderedAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        code, lines = run_doctor(environ(f"http://127.0.0.1:{server.server_address[1]}"))
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0, "\n".join(lines)
    assert line_of(lines, "rate limits") == (
        "ok   rate limits: headers seen: RateLimit-Limit 100, RateLimit-Remaining 97, "
        "X-RateLimit-Reset (not a plain number); no 429"
    )
    assert line_of(lines, "listing").startswith("note listing: page 1 holds 1 number (index 0, limit 200")
    assert "'index' is null, not the 0 asked for" in line_of(lines, "listing")
    assert WRONG_TOKEN not in "\n".join(lines)
