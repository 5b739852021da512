"""The lifecycle rules on their own: every (declared, recorded, live) case they tell apart."""

from __future__ import annotations

import threading

import pytest

from pulumi_voiceos.core import reasons
from pulumi_voiceos.core.lifecycle import (
    Claims,
    DeletePlan,
    Prediction,
    plan_create,
    plan_delete,
    plan_update,
    predict_create,
)
from pulumi_voiceos.core.models import UNBOUND, Binding, Webhook
from pulumi_voiceos.errors import BindingConflictError, NumberNotInAccountError

N = "+14155550123"
SECRET = "SENTINEL-HEADER-VALUE-c0ffee"
HOOK = Webhook(events=["phone_call:connection_requested"], url="https://hooks.example.com/ours")
THEIR_HOOK = Webhook(
    events=["phone_call:connection_requested"], url="https://hooks.example.com/theirs", headers={"X-Key": SECRET}
)
OURS = Binding.from_properties("agent_support", [HOOK])
THEIRS = Binding.from_properties("agent_billing", [THEIR_HOOK])
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


def test_create_refuses_someone_elses_binding_giving_what_is_live_and_what_is_declared() -> None:
    with pytest.raises(BindingConflictError) as exc:
        plan_create(N, OURS, THEIRS, allow_overwrite=False, adopt=False)
    assert exc.value.reason == reasons.Conflict(N, live=THEIRS, declared=OURS)
    assert SECRET not in str(exc.value)  # unworded, an error names only the kind of its reason


def test_create_with_allow_overwrite_writes_and_keeps_what_it_replaced() -> None:
    plan = plan_create(N, OURS, THEIRS, allow_overwrite=True, adopt=False)
    assert wire(plan.write) == OURS.patch().to_wire()
    assert plan.previous == THEIRS
    assert plan.notice == reasons.Overwrite(N, THEIRS)


def test_import_of_the_declared_binding_writes_nothing_and_remembers_it_for_restore() -> None:
    plan = plan_create(N, OURS, OURS, allow_overwrite=False, adopt=True)
    assert plan.write is None and plan.previous == OURS


def test_import_of_a_free_number_takes_nothing_over() -> None:
    assert plan_create(N, UNBOUND, UNBOUND, allow_overwrite=False, adopt=True).previous is None


@pytest.mark.parametrize("allow_overwrite", [False, True])
def test_import_of_a_binding_that_differs_is_refused_even_with_allow_overwrite(allow_overwrite: bool) -> None:
    with pytest.raises(BindingConflictError) as exc:
        plan_create(N, OURS, THEIRS, allow_overwrite=allow_overwrite, adopt=True)
    assert exc.value.reason == reasons.ImportDiffers(N, live=THEIRS, declared=OURS)


def test_create_on_a_number_not_in_the_account_says_to_add_it_first() -> None:
    with pytest.raises(NumberNotInAccountError) as exc:
        plan_create(N, OURS, None, allow_overwrite=True, adopt=False)
    assert exc.value.reason == reasons.NotInAccount(N)


# -- create, told in advance (check time, so the preview shows it) -------------------------


def predict(declared: Binding, live: Binding | None, **options: object) -> Prediction:
    kwargs: dict[str, object] = {"allow_overwrite": False, "adopt": False, **options}
    return predict_create(N, declared, live, **kwargs)  # type: ignore[arg-type]


def refusal_of(declared: Binding, live: Binding | None, **options: object) -> reasons.Reason:
    """Why plan_create refuses the same case: the prediction must give exactly this reason."""
    kwargs: dict[str, object] = {"allow_overwrite": False, "adopt": False, **options}
    with pytest.raises((BindingConflictError, NumberNotInAccountError)) as exc:
        plan_create(N, declared, live, **kwargs)  # type: ignore[arg-type]
    reason: reasons.Reason = exc.value.reason
    return reason


@pytest.mark.parametrize(
    ("declared", "live", "options"),
    [
        (OURS, THEIRS, {}),  # bound to something else, no allow_overwrite
        (OURS, None, {}),  # not in the account
        (OURS, None, {"allow_overwrite": True}),  # not in the account, whatever the options
        (OURS, THEIRS, {"adopt": True}),  # an import that declares another binding
        (OURS, UNBOUND, {"adopt": True}),  # an import of a number that has no binding to adopt
    ],
)
def test_a_refused_create_is_predicted_with_the_reason_the_create_gives(
    declared: Binding, live: Binding | None, options: dict[str, object]
) -> None:
    prediction = predict(declared, live, **options)
    assert prediction.refusal == refusal_of(declared, live, **options)
    assert prediction.notice is None


@pytest.mark.parametrize(
    ("declared", "live", "options"),
    [
        (OURS, UNBOUND, {}),  # a free number
        (OURS, OURS, {}),  # already bound as declared (a rename without alias adopts it)
        (OURS, OURS, {"adopt": True}),  # an import of what is there
        (OURS, OURS, {"allow_overwrite": True}),  # nothing to take over
    ],
)
def test_binding_a_free_number_or_adopting_it_is_predicted_without_a_word(
    declared: Binding, live: Binding, options: dict[str, object]
) -> None:
    assert predict(declared, live, **options) == Prediction()


