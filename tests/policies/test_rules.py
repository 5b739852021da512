"""The voiceos-policies rules on plain properties, as each provider's resources reach a policy pack."""

from __future__ import annotations

from typing import Any

from pulumi_voiceos.policies import rules
from pulumi_voiceos.policies.rules import Secret, read_resource

N1, N2 = "+14155550101", "+442071838750"
HOOK = {"events": ["phone_call:connection_requested"], "url": "https://h.example.com/x"}


def binding(**props: Any) -> rules.VoiceOSResource:
    found = read_resource("voiceos:index:PhoneNumberBinding", {"phoneNumber": N1, **props})
    assert found is not None
    return found


def fleet(bindings: Any, **props: Any) -> rules.VoiceOSResource:
    found = read_resource("pulumi-python:dynamic/voiceos:PhoneNumberFleet", {"bindings": bindings, **props})
    assert found is not None
    return found


def test_both_providers_types_and_the_generic_dynamic_type_are_read_and_other_resources_are_not() -> None:
    dynamic = {"__provider": "pickled", "phone_number": N1, "inbound_agent_id": "a"}
    assert read_resource("pulumi-python:dynamic:Resource", dynamic) == rules.VoiceOSResource(
        "PhoneNumberBinding", (rules.Entry(N1, "", "a", None, False),), False
    )
    generic_fleet = read_resource("pulumi-python:dynamic:Resource", {"__provider": "p", "bindings": {N1: {}}})
    assert generic_fleet is not None and generic_fleet.kind == "PhoneNumberFleet"
    native_fleet = read_resource("voiceos:index:PhoneNumberFleet", {"bindings": {N1: {"inboundAgentId": "a"}}})
    assert native_fleet is not None and native_fleet.entries[0].agent == "a"
    assert read_resource("pulumi-python:dynamic:Resource", {"phone_number": N1, "webhooks": []}) is not None
    assert read_resource("pulumi-python:dynamic:Resource", {"__provider": "p", "size": 1}) is None
    assert read_resource("pulumi-python:dynamic:Resource", {"phone_number": N1, "size": 1}) is None
    assert read_resource("aws:s3/bucket:Bucket", {"phoneNumber": N1}) is None


def test_a_webhook_that_is_not_https_or_wss_is_named_with_its_number_and_path() -> None:
    hooks = [HOOK, {**HOOK, "url": "http://h.example.com/x"}, {**HOOK, "url": "wss://h.example.com/x"}]
    assert rules.insecure_webhooks(binding(webhooks=hooks)) == [
        f"{N1}: webhooks[1].url has 'http:'; a webhook URL must be absolute and start with https:// (or wss://)"
    ]
    assert rules.insecure_webhooks(binding(webhooks=hooks), ("https",))[1].startswith(f"{N1}: webhooks[2].url")


def test_a_fleet_is_checked_entry_by_entry_naming_the_number() -> None:
    bad = {"webhooks": [{**HOOK, "url": "ftp://h.example.com"}], "inbound_agent_id": "b"}
    found = fleet({N1: {"webhooks": [HOOK]}, N2: bad})
    assert rules.insecure_webhooks(found) == [
        f"{N2}: bindings[\"{N2}\"].webhooks[0].url has 'ftp:'; a webhook URL must be absolute and start with "
        "https:// (or wss://)"
    ]
    assert rules.agents_not_allowed(found, ["a"]) == [
        f"{N2}: bindings[\"{N2}\"].inbound_agent_id 'b' is not an allowed agent (a); use one of them or add it "
        "to the pack's config"
    ]
    assert rules.numbers_outside_prefixes(found, ["+1415"]) == [f"{N2}: is under none of the allowed prefixes (+1415)"]


def test_a_header_is_secret_when_it_or_anything_holding_it_is_and_a_plain_one_is_named_never_shown() -> None:
    def plain_headers(webhooks: Any) -> list[str]:
        return rules.plaintext_headers(binding(webhooks=webhooks))

    assert plain_headers(Secret([{**HOOK, "headers": {"A": "v"}}])) == []  # a dynamic resource's whole list
    assert plain_headers([{**HOOK, "headers": {"A": Secret("v")}}]) == []  # YAML's secret config, nested
    assert plain_headers([Secret({**HOOK, "headers": {"A": "v"}})]) == []
    assert plain_headers([{**HOOK, "headers": Secret({"A": "v"})}]) == []
    found = plain_headers([{**HOOK, "headers": {"A": Secret("v"), "X-Key": "sentinel-value"}}])
    assert len(found) == 1 and "webhooks[0].headers['X-Key'] is in plain text" in found[0]
    assert "sentinel-value" not in found[0]
    assert rules.plaintext_headers(fleet(Secret({N1: {"webhooks": [{**HOOK, "headers": {"A": "v"}}]}}))) == []
    in_fleet = rules.plaintext_headers(fleet({N1: {"webhooks": [{**HOOK, "headers": {"A": "v"}}]}}))
    assert in_fleet[0].startswith(f"{N1}: bindings[\"{N1}\"].webhooks[0].headers['A']")


def test_values_not_known_until_another_resource_is_created_never_violate() -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    found = binding(inboundAgentId=unknown, webhooks=[{**HOOK, "url": unknown, "headers": {"A": unknown}}])
    assert rules.insecure_webhooks(found) == rules.plaintext_headers(found) == rules.agents_not_allowed(found, []) == []


def test_a_fleet_above_its_ceiling_and_an_overwrite_without_the_reviewer_tag_are_violations() -> None:
    three = fleet({N1: {}, N2: {}, "+14155550102": {}}, allow_overwrite=True)
    assert rules.fleet_too_large(three, 3) == []
    assert rules.fleet_too_large(three, 2) == ["the fleet has 3 numbers; the limit is 2: split it, or raise maxNumbers"]
    assert rules.fleet_too_large(binding(), 0) == []
    assert rules.overwrite_without_reviewer(three, {"reviewer": "alice"}, "reviewer") == []
    assert rules.overwrite_without_reviewer(binding(allowOverwrite=False), {}, "reviewer") == []
    (message,) = rules.overwrite_without_reviewer(binding(allowOverwrite=True), {"reviewer": " "}, "reviewer")
    assert N1 in message and "pulumi stack tag set reviewer <reviewer>" in message
