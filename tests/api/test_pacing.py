"""The pacer against the emulator's rate limit, over real HTTP: both kinds of API (headers, 429 only)."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from benchmarks.pacing import peak_rate
from pulumi_voiceos import errors
from pulumi_voiceos.api.client import VoiceOSClient
from pulumi_voiceos.api.pacing import SUMMARY_SECONDS, Cancelled, Pacer, Slot, parse_limits
from pulumi_voiceos.core.models import PhoneNumberUpdate
from pulumi_voiceos.emulator.process import EmulatorProcess

from ..helpers import API_TOKEN, quick_settings

BIND = PhoneNumberUpdate(inbound_agent_id="agent_support")


def _seed(api: EmulatorProcess, count: int, prefix: str) -> list[str]:
    numbers = [f"+1{prefix}{i:05d}" for i in range(count)]
    api.seed_many([{"phone_number": n} for n in numbers])
    api.clear_requests()
    return numbers


def _write_all(client: VoiceOSClient, numbers: list[str], threads: int = 16) -> float:
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda n: client.update_phone_number(n, BIND), numbers))
    return time.monotonic() - started


@pytest.mark.parametrize("headers", [True, False], ids=["rate-limit-headers", "429-only"])
def test_sixteen_threads_of_writes_under_a_rate_limit_all_land_near_the_limit_with_few_refusals(
    api: EmulatorProcess, headers: bool
) -> None:
    numbers = _seed(api, 120, "628" if headers else "629")
    api.set_rate_limit(40, headers=headers)
    # Two attempts only: a 429 must not spend them while the process is making progress.
    with VoiceOSClient(quick_settings(api.url, max_attempts=2)) as client:
        took = _write_all(client, numbers)
        learnt = client.pacer.rate
    api.set_rate_limit(0)
    log = api.requests()
    refused = sum(1 for r in log if r["status"] == 429)
    assert all(api.peek(n)["inbound_agent_id"] == "agent_support" for n in numbers)  # type: ignore[index]
    assert sum(1 for r in log if r["status"] == 200) == len(numbers)
    # Once the burst is spent, every request then in flight (16 at most) is refused once; then few are.
    assert refused <= 16 + 0.05 * len(log), f"{refused} of {len(log)} refused"
    # A short run ends on a rough estimate (learnt from the gaps between refusals, which a loaded machine stretches
    # or bunches): within half the limit either way, where an unpaced client learns nothing.
    assert learnt is not None and 20 <= learnt <= 60
    # 120 writes at 40/s with a burst of 40 take 2 s at best; unpaced retries would take far longer.
    assert took < 1.5 * len(numbers) / 40


def test_the_emulator_says_its_limit_in_headers_unless_told_to_send_only_429s(
    api: EmulatorProcess, number: str
) -> None:
    path = f"{api.url}/phone_numbers/{number.replace('+', '%2B')}"
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    api.set_rate_limit(1, burst=1)
    with httpx.Client(headers=auth) as http:
        ok, refused = http.get(path), http.get(path)
        api.set_rate_limit(1, burst=1, headers=False)
        quiet_ok, quiet_refused = http.get(path), http.get(path)
    assert (ok.status_code, refused.status_code) == (200, 429)
    assert ok.headers["RateLimit-Limit"] == "1" and ok.headers["RateLimit-Remaining"] == "0"
    assert ok.headers["RateLimit-Policy"] == "1;w=1" and "X-RateLimit-Reset" in ok.headers
    assert refused.headers["Retry-After"] == "1" and refused.headers["X-RateLimit-Remaining"] == "0"
    assert (quiet_ok.status_code, quiet_refused.status_code) == (200, 429)
    assert not [h for h in (*quiet_ok.headers, *quiet_refused.headers) if "ratelimit" in h.lower()]
    assert quiet_refused.headers["Retry-After"] == "1"


def test_rate_limit_headers_are_read_in_both_forms() -> None:
    draft = parse_limits(
        {"RateLimit-Limit": "50", "RateLimit-Remaining": "7", "RateLimit-Reset": "2", "RateLimit-Policy": "50;w=1"}
    )
    assert draft is not None and (draft.rate, draft.remaining, draft.reset) == (50.0, 7.0, 2.0)
    now = time.time()
    github = parse_limits(
        {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(now) + 30)}, now=now
    )
    assert github is not None and github.remaining == 0 and github.reset is not None and 28 <= github.reset <= 30
    assert github.rate is None  # no window given: the pacer waits for the reset instead
    assert parse_limits({"Content-Type": "application/json"}) is None


def test_a_spent_quota_holds_every_request_until_its_reset(api: EmulatorProcess, number: str) -> None:
    pacer = Pacer()
    # Timed from the moment the quota is spent: the reset is counted from there, not from the request.
    started = time.monotonic()
    pacer.accepted({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"})
    with VoiceOSClient(quick_settings(api.url), pacer=pacer) as client:
        client.get_phone_number(number)
    assert time.monotonic() - started >= 0.9


def test_after_a_cancel_no_request_is_sent_and_the_caller_is_told_why(api: EmulatorProcess, number: str) -> None:
    with VoiceOSClient(quick_settings(api.url)) as client:
        client.get_phone_number(number)
        client.pacer.cancel()
        with pytest.raises(Cancelled) as exc:
            client.update_phone_number(number, BIND)
    assert "cancelled" in str(exc.value) and number in str(exc.value)
    assert [r["method"] for r in api.requests()] == ["GET"]
    assert api.peek(number)["inbound_agent_id"] is None  # type: ignore[index]


def test_an_api_that_refuses_everything_fails_after_the_time_budget_naming_the_settings(
    api: EmulatorProcess, number: str
) -> None:
    api.inject_fault(status=429, permanent=True)
    settings = quick_settings(api.url, max_attempts=2, max_retry_seconds=1.0)
    started = time.monotonic()
    with VoiceOSClient(settings) as client, pytest.raises(errors.RateLimitError) as exc:
        client.get_phone_number(number)
    message = str(exc.value)
    # Time, not attempts, bounded it: it kept trying past its two attempts until the budget ran out.
    assert len(api.requests()) > 2 and time.monotonic() - started >= 1.0
    assert "no request succeeded for 1s" in message
    assert "voiceos:maxRetrySeconds" in message and "voiceos:maxConcurrency" in message and "--parallel" in message


def test_being_paced_says_so_in_one_line_per_ten_seconds_and_never_one_per_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    pacer = Pacer(clock=lambda: now[0])
    caplog.set_level(logging.DEBUG, logger="pulumi_voiceos")
    for step in range(300):  # 30 s of answers every 0.1 s, every third one a refusal (of an old epoch)
        now[0] = step * 0.1
        if step % 3:
            pacer.accepted({})
        else:
            pacer.refused(Slot(epoch=-1, started=now[0]), {"Retry-After": "0"}, backoff=0.0)
    lines = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert 2 <= len(lines) <= 30 / SUMMARY_SECONDS
    assert all(r.levelno == logging.INFO for r in lines)
    assert "refused (429)" in lines[0].getMessage() and "requests/s" in lines[0].getMessage()


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (max(times) - min(times))


def test_a_budget_spaces_every_request_of_the_process_reads_included(api: EmulatorProcess) -> None:
    numbers = _seed(api, 40, "631")
    with VoiceOSClient(quick_settings(api.url, max_requests_per_second=20)) as client:
        client.get_phone_number(numbers[0])
        _write_all(client, numbers)
    times = [r["time"] for r in api.requests()]
    assert len(times) == 41
    # Starts are 1/20 s apart; answers may arrive bunched on a loaded machine, hence the slack.
    assert _rate(times) <= 1.05 * 20 and peak_rate(times, 2.0) <= 1.5 * 20


def test_a_share_of_the_advertised_limit_leaves_the_rest_of_it_to_others(api: EmulatorProcess) -> None:
    numbers = _seed(api, 60, "632")
    api.set_rate_limit(40)
    with VoiceOSClient(quick_settings(api.url, rate_limit_share=0.5)) as client:
        _write_all(client, numbers)
        learnt = client.pacer.rate
    api.set_rate_limit(0)
    log = api.requests()
    assert learnt is not None and learnt <= 0.5 * 40
    assert not [r for r in log if r["status"] == 429]
    # Past the burst (half of the quota: the other half is left), it sends at half the limit.
    later = [r["time"] for r in log[20:]]
    assert _rate(later) <= 1.05 * 0.5 * 40


@pytest.mark.parametrize("headers", [True, False], ids=["rate-limit-headers", "429-only"])
def test_three_pacers_sharing_one_limit_each_have_few_requests_refused(api: EmulatorProcess, headers: bool) -> None:
    shares = [_seed(api, 80, f"63{3 + i}") for i in range(3)]
    api.set_rate_limit(60, headers=headers)
    clients = [VoiceOSClient(quick_settings(api.url, max_attempts=2)) for _ in shares]
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(_write_all, clients, shares))
    api.set_rate_limit(0)
    for client in clients:
        client.close()
        totals = client.pacer.totals
        # Each pacer is told of the others only by the API: its refusals, its headers.
        assert totals["refused"] <= 16 + 0.05 * totals["sent"], totals
    assert all(api.peek(n)["inbound_agent_id"] == "agent_support" for s in shares for n in s)  # type: ignore[index]
