"""Ownership across the Pulumi lifecycle, through the real CLI and engine.

Every flow ends by reading the live numbers from the emulator and comparing them
with what the program declares and what the stack's state records; the request
log shows the exact calls each flow made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from .harness import Deployment, deployment
from .test_flows import AGENTS, CARRIER, N1, N2, TOKEN, hook, sales, summary, support

THEIR_HOOK = hook("theirs", headers={"X-Their-Key": "SENTINEL-THEIR-HEADER-5a5a"})


def calls(d: Deployment) -> list[tuple[str, str]]:
    """The requests for numbers, sorted. The account listings that checks make for bindings about to take a
    number are left out: tests/e2e/test_preview.py counts those."""
    return sorted((r["method"], r["phone_number"]) for r in d.emulator.requests() if r["phone_number"] is not None)


def live(d: Deployment, number: str) -> tuple[str | None, list[str]]:
    got = d.emulator.get_number(number)
    assert got is not None, f"{number} vanished from the emulator"
    return got["inbound_agent_id"], [w["url"] for w in got["webhooks"]]


def declared(spec: dict[str, Any]) -> tuple[str | None, list[str]]:
    return spec.get("inbound_agent_id"), [w["url"] for w in spec.get("webhooks") or []]


def assert_as_declared(d: Deployment, specs: list[dict[str, Any]], *, unbound: tuple[str, ...] = ()) -> None:
    """Live numbers are what the program declares, and state records exactly those bindings."""
    state = {r["id"]: r for r in d.resources()}
    assert sorted(state) == sorted(s["phone_number"] for s in specs)
    for spec in specs:
        number = spec["phone_number"]
        assert live(d, number) == declared(spec), number
        outputs = state[number]["outputs"]
        assert state[number]["urn"].endswith("::" + spec["name"])
        # The dynamic resource's outputs are snake_case, the native one's camelCase.
        agent = outputs["inboundAgentId"] if "inboundAgentId" in outputs else outputs["inbound_agent_id"]
        assert agent == spec.get("inbound_agent_id")
    for number in unbound:
        assert live(d, number) == (None, []), number


@pytest.fixture
def d(tmp_path: Path) -> Any:
    with deployment(tmp_path, token=TOKEN, numbers=[N1, N2], agents=AGENTS) as dep:
        for n in (N1, N2):
            dep.emulator.seed(n, auth_token=CARRIER)
        dep.emulator.clear_requests()
        yield dep


def deploy(d: Deployment, specs: list[dict[str, Any]], **kwargs: Any) -> auto.UpResult:
    d.set_bindings(specs)
    d.emulator.clear_requests()
    return d.up(**kwargs)


def test_renaming_a_binding_without_an_alias_keeps_the_number_bound(d: Deployment) -> None:
    deploy(d, [support()])
    renamed = support(name="support-line")
    result = deploy(d, [renamed])
    assert summary(result) == {"create": 1, "delete": 1, "same": 1}
    assert calls(d) == [("GET", N1)]  # the new binding adopts; the old one hands over
    assert_as_declared(d, [renamed])
    assert "handed over" in "".join(d.output)


def test_up_with_replace_keeps_the_number_bound(d: Deployment) -> None:
    deploy(d, [support()])
    [resource] = d.resources()
    d.emulator.clear_requests()
    result = d.up(replace=[resource["urn"]])
    assert summary(result) == {"replace": 1, "same": 1}
    assert calls(d) == [("GET", N1)]
    assert_as_declared(d, [support()])


def test_moving_a_binding_under_a_component_without_an_alias_keeps_the_number_bound(d: Deployment) -> None:
    deploy(d, [support()])
    moved = support(parent="team-support")
    deploy(d, [moved])
    assert calls(d) == [("GET", N1)]
    assert_as_declared(d, [moved])
    [resource] = d.resources()
    assert "voiceos-e2e:index:Team$" in resource["urn"]


def test_swapping_the_numbers_of_two_bindings_ends_as_declared(d: Deployment) -> None:
    deploy(d, [support(), sales()])
    swapped = [support(number=N2, allow_overwrite=True), sales(number=N1, allow_overwrite=True)]
    result = deploy(d, swapped)
    assert summary(result) == {"replace": 2, "same": 1}
    assert calls(d) == [("GET", N1), ("GET", N2), ("PATCH", N1), ("PATCH", N2)]
    assert_as_declared(d, swapped)


def test_moving_a_number_to_another_binding_ends_as_declared(d: Deployment) -> None:
    deploy(d, [support(), sales()])
    # sales is removed; support takes its number N2 and lets go of N1.
    moved = [support(number=N2, allow_overwrite=True)]
    deploy(d, moved)
    # N2: the create's read and write; the removed sales binding hands N2 over.
    # N1: the replaced support binding reads it and unbinds it.
    assert calls(d) == [("GET", N1), ("GET", N2), ("PATCH", N1), ("PATCH", N2)]
    assert_as_declared(d, moved, unbound=(N1,))


def test_moving_a_number_without_allow_overwrite_fails_clearly_and_loses_nothing(d: Deployment) -> None:
    deploy(d, [support(), sales()])
    d.set_bindings([support(number=N2)])
    with pytest.raises(auto.CommandError) as exc:
        d.up()
    message = str(exc.value)
    assert "already bound to inbound_agent_id='agent_sales'" in message and "aliases=" in message
    assert live(d, N1) == declared(support()) and live(d, N2) == declared(sales())


def test_renaming_and_changing_a_binding_with_allow_overwrite_ends_as_declared(d: Deployment) -> None:
    deploy(d, [support()])
    changed = support(name="support-line", inbound_agent_id="agent_billing", allow_overwrite=True)
    deploy(d, [changed])
    assert calls(d) == [("GET", N1), ("PATCH", N1)]
    assert_as_declared(d, [changed])


def test_renaming_and_changing_a_binding_without_allow_overwrite_points_at_aliases(d: Deployment) -> None:
    deploy(d, [support()])
    d.set_bindings([support(name="support-line", inbound_agent_id="agent_billing")])
    with pytest.raises(auto.CommandError) as exc:
        d.up()
    assert "aliases=[...]" in str(exc.value)
    assert live(d, N1) == declared(support())
    # With the alias Pulumi knows it is the same resource: an ordinary update.
    aliased = support(name="support-line", inbound_agent_id="agent_billing", aliases=["support"])
    result = deploy(d, [aliased])
    assert summary(result) == {"update": 1, "same": 1}
    assert calls(d) == [("PATCH", N1)]
    assert_as_declared(d, [aliased])


def test_ignored_webhooks_edited_out_of_band_survive_an_agent_change_and_a_refresh(d: Deployment) -> None:
    deploy(d, [support(ignore_changes=["webhooks"])])
    d.emulator.seed(N1, inbound_agent_id="agent_support", webhooks=[THEIR_HOOK], auth_token=CARRIER)
    deploy(d, [support(inbound_agent_id="agent_sales", ignore_changes=["webhooks"])])
    [patch] = [r for r in d.emulator.requests() if r["method"] == "PATCH"]
    assert patch["body"] == {"inbound_agent_id": "agent_sales"}
    assert live(d, N1) == ("agent_sales", [THEIR_HOOK["url"]])
    for kwargs in ({}, {"refresh": True}, {}):
        deploy(d, [support(inbound_agent_id="agent_sales", ignore_changes=["webhooks"])], **kwargs)
        assert [r for r in d.emulator.requests() if r["method"] == "PATCH"] == [], kwargs
        assert live(d, N1) == ("agent_sales", [THEIR_HOOK["url"]])


def test_destroy_leaves_a_number_someone_rebound_since(d: Deployment) -> None:
    deploy(d, [support(), sales()])
    d.emulator.seed(N1, inbound_agent_id="agent_billing", webhooks=[THEIR_HOOK], auth_token=CARRIER)
    d.emulator.clear_requests()
    d.destroy()
    assert calls(d) == [("GET", N1), ("GET", N2), ("PATCH", N2)]
    assert live(d, N1) == ("agent_billing", [THEIR_HOOK["url"]])
    assert live(d, N2) == (None, [])
    assert d.resources() == []
    shown = "".join(d.output)
    assert "left +14155550101 as it is" in shown and "--refresh" in shown
    assert "SENTINEL-THEIR-HEADER-5a5a" not in shown


def test_destroy_with_refresh_takes_the_rebinding_over_and_unbinds_it(d: Deployment) -> None:
    deploy(d, [support()])
    d.emulator.seed(N1, inbound_agent_id="agent_billing", webhooks=[], auth_token=CARRIER)
    d.destroy(refresh=True)
    assert live(d, N1) == (None, [])


def test_restore_on_destroy_puts_back_what_allow_overwrite_replaced(d: Deployment) -> None:
    d.emulator.seed(N1, inbound_agent_id="agent_billing", webhooks=[THEIR_HOOK], auth_token=CARRIER)
    ours = support(allow_overwrite=True, on_delete="restore")
    deploy(d, [ours])
    assert_as_declared(d, [ours])
    d.emulator.clear_requests()
    d.destroy()
    assert calls(d) == [("GET", N1), ("PATCH", N1)]
    assert live(d, N1) == ("agent_billing", [THEIR_HOOK["url"]])
    restored = d.emulator.get_number(N1)
    assert restored is not None and restored["webhooks"][0]["headers"] == THEIR_HOOK["headers"]


def test_restore_on_destroy_puts_back_an_adopted_binding_after_an_update(d: Deployment) -> None:
    d.emulator.seed(N1, inbound_agent_id="agent_support", webhooks=[hook("support")], auth_token=CARRIER)
    deploy(d, [{**support(on_delete="restore"), "import": True}])
    assert calls(d) == [("GET", N1)]
    changed = {**support(inbound_agent_id="agent_sales", on_delete="restore"), "import": True}
    deploy(d, [changed])
    assert_as_declared(d, [changed])
    [resource] = d.resources()
    assert resource["outputs"]["previous_inbound_agent_id"] == "agent_support"
    assert "ciphertext" in resource["outputs"]["previous_webhooks"]
    d.destroy()
    assert live(d, N1) == declared(support())


def test_retain_on_delete_keeps_the_binding_when_the_resource_goes(d: Deployment) -> None:
    deploy(d, [support(retain_on_delete=True), sales()])
    deploy(d, [sales()])
    assert calls(d) == []
    assert_as_declared(d, [sales()])
    assert live(d, N1) == declared(support())


def test_an_up_interrupted_between_the_new_create_and_the_old_delete_converges(d: Deployment) -> None:
    deploy(d, [support()])
    renamed = support(name="support-line")
    new_urn = d.resources()[0]["urn"].replace("::support", "::support-line")
    # Only the new resource's create runs, as if the run stopped before the old resource's delete.
    deploy(d, [renamed], target=[new_urn])
    assert sorted(r["urn"].rsplit("::", 1)[1] for r in d.resources()) == ["support", "support-line"]
    assert calls(d) == [("GET", N1)]
    # The next up keeps the new binding as it is and deletes the old one, which hands the number over.
    result = deploy(d, [renamed])
    assert summary(result) == {"delete": 1, "same": 2}
    assert calls(d) == []
    assert_as_declared(d, [renamed])
