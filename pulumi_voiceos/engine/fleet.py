"""A ``PhoneNumberFleet``'s hooks: the diff of its map, one number's steps fanned out over it, partial failure."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..core import checks, lifecycle, models, reasons
from ..core.config import Settings
from ..core.properties import FLEET_OUTPUT_NAMES, SECRET_FLEET_OUTPUTS
from ..core.reasons import Reason, Say
from ..errors import FleetPartialFailure
from . import per_number, predict
from .deployment import Deployment
from .fanout import failure, in_parallel, named, rerun
from .fleet_outputs import FleetOutputs, declared_entries, entry_binding, lean_entry

__all__ = [
    "FLEET_OUTPUT_NAMES",
    "SECRET_FLEET_OUTPUTS",
    "FleetDiff",
    "FleetPartialFailure",
    "FleetRead",
    "check",
    "create",
    "delete",
    "diff",
    "read",
    "update",
]

logger = logging.getLogger("pulumi_voiceos")


@dataclass(frozen=True)
class _Hook:
    """What one hook of a fleet works with: its connection to the deployment, and how its adapter words reasons."""

    conn: per_number.Connection
    say: Say

    @classmethod
    def of(cls, deployment: Deployment, settings: Settings, say: Say) -> _Hook:
        return cls(per_number.Connection.of(deployment, settings), say)

    @property
    def deployment(self) -> Deployment:
        return self.conn.deployment

    @property
    def concurrency(self) -> int:
        return self.conn.settings.max_concurrency


# -- check and diff ------------------------------------------------------------------------------


def check(
    deployment: Deployment,
    news: Mapping[str, Any],
    olds: Mapping[str, Any] | None = None,
    *,
    settings: Callable[[], Settings] | None = None,
    say: Say,
) -> tuple[dict[str, Any], list[checks.Failure]]:
    """The canonical inputs and the failures; claims every number of the fleet for the deployment.

    With ``settings`` (``voiceos:previewChecks`` on), each entry the fleet is about
    to add is told in advance as a binding's create is: refusals fail the check on
    the entry's path, takeovers make one warning for the fleet.
    """
    checked, failures = checks.check_fleet_inputs(news, (olds or {}).get("bindings"))
    if failures:
        return checked, failures
    deployment.checked()
    entries = checked["bindings"]
    if not isinstance(entries, Mapping):
        return checked, failures  # not known until `up`
    for number in entries:
        deployment.claims.claim(number)
    recorded = (olds or {}).get("bindings")
    added = [n for n in entries if not isinstance(recorded, Mapping) or n not in recorded]
    if settings is not None and added:
        failures.extend(predict.fleet(deployment, checked, added, settings, say))
    return checked, failures


@dataclass(frozen=True)
class FleetDiff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per changed number, the binding fields that change."""
    had: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per changed number, the binding fields the recorded binding sets (a change adds, updates or deletes one)."""
    flags: tuple[str, ...] = ()
    unknown: bool = False
    """Something of the new inputs is not known until ``up``."""
    rewrite: bool = False
    """The outputs are in 0.1.0's shape: the next ``up`` rewrites them, and writes nothing to VoiceOS for it."""

    @property
    def changes(self) -> bool:
        return self.unknown or self.rewrite or bool(self.added or self.removed or self.changed or self.flags)


def diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> FleetDiff:
    """``olds`` are the fleet's outputs (state), ``news`` the checked inputs; never a replacement.

    An entry is compared with the print of its binding the outputs record: the fields whose print differs change."""
    flags = tuple(
        name
        for name, default in (("allow_overwrite", False), ("on_delete", "unbind"))
        if (olds.get(name) or default) != (news.get(name) or default)
    )
    recorded = FleetOutputs.of(olds)
    declared = news.get("bindings")
    if not isinstance(declared, Mapping):
        return FleetDiff(flags=flags, unknown=True, rewrite=recorded.legacy)
    changed: dict[str, tuple[str, ...]] = {}
    unknown = False
    for number, entry in declared.items():
        if number not in recorded.records:
            continue
        if checks.contains_unknown(entry):
            unknown = True
            changed[number] = tuple(name for name in models.BINDING_FIELDS if checks.contains_unknown(entry.get(name)))
            continue
        fields = recorded.printed(number).differing_fields(entry_binding(entry))
        if fields:
            changed[number] = fields
    return FleetDiff(
        had={number: recorded.printed(number).fields_set() for number in changed},
        added=tuple(sorted(n for n in declared if n not in recorded.records)),
        removed=tuple(sorted(n for n in recorded.records if n not in declared)),
        changed=changed,
        flags=flags,
        unknown=unknown,
        rewrite=recorded.legacy,
    )


