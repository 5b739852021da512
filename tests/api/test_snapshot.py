"""Reads served from one listing of the account, asserted on the emulator's request log."""

from __future__ import annotations

import math
import threading
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_voiceos.api.snapshot import listed_now
from pulumi_voiceos.core.models import PhoneNumber
from pulumi_voiceos.dynamic.provider import PhoneNumberBindingProvider
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.engine.deployment import Deployment
from pulumi_voiceos.errors import ServerError

from ..helpers import API_TOKEN

HOOK: dict[str, Any] = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/s"}


def listings(api: EmulatorProcess) -> list[dict[str, Any]]:
    return [r for r in api.requests() if r["path"] == "/phone_numbers"]


def gets(api: EmulatorProcess) -> list[str]:
    return [r["phone_number"] for r in api.requests() if r["method"] == "GET" and r["phone_number"]]


def pages_for(api: EmulatorProcess) -> int:
    return max(1, math.ceil(api.number_count() / 200))


@pytest.fixture
def bound(api: EmulatorProcess) -> list[str]:
    numbers = [f"+1628777{i:04d}" for i in range(6)]
    api.seed_many([{"phone_number": n, "inbound_agent_id": "agent_support", "webhooks": [HOOK]} for n in numbers])
    api.clear_requests()
    return numbers


def state(number: str) -> dict[str, Any]:
    return {"phone_number": number, "inbound_agent_id": "agent_support", "webhooks": [HOOK]}


def test_reads_are_served_from_one_listing(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, bound: list[str]
) -> None:
    results = [provider.read(n, state(n)) for n in bound]
    assert [r.id for r in results] == bound
    assert all(r.outs and r.outs["inbound_agent_id"] == "agent_support" for r in results)
    assert gets(api) == []
    assert len(listings(api)) == pages_for(api)
    assert {r["query"].split("&")[-1] for r in listings(api)} == {"limit=200"}


def test_a_number_added_after_the_listing_is_read_with_its_own_get(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, bound: list[str]
) -> None:
    provider.read(bound[0], state(bound[0]))
    api.seed("+16287779999", inbound_agent_id="agent_sales")
    api.clear_requests()
    read = provider.read("+16287779999", state("+16287779999"))
    assert read.id == "+16287779999" and read.outs and read.outs["inbound_agent_id"] == "agent_sales"
    assert gets(api) == ["+16287779999"] and listings(api) == []


def test_a_number_missing_from_the_listing_is_gone_only_on_a_404_of_its_get(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, bound: list[str]
) -> None:
    api.remove_number(bound[1])
    assert provider.read(bound[1], state(bound[1])).id == ""
    assert [(r["method"], r["status"]) for r in api.requests() if r["phone_number"]] == [("GET", 404)]


def test_a_read_after_a_write_of_the_same_process_sees_the_write(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, bound: list[str]
) -> None:
    provider.read(bound[2], state(bound[2]))  # the listing now holds agent_support
    outs = provider.update(bound[2], state(bound[2]), {**state(bound[2]), "inbound_agent_id": "agent_sales"}).outs
    assert outs is not None
    api.seed(bound[2], inbound_agent_id="agent_billing", webhooks=[HOOK])  # and someone changes it again
    api.clear_requests()
    read = provider.read(bound[2], outs)
    assert read.outs and read.outs["inbound_agent_id"] == "agent_billing"
    assert gets(api) == [bound[2]] and listings(api) == []


def test_a_listing_that_fails_midway_falls_back_to_gets(api: EmulatorProcess, bound: list[str]) -> None:
    api.seed_many([{"phone_number": f"+1628778{i:04d}"} for i in range(250)])  # at least two pages
    provider = PhoneNumberBindingProvider(Deployment())
    config = {"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": api.url, "voiceos:maxAttempts": "2"}
    provider.configure(ConfigureRequest(Config(config, "test-project")))
    api.clear_requests()
    api.inject_fault(status=500, method="GET", skip=1, count=2)  # page 2 and its retry
    read = provider.read(bound[3], state(bound[3]))
    assert read.id == bound[3]
    statuses = [(r["path"] == "/phone_numbers", r["status"]) for r in api.requests()]
    assert statuses == [(True, 200), (True, 500), (True, 500), (False, 200)]
    api.clear_requests()
    provider.read(bound[4], state(bound[4]))
    assert gets(api) == [bound[4]]  # no second listing after a failed one


def test_concurrent_first_reads_wait_for_one_listing(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, bound: list[str]
) -> None:
    api.set_latency(300)
    barrier = threading.Barrier(4)
    found: list[str] = []

    def read(number: str) -> None:
        barrier.wait()
        found.append(str(provider.read(number, state(number)).id))

    threads = [threading.Thread(target=read, args=(n,)) for n in bound[:4]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    api.set_latency(0)
    assert sorted(found) == sorted(bound[:4])
    assert gets(api) == [] and len(listings(api)) == pages_for(api)


# -- the listing a release reads ---------------------------------------------------------------------


def _paged(numbers: list[str], size: int, read: list[int]) -> Any:
    """Pages of ``size`` numbers, counting in ``read`` how many were asked for."""
    for start in range(0, len(numbers), size):
        read.append(start)
        yield [PhoneNumber(id=f"id-{n}", phone_number=n) for n in numbers[start : start + size]]


def test_a_release_listing_reads_pages_until_it_has_seen_every_number_it_lets_go_of() -> None:
    account = [f"+1628888{i:04d}" for i in range(100)]
    read: list[int] = []
    found = listed_now(_paged(account, 10, read), account[30:50])
    assert sorted(found) == account[30:50] and len(read) == 5


def test_a_release_listing_stops_once_a_get_of_each_unseen_number_costs_no_more_than_the_pages() -> None:
    account = [f"+1628888{i:04d}" for i in range(100)]
    read: list[int] = []
    # Four numbers, two of the last page: after the first page, two GETs cost no more than more pages would.
    found = listed_now(_paged(account, 10, read), [account[0], account[1], account[98], account[99]])
    assert sorted(found) == account[:2] and len(read) == 1


def test_one_number_to_let_go_of_reads_no_listing_but_its_own_get() -> None:
    read: list[int] = []
    assert listed_now(_paged(["+16288880000"], 10, read), ["+16288880000"]) == {} and read == []


def test_a_release_listing_that_fails_keeps_what_it_saw_and_leaves_the_rest_to_their_own_gets() -> None:
    account = [f"+1628888{i:04d}" for i in range(30)]

    def failing() -> Any:
        yield [PhoneNumber(id=f"id-{n}", phone_number=n) for n in account[:10]]
        raise ServerError("down", status_code=503, operation="GET /phone_numbers")

    assert sorted(listed_now(failing(), account)) == account[:10]
