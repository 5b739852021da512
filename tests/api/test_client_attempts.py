"""``VoiceOSClient(on_attempt=...)``: every try of every request is reported, with its answer and its time."""

from __future__ import annotations

import socket

import pytest

from pulumi_voiceos import errors
from pulumi_voiceos.api.client import Attempt, VoiceOSClient
from pulumi_voiceos.emulator.process import EmulatorProcess

from ..helpers import quick_settings


def test_each_try_is_reported_with_its_status_its_decoded_path_and_its_time(api: EmulatorProcess, number: str) -> None:
    api.inject_fault(status=503, count=1, method="GET", phone_number=number)  # only our read meets it
    attempts: list[Attempt] = []
    with VoiceOSClient(quick_settings(api.url), on_attempt=attempts.append) as client:
        client.get_phone_number(number)
    assert [(a.method, a.path) for a in attempts] == [("GET", f"/phone_numbers/{number}")] * 2
    assert [a.response.status_code if a.response else None for a in attempts] == [503, 200]
    assert all(a.seconds > 0 and a.error is None for a in attempts)


def test_a_page_of_the_listing_comes_back_as_the_api_answered_it(api: EmulatorProcess, number: str) -> None:
    with VoiceOSClient(quick_settings(api.url)) as client:
        response = client.fetch_page(0, page_size=1)
    assert response.status_code == 200
    assert set(response.json()) >= {"items", "index", "has_more"}


def test_a_try_that_gets_no_answer_is_reported_with_the_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: each connection is refused
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        attempts: list[Attempt] = []
        with (
            VoiceOSClient(quick_settings(url, max_attempts=2), on_attempt=attempts.append) as client,
            pytest.raises(errors.TransportError),
        ):
            client.fetch_page(0)
    assert len(attempts) == 2
    assert all(a.response is None and type(a.error).__name__ == "ConnectError" for a in attempts)