# -- create, update, read, delete ---------------------------------------------------------------


def _add(
    hook: _Hook, entries: Mapping[str, tuple[models.Binding, bool]], out: FleetOutputs, *, allow_overwrite: bool
) -> dict[str, Exception]:
    """Entries new to the fleet, each taken as a binding's create takes its number: refused as a whole
    before any write, or taken (``hook.concurrency`` at once) and recorded in ``out``; returns the
    writes that failed."""
    conn = hook.conn
    lives, unread = in_parallel(entries, lambda n: per_number.read_for_guard(conn, n, entries[n][0]), hook.concurrency)
    if unread:
        return unread
    plans: dict[str, lifecycle.CreatePlan] = {}
    refusals: dict[str, Reason] = {}
    for number, (declared, adopt) in entries.items():
        try:
            plans[number] = per_number.plan_bind(
                number, declared, lives[number], allow_overwrite=allow_overwrite, adopt=adopt
            )
        except errors.BindingRefusedError as exc:
            refusals[number] = exc.reason
    if refusals:
        refused = reasons.FleetRefused(tuple(refusals.items()))
        raise errors.BindingConflictError(hook.say(refused), reason=refused)
    overwritten = tuple((n, plan.previous or models.UNBOUND) for n, plan in plans.items() if plan.notice)
    if overwritten:
        logger.warning("%s", hook.say(reasons.FleetOverwrites(overwritten)))
    to_write = [n for n, plan in plans.items() if plan.write is not None]
    taken, failed = in_parallel(
        to_write, lambda n: per_number.bind(conn, n, plans[n], lives[n]), hook.concurrency, progress="bound"
    )
    for number, plan in plans.items():  # those already as declared: taken without a request
        if plan.write is None:
            taken[number] = per_number.bind(conn, number, plan, lives[number])
    for number, took in taken.items():
        out.record(took.live, entries[number][0])
        if took.previous is not None and not took.previous.is_unbound:
            out.previous[number] = lean_entry(took.previous, raw=True)
    return failed


def _release(
    hook: _Hook, numbers: Iterable[str], out: FleetOutputs, *, policy: models.DeletePolicy
) -> dict[str, Exception]:
    """Let go of numbers, each as a binding's delete: handed over when another resource of the deployment
    declares it, otherwise unbound or restored if still the fleet's own; returns the writes that failed."""
    claims = hook.deployment.claims
    numbers = list(numbers)
    handed = [n for n in numbers if lifecycle.is_handed_over(n, claims)]
    if handed:
        logger.warning(
            "%d numbers of the fleet were handed over to other resources of this deployment, and the fleet "
            "leaves them as they are: %s",
            len(handed),
            named(handed),
        )
    lost = {}
    for number in handed:
        kept = out.previous.get(number)
        warning = per_number.hand_over(hook.deployment, number, None if kept is None else entry_binding(kept))
        if warning is not None:
            lost[number] = warning
        out.forget(number)
    if lost:
        logger.warning("%s", named(lost, lambda n: hook.say(lost[n])))
    previous = dict(out.previous)
    recorded = {n: out.printed(n) for n in numbers if n in out.records}
    released = [n for n in numbers if n not in handed]
    # One listing read now, not the deployment's earlier one: someone may have re-bound a number since.
    listed = per_number.release_listing(hook.conn, released)

    def release(number: str) -> Reason | None:
        kept = previous.get(number)
        return per_number.release(
            hook.conn,
            number,
            recorded=recorded[number],
            previous=None if kept is None else entry_binding(kept),
            policy=policy,
            listed=listed.get(number),
        )

    notices, failed = in_parallel(released, release, hook.concurrency, "let go of")
    said = {n: notice for n, notice in notices.items() if notice}
    if said:
        logger.warning("%s", named(said, lambda n: hook.say(said[n])))
    for number in notices:
        out.forget(number)
    return failed


def create(
    deployment: Deployment,
    settings: Settings,
    props: Mapping[str, Any],
    say: Say,
    *,
    dynamic: bool = True,
) -> tuple[str, dict[str, Any]]:
    """The id and outputs of a new fleet; raises ``BindingConflictError`` (nothing written) when an entry
    is refused, and ``FleetPartialFailure`` (with the outputs of what was done) when writes fail."""
    entries = declared_entries(props)
    hook = _Hook.of(deployment, settings, say)
    for number in entries:
        deployment.claims.claim(number)
    fleet_id = f"fleet-{uuid.uuid4().hex[:16]}"
    out = FleetOutputs()
    failed = _add(hook, entries, out, allow_overwrite=bool(props.get("allow_overwrite")))
    outputs = out.bag(props)
    if failed:
        raise FleetPartialFailure(failure("bound", failed, len(entries), rerun(dynamic)), outputs, fleet_id)
    return fleet_id, outputs


