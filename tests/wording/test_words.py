"""The text of every reason the rules give, as each adapter spells it: what to do, and never a header value."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from pulumi_voiceos.core import reasons
from pulumi_voiceos.core.models import UNBOUND, Binding, Webhook
from pulumi_voiceos.dynamic.wording import PYTHON
from pulumi_voiceos.native.wording import SCHEMA
from pulumi_voiceos.wording import Wording

N = "+14155550123"
SECRET = "SENTINEL-HEADER-VALUE-c0ffee"
HOOK = Webhook(events=["phone_call:connection_requested"], url="https://hooks.example.com/ours")
THEIR_HOOK = Webhook(
    events=["phone_call:connection_requested"], url="https://hooks.example.com/theirs", headers={"X-Key": SECRET}
)
OURS = Binding.from_properties("agent_support", [HOOK])
THEIRS = Binding.from_properties("agent_billing", [THEIR_HOOK])

EVERY_REASON: list[reasons.Reason] = [
    reasons.NotInAccount(N),
    reasons.UndeclarableAdoption(N, THEIRS, "a webhook with no events"),
    reasons.UndeclarableImport(N, THEIRS, "a webhook with no events"),
    reasons.ImportDiffers(N, THEIRS, OURS),
    reasons.Conflict(N, THEIRS, OURS),
    reasons.FleetRefused(((N, reasons.Conflict(N, THEIRS, OURS)), ("+14155550124", reasons.NotInAccount("+1")))),
    reasons.Overwrite(N, THEIRS),
    reasons.FleetOverwrites(((N, THEIRS),)),
    reasons.Takeover(N, THEIRS),
    reasons.FleetTakeovers(((N, THEIRS),)),
    reasons.TakeoverIfAllowed(N, THEIRS),
    reasons.AdoptIfMatching(N, THEIRS, ("inbound_agent_id", "allow_overwrite"), "replaces"),
    reasons.NumberNotKnown(),
    reasons.NoLongerInAccount(N),
    reasons.LeftWhileUnbinding(N),
    reasons.ChangedSince(N, THEIRS, OURS),
    reasons.Restoring(N, THEIRS),
    reasons.HandedOver(N),
    reasons.RestoreMemoryLost(N, THEIRS),
    reasons.PlaintextHeader("PhoneNumberBinding 'support'", (("webhooks[0]", "Authorization"),)),
    reasons.PlaintextHeader(
        "PhoneNumberFleet 'lines'", tuple((f'bindings["+1415555010{i}"].webhooks[0]', "X-Team") for i in range(5))
    ),
]


def test_every_kind_of_reason_has_a_text() -> None:
    kinds = set(typing.get_args(reasons.Reason))
    assert {type(reason) for reason in EVERY_REASON} == kinds
    assert all(dataclasses.is_dataclass(kind) for kind in kinds)


@pytest.mark.parametrize("wording", [PYTHON, SCHEMA], ids=["python", "schema"])
@pytest.mark.parametrize("reason", EVERY_REASON, ids=lambda r: type(r).__name__)
def test_every_text_names_its_number_and_never_a_header_value(wording: Wording, reason: reasons.Reason) -> None:
    text = wording(reason)
    assert SECRET not in text
    if hasattr(reason, "number") or hasattr(reason, "refusals") or hasattr(reason, "found"):
        assert N in text


def test_a_refusal_of_someone_elses_binding_names_every_way_out() -> None:
    message = PYTHON(reasons.Conflict(N, THEIRS, OURS))
    for words in ("agent_billing", "https://hooks.example.com/theirs", "aliases=", "import_=", "allow_overwrite=True"):
        assert words in message


def test_the_schema_wording_spells_the_options_as_a_yaml_program_does() -> None:
    refused = SCHEMA(reasons.Conflict(N, THEIRS, OURS))
    assert "allowOverwrite: true" in refused and "aliases" in refused and "inboundAgentId='agent_billing'" in refused
    assert "pulumi import voiceos:index:PhoneNumberBinding" in refused
    assert "previousInboundAgentId" in SCHEMA(reasons.Takeover(N, THEIRS))


def test_a_takeover_names_what_it_replaces_and_where_it_is_kept() -> None:
    notice = PYTHON(reasons.Takeover(N, THEIRS))
    for words in (N, "agent_billing", "https://hooks.example.com/theirs", "previous_inbound_agent_id", "restore"):
        assert words in notice


def test_an_outcome_that_waits_on_unknowns_names_them_as_the_program_spells_them() -> None:
    reason = reasons.AdoptIfMatching(N, THEIRS, ("inbound_agent_id", "allow_overwrite"), "fails")
    assert "inbound_agent_id, allow_overwrite (not known until `up`)" in PYTHON(reason)
    assert "inboundAgentId, allowOverwrite (not known until `up`)" in SCHEMA(reason)
    assert "adopts it" in PYTHON(reason) and "fails" in PYTHON(reason)


def test_a_fleet_refusal_words_each_entry_as_a_binding_refusal() -> None:
    refused = reasons.FleetRefused(((N, reasons.Conflict(N, THEIRS, OURS)),))
    text = PYTHON(refused)
    assert text.startswith("1 numbers of the fleet are refused, and nothing was written: ")
    assert PYTHON(reasons.Conflict(N, THEIRS, OURS)) in text


def test_a_delete_that_leaves_someone_elses_binding_says_how_to_take_it_over() -> None:
    text = PYTHON(reasons.ChangedSince(N, THEIRS, OURS))
    assert "--refresh" in text and N in text
    assert PYTHON(reasons.Restoring(N, UNBOUND)).startswith(f"restoring the binding {N} had before")
