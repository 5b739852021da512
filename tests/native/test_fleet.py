"""The native provider's fleet hooks called as its gRPC server calls them, against the emulator.

What the native protocol adds for a fleet over the dynamic one: failures and
diffs named by their path in the map in the schema's spelling, secrets per
entry, and a failed write that tells the engine what succeeded.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckRequest,
    CreateRequest,
    DeleteRequest,
    DiffRequest,
    PropertyDiffKind,
    UpdateRequest,
)

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.native.errors import InitFailed
from pulumi_voiceos.native.fleet import FLEET_TYPE, warn_plaintext
from pulumi_voiceos.native.provider import VoiceOSProvider

from ..helpers import CARRIER_TOKEN, failure_path, native_provider
from .test_provider import pv

T = TypeVar("T")
URN = f"urn:pulumi:dev::proj::{FLEET_TYPE}::us-lines"
HEADER_SECRET = "SENTINEL-FLEET-HEADER-9d2e"
HOOK = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/fleet"}

_blocks = itertools.count(0, 10)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@pytest.fixture
def native(api: EmulatorProcess) -> VoiceOSProvider:
    return native_provider(api.url)


@pytest.fixture
def numbers(api: EmulatorProcess) -> list[str]:
    base = next(_blocks)
    seeded = [f"+1707555{base + index:04d}" for index in range(3)]
    api.seed_many([{"phone_number": n, "auth_token": CARRIER_TOKEN} for n in seeded])
    api.clear_requests()
    return seeded


def fleet_inputs(entries: dict[str, Any], **flags: Any) -> dict[str, PropertyValue]:
    bindings = {n: e if isinstance(e, PropertyValue) else pv(e) for n, e in entries.items()}
    return {"bindings": PropertyValue(bindings), **{k: pv(v) for k, v in flags.items()}}


def checked(
    native: VoiceOSProvider, inputs: dict[str, PropertyValue], olds: dict[str, PropertyValue] | None = None
) -> dict[str, PropertyValue]:
    response = run(native.check(CheckRequest(URN, olds or {}, inputs, b"")))
    assert not response.failures, [(f.property, f.reason) for f in response.failures or []]
    assert response.inputs is not None
    return response.inputs


def entry(outputs: dict[str, PropertyValue], number: str) -> PropertyValue:
    bindings = outputs["bindings"].value
    assert isinstance(bindings, Mapping)
    found = bindings[number]
    assert isinstance(found, PropertyValue)
    return found


def test_a_bad_entry_is_named_by_its_path_in_the_schemas_spelling(native: VoiceOSProvider, numbers: list[str]) -> None:
    inputs = fleet_inputs(
        {numbers[0]: {"inboundAgentId": "agent one"}, numbers[1]: {"webhooks": [{**HOOK, "url": "x"}]}}
    )
    response = run(native.check(CheckRequest(URN, {}, inputs, b"")))
    assert {failure_path(f) for f in response.failures or []} == {
        f'bindings["{numbers[0]}"].inboundAgentId',
        f'bindings["{numbers[1]}"].webhooks[0].url',
    }


def entry_header(outputs: dict[str, PropertyValue], number: str, name: str) -> PropertyValue:
    """The value of header ``name`` of the first webhook of ``number``'s entry."""
    value: Any = entry(outputs, number)
    for key in ("webhooks", 0, "headers", name):
        value = value.value[key]
    assert isinstance(value, PropertyValue)
    return value


