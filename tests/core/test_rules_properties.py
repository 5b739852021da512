"""Properties of the lifecycle rules over generated declared, recorded and live bindings and flags.

Each test states a decision that must hold for every case (what is written, refused or kept), not a text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import given, note, settings
from hypothesis import strategies as st

from pulumi_voiceos.core.lifecycle import (
    Claims,
    CreatePlan,
    Prediction,
    is_handed_over,
    plan_create,
    plan_delete,
    plan_update,
    predict_create,
)
from pulumi_voiceos.core.models import UNBOUND, Binding, DeletePolicy, Patch, Webhook, undeclarable_reason
from pulumi_voiceos.errors import BindingRefusedError

# The pools below are small, so 100 examples hit every branch many times over and the file runs in a
# few seconds on a shared 2-core machine. No example database: a failure is reproduced from the minimal
# example hypothesis prints, and nothing a run wrote earlier changes what the next one tries.
FAST = settings(max_examples=100, deadline=None, database=None)
# A deployment draws a dozen bindings; fewer runs of it cover as many decisions.
DEPLOYMENTS = settings(FAST, max_examples=60)

N = "+14155550123"
NUMBERS = ("+14155550101", "+14155550102", "+14155550103")
AGENTS = ("agent_a", "agent_b")
URLS = ("https://hooks.example.com/a", "https://hooks.example.com/b")
EVENTS = ("phone_call:connection_requested", "phone_call:ended")
FIELDS = ("inbound_agent_id", "webhooks")

# -- strategies -------------------------------------------------------------------------------

# Small pools, so that two independently drawn bindings are often equal or differ in one field only.
# Built once through the input model (what a program can declare): per example it would cost seconds.
WEBHOOKS = tuple(
    Webhook(events=list(events), url=url, method=method, headers=headers).to_wire()
    for events in (EVENTS[:1], EVENTS)
    for url in URLS
    for method in ("POST", "GET")
    for headers in ({}, {"X-Key": "k1"})
)
agents = st.one_of(st.none(), st.sampled_from(AGENTS))
# Inputs refuse the same webhook twice.
declared_bindings = st.builds(
    Binding.from_properties, agents, st.lists(st.sampled_from(WEBHOOKS), max_size=3, unique_by=json.dumps)
)

Form = tuple[bool, bool, str, bool]
# How the API may return each webhook: the same value in another form (see ``in_api_forms``).
forms = st.lists(
    st.tuples(st.booleans(), st.booleans(), st.sampled_from(("empty", "null", "left out")), st.booleans()),
    min_size=3,
    max_size=3,
)


def in_api_form(webhook: Mapping[str, Any], form: Form) -> dict[str, Any]:
    lower, reorder, no_headers, unknown_field = form
    raw = dict(webhook)
    if lower:
        raw["method"] = str(raw["method"]).lower()
    if reorder:
        raw["events"] = list(reversed(raw["events"])) + raw["events"][:1]  # order and repeats do not count
    if not raw["headers"] and no_headers == "null":
        raw["headers"] = None
    elif not raw["headers"] and no_headers == "left out":
        del raw["headers"]
    if unknown_field:
        raw["id"] = "wh_1"  # not compared, but a restore writes it back
    return raw


def in_api_forms(binding: Binding, webhook_forms: list[Form]) -> Binding:
    """A binding equal to ``binding`` whose webhooks come as the API may return them."""
    # There are forms for as many webhooks as a binding may have, so not every form is used.
    hooks = zip(binding.webhooks_wire(), webhook_forms, strict=False)
    return Binding.from_properties(binding.inbound_agent_id, [in_api_form(w, f) for w, f in hooks])


LiveChoice = tuple[str, Binding, list[Form]]
KINDS = ("missing", "unbound", "as declared", "someone else's", "undeclarable")
# Drawn apart from the declared binding it depends on, so every strategy is built once, at import.
live_choices = st.tuples(st.sampled_from(KINDS), declared_bindings, forms)
present_choices = st.tuples(st.sampled_from(KINDS[1:]), declared_bindings, forms)


def live_of(declared: Binding, choice: LiveChoice) -> Binding | None:
    """The number as it is live: gone, unbound, bound as declared (in the API's forms), bound to someone
    else (sometimes by chance as declared), or bound to what no program could declare (a method inputs refuse)."""
    kind, other, webhook_forms = choice
    if kind == "missing":
        return None
    if kind == "unbound":
        return UNBOUND
    if kind == "as declared":
        return in_api_forms(declared, webhook_forms)
    if kind == "someone else's":
        return in_api_forms(other, webhook_forms)
    return Binding.from_properties(other.inbound_agent_id, [{"events": [EVENTS[0]], "url": URLS[0], "method": "HEAD"}])


def present(declared: Binding, choice: LiveChoice) -> Binding:
    live = live_of(declared, choice)
    assert live is not None
    return live


policies: st.SearchStrategy[DeletePolicy] = st.sampled_from(("unbind", "restore"))


# -- the API's PATCH, and the create's outcome --------------------------------------------------------


def apply(live: Binding, write: Patch) -> Binding:
    """What the number has after ``write``: a PATCH changes only the fields its body names."""
    body = write.to_wire()
    return Binding.from_properties(
        body.get("inbound_agent_id", live.inbound_agent_id),
        body["webhooks"] if "webhooks" in body else live.webhooks_raw(),
    )


def after(live: Binding, write: Patch | None) -> Binding:
    return live if write is None else apply(live, write)


def create(declared: Binding, live: Binding | None, *, allow_overwrite: bool, adopt: bool) -> CreatePlan | None:
    """``plan_create``'s decision, None when it refuses."""
    try:
        return plan_create(N, declared, live, allow_overwrite=allow_overwrite, adopt=adopt)
    except BindingRefusedError:
        return None


def refuses(prediction: Prediction) -> bool:
    return prediction.refusal is not None


def is_silent(prediction: Prediction) -> bool:
    return prediction.refusal is None and prediction.notice is None


# -- the overwrite guard ------------------------------------------------------------------------


@FAST
@given(declared_bindings, live_choices, st.booleans(), st.booleans())
def test_a_create_writes_over_someone_elses_binding_only_with_allow_overwrite_and_keeps_exactly_what_it_replaced(
    declared: Binding, choice: LiveChoice, allow_overwrite: bool, adopt: bool
) -> None:
    live = live_of(declared, choice)
    note(f"live: {live!r}")
    plan = create(declared, live, allow_overwrite=allow_overwrite, adopt=adopt)
    if live is None:
        assert plan is None  # a number not in the account cannot be bound
        return
    if plan is None:
        # Refused only when taking the number needs a permission the resource lacks.
        assert live != declared
        assert adopt or (not live.is_unbound and not allow_overwrite)
        return
    if plan.write is None:
        assert live == declared  # nothing sent means the number already routes as declared
    else:
        assert not adopt, "an import writes nothing"
        assert live.is_unbound or allow_overwrite
        assert after(live, plan.write) == declared
    if plan.previous is None:
        assert live.is_unbound or (plan.write is None and not adopt)
    else:
        # What a restore puts back is exactly what was live, in the form the API returned it.
        assert not live.is_unbound
        assert plan.previous == live and plan.previous.inbound_agent_id == live.inbound_agent_id
        assert plan.previous.webhooks_raw() == live.webhooks_raw()


# -- idempotence ----------------------------------------------------------------------------------


@FAST
@given(declared_bindings, forms, st.booleans(), st.booleans())
def test_planning_against_a_number_that_already_has_the_declared_binding_writes_nothing(
    declared: Binding, webhook_forms: list[Form], allow_overwrite: bool, adopt: bool
) -> None:
    live = in_api_forms(declared, webhook_forms)
    plan = create(declared, live, allow_overwrite=allow_overwrite, adopt=adopt)
    assert plan is not None and plan.write is None
    assert plan_update(declared, live) is None


@FAST
@given(declared_bindings, present_choices, st.booleans())
def test_a_create_that_writes_gives_the_number_the_declared_binding_and_a_second_run_writes_nothing(
    declared: Binding, choice: LiveChoice, adopt: bool
) -> None:
    live = present(declared, choice)
    plan = create(declared, live, allow_overwrite=True, adopt=adopt)
    if plan is None:
        return
    now = after(live, plan.write)
    assert now == declared
    again = create(declared, now, allow_overwrite=False, adopt=False)
    assert again is not None and again.write is None


@FAST
@given(declared_bindings, declared_bindings, st.booleans(), present_choices)
def test_an_update_changes_exactly_the_fields_the_program_changed_and_keeps_the_others_as_live(
    declared: Binding, recorded: Binding, drifted: bool, choice: LiveChoice
) -> None:
    # Live may have drifted from what was recorded (someone edited a field the program ignores).
    live = present(declared, choice) if drifted else in_api_forms(recorded, choice[2])
    note(f"live: {live!r}")
    now = after(live, plan_update(declared, recorded))
    for name in FIELDS:
        changed = getattr(declared, name) != getattr(recorded, name)
        assert getattr(now, name) == getattr(declared if changed else live, name), name
    if live == recorded:
        assert now == declared


# -- delete: unbind, restore, and leave what is no longer ours ------------------------------------

# What a create replaced, as the API returned it (fields we do not know included), or nothing.
previous_bindings = st.one_of(st.none(), st.builds(in_api_forms, declared_bindings, forms))


def target_of(policy: DeletePolicy, previous: Binding | None) -> Binding:
    """What the number should end with: the binding from before the takeover, or none."""
    return previous if policy == "restore" and previous is not None else UNBOUND


@FAST
@given(declared_bindings, forms, previous_bindings, policies)
def test_a_delete_of_a_number_still_bound_as_recorded_unbinds_it_or_puts_back_exactly_what_was_there(
    recorded: Binding, webhook_forms: list[Form], previous: Binding | None, policy: DeletePolicy
) -> None:
    live = in_api_forms(recorded, webhook_forms)
    write = plan_delete(N, recorded=recorded, live=live, policy=policy, previous=previous).write
    target = target_of(policy, previous)
    assert after(live, write) == target
    if write is not None and previous is not None and target is previous:
        # A restore writes back the webhooks as the API returned them, fields we do not know included;
        # the null it adds for a left-out method or headers keeps the API from putting its default there.
        kept = previous.webhooks_raw()
        sent = [
            {k: v for k, v in w.items() if v is not None or k in raw}
            for w, raw in zip(write.to_wire()["webhooks"], kept, strict=True)
        ]
        assert sent == kept
        assert write.to_wire()["inbound_agent_id"] == previous.inbound_agent_id


@FAST
@given(declared_bindings, previous_bindings, policies, live_choices, st.booleans())
def test_a_delete_leaves_a_number_someone_rebound_since_or_that_left_the_account_as_it_is(
    recorded: Binding, previous: Binding | None, policy: DeletePolicy, choice: LiveChoice, restored_already: bool
) -> None:
    if restored_already and previous is not None:
        live: Binding | None = in_api_forms(previous, choice[2])  # someone (or an earlier destroy) put it back
    else:
        live = live_of(recorded, choice)  # gone, unbound, still ours, or re-bound to someone else
    note(f"live: {live!r}")
    write = plan_delete(N, recorded=recorded, live=live, policy=policy, previous=previous).write
    if write is not None:
        assert live is not None and live == recorded
    if live is None or live == target_of(policy, previous):
        assert write is None  # nothing to undo: the number is gone, or already as the delete would leave it


# -- the preview tells what up does --------------------------------------------------------------


@FAST
@given(declared_bindings, live_choices, st.booleans(), st.booleans())
def test_the_preview_predicts_the_decision_up_makes_when_everything_is_known(
    declared: Binding, choice: LiveChoice, allow_overwrite: bool, adopt: bool
) -> None:
    live = live_of(declared, choice)
    note(f"live: {live!r}")
    prediction = predict_create(N, declared, live, allow_overwrite=allow_overwrite, adopt=adopt)
    plan = create(declared, live, allow_overwrite=allow_overwrite, adopt=adopt)
    assert refuses(prediction) == (plan is None)
    if plan is not None:
        # A takeover of someone's binding is announced; binding a free number or adopting is not.
        takes_over = plan.write is not None and plan.previous is not None
        assert is_silent(prediction) != takes_over


@FAST
@given(
    placeholder=declared_bindings,
    unknown=st.sets(st.sampled_from(FIELDS), min_size=1),
    allow_overwrite=st.one_of(st.none(), st.booleans()),
    adopt=st.booleans(),
    choice=live_choices,
    turns_out=st.tuples(st.booleans(), declared_bindings, st.booleans()),
)
def test_a_preview_with_unknowns_refuses_only_what_every_value_refuses_and_is_silent_only_when_none_does(
    *,
    placeholder: Binding,
    unknown: set[str],
    allow_overwrite: bool | None,
    adopt: bool,
    choice: LiveChoice,
    turns_out: tuple[bool, Binding, bool],
) -> None:
    live = live_of(placeholder, choice)
    note(f"live: {live!r}")
    prediction = predict_create(
        N, placeholder, live, unknown=frozenset(unknown), allow_overwrite=allow_overwrite, adopt=adopt
    )
    # One of the values the unknowns may turn out to have: often the live ones, where the outcome flips
    # (when a program could declare them).
    as_live, value, overwrite = turns_out
    if as_live and live is not None and undeclarable_reason(live) is None:
        value = live
    declared = Binding(
        value.inbound_agent_id if "inbound_agent_id" in unknown else placeholder.inbound_agent_id,
        value.webhooks if "webhooks" in unknown else placeholder.webhooks,
    )
    note(f"turns out: {declared!r}")
    plan = create(
        declared, live, allow_overwrite=overwrite if allow_overwrite is None else allow_overwrite, adopt=adopt
    )
    if refuses(prediction):
        assert plan is None
    if is_silent(prediction):
        assert plan is not None


# -- hand-over: a deployment's deletes never write to a number one of its resources declares --------


@dataclass(frozen=True)
class Held:
    """A resource of the stack before the run: what it recorded, what it replaced, its policy."""

    recorded: Binding
    previous: Binding | None
    policy: DeletePolicy


@dataclass(frozen=True)
class Declared:
    binding: Binding
    allow_overwrite: bool
    adopt: bool


@dataclass(frozen=True)
class Run:
    held: dict[str, Held]
    """The stack's resources before the run, one per number."""
    live: dict[str, Binding | None]
    declared: dict[str, Declared]
    """The numbers the program declares now, each by a new resource (a rename, --replace, a move, a swap)."""
    kept: frozenset[str]
    """Numbers whose held resource the program keeps (same name): an update instead of create and delete."""
    deletes_first: bool
    """delete_before_replace: the old resources are deleted before the new ones are created."""


@st.composite
def runs(draw: st.DrawFn) -> Run:
    held_numbers = draw(st.sets(st.sampled_from(NUMBERS)), label="held numbers")
    held: dict[str, Held] = {}
    live: dict[str, Binding | None] = {}
    for number in sorted(held_numbers):
        recorded = draw(declared_bindings)
        previous = draw(st.one_of(st.none(), declared_bindings))
        held[number] = Held(recorded, previous, draw(policies))
        # Mostly still as recorded, as a healthy stack's numbers are.
        ours = draw(st.booleans())
        live[number] = in_api_forms(recorded, draw(forms)) if ours else live_of(recorded, draw(live_choices))
    for number in NUMBERS:
        if number not in live:
            live[number] = live_of(UNBOUND, draw(live_choices))
    declared_numbers = draw(st.sets(st.sampled_from(NUMBERS)), label="declared numbers")
    declared: dict[str, Declared] = {}
    for number in sorted(declared_numbers):
        # Often what the old resource recorded: a rename or --replace that changes nothing.
        source = st.just(held[number].recorded) if number in held else st.nothing()
        binding = draw(st.one_of(source, declared_bindings))
        declared[number] = Declared(binding, draw(st.booleans()), draw(st.booleans()))
    both = sorted(held_numbers & declared_numbers)
    kept = draw(st.sets(st.sampled_from(both)) if both else st.just(set()), label="kept")
    return Run(held, live, declared, frozenset(kept), draw(st.booleans()))


class Deployment:
    """One run of the program over the live account, the rules deciding every step as the engine does."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.live = dict(run.live)
        self.claims = Claims()
        for number in run.declared:  # every declared number is claimed at check time, before any step runs
            self.claims.claim(number)
        self.written_by_deletes: set[str] = set()
        self.created: set[str] = set()

    def release(self, number: str, held: Held, live: Binding | None) -> Patch | None:
        """The engine's decision for a resource that lets go of ``number`` (``operations.delete``, and
        ``fleet._release`` per entry): the hand-over rule first, then ``plan_delete``'s."""
        if is_handed_over(number, self.claims):
            return None
        return plan_delete(number, recorded=held.recorded, live=live, policy=held.policy, previous=held.previous).write

    def delete_old(self) -> None:
        for number, held in self.run.held.items():
            if number in self.run.kept:
                continue
            now = self.live[number]
            write = self.release(number, held, now)
            if write is not None:
                assert now is not None
                self.written_by_deletes.add(number)
                self.live[number] = apply(now, write)

    def create_new(self) -> None:
        for number, want in self.run.declared.items():
            now = self.live[number]
            if number in self.run.kept:
                write = plan_update(want.binding, self.run.held[number].recorded)
            else:
                plan = create(want.binding, now, allow_overwrite=want.allow_overwrite, adopt=want.adopt)
                if plan is None:
                    continue  # refused: this resource fails, the others go on
                write = plan.write
                self.created.add(number)
            if now is not None and write is not None:
                self.live[number] = apply(now, write)


@DEPLOYMENTS
@given(runs())
def test_no_delete_of_a_deployment_writes_to_a_number_another_of_its_resources_declares(run: Run) -> None:
    deployment = Deployment(run)
    if run.deletes_first:
        deployment.delete_old()
        deployment.create_new()
    else:  # Pulumi's default: the replacement is created before the old resource is deleted
        deployment.create_new()
        deployment.delete_old()
    assert not deployment.written_by_deletes & set(run.declared)
    for number in deployment.created:
        assert deployment.live[number] == run.declared[number].binding