def update(
    deployment: Deployment,
    settings: Settings,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    say: Say,
    *,
    dynamic: bool = True,
    before_release: Callable[[Collection[str]], object] | None = None,
) -> dict[str, Any]:
    """The outputs after applying what changed: entries added (guard, adoption), changed (a PATCH of the
    changed fields only) and removed (unbound or restored unless handed over or re-bound since)."""
    out = FleetOutputs.of(olds)
    plan = diff(olds, news)
    if not (plan.added or plan.removed or plan.changed):
        return out.bag(news)  # only allow_overwrite, on_delete or the outputs' shape changed: nothing to send
    hook = _Hook.of(deployment, settings, say)
    for number in news.get("bindings") or {}:
        deployment.claims.claim(number)
    declared = declared_entries({"bindings": {n: news["bindings"][n] for n in (*plan.added, *plan.changed)}})
    failed = _add(hook, {n: declared[n] for n in plan.added}, out, allow_overwrite=bool(news.get("allow_overwrite")))

    def change(number: str) -> tuple[models.PhoneNumber, models.BindingPrint]:
        was = out.printed(number)
        write = per_number.plan_change(declared[number][0], was)
        assert write is not None  # the diff found a field that differs
        return per_number.change(hook.conn, number, write, was)

    changed, failed_changes = in_parallel(plan.changed, change, hook.concurrency, progress="updated")
    failed.update(failed_changes)
    for live, bound in changed.values():
        out.record(live, bound)
    if plan.removed:
        if before_release is not None:
            # The adapter's part: the deployment learns of every resource that declares one of these numbers.
            before_release(plan.removed)
        failed.update(_release(hook, plan.removed, out, policy=news.get("on_delete") or "unbind"))
    outputs = out.bag(news)
    if failed:
        total = len(plan.added) + len(plan.changed) + len(plan.removed)
        raise FleetPartialFailure(failure("written", failed, total, rerun(dynamic)), outputs)
    return outputs


@dataclass(frozen=True)
class FleetRead:
    outputs: dict[str, Any]
    inputs: dict[str, Any] | None
    """Inputs whose entries follow the live bindings after drift, or None to keep the recorded inputs."""


def read(deployment: Deployment, settings: Settings, props: Mapping[str, Any]) -> FleetRead:
    """The live bindings of the fleet's numbers from one listing; a number that left the account leaves the fleet."""
    out = FleetOutputs.of(props)
    if not out.records:
        raise errors.ConfigurationError(
            "a PhoneNumberFleet cannot be imported from an id; declare it in the program instead, with "
            "adopt: true on each entry that should be taken over as it is"
        )
    conn = per_number.Connection.of(deployment, settings)
    was = {number: out.printed(number) for number in out.numbers}

    lives, failed = in_parallel(was, lambda n: per_number.lookup(conn, n), conn.settings.max_concurrency)
    if failed:
        raise next(iter(failed.values()))
    drifted: list[str] = []
    for number, live in lives.items():
        if live is None:
            out.forget(number)
            continue
        out.record(live, live.binding())
        if out.printed(number).differing_fields(was[number]):
            drifted.append(number)
    gone = [n for n, live in lives.items() if live is None]
    if gone:
        logger.warning("%d numbers of the fleet are no longer in the VoiceOS account: %s", len(gone), named(gone))
    if drifted:
        logger.warning(
            "%d numbers of the fleet were changed outside this stack, and the next up puts back what the program "
            "declares: %s",
            len(drifted),
            named(drifted),
        )
    outputs = out.bag(props)
    if not (drifted or gone):
        return FleetRead(outputs, None)
    # After drift the inputs follow the live bindings too, so `ignore_changes` keeps what is live (as a binding's).
    inputs = {
        "bindings": {n: lean_entry(live.binding()) for n, live in lives.items() if live is not None},
        "allow_overwrite": outputs["allow_overwrite"],
        "on_delete": outputs["on_delete"],
    }
    return FleetRead(outputs, inputs)


def delete(deployment: Deployment, settings: Settings, props: Mapping[str, Any], say: Say) -> None:
    """Let go of every number, each as a binding's delete (the engine deletes after it creates, so the
    numbers another resource of the deployment took over are claimed already)."""
    out = FleetOutputs.of(props)
    if not out.records:
        return
    hook = _Hook.of(deployment, settings, say)
    total = len(out.records)
    failed = _release(hook, out.numbers, out, policy=props.get("on_delete") or "unbind")
    if failed:
        then = "The fleet stays in the stack; run `pulumi destroy` again: the numbers already let go of need nothing."
        raise errors.VoiceOSError(failure("let go of", failed, total, then))
