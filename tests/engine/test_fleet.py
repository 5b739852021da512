"""A fleet's hooks called as the dynamic-provider server calls them, against the emulator.

Each entry must follow a binding's rules (tests/dynamic/test_provider.py holds a
binding to them): the guard and adoption when it is added, a PATCH of the
changed fields when it changes, an unbind (or restore) of only what is still the
fleet's own when it is removed, and hand-over through the deployment's claims.
The request log shows that reads come from one listing and writes only where
something changes. tests/e2e/test_fleet.py drives the same through the engine.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_voiceos import errors
from pulumi_voiceos.core import checks
from pulumi_voiceos.core.checks import UNKNOWN
from pulumi_voiceos.dynamic import fleet as dynamic_fleet
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.engine import fleet

from ..helpers import CARRIER_TOKEN, dynamic_provider, failure_path, fleet_knows, fleet_records

HOOK: dict[str, Any] = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/fleet"}
THEIRS: dict[str, Any] = {"inbound_agent_id": "agent_billing"}


@pytest.fixture
def provider(api: EmulatorProcess) -> dynamic_fleet.PhoneNumberFleetProvider:
    return dynamic_provider(dynamic_fleet.PhoneNumberFleetProvider, api.url)


_blocks = itertools.count(0, 10)


@pytest.fixture
def numbers(api: EmulatorProcess) -> list[str]:
    """Five numbers in the account, unbound (the session's emulator holds others too)."""
    base = next(_blocks)
    seeded = [f"+1650555{base + index:04d}" for index in range(5)]
    api.seed_many([{"phone_number": n, "auth_token": CARRIER_TOKEN} for n in seeded])
    api.clear_requests()
    return seeded


def entries(numbers: list[str], agent: str = "agent_support", **extra: Any) -> dict[str, Any]:
    return {n: {"inbound_agent_id": agent, **extra} for n in numbers}


class Recorded(dict[str, Any]):
    """A fleet's outputs, with the inputs the engine keeps beside them in the state (``inputs``): a check is
    given those as its olds, the other hooks the outputs."""

    inputs: dict[str, Any]


def checked(
    provider: dynamic_fleet.PhoneNumberFleetProvider, news: dict[str, Any], olds: dict[str, Any] | None = None
) -> dict[str, Any]:
    result = provider.check(getattr(olds, "inputs", olds) or {}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return result.inputs


def calls(api: EmulatorProcess) -> list[tuple[str, str | None]]:
    return [(r["method"], r["phone_number"]) for r in api.requests()]


def listing(api: EmulatorProcess) -> list[tuple[str, str | None]]:
    return [("GET", None)] * -(-api.number_count() // 200)


def live(api: EmulatorProcess, number: str) -> tuple[str | None, list[str]]:
    got = api.get_number(number)
    assert got is not None
    return got["inbound_agent_id"], [w["url"] for w in got["webhooks"]]


def next_deployment(api: EmulatorProcess) -> dynamic_fleet.PhoneNumberFleetProvider:
    """What the engine does between two commands: a new provider process, with no claims."""
    return dynamic_provider(dynamic_fleet.PhoneNumberFleetProvider, api.url)


def created(provider: dynamic_fleet.PhoneNumberFleetProvider, news: dict[str, Any]) -> Recorded:
    props = checked(provider, news)
    recorded = Recorded(outs_of(provider.create(props).outs))
    recorded.inputs = props
    return recorded


def outs_of(outs: dict[str, Any] | None) -> dict[str, Any]:
    assert outs is not None
    return outs


# -- check ------------------------------------------------------------------------------------------


def test_every_entry_is_checked_as_a_binding_is_with_its_path_in_the_map(
    provider: dynamic_fleet.PhoneNumberFleetProvider, numbers: list[str]
) -> None:
    bad = {
        numbers[0]: {"inbound_agent_id": "agent one"},
        numbers[1]: {"webhooks": [{**HOOK, "url": "ftp://x"}]},
        "+1415": {"inbound_agent_id": "a"},
        numbers[2]: {"agent": "x"},
    }
    found = {failure_path(f): f.reason for f in provider.check({}, {"bindings": bad}).failures}
    assert set(found) == {
        f'bindings["{numbers[0]}"].inbound_agent_id',
        f'bindings["{numbers[1]}"].webhooks[0].url',
        'bindings["+1415"]',
        f'bindings["{numbers[2]}"].agent',
    }
    assert "E.164" in found['bindings["+1415"]'] and "https://" in found[f'bindings["{numbers[1]}"].webhooks[0].url']


def test_a_fleet_bigger_than_its_grpc_messages_allow_fails_the_check_with_the_limit_and_reads_nothing(
    provider: dynamic_fleet.PhoneNumberFleetProvider,
    api: EmulatorProcess,
    numbers: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 64 MiB of bindings is some 300,000 entries; the rule is the same at any limit, so the test lowers it.
    declared = entries(numbers, webhooks=[HOOK])
    monkeypatch.setattr(checks, "MAX_FLEET_BYTES", 2**20 // 2)
    assert provider.check({}, {"bindings": declared}).failures == []
    api.clear_requests()
    monkeypatch.setattr(checks, "MAX_FLEET_BYTES", 100)
    [failure] = provider.check({}, {"bindings": declared}).failures
    assert failure_path(failure) == "bindings"
    assert "more than a fleet takes" in failure.reason and "400 MiB" in failure.reason
    assert "split the numbers over several PhoneNumberFleet resources" in failure.reason
    assert api.requests() == []  # refused before the account is read


def test_a_new_entry_for_a_number_bound_elsewhere_fails_the_check_naming_it(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    api.seed(numbers[1], **THEIRS)
    api.clear_requests()
    result = provider.check({}, {"bindings": entries(numbers)})
    [failure] = result.failures
    assert failure_path(failure) == f'bindings["{numbers[1]}"]'
    assert "already bound to inbound_agent_id='agent_billing'" in failure.reason and "allow_overwrite" in failure.reason
    assert calls(api) == listing(api)


def test_a_check_that_adds_no_entry_reads_nothing(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    olds = {"bindings": entries(numbers)}
    assert provider.check(olds, {"bindings": entries(numbers, "agent_sales")}).failures == []
    assert api.requests() == []


def test_takeovers_of_a_fleet_are_announced_in_one_warning(
    provider: dynamic_fleet.PhoneNumberFleetProvider,
    api: EmulatorProcess,
    numbers: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    for n in numbers[:2]:
        api.seed(n, **THEIRS)
    assert provider.check({}, {"bindings": entries(numbers), "allow_overwrite": True}).failures == []
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "replaces the bindings of 2 numbers" in warning and numbers[0] in warning and numbers[1] in warning


def test_a_check_claims_every_number_of_the_fleet_for_the_deployment(
    provider: dynamic_fleet.PhoneNumberFleetProvider, numbers: list[str]
) -> None:
    checked(provider, {"bindings": entries(numbers)})
    assert all(n in provider.deployment.claims for n in numbers)


def test_an_entry_not_known_until_up_passes_the_check(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    news = {"bindings": {**entries(numbers[:1]), numbers[1]: {"inbound_agent_id": UNKNOWN}}}
    assert provider.check({}, news).failures == []


def test_an_entry_that_changes_to_an_sdk_unknown_is_checked_as_unknown_and_the_others_stay_as_they_were(
    provider: dynamic_fleet.PhoneNumberFleetProvider, numbers: list[str]
) -> None:
    olds = checked(provider, {"bindings": entries(numbers)})
    news = {"bindings": {**entries(numbers[:4]), numbers[4]: {"inbound_agent_id": Unknown()}}}  # type: ignore[no-untyped-call]
    result = provider.check(olds, news)
    assert result.failures == []
    assert result.inputs["bindings"][numbers[4]] == {"inbound_agent_id": UNKNOWN}
    assert {n: result.inputs["bindings"][n] for n in numbers[:4]} == {n: olds["bindings"][n] for n in numbers[:4]}


# -- create -----------------------------------------------------------------------------------------


def test_create_lists_the_account_once_and_writes_each_number_once(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers, webhooks=[HOOK])})
    assert sorted(calls(api)) == sorted([*listing(api), *[("PATCH", n) for n in numbers]])
    for n in numbers:
        assert live(api, n) == ("agent_support", [HOOK["url"]])
        assert fleet_knows(outs, n, api.get_number(n))
        record = fleet_records(outs)[n]
        assert record.provider == "twilio" and record.voiceos_id == (api.get_number(n) or {})["id"]
        assert outs["telephony_auth_tokens"][n] == CARRIER_TOKEN
    assert outs["previous"] is None


def test_create_adopts_numbers_already_bound_as_declared_without_a_write(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    api.seed(numbers[0], inbound_agent_id="agent_support")
    api.clear_requests()
    created(provider, {"bindings": entries(numbers)})
    assert ("PATCH", numbers[0]) not in calls(api)
    assert calls(api).count(("PATCH", numbers[1])) == 1


def test_create_refuses_the_whole_fleet_before_any_write_when_an_entry_is_bound_elsewhere(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    props = checked(provider, {"bindings": entries(numbers)})  # the pull request's preview: all free
    api.seed(numbers[3], **THEIRS)  # someone binds one before the up after the merge
    provider = next_deployment(api)
    api.clear_requests()
    with pytest.raises(errors.BindingConflictError) as exc:
        provider.create(props)
    assert numbers[3] in str(exc.value) and "nothing was written" in str(exc.value)
    assert [m for m, _ in calls(api) if m == "PATCH"] == []
    assert calls(api).count(("GET", numbers[3])) == 1  # the listing showed it bound elsewhere: a fresh GET
    assert live(api, numbers[3]) == ("agent_billing", [])


def test_create_with_allow_overwrite_keeps_what_it_replaced_for_restore(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    api.seed(numbers[0], **THEIRS)
    outs = created(provider, {"bindings": entries(numbers), "allow_overwrite": True, "on_delete": "restore"})
    assert outs["previous"] == {numbers[0]: {"inbound_agent_id": "agent_billing"}}
    provider = next_deployment(api)
    provider.delete("fleet", outs)
    assert live(api, numbers[0]) == ("agent_billing", [])
    assert all(live(api, n) == (None, []) for n in numbers[1:])


def test_an_adopt_entry_that_differs_from_the_live_binding_is_refused(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    api.seed(numbers[0], **THEIRS)
    result = provider.check({}, {"bindings": {numbers[0]: {"inbound_agent_id": "agent_support", "adopt": True}}})
    [failure] = result.failures
    assert "cannot import" in failure.reason


def test_a_write_that_fails_names_the_number_and_the_fleet_is_not_half_recorded(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    props = checked(provider, {"bindings": entries(numbers)})
    api.inject_fault(status=500, permanent=True, method="PATCH", phone_number=numbers[2])
    with pytest.raises(fleet.FleetPartialFailure) as exc:
        provider.create(props)
    message = str(exc.value)
    assert f"1 of 5 numbers could not be bound: {numbers[2]}" in message and "500" in message
    assert numbers[2] not in exc.value.outputs["records"]
    assert set(exc.value.outputs["records"]) == set(numbers) - {numbers[2]}
    # The fault cleared, the same create runs again: it adopts what was written and writes the rest.
    api.clear_faults()
    api.clear_requests()
    provider = next_deployment(api)
    provider.create(props)
    assert [c for c in calls(api) if c[0] == "PATCH"] == [("PATCH", numbers[2])]


# -- update -----------------------------------------------------------------------------------------


def test_an_update_sends_one_patch_of_the_changed_field_per_changed_entry(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers, webhooks=[HOOK])})
    news = checked(
        provider,
        {
            "bindings": {
                **entries(numbers, webhooks=[HOOK]),
                numbers[1]: {"inbound_agent_id": "agent_sales", "webhooks": [HOOK]},
            }
        },
        outs,
    )
    api.clear_requests()
    updated = outs_of(provider.update("fleet", outs, news).outs)
    assert [(r["method"], r["phone_number"], r["body"]) for r in api.requests()] == [
        ("PATCH", numbers[1], {"inbound_agent_id": "agent_sales"})
    ]
    assert fleet_knows(updated, numbers[1], api.get_number(numbers[1]))
    assert live(api, numbers[1]) == ("agent_sales", [HOOK["url"]])


def test_removing_entries_unbinds_them_and_leaves_alone_one_someone_rebound(
    provider: dynamic_fleet.PhoneNumberFleetProvider,
    api: EmulatorProcess,
    numbers: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    outs = created(provider, {"bindings": entries(numbers)})
    provider = next_deployment(api)
    api.seed(numbers[4], **THEIRS)  # re-bound in the dashboard since
    news = checked(provider, {"bindings": entries(numbers[:2])}, outs)
    api.clear_requests()
    updated = outs_of(provider.update("fleet", outs, news).outs)
    patched = sorted(str(n) for m, n in calls(api) if m == "PATCH")
    assert patched == sorted(numbers[2:4])
    assert all(live(api, n) == (None, []) for n in numbers[2:4])
    assert live(api, numbers[4]) == ("agent_billing", [])
    assert set(updated["records"]) == set(numbers[:2])
    assert any(f"left {numbers[4]} as it is" in r.getMessage() for r in caplog.records)


def test_a_removed_entry_that_another_resource_of_the_deployment_declares_is_handed_over(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers)})
    provider = next_deployment(api)
    news = checked(provider, {"bindings": entries(numbers[:4])}, outs)
    provider.deployment.claims.claim(numbers[4])  # a PhoneNumberBinding of the same up declares it
    api.clear_requests()
    provider.update("fleet", outs, news)
    assert api.requests() == []
    assert live(api, numbers[4]) == ("agent_support", [])


def test_a_change_of_allow_overwrite_or_on_delete_alone_sends_nothing(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers)})
    news = checked(provider, {"bindings": entries(numbers), "on_delete": "restore"}, outs)
    assert provider.diff("fleet", outs, news).changes is True
    api.clear_requests()
    updated = outs_of(provider.update("fleet", outs, news).outs)
    assert api.requests() == [] and updated["on_delete"] == "restore"


def test_an_unchanged_fleet_diffs_clean_and_free(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers, webhooks=[HOOK])})
    news = checked(provider, {"bindings": entries(numbers, webhooks=[{**HOOK, "method": "post"}])}, outs)
    api.clear_requests()
    assert provider.diff("fleet", outs, news).changes is False
    assert api.requests() == []


# -- read and delete --------------------------------------------------------------------------------


def test_a_refresh_reads_the_fleet_from_one_listing_and_records_drift(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers)})
    provider = next_deployment(api)
    api.seed(numbers[0], **THEIRS)
    api.clear_requests()
    found = provider.read("fleet", outs)
    found_outs = outs_of(found.outs)
    assert calls(api) == listing(api)
    assert fleet_knows(found_outs, numbers[0], {"inbound_agent_id": "agent_billing"})
    assert found.inputs is not None and found.inputs["bindings"][numbers[0]] == {"inbound_agent_id": "agent_billing"}
    # The next up puts back exactly the drifted number.
    news = checked(provider, {"bindings": entries(numbers)}, found.inputs)
    api.clear_requests()
    provider.update("fleet", found_outs, news)
    assert [c for c in calls(api) if c[0] == "PATCH"] == [("PATCH", numbers[0])]


def test_a_refresh_without_drift_returns_no_inputs(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers)})
    provider = next_deployment(api)
    assert provider.read("fleet", outs).inputs is None


def test_destroy_unbinds_each_number_still_bound_as_recorded(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers)})
    provider = next_deployment(api)
    api.clear_requests()
    provider.delete("fleet", outs)
    assert sorted(str(n) for m, n in calls(api) if m == "PATCH") == sorted(numbers)
    assert all(live(api, n) == (None, []) for n in numbers)


