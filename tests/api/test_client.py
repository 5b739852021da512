"""The client against the emulator over real HTTP: errors, retries, encoding, secrecy."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pulumi_voiceos import errors
from pulumi_voiceos.api.client import VoiceOSClient
from pulumi_voiceos.core.config import Settings
from pulumi_voiceos.core.models import PhoneNumberUpdate, Webhook
from pulumi_voiceos.emulator.process import EmulatorProcess

from ..helpers import API_TOKEN, CARRIER_TOKEN, quick_settings


def assert_no_token(exc: BaseException) -> None:
    for text in (str(exc), repr(exc), repr(exc.args)):
        assert API_TOKEN not in text
        assert CARRIER_TOKEN not in text


def api_calls(api: EmulatorProcess) -> list[tuple[str, str, int]]:
    return [(r["method"], r["path"], r["status"]) for r in api.requests()]


def test_get_returns_the_documented_object(client: VoiceOSClient, number: str) -> None:
    got = client.get_phone_number(number)
    assert got.phone_number == number
    assert got.telephony is not None and got.telephony.provider == "twilio"
    assert got.telephony.auth_token == CARRIER_TOKEN
    assert CARRIER_TOKEN not in repr(got)


def test_path_is_percent_encoded(client: VoiceOSClient, api: EmulatorProcess, number: str) -> None:
    client.get_phone_number(number)
    [(method, path, status)] = api_calls(api)
    assert (method, status) == ("GET", 200)
    assert path == "/phone_numbers/%2B" + number[1:]


def test_update_changes_only_what_is_sent(client: VoiceOSClient, api: EmulatorProcess, number: str) -> None:
    hook = Webhook(events=["phone_call:connection_requested"], url="https://hooks.example.com/a")
    client.update_phone_number(number, PhoneNumberUpdate(inbound_agent_id="agent_support", webhooks=[hook]))
    after = client.update_phone_number(number, PhoneNumberUpdate(inbound_agent_id="agent_sales"))
    assert after.inbound_agent_id == "agent_sales"
    assert [w.url for w in after.webhooks] == ["https://hooks.example.com/a"]
    assert api.requests()[-1]["body"] == {"inbound_agent_id": "agent_sales"}


def test_list_pages_through_every_number(client: VoiceOSClient, api: EmulatorProcess) -> None:
    seeded = {f"+1628555{i:04d}" for i in range(7)}
    for n in seeded:
        api.seed(n)
    api.clear_requests()
    listed = {n.phone_number for n in client.list_phone_numbers(page_size=3)}
    assert seeded <= listed
    pages = [r for r in api.requests() if r["path"] == "/phone_numbers"]
    assert len(pages) >= 3


def test_wrong_token_is_an_authentication_error_with_a_hint(api: EmulatorProcess, number: str) -> None:
    with VoiceOSClient(Settings(api.url, "not-the-token")) as bad, pytest.raises(errors.AuthenticationError) as exc:
        bad.get_phone_number(number)
    assert exc.value.status_code == 401
    assert "voiceos:apiToken" in str(exc.value) and "VOICEOS_API_TOKEN" in str(exc.value)
    assert "not-the-token" not in str(exc.value)
    assert len(api.requests()) == 1  # authentication is not retried


def test_unknown_number_is_not_found_and_names_it(client: VoiceOSClient) -> None:
    with pytest.raises(errors.NotFoundError) as exc:
        client.get_phone_number("+19995550000")
    assert "+19995550000" in str(exc.value)
    assert exc.value.status_code == 404


def test_unknown_agent_is_not_found(client: VoiceOSClient, number: str) -> None:
    with pytest.raises(errors.NotFoundError) as exc:
        client.update_phone_number(number, PhoneNumberUpdate(inbound_agent_id="agent_nobody"))
    assert "agent" in str(exc.value)


def test_validation_errors_render_field_paths_without_values(client: VoiceOSClient, number: str) -> None:
    # A URL that is not a string: a write the API itself cannot store (a scheme it leaves to clients).
    bad_hook = Webhook.model_construct(
        events=["phone_call:connection_requested"],
        url=8080,
        method="POST",
        headers={"X-Key": CARRIER_TOKEN},
        filter=None,
    )
    with pytest.raises(errors.RequestValidationError) as exc:
        client.update_phone_number(number, PhoneNumberUpdate.model_construct(webhooks=[bad_hook]))
    assert "webhooks[0].url:" in str(exc.value)
    assert exc.value.status_code == 422
    assert_no_token(exc.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_transient_statuses_are_retried_until_success(
    client: VoiceOSClient, api: EmulatorProcess, number: str, status: int
) -> None:
    api.inject_fault(status=status, count=2)
    assert client.get_phone_number(number).phone_number == number
    assert [c[2] for c in api_calls(api)] == [status, status, 200]


def test_dropped_connections_are_retried(client: VoiceOSClient, api: EmulatorProcess, number: str) -> None:
    api.inject_fault(status=500, count=2, drop_connection=True)
    assert client.get_phone_number(number).phone_number == number
    assert len(api.requests()) == 3


def test_retries_stop_at_the_bound_with_a_clear_error(api: EmulatorProcess, number: str) -> None:
    api.inject_fault(status=503, permanent=True)
    with VoiceOSClient(quick_settings(api.url, max_attempts=3)) as c, pytest.raises(errors.ServerError) as exc:
        c.update_phone_number(number, PhoneNumberUpdate(inbound_agent_id="agent_support"))
    assert len(api.requests()) == 3
    message = str(exc.value)
    assert number in message and "503" in message and "after 3 attempts" in message
    assert exc.value.attempts == 3
    assert_no_token(exc.value)


def test_retry_after_is_honoured(client: VoiceOSClient, api: EmulatorProcess, number: str) -> None:
    api.inject_fault(status=429, count=1, retry_after=1)
    started = time.monotonic()
    client.get_phone_number(number)
    assert time.monotonic() - started >= 1.0
    first, second = api.requests()
    assert first["status"] == 429 and second["status"] == 200
    assert second["time"] - first["time"] >= 1.0


def test_retry_after_beyond_the_budget_gives_up_at_once(api: EmulatorProcess, number: str) -> None:
    api.inject_fault(status=429, count=1, retry_after=30)
    started = time.monotonic()
    settings = Settings(api.url, API_TOKEN, max_retry_seconds=5)
    with VoiceOSClient(settings) as c, pytest.raises(errors.RateLimitError) as exc:
        c.get_phone_number(number)
    assert time.monotonic() - started < 3
    assert "--parallel" in str(exc.value)


def test_slow_api_times_out_then_retries(api: EmulatorProcess, number: str) -> None:
    api.set_latency(800)
    settings = quick_settings(api.url, max_attempts=2, request_timeout=0.2, connect_timeout=0.2)
    with VoiceOSClient(settings) as c:
        with pytest.raises(errors.RequestTimeoutError) as exc:
            c.get_phone_number(number)
        assert exc.value.attempts == 2
        assert "timeout" in str(exc.value)
        assert_no_token(exc.value)
        api.set_latency(0)
        assert c.get_phone_number(number).phone_number == number


def test_unreachable_api_is_a_transport_error(number: str) -> None:
    unreachable = quick_settings("http://127.0.0.1:9", max_attempts=2)
    with VoiceOSClient(unreachable) as c, pytest.raises(errors.TransportError) as exc:
        c.get_phone_number(number)
    assert "could not reach" in str(exc.value) and "gave up after 2 attempts" in str(exc.value)
    assert_no_token(exc.value)


def test_client_repr_hides_the_token(client: VoiceOSClient) -> None:
    assert API_TOKEN not in repr(client)


class _Canned:
    """A transport that answers every request with one canned response: the API
    never sends these, so they cannot come from the emulator."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self.status, self.body, self.content_type = status, body, content_type

    def __call__(self, request: Any) -> Any:
        import httpx

        return httpx.Response(self.status, content=self.body, headers={"Content-Type": self.content_type})


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        (200, b"<html>proxy login</html>", "text/html", "not JSON"),
        (200, b'{"phone_number": "+14155550123"}', "application/json", "id: Field required"),
        (200, b'{"id": 5, "phone_number": []}', "application/json", "does not match the VoiceOS contract"),
        (502, b"<html>Bad gateway</html>", "text/html", "502"),
    ],
)
def test_responses_the_api_should_never_send(status: int, body: bytes, content_type: str, expected: str) -> None:
    import httpx

    transport = httpx.MockTransport(_Canned(status, body, content_type))
    client = VoiceOSClient(quick_settings("https://api.example.invalid", max_attempts=2), transport=transport)
    with client, pytest.raises(errors.VoiceOSError) as exc:
        client.get_phone_number("+14155550123")
    assert expected in str(exc.value)
    assert "+14155550123" in str(exc.value)
    assert_no_token(exc.value)
