"""The lifecycle rules on their own: every (declared, recorded, live) case they tell apart."""

from __future__ import annotations

import threading

import pytest

from pulumi_voiceos.errors import BindingConflictError
from pulumi_voiceos.lifecycle import Claims, handed_over, plan_create, plan_delete, plan_update
from pulumi_voiceos.models import UNBOUND, Binding, Webhook

N = "+14155550123"
SECRET = "SENTINEL-HEADER-VALUE-c0ffee"
HOOK = Webhook(events=["phone_call:connection_requested"], url="https://hooks.example.com/ours")
THEIR_HOOK = Webhook(
    events=["phone_call:connection_requested"], url="https://hooks.example.com/theirs", headers={"X-Key": SECRET}
)
OURS = Binding("agent_support", (HOOK,))
THEIRS = Binding("agent_billing", (THEIR_HOOK,))
AGENT_ONLY = Binding("agent_sales")


def wire(plan_write: object) -> object:
    return None if plan_write is None else plan_write.to_wire()  # type: ignore[attr-defined]


# -- create ------------------------------------------------------------------------------


def test_create_on_a_free_number_writes_the_whole_binding() -> None:
    plan = plan_create(N, OURS, UNBOUND, allow_overwrite=False, adopt=False)
    assert wire(plan.write) == {"inbound_agent_id": "agent_support", "webhooks": [HOOK.to_wire()]}
    assert plan.previous is None and plan.notice is None


def test_create_on_a_number_that_already_has_the_binding_writes_nothing_and_takes_nothing() -> None:
    plan = plan_create(N, OURS, OURS, allow_overwrite=False, adopt=False)
    assert plan.write is None and plan.previous is None


def test_create_refuses_someone_elses_binding_and_names_every_way_out() -> None:
    with pytest.raises(BindingConflictError) as exc:
        plan_create(N, OURS, THEIRS, allow_overwrite=False, adopt=False)
    message = str(exc.value)
    for words in ("agent_billing", "https://hooks.example.com/theirs", "aliases=", "import_=", "allow_overwrite=True"):
        assert words in message
    assert SECRET not in message


def test_create_with_allow_overwrite_writes_and_keeps_what_it_replaced() -> None:
    plan = plan_create(N, OURS, THEIRS, allow_overwrite=True, adopt=False)
    assert wire(plan.write) == OURS.patch().to_wire()
    assert plan.previous == THEIRS
    assert plan.notice is not None and "agent_billing" in plan.notice and SECRET not in plan.notice


def test_import_of_the_declared_binding_writes_nothing_and_remembers_it_for_restore() -> None:
    plan = plan_create(N, OURS, OURS, allow_overwrite=False, adopt=True)
    assert plan.write is None and plan.previous == OURS


def test_import_of_a_free_number_takes_nothing_over() -> None:
    assert plan_create(N, UNBOUND, UNBOUND, allow_overwrite=False, adopt=True).previous is None


@pytest.mark.parametrize("allow_overwrite", [False, True])
def test_import_of_a_binding_that_differs_is_refused_even_with_allow_overwrite(allow_overwrite: bool) -> None:
    with pytest.raises(BindingConflictError) as exc:
        plan_create(N, OURS, THEIRS, allow_overwrite=allow_overwrite, adopt=True)
    assert "cannot import" in str(exc.value) and SECRET not in str(exc.value)


# -- update ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "recorded", "body"),
    [
        (OURS, OURS, None),
        (Binding("agent_sales", (HOOK,)), OURS, {"inbound_agent_id": "agent_sales"}),
        (Binding("agent_support", (THEIR_HOOK,)), OURS, {"webhooks": [THEIR_HOOK.to_wire()]}),
        (AGENT_ONLY, OURS, {"inbound_agent_id": "agent_sales", "webhooks": []}),
        (Binding(None, (HOOK,)), OURS, {"inbound_agent_id": None}),
    ],
    ids=["nothing changed", "agent only", "webhooks only", "both", "agent removed"],
)
def test_update_sends_only_the_fields_the_program_changed(
    declared: Binding, recorded: Binding, body: dict[str, object] | None
) -> None:
    assert wire(plan_update(declared, recorded)) == body


# -- delete ------------------------------------------------------------------------------


def test_delete_of_a_number_still_bound_as_recorded_unbinds_it() -> None:
    plan = plan_delete(N, recorded=OURS, live=OURS, policy="unbind", previous=THEIRS)
    assert wire(plan.write) == {"inbound_agent_id": None, "webhooks": []}


@pytest.mark.parametrize("live", [THEIRS, AGENT_ONLY, Binding("agent_support"), UNBOUND], ids=repr)
@pytest.mark.parametrize("policy", ["unbind", "restore"])
def test_delete_leaves_a_binding_changed_since_and_explains(live: Binding, policy: str) -> None:
    plan = plan_delete(N, recorded=OURS, live=live, policy=policy, previous=THEIRS)  # type: ignore[arg-type]
    assert plan.write is None
    assert plan.notice is not None and "--refresh" in plan.notice and N in plan.notice
    assert SECRET not in plan.notice


@pytest.mark.parametrize("policy", ["unbind", "restore"])
def test_delete_of_a_number_gone_from_the_account_writes_nothing(policy: str) -> None:
    plan = plan_delete(N, recorded=OURS, live=None, policy=policy, previous=THEIRS)  # type: ignore[arg-type]
    assert plan.write is None and plan.notice is not None and "no longer" in plan.notice


def test_delete_with_restore_puts_back_the_previous_binding() -> None:
    plan = plan_delete(N, recorded=OURS, live=OURS, policy="restore", previous=THEIRS)
    assert wire(plan.write) == THEIRS.patch().to_wire()
    assert plan.notice is not None and SECRET not in plan.notice


def test_delete_with_restore_and_nothing_taken_over_unbinds() -> None:
    plan = plan_delete(N, recorded=OURS, live=OURS, policy="restore", previous=None)
    assert wire(plan.write) == UNBOUND.patch().to_wire()


def test_delete_with_restore_of_an_adopted_binding_never_changed_writes_nothing() -> None:
    assert plan_delete(N, recorded=OURS, live=OURS, policy="restore", previous=OURS).write is None


def test_handed_over_notice_names_the_number() -> None:
    assert N in handed_over(N) and "handed over" in handed_over(N)


def test_claims_are_safe_to_share_between_threads() -> None:
    claims = Claims()
    numbers = [f"+1415555{i:04d}" for i in range(400)]

    def claim(part: list[str]) -> None:
        for number in part:
            claims.claim(number)

    threads = [threading.Thread(target=claim, args=(numbers[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(number in claims for number in numbers)
    assert "+19995550000" not in claims


# -- the binding value -----------------------------------------------------------------------


def test_a_binding_description_never_shows_header_values() -> None:
    assert SECRET not in THEIRS.describe() and "https://hooks.example.com/theirs" in THEIRS.describe()
    assert UNBOUND.describe() == "no agent and no webhooks"


def test_bindings_compare_by_value_and_report_the_fields_that_differ() -> None:
    assert Binding.from_properties("agent_support", [HOOK.to_wire()]) == OURS
    assert OURS.differing_fields(THEIRS) == ("inbound_agent_id", "webhooks")
    assert OURS.differing_fields(Binding("agent_support")) == ("webhooks",)
    assert UNBOUND.is_unbound and not OURS.is_unbound