def test_a_fleet_cannot_be_imported_and_says_what_to_do_instead(
    provider: dynamic_fleet.PhoneNumberFleetProvider,
) -> None:
    with pytest.raises(errors.ConfigurationError) as exc:
        provider.read("fleet-1", {})
    assert "adopt: true" in str(exc.value)


def test_the_fleet_keeps_the_carrier_tokens_and_what_it_took_over_secret() -> None:
    assert fleet.SECRET_FLEET_OUTPUTS == ("digest_key", "telephony_auth_tokens", "previous")
    assert set(fleet.SECRET_FLEET_OUTPUTS) <= set(fleet.FLEET_OUTPUT_NAMES)


def test_destroy_decides_on_a_listing_read_at_release_time_and_gets_at_most_one_number_more_than_its_pages(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers)})
    provider = next_deployment(api)
    api.clear_requests()
    provider.delete("fleet", outs)
    # The session's account grows with each test, so where the five numbers fall among the pages varies:
    # the rule is that the listing stops once the numbers it has not shown are at most its pages plus one.
    pages = [c for c in calls(api) if c == ("GET", None)]
    gets = [n for m, n in calls(api) if m == "GET" and n is not None]
    assert 0 < len(pages) <= len(listing(api)) and len(gets) <= len(pages) + 1
    assert set(gets) <= set(numbers)
    assert sorted(str(n) for m, n in calls(api) if m == "PATCH") == sorted(numbers)


