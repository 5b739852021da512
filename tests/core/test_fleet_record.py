"""What a fleet records of each number: a keyed print of its binding, and its id and carrier in one string."""

from __future__ import annotations

from typing import Any

from pulumi_voiceos.core.fleet_record import FleetRecord
from pulumi_voiceos.core.models import Binding, BindingPrint

KEY = bytes(range(16))
HOOK: dict[str, Any] = {
    "events": ["phone_call:connection_requested"],
    "url": "https://hooks.example.com/a",
    "method": "POST",
}


def printed(agent: str | None, *webhooks: dict[str, Any], key: bytes = KEY) -> BindingPrint:
    return BindingPrint.of(Binding.from_properties(agent, list(webhooks)), key)


def test_a_print_names_exactly_the_fields_that_differ() -> None:
    recorded = printed("agent_support", HOOK)
    assert recorded.differing_fields(Binding.from_properties("agent_support", [HOOK])) == ()
    assert recorded.differing_fields(Binding.from_properties("agent_sales", [HOOK])) == ("inbound_agent_id",)
    other = {**HOOK, "url": "https://hooks.example.com/b"}
    assert recorded.differing_fields(Binding.from_properties("agent_support", [other])) == ("webhooks",)
    assert recorded.differing_fields(Binding()) == ("inbound_agent_id", "webhooks")


def test_a_print_compares_as_bindings_do_events_as_a_set_and_the_methods_case() -> None:
    live = {**HOOK, "method": "post", "events": ["phone_call:connection_requested"] * 2, "headers": None}
    assert printed("a", HOOK).differing_fields(Binding.from_properties("a", [live])) == ()


def test_a_changed_header_value_changes_the_print_which_holds_no_header_value() -> None:
    secret = "SENTINEL-PRINT-HEADER-71c2"
    one = printed(None, {**HOOK, "headers": {"Authorization": secret}})
    two = printed(None, {**HOOK, "headers": {"Authorization": secret + "x"}})
    assert one.differing_fields(two) == ("webhooks",)
    assert secret not in one.text() and one.fields_set() == {"webhooks"}


def test_the_print_is_keyed_so_another_fleet_prints_the_same_binding_otherwise() -> None:
    assert printed("a", HOOK).text() != printed("a", HOOK, key=b"another key 1234").text()


def test_a_print_merged_after_a_patch_takes_the_sent_fields_from_live_and_keeps_the_others() -> None:
    recorded = printed("agent_support", HOOK)
    live = Binding.from_properties("agent_sales", [{**HOOK, "url": "https://out-of-band.example.com"}])
    merged = recorded.merged(live, ["inbound_agent_id"])
    assert merged.inbound_agent_id == BindingPrint.of(live, KEY).inbound_agent_id
    assert merged.webhooks == recorded.webhooks


def test_a_print_that_cannot_be_read_is_none_and_a_readable_one_comes_back_equal() -> None:
    recorded = printed("a", HOOK)
    assert BindingPrint.parse(recorded.text(), KEY) == recorded
    assert BindingPrint.parse("garbage", KEY) is None and BindingPrint.parse(None, KEY) is None


def test_a_record_round_trips_whatever_the_api_returned_even_the_separator() -> None:
    record = FleetRecord("abc.-", "pn_1|2%", "twilio", None, "AC 9")
    assert FleetRecord.parse(record.text()) == record
    assert record.text() == "abc.-|pn_1%7C2%25|twilio||AC%209"


def test_a_record_edited_by_hand_reads_what_it_can() -> None:
    assert FleetRecord.parse("abc.def|pn_1") == FleetRecord("abc.def", "pn_1")
    assert FleetRecord.parse(None) == FleetRecord("")