def test_a_takeover_with_allow_overwrite_is_announced_naming_what_it_replaces() -> None:
    assert predict(OURS, THEIRS, allow_overwrite=True) == Prediction(notice=reasons.Takeover(N, THEIRS))


def test_an_unknown_agent_on_a_free_number_changes_nothing() -> None:
    prediction = predict(Binding.from_properties(None, [HOOK]), UNBOUND, unknown=frozenset({"inbound_agent_id"}))
    assert prediction == Prediction()


def test_known_fields_that_already_differ_settle_a_refusal_whatever_the_unknowns() -> None:
    # The webhooks are known and are not the live ones: no agent id can make the binding theirs.
    declared = Binding.from_properties(None, [HOOK])
    prediction = predict(declared, THEIRS, unknown=frozenset({"inbound_agent_id"}))
    assert prediction.refusal == refusal_of(Binding.from_properties(THEIRS.inbound_agent_id, [HOOK]), THEIRS)


def test_known_fields_that_already_differ_settle_a_takeover_whatever_the_unknowns() -> None:
    prediction = predict(
        Binding.from_properties(None, [HOOK]), THEIRS, unknown=frozenset({"inbound_agent_id"}), allow_overwrite=True
    )
    assert prediction == Prediction(notice=reasons.Takeover(N, THEIRS))


def test_known_fields_that_match_leave_the_outcome_to_the_unknowns_and_say_which() -> None:
    declared = Binding(None, THEIRS.webhooks)
    prediction = predict(declared, THEIRS, unknown=frozenset({"inbound_agent_id"}))
    assert prediction == Prediction(notice=reasons.AdoptIfMatching(N, THEIRS, ("inbound_agent_id",), "fails"))


def test_an_unknown_allow_overwrite_on_a_bound_number_is_announced_not_refused() -> None:
    prediction = predict(OURS, THEIRS, allow_overwrite=None)
    assert prediction == Prediction(notice=reasons.TakeoverIfAllowed(N, THEIRS))


def test_an_unknown_binding_on_a_number_not_in_the_account_is_still_refused() -> None:
    prediction = predict(Binding(), None, unknown=frozenset({"inbound_agent_id", "webhooks"}), allow_overwrite=None)
    assert prediction.refusal == refusal_of(OURS, None)


# -- update ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "recorded", "body"),
    [
        (OURS, OURS, None),
        (Binding.from_properties("agent_sales", [HOOK]), OURS, {"inbound_agent_id": "agent_sales"}),
        (Binding.from_properties("agent_support", [THEIR_HOOK]), OURS, {"webhooks": [THEIR_HOOK.to_wire()]}),
        (AGENT_ONLY, OURS, {"inbound_agent_id": "agent_sales", "webhooks": []}),
        (Binding.from_properties(None, [HOOK]), OURS, {"inbound_agent_id": None}),
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


@pytest.mark.parametrize(
    ("live", "policy"),
    [(THEIRS, "unbind"), (AGENT_ONLY, "unbind"), (AGENT_ONLY, "restore"), (Binding("agent_support"), "restore")],
    ids=repr,
)
def test_delete_leaves_a_binding_changed_since_and_explains(live: Binding, policy: str) -> None:
    plan = plan_delete(N, recorded=OURS, live=live, policy=policy, previous=THEIRS)  # type: ignore[arg-type]
    assert plan.write is None
    assert plan.notice == reasons.ChangedSince(N, live=live, recorded=OURS)


@pytest.mark.parametrize(("live", "policy"), [(UNBOUND, "unbind"), (THEIRS, "restore")], ids=repr)
def test_delete_of_a_number_that_already_has_what_it_would_leave_does_nothing_and_says_nothing(
    live: Binding, policy: str
) -> None:
    # An interrupted destroy run again, or someone who already put things back: nothing left to do.
    plan = plan_delete(N, recorded=OURS, live=live, policy=policy, previous=THEIRS)  # type: ignore[arg-type]
    assert plan == DeletePlan(None)


@pytest.mark.parametrize("policy", ["unbind", "restore"])
def test_delete_of_a_number_gone_from_the_account_writes_nothing(policy: str) -> None:
    plan = plan_delete(N, recorded=OURS, live=None, policy=policy, previous=THEIRS)  # type: ignore[arg-type]
    assert plan == DeletePlan(None, reasons.NoLongerInAccount(N))


def test_delete_with_restore_puts_back_the_previous_binding() -> None:
    plan = plan_delete(N, recorded=OURS, live=OURS, policy="restore", previous=THEIRS)
    assert wire(plan.write) == THEIRS.patch().to_wire()
    assert plan.notice == reasons.Restoring(N, THEIRS)


def test_delete_with_restore_and_nothing_taken_over_unbinds() -> None:
    plan = plan_delete(N, recorded=OURS, live=OURS, policy="restore", previous=None)
    assert wire(plan.write) == UNBOUND.patch().to_wire()


def test_delete_with_restore_of_an_adopted_binding_never_changed_writes_nothing() -> None:
    assert plan_delete(N, recorded=OURS, live=OURS, policy="restore", previous=OURS).write is None


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