def test_a_number_rebound_after_the_deployments_listing_is_still_left_alone_by_a_removal(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    outs = created(provider, {"bindings": entries(numbers)})
    provider = next_deployment(api)
    provider.read("fleet", outs)  # the deployment's listing, with every number still the fleet's
    api.seed(numbers[4], **THEIRS)  # re-bound in the dashboard since that listing
    news = checked(provider, {"bindings": entries(numbers[:2])}, outs)
    api.clear_requests()
    provider.update("fleet", outs, news)
    assert sorted(str(n) for m, n in calls(api) if m == "PATCH") == sorted(numbers[2:4])
    assert live(api, numbers[4]) == ("agent_billing", [])


# -- a stack of 0.1.0 ---------------------------------------------------------------------------------


def legacy_outputs(numbers: list[str], api: EmulatorProcess, entry: dict[str, Any]) -> dict[str, Any]:
    """A fleet's outputs as 0.1.0 recorded them: the entries again, and a map of id and carrier per number."""
    owned = {n: api.get_number(n) or {} for n in numbers}
    return {
        "bindings": dict.fromkeys(numbers, entry),
        "allow_overwrite": False,
        "on_delete": "unbind",
        "numbers": {n: {"voiceos_id": owned[n]["id"], **(owned[n]["telephony"] or {})} for n in numbers},
        "telephony_auth_tokens": dict.fromkeys(numbers, CARRIER_TOKEN),
    }


def test_a_fleet_of_0_1_0_changes_no_entry_and_its_update_rewrites_the_outputs_without_a_request(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    props = created(provider, {"bindings": entries(numbers)}).inputs
    olds = legacy_outputs(numbers, api, {"inbound_agent_id": "agent_support"})
    plan = fleet.diff(olds, props)
    assert (plan.added, plan.removed, plan.changed, plan.rewrite) == ((), (), {}, True)
    assert provider.diff("fleet", olds, props).changes is True
    provider = next_deployment(api)
    api.clear_requests()
    updated = outs_of(provider.update("fleet", olds, props).outs)
    assert api.requests() == []
    assert "bindings" not in updated and "numbers" not in updated
    records = fleet_records(updated)
    assert {n: records[n].voiceos_id for n in numbers} == {n: olds["numbers"][n]["voiceos_id"] for n in numbers}
    assert all(fleet_knows(updated, n, {"inbound_agent_id": "agent_support"}) for n in numbers)
    assert fleet.diff(updated, props).changes is False


def test_a_fleet_of_0_1_0_changed_out_of_band_is_drift_on_refresh_and_its_entry_is_put_back(
    provider: dynamic_fleet.PhoneNumberFleetProvider, api: EmulatorProcess, numbers: list[str]
) -> None:
    props = created(provider, {"bindings": entries(numbers)}).inputs
    olds = legacy_outputs(numbers, api, {"inbound_agent_id": "agent_support"})
    api.seed(numbers[0], **THEIRS)
    provider = next_deployment(api)
    found = provider.read("fleet", olds)
    assert found.inputs is not None and found.inputs["bindings"][numbers[0]] == THEIRS
    plan = fleet.diff(outs_of(found.outs), props)
    assert plan.changed == {numbers[0]: ("inbound_agent_id",)} and not plan.rewrite
