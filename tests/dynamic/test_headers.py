"""The dynamic resources keep header values in a property of their own, so ``webhooks`` need not be secret.

The hooks join them back for the engine layer and split what it returns; a stack recorded before the split
(headers inside ``webhooks``) diffs as unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_voiceos.core.checks import UNKNOWN, Failure, engine_failure
from pulumi_voiceos.dynamic import headers
from pulumi_voiceos.dynamic.fleet import PhoneNumberFleetProvider
from pulumi_voiceos.dynamic.provider import PhoneNumberBindingProvider
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.engine import fleet

from ..helpers import dynamic_provider

SECRET = "SENTINEL-DYNAMIC-HEADER-5c5c"
HOOK: dict[str, Any] = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/a"}
WITH_HEADERS: dict[str, Any] = {**HOOK, "method": "POST", "headers": {"Authorization": SECRET}}


def test_split_then_join_gives_back_the_bag_for_a_binding_and_a_fleet() -> None:
    binding = {"phone_number": "+14155550101", "webhooks": [WITH_HEADERS, {**HOOK, "method": "GET", "headers": {}}]}
    split = headers.split(binding)
    assert split["webhooks"] == [{**HOOK, "method": "POST"}, {**HOOK, "method": "GET"}]
    assert split[headers.HEADERS] == [{"Authorization": SECRET}, {}]
    assert headers.join(split) == binding
    fleet = {"bindings": {"+14155550101": {"webhooks": [WITH_HEADERS]}, "+14155550102": {"inbound_agent_id": "a"}}}
    split_fleet = headers.split_fleet(fleet)
    assert split_fleet[headers.FLEET_HEADERS] == {"+14155550101": [{"Authorization": SECRET}]}
    assert SECRET not in str(split_fleet["bindings"])
    assert headers.join_fleet(split_fleet) == fleet


def test_a_binding_checked_keeps_header_values_only_in_webhook_headers(api: EmulatorProcess) -> None:
    provider = dynamic_provider(PhoneNumberBindingProvider, api.url)
    news = {"phone_number": "+14155550101", "webhooks": [HOOK], headers.HEADERS: [{"Authorization": SECRET}]}
    result = provider.check({"phone_number": "+14155550101"}, news)
    assert result.failures == []
    assert SECRET not in str(result.inputs["webhooks"])
    assert result.inputs[headers.HEADERS] == [{"Authorization": SECRET}]


def test_state_recorded_with_headers_inside_webhooks_diffs_as_unchanged_against_the_split_inputs(
    api: EmulatorProcess,
) -> None:
    provider = dynamic_provider(PhoneNumberBindingProvider, api.url)
    recorded = {"phone_number": "+14155550101", "inbound_agent_id": None, "webhooks": [WITH_HEADERS]}
    news = {"phone_number": "+14155550101", "webhooks": [HOOK], headers.HEADERS: [{"Authorization": SECRET}]}
    assert provider.diff("+14155550101", recorded, news).changes is False
    changed = {**news, headers.HEADERS: [{"Authorization": "rotated"}]}
    assert provider.diff("+14155550101", recorded, changed).changes is True


def test_a_fleet_recorded_with_headers_inside_its_entries_changes_no_entry_and_only_rewrites_its_outputs(
    api: EmulatorProcess,
) -> None:
    recorded = {"bindings": {"+14155550101": {"webhooks": [WITH_HEADERS]}}, "allow_overwrite": False}
    news = {
        "bindings": {"+14155550101": {"webhooks": [{**HOOK, "method": "POST"}]}},
        headers.FLEET_HEADERS: {"+14155550101": [{"Authorization": SECRET}]},
    }
    plan = fleet.diff(headers.join_fleet(recorded), headers.join_fleet(news))
    assert (plan.added, plan.removed, plan.changed, plan.flags) == ((), (), {}, ())
    assert plan.rewrite  # 0.1.0's outputs: the next up rewrites them, writing nothing to VoiceOS
    provider = dynamic_provider(PhoneNumberFleetProvider, api.url)
    assert provider.diff("fleet", recorded, news).changes is True


def test_plaintext_headers_are_named_by_webhook_and_header_never_by_value() -> None:
    found = headers.plaintext_headers([{"X-Team": SECRET}, {}, {"Authorization": object()}])
    assert found == [("webhooks[0]", "X-Team")]


def test_a_nested_failure_goes_into_the_reason_and_a_top_level_one_keeps_its_property() -> None:
    assert engine_failure(Failure("webhooks[0].url", "has 'ftp:'")) == ("", "webhooks[0].url has 'ftp:'")
    assert engine_failure(Failure('bindings["+1"].webhooks', "x")) == ("", 'bindings["+1"].webhooks x')
    assert engine_failure(Failure("phone_number", "is required")) == ("phone_number", "is required")


def test_header_values_not_known_until_up_pass_the_check_and_the_rest_is_still_checked(api: EmulatorProcess) -> None:
    assert headers.WIRE_UNKNOWN == UNKNOWN
    provider = dynamic_provider(PhoneNumberBindingProvider, api.url)
    news = {"phone_number": "+14155550101", "webhooks": [HOOK], headers.HEADERS: UNKNOWN}
    assert provider.check({"phone_number": "+14155550101"}, news).failures == []
    bad = {**news, "webhooks": [{**HOOK, "url": "ftp://x"}]}
    [failure] = provider.check({"phone_number": "+14155550101"}, bad).failures
    assert failure.reason.startswith("webhooks[0].url has 'ftp:'")


@pytest.mark.parametrize(
    ("ignored", "also"),
    [
        (["webhooks"], ["webhook_headers"]),
        (["webhooks[0]"], ["webhook_headers[0]"]),
        (['webhooks[1].headers["X-Key"]'], ['webhook_headers[1]["X-Key"]']),
        (["webhooks[0].url"], []),
        (["bindings"], ["binding_headers"]),
        (['bindings["+14155550101"].webhooks'], ['binding_headers["+14155550101"]']),
        (['bindings["+14155550101"].webhooks[2].headers'], ['binding_headers["+14155550101"][2]']),
        (['bindings["+14155550101"].inbound_agent_id'], []),
    ],
)
def test_ignore_changes_on_webhooks_also_ignores_their_header_values_kept_apart(
    ignored: list[str], also: list[str]
) -> None:
    assert headers.ignoring_headers_too(ignored) == ignored + also