def test_every_header_value_is_secret_on_its_own_and_the_rest_of_each_entry_reads_in_clear(
    native: VoiceOSProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    secret_hook = pv({**HOOK, "headers": pv({"Authorization": pv(HEADER_SECRET, secret=True)})})
    inputs = fleet_inputs(
        {
            numbers[0]: pv({"inboundAgentId": "agent_support", "webhooks": pv([secret_hook])}),
            numbers[1]: {"inboundAgentId": "agent_sales", "webhooks": [{**HOOK, "headers": {"X-Team": "sales"}}]},
        }
    )
    props = checked(native, inputs)
    outputs = run(native.create(CreateRequest(URN, props, 60, preview=False))).properties
    assert not entry(props, numbers[0]).is_secret and not entry(props, numbers[1]).is_secret
    assert entry_header(props, numbers[0], "Authorization").is_secret
    assert entry_header(props, numbers[1], "X-Team").is_secret  # given in plain text: secret all the same
    # The outputs keep no entry (the state keeps them once, as inputs): a record per number, in clear, and
    # its print's key, the carrier tokens, always secret.
    assert "bindings" not in outputs and not outputs["records"].is_secret
    assert HEADER_SECRET not in str(outputs["records"].value)
    assert outputs["digestKey"].is_secret and outputs["telephonyAuthTokens"].is_secret
    assert api.get_number(numbers[0])["webhooks"][0]["headers"] == {"Authorization": HEADER_SECRET}  # type: ignore[index]


def test_the_detailed_diff_names_each_changed_entry_and_field(native: VoiceOSProvider, numbers: list[str]) -> None:
    props = checked(native, fleet_inputs({n: {"inboundAgentId": "agent_support"} for n in numbers[:2]}))
    outputs = run(native.create(CreateRequest(URN, props, 60, preview=False))).properties
    news = checked(
        native,
        fleet_inputs({numbers[0]: {"inboundAgentId": "agent_sales"}, numbers[2]: {"inboundAgentId": "agent_support"}}),
        props,
    )
    diff = run(native.diff(DiffRequest(URN, "fleet", outputs, news, [])))
    assert diff.changes is True and not diff.replaces
    kinds = {path: d.kind for path, d in (diff.detailed_diff or {}).items()}
    assert kinds == {
        f'bindings["{numbers[0]}"].inboundAgentId': PropertyDiffKind.UPDATE,
        f'bindings["{numbers[1]}"]': PropertyDiffKind.DELETE,
        f'bindings["{numbers[2]}"]': PropertyDiffKind.ADD,
    }


def test_a_failed_write_tells_the_engine_what_was_recorded(
    native: VoiceOSProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    props = checked(native, fleet_inputs({n: {"inboundAgentId": "agent_support"} for n in numbers}))
    api.inject_fault(status=500, permanent=True, method="PATCH", phone_number=numbers[1])
    with pytest.raises(InitFailed) as exc:
        run(native.create(CreateRequest(URN, props, 60, preview=False)))
    assert exc.value.resource_id.startswith("fleet-")
    recorded = exc.value.properties["records"].value
    assert isinstance(recorded, Mapping) and set(recorded) == {numbers[0], numbers[2]}
    assert f"could not be bound: {numbers[1]}" in str(exc.value)
    # The engine keeps that state; the next up is an update that writes only the number that failed.
    api.clear_faults()
    api.clear_requests()
    native = native_provider(api.url)  # the next up: a new provider process
    news = checked(native, fleet_inputs({n: {"inboundAgentId": "agent_support"} for n in numbers}), props)
    run(native.update(UpdateRequest(URN, exc.value.resource_id, exc.value.properties, news, 60, [], preview=False)))
    assert [(r["method"], r["phone_number"]) for r in api.requests() if r["method"] == "PATCH"] == [
        ("PATCH", numbers[1])
    ]


def test_destroying_a_native_fleet_unbinds_its_numbers(
    native: VoiceOSProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    props = checked(native, fleet_inputs({n: {"inboundAgentId": "agent_support"} for n in numbers}))
    outputs = run(native.create(CreateRequest(URN, props, 60, preview=False))).properties
    native = native_provider(api.url)  # the next up: a new provider process
    run(native.delete(DeleteRequest(URN, "fleet", outputs, 60)))
    assert all(api.get_number(n)["inbound_agent_id"] is None for n in numbers)  # type: ignore[index]


def test_a_fleet_of_0_1_0_diffs_as_an_update_of_its_outputs_alone(native: VoiceOSProvider, numbers: list[str]) -> None:
    props = checked(native, fleet_inputs({n: {"inboundAgentId": "agent_support"} for n in numbers[:2]}))
    olds = {  # the outputs 0.1.0 recorded: the entries again, and a map of id and carrier per number
        "bindings": pv({n: {"inboundAgentId": "agent_support"} for n in numbers[:2]}),
        "numbers": pv({n: {"voiceosId": f"pn_{n[-4:]}", "provider": "twilio"} for n in numbers[:2]}),
    }
    diff = run(native.diff(DiffRequest(URN, "fleet", olds, props, [])))
    assert diff.changes is True and not diff.replaces and diff.diffs == []
    assert {path: (d.kind, d.input_diff) for path, d in (diff.detailed_diff or {}).items()} == {
        "records": (PropertyDiffKind.ADD, False)
    }


def test_header_values_given_in_plain_text_warn_once_for_the_whole_fleet(caplog: pytest.LogCaptureFixture) -> None:
    found = [(f'bindings["+1415555{i:04d}"].webhooks[0]', "X-Team") for i in range(1000)]
    with caplog.at_level(logging.WARNING, logger="pulumi_voiceos"):
        warn_plaintext("urn:pulumi:s::p::voiceos:index:PhoneNumberFleet::lines", found)
    [warned] = [r.getMessage() for r in caplog.records]
    assert warned.startswith("PhoneNumberFleet 'lines': 1000 header values are given in plain text")
    assert "bindings[\"+14155550000\"].webhooks[0] header 'X-Team'" in warned and "and 997 more" in warned
