"""What a provider does for each hook of a ``PhoneNumberFleet``: many numbers in one resource, by a binding's rules.

A fleet manages exactly the numbers it lists (the rest of the account is none
of its business), and every entry follows ``lifecycle`` as a binding does: the
overwrite guard and adoption when an entry is added (``plan_create``), a PATCH
of only the changed fields when it changes (``plan_update``), and, when it is
removed, an unbind or a restore only if the live binding is still the fleet's
own (``plan_delete``). The deployment's claims hand a number over between a
fleet and a binding, or between two fleets, in both directions.

Both providers are thin adapters over this module, as over ``operations`` for
a binding. Property bags are snake_case; ``bindings`` maps each E.164 number
to its entry (``inbound_agent_id`` and ``webhooks`` when set, ``adopt`` when
true), as ``checks.check_fleet_inputs`` makes it canonical.

Requests: reads come from the deployment's one listing of the account
(ceil(account / 200) requests), and a fresh GET is made only where the guard
must decide on a number the listing shows bound to something else, or the
listing misses; writes run concurrently, at most ``voiceos:maxConcurrency`` at
once, with the client's retries. A no-change preview or up makes no request.

Outputs per number are lean: the binding the fleet knows is bound, one flat
map of the number's VoiceOS id and carrier (``provider``, ``phone_number_sid``,
``account_sid``; without its credential), the carrier tokens as one secret
map, and, for a number the fleet took over, what it had before (secret, for
``on_delete="restore"``).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from . import checks, errors, lifecycle, models
from .client import VoiceOSClient
from .config import Settings
from .deployment import DeploymentState, deployment_state
from .operations import number_properties
from .pacing import STATUS, Cancelled
from .properties import FLEET_OUTPUT_NAMES, SECRET_FLEET_OUTPUTS
from .snapshot import AccountSnapshot

__all__ = [
    "FLEET_OUTPUT_NAMES",
    "SECRET_FLEET_OUTPUTS",
    "FleetDiff",
    "FleetPartialFailure",
    "check",
    "create",
    "delete",
    "diff",
    "read",
    "update",
]

logger = logging.getLogger("pulumi_voiceos")


NAMED: Final = 10
"""How many numbers a message names before it gives a count of the rest."""

HANDOVER_QUIET_SECONDS: Final = 0.5
HANDOVER_WAIT_SECONDS: Final = 10.0
"""A removed entry is let go of only once the deployment's checks have been quiet this long (or after the
wait), so that another resource of the same ``up`` that declares the number has claimed it first."""

T = TypeVar("T")


class FleetPartialFailure(errors.VoiceOSError):
    """Some numbers of a fleet could not be written; ``outputs`` records what was done (for the fleet
    ``resource_id``: a create names the id it gave the fleet)."""

    def __init__(self, message: str, outputs: dict[str, Any], resource_id: str | None = None) -> None:
        super().__init__(message)
        self.outputs = outputs
        self.resource_id = resource_id


# -- entries -----------------------------------------------------------------------------------


def _binding(entry: Mapping[str, Any]) -> models.Binding:
    return models.Binding.from_properties(entry.get("inbound_agent_id"), entry.get("webhooks"))


def _entry(binding: models.Binding, *, raw: bool = False) -> dict[str, Any]:
    """A binding as a lean entry: only the fields it sets (its webhooks as they came, with ``raw``)."""
    entry: dict[str, Any] = {}
    if binding.inbound_agent_id is not None:
        entry["inbound_agent_id"] = binding.inbound_agent_id
    if binding.webhooks:
        entry["webhooks"] = binding.webhooks_raw() if raw else binding.webhooks_wire()
    return entry


def _named(numbers: Iterable[str], describe: Callable[[str], str] = str) -> str:
    """The first ``NAMED`` numbers, described, and how many more."""
    listed = sorted(numbers)
    shown = "; ".join(describe(n) for n in listed[:NAMED])
    return shown + (f"; and {len(listed) - NAMED} more" if len(listed) > NAMED else "")


PROGRESS_SECONDS: Final = 1.0
"""A fan-out that lasts longer than this reports how far it has got, at most this often (``STATUS``)."""


def _in_parallel(
    keys: Iterable[str], work: Callable[[str], T], concurrency: int, progress: str | None = None
) -> tuple[dict[str, T], dict[str, Exception]]:
    """``work(key)`` for every key, at most ``concurrency`` at once: the results, and the failures. With
    ``progress`` (a past participle: "bound"), a long fan-out logs "bound 3,000 of 10,000 numbers" as it goes.
    After the engine's Cancel the pacer refuses to send anything more, so what had not started fails
    with ``pacing.Cancelled`` and is reported with the rest."""
    keys = list(keys)
    done: dict[str, T] = {}
    failed: dict[str, Exception] = {}
    if not keys:
        return done, failed
    started = last = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(keys))), thread_name_prefix="fleet") as pool:
        futures = {pool.submit(work, key): key for key in keys}
        for future in as_completed(futures):
            key = futures[future]
            try:
                done[key] = future.result()
            except Exception as exc:  # every failure is reported with its number, none is lost
                failed[key] = exc
            now = time.monotonic()
            finished = len(done) + len(failed) == len(keys)
            if progress and now - started >= PROGRESS_SECONDS and (now - last >= PROGRESS_SECONDS or finished):
                last = now
                logger.info(
                    "%s %s of %s numbers",
                    progress,
                    f"{len(done):,}",
                    f"{len(keys):,}",
                    extra={STATUS: now - started},
                )
    return done, failed


@dataclass
class _Outputs:
    """A fleet's outputs while a hook changes them."""

    bindings: dict[str, Any] = field(default_factory=dict)
    numbers: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> _Outputs:
        return cls(
            dict(props.get("bindings") or {}),
            dict(props.get("numbers") or {}),
            dict(props.get("telephony_auth_tokens") or {}),
            dict(props.get("previous") or {}),
        )

    def record(self, live: models.PhoneNumber, binding: models.Binding) -> None:
        number = live.phone_number
        self.bindings[number] = _entry(binding)
        own = number_properties(live)
        # Flat and without nulls: per entry, one map of four strings is what a state of thousands can afford.
        carrier = {key: value for key, value in (own["telephony"] or {}).items() if value is not None}
        self.numbers[number] = {"voiceos_id": own["voiceos_id"], **carrier}
        token = own["telephony_auth_token"]
        if token is None:
            self.tokens.pop(number, None)
        else:
            self.tokens[number] = token

    def forget(self, number: str) -> None:
        for table in (self.bindings, self.numbers, self.tokens, self.previous):
            table.pop(number, None)

    def bag(self, flags: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "bindings": self.bindings,
            "allow_overwrite": bool(flags.get("allow_overwrite")),
            "on_delete": flags.get("on_delete") or "unbind",
            "numbers": self.numbers,
            # None rather than {} when empty: a secret costs bytes of state even when it holds nothing.
            "telephony_auth_tokens": self.tokens or None,
            "previous": self.previous or None,
        }


@dataclass(frozen=True)
class _Hook:
    """What one hook of a fleet works with: the deployment, its client and listing, and how to say things."""

    state: DeploymentState
    client: VoiceOSClient
    account: AccountSnapshot
    concurrency: int
    wording: lifecycle.Wording

    @classmethod
    def of(cls, settings: Settings, wording: lifecycle.Wording) -> _Hook:
        state = deployment_state()
        client, account = state.connect(settings)
        return cls(state, client, account, settings.max_concurrency, wording)


def _declared(props: Mapping[str, Any]) -> dict[str, tuple[models.Binding, bool]]:
    return {
        number: (_binding(entry), bool(entry.get("adopt"))) for number, entry in (props.get("bindings") or {}).items()
    }


# -- check and diff ------------------------------------------------------------------------------


def check(
    news: Mapping[str, Any],
    olds: Mapping[str, Any] | None = None,
    *,
    settings: Callable[[], Settings] | None = None,
    wording: lifecycle.Wording = lifecycle.PYTHON,
) -> tuple[dict[str, Any], list[checks.Failure]]:
    """The canonical inputs and the failures; claims every number of the fleet for this deployment.

    With ``settings`` (``voiceos:previewChecks`` on), each entry the fleet is about
    to add is told in advance as a binding's create is: refusals fail the check on
    the entry's path, takeovers make one warning for the fleet.
    """
    checked, failures = checks.check_fleet_inputs(news, (olds or {}).get("bindings"))
    if failures:
        return checked, failures
    state = deployment_state()
    state.checked()
    entries = checked["bindings"]
    if not isinstance(entries, Mapping):
        return checked, failures  # not known until `up`
    for number in entries:
        state.claims.claim(number)
    recorded = (olds or {}).get("bindings")
    added = [n for n in entries if not isinstance(recorded, Mapping) or n not in recorded]
    if settings is not None and added:
        failures.extend(_predict(state, checked, added, settings, wording))
    return checked, failures


def _predict(
    state: DeploymentState,
    checked: Mapping[str, Any],
    added: list[str],
    settings: Callable[[], Settings],
    wording: lifecycle.Wording,
) -> list[checks.Failure]:
    try:
        resolved = settings()
        client, account = state.connect(resolved)
    except errors.MissingTokenError:
        state.unchecked("no API token is set")
        return []
    except errors.ConfigurationError as exc:
        state.unchecked(str(exc))
        return []
    allow_overwrite = checked.get("allow_overwrite")
    unknown_overwrite = checks.contains_unknown(allow_overwrite)
    known = [n for n in added if not checks.contains_unknown(checked["bindings"][n])]
    if len(known) < len(added):
        logger.warning(
            "%d entries of a fleet are not known until `up` (another resource computes them); `up` checks "
            "their numbers before writing",
            len(added) - len(known),
        )
    lives, unreachable = _in_parallel(known, lambda n: _read(client, account, n), resolved.max_concurrency)
    if account.failure is not None or unreachable:
        state.unchecked(str(account.failure or next(iter(unreachable.values()))))
        return []
    refusals: dict[str, str] = {}
    takeovers: list[str] = []
    for number in known:
        entry = checked["bindings"][number]
        live = lives[number]
        prediction = lifecycle.predict_create(
            number,
            _binding(entry),
            None if live is None else live.binding(),
            allow_overwrite=None if unknown_overwrite else bool(allow_overwrite),
            adopt=bool(entry.get("adopt")),
            wording=wording,
        )
        if prediction.refusal:
            refusals[number] = prediction.refusal
        elif prediction.notice and live is not None:
            takeovers.append(number)
    if takeovers:
        bound = {n: wording.describe(live.binding()) for n in takeovers if (live := lives[n]) is not None}
        state.warn_once(
            f"fleet takeovers {sorted(takeovers)}",
            f"{wording.allow_overwrite} replaces the bindings of {len(takeovers)} numbers of the fleet: "
            f"{_named(takeovers, lambda n: f'{n} ({bound[n]})')}; each is kept in the fleet's previous output, "
            f"and {wording.restore} puts it back on destroy",
        )
    shown = sorted(refusals)
    found = [checks.Failure(checks.entry_path(n), refusals[n]) for n in shown[:NAMED]]
    if len(shown) > NAMED:
        found.append(
            checks.Failure(
                "bindings",
                f"{len(shown) - NAMED} more entries are refused for the same reasons: {_named(shown[NAMED:])}",
            )
        )
    return found


@dataclass(frozen=True)
class FleetDiff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per changed number, the binding fields that change."""
    flags: tuple[str, ...] = ()
    unknown: bool = False
    """Something of the new inputs is not known until ``up``."""

    @property
    def changes(self) -> bool:
        return self.unknown or bool(self.added or self.removed or self.changed or self.flags)


def diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> FleetDiff:
    """``olds`` are the fleet's outputs (state), ``news`` the checked inputs; never a replacement."""
    flags = tuple(
        name
        for name, default in (("allow_overwrite", False), ("on_delete", "unbind"))
        if (olds.get(name) or default) != (news.get(name) or default)
    )
    declared, recorded = news.get("bindings"), olds.get("bindings") or {}
    if not isinstance(declared, Mapping):
        return FleetDiff(flags=flags, unknown=True)
    changed: dict[str, tuple[str, ...]] = {}
    unknown = False
    for number, entry in declared.items():
        if number not in recorded:
            continue
        was = recorded[number]
        if entry == {k: v for k, v in was.items() if k != "adopt"} or entry == was:
            continue  # both canonical (check wrote the one, a hook the other): equal dicts, equal bindings
        if checks.contains_unknown(entry):
            unknown = True
            changed[number] = tuple(name for name in models.BINDING_FIELDS if checks.contains_unknown(entry.get(name)))
            continue
        fields = _binding(was).differing_fields(_binding(entry))
        if fields:
            changed[number] = fields
    return FleetDiff(
        added=tuple(sorted(n for n in declared if n not in recorded)),
        removed=tuple(sorted(n for n in recorded if n not in declared)),
        changed=changed,
        flags=flags,
        unknown=unknown,
    )


# -- create, update, read, delete ---------------------------------------------------------------


def _read(client: VoiceOSClient, account: AccountSnapshot, number: str) -> models.PhoneNumber | None:
    """The number as the account's listing has it, or from its own GET when the listing misses it (only
    that GET's 404 says it is gone: None)."""
    listed = account.lookup(number)
    if listed is not None:
        return listed
    try:
        return client.get_phone_number(number)
    except errors.NotFoundError:
        return None


def _live(
    client: VoiceOSClient, account: AccountSnapshot, number: str, declared: models.Binding
) -> models.PhoneNumber | None:
    """The number as the guard must see it before writing: the listing's copy when it holds no one else's
    binding, else a fresh GET (the guard decides on what is live now, as a binding's create does)."""
    listed = account.lookup(number)
    if listed is not None:
        binding = listed.binding()
        if binding == declared or binding.is_unbound:
            return listed
    try:
        return client.get_phone_number(number)
    except errors.NotFoundError:
        return None


def _failed(what: str, failed: Mapping[str, Exception], total: int, then: str) -> str:
    """A failed step's message: how many, which (the first ``NAMED``, with the API's reason), those a cancel
    kept from being sent, the setting that applies, and what next."""
    cancelled = [n for n, exc in failed.items() if isinstance(exc, Cancelled)]
    errored = {n: exc for n, exc in failed.items() if not isinstance(exc, Cancelled)}
    said: list[str] = []
    if errored:
        named = _named(errored, lambda n: f"{n} ({errored[n]})")
        said.append(f"{len(errored)} of {total} numbers could not be {what}: {named}.")
    if cancelled:
        said.append(f"{len(cancelled)} of {total} numbers were not {what}: the update was cancelled before their turn.")
    if any(isinstance(exc, errors.RateLimitError) for exc in errored.values()):
        said.append(
            "The API kept refusing requests (429): raise voiceos:maxRetrySeconds, or lower voiceos:maxConcurrency "
            "(the fleet's requests at once)."
        )
    return " ".join([*said, then])


def _rerun(dynamic: bool) -> str:
    if dynamic:
        return (
            "The dynamic provider cannot record a failed step's progress, so the stack still has the fleet as it "
            "was: the next `pulumi up` adopts what was written and writes the rest."
        )
    return "What succeeded is recorded in the stack; the next `pulumi up` writes only what is not yet as declared."


def _add(
    hook: _Hook, entries: Mapping[str, tuple[models.Binding, bool]], out: _Outputs, *, allow_overwrite: bool
) -> dict[str, Exception]:
    """Entries new to the fleet, each as a binding's create: refused as a whole before any write, or
    written (``hook.concurrency`` at once) and recorded in ``out``; returns the writes that failed."""
    client, account, wording = hook.client, hook.account, hook.wording
    lives, unread = _in_parallel(entries, lambda n: _live(client, account, n, entries[n][0]), hook.concurrency)
    if unread:
        return unread
    plans: dict[str, lifecycle.CreatePlan] = {}
    refusals: dict[str, str] = {}
    for number, (declared, adopt) in entries.items():
        live = lives[number]
        try:
            plans[number] = lifecycle.plan_create(
                number,
                declared,
                None if live is None else live.binding(),
                allow_overwrite=allow_overwrite,
                adopt=adopt,
                wording=wording,
            )
        except errors.BindingRefusedError as exc:
            refusals[number] = str(exc)
    if refusals:
        raise errors.BindingConflictError(
            f"{len(refusals)} numbers of the fleet are refused, and nothing was written: "
            f"{_named(refusals, lambda n: refusals[n])}"
        )
    overwritten = [n for n, plan in plans.items() if plan.notice]
    if overwritten:
        logger.warning(
            "overwriting the bindings of %d numbers of the fleet (kept in its previous output): %s",
            len(overwritten),
            _named(overwritten, lambda n: f"{n} ({wording.describe(plans[n].previous or models.UNBOUND)})"),
        )

    def write(number: str) -> models.PhoneNumber:
        write = plans[number].write
        assert write is not None
        account.forget(number)
        return client.update_phone_number(number, write)

    written, failed = _in_parallel(
        [n for n, p in plans.items() if p.write is not None], write, hook.concurrency, progress="bound"
    )
    for number, plan in plans.items():
        live = written.get(number) if plan.write is not None else lives[number]
        if live is None:
            continue  # its write failed
        out.record(live, entries[number][0])
        previous = hook.state.take(number, plan.previous)
        if previous is not None and not previous.is_unbound:
            out.previous[number] = _entry(previous, raw=True)
    return failed


def _wait_for_claims(state: DeploymentState, numbers: Iterable[str]) -> None:
    """Give the rest of the deployment the time to claim numbers the fleet lets go of (``HANDOVER_*``)."""
    if all(n in state.claims for n in numbers):
        return
    deadline = time.monotonic() + HANDOVER_WAIT_SECONDS
    while time.monotonic() < deadline and time.monotonic() - state.last_check < HANDOVER_QUIET_SECONDS:
        time.sleep(HANDOVER_QUIET_SECONDS / 5)


def _release(
    hook: _Hook, recorded: Mapping[str, Any], numbers: Iterable[str], out: _Outputs, *, policy: models.DeletePolicy
) -> dict[str, Exception]:
    """Let go of numbers, each as a binding's delete: handed over when another resource of the deployment
    declares it, otherwise unbound or restored if still the fleet's own; returns the writes that failed."""
    client, account, claims = hook.client, hook.account, hook.state.claims
    numbers = list(numbers)
    handed = [n for n in numbers if n in claims]
    if handed:
        logger.warning(
            "%d numbers of the fleet were handed over to other resources of this deployment, and the fleet "
            "leaves them as they are: %s",
            len(handed),
            _named(handed),
        )
    lost = {}
    for number in handed:
        kept = out.previous.get(number)
        if not hook.state.hand_over(number, None if kept is None else _binding(kept)) and kept is not None:
            lost[number] = lifecycle.restore_memory_lost(number, _binding(kept), hook.wording)
        out.forget(number)
    if lost:
        logger.warning("%s", _named(lost, lambda n: lost[n]))
    previous = dict(out.previous)

    def let_go(number: str) -> str | None:
        # Always a fresh read, never the listing: someone may have re-bound the number since it was listed.
        account.forget(number)
        try:
            live: models.Binding | None = client.get_phone_number(number).binding()
        except errors.NotFoundError:
            live = None
        kept = previous.get(number)
        plan = lifecycle.plan_delete(
            number,
            recorded=_binding(recorded[number]),
            live=live,
            policy=policy,
            previous=None if kept is None else _binding(kept),
            wording=hook.wording,
        )
        if plan.write is not None:
            account.forget(number)
            try:
                client.update_phone_number(number, plan.write)
            except errors.NotFoundError:
                return f"{number} left the VoiceOS account while being unbound; nothing to unbind"
        return plan.notice

    notices, failed = _in_parallel(
        [n for n in numbers if n not in claims], let_go, hook.concurrency, progress="let go of"
    )
    said = {n: notice for n, notice in notices.items() if notice}
    if said:
        logger.warning("%s", _named(said, lambda n: said[n]))
    for number in notices:
        out.forget(number)
    return failed


def create(
    settings: Settings, props: Mapping[str, Any], wording: lifecycle.Wording = lifecycle.PYTHON, *, dynamic: bool = True
) -> tuple[str, dict[str, Any]]:
    """The id and outputs of a new fleet; raises ``BindingConflictError`` (nothing written) when an entry
    is refused, and ``FleetPartialFailure`` (with the outputs of what was done) when writes fail."""
    entries = _declared(props)
    hook = _Hook.of(settings, wording)
    for number in entries:
        hook.state.claims.claim(number)
    fleet_id = f"fleet-{uuid.uuid4().hex[:16]}"
    out = _Outputs()
    failed = _add(hook, entries, out, allow_overwrite=bool(props.get("allow_overwrite")))
    outputs = out.bag(props)
    if failed:
        raise FleetPartialFailure(_failed("bound", failed, len(entries), _rerun(dynamic)), outputs, fleet_id)
    return fleet_id, outputs


def update(
    settings: Settings,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    wording: lifecycle.Wording = lifecycle.PYTHON,
    *,
    dynamic: bool = True,
    declared_elsewhere: Collection[str] | None = None,
) -> dict[str, Any]:
    """The outputs after applying what changed: entries added (guard, adoption), changed (a PATCH of the
    changed fields only) and removed (unbound or restored unless handed over or re-bound since)."""
    recorded: dict[str, Any] = dict(olds.get("bindings") or {})
    out = _Outputs.of(olds)
    plan = diff(olds, news)
    if not (plan.added or plan.removed or plan.changed):
        return out.bag(news)  # only allow_overwrite or on_delete changed: nothing to send
    hook = _Hook.of(settings, wording)
    for number in news.get("bindings") or {}:
        hook.state.claims.claim(number)
    declared = _declared({"bindings": {n: news["bindings"][n] for n in (*plan.added, *plan.changed)}})
    failed = _add(hook, {n: declared[n] for n in plan.added}, out, allow_overwrite=bool(news.get("allow_overwrite")))

    def change(number: str) -> models.PhoneNumber:
        write = lifecycle.plan_update(declared[number][0], _binding(recorded[number]))
        assert write is not None
        hook.account.forget(number)
        return hook.client.update_phone_number(number, write)

    changed, failed_changes = _in_parallel(plan.changed, change, hook.concurrency, progress="updated")
    failed.update(failed_changes)
    for number, live in changed.items():
        sent = set(plan.changed[number])
        was, now = _binding(recorded[number]), live.binding()
        # A field the program did not change keeps what the fleet recorded (as a binding's update does).
        out.record(
            live,
            models.Binding(
                now.inbound_agent_id if "inbound_agent_id" in sent else was.inbound_agent_id,
                now.webhooks if "webhooks" in sent else was.webhooks,
            ),
        )
    if plan.removed:
        if declared_elsewhere is None:
            # The native provider hears of no program: it gives the deployment time to claim (docs/fleets.md).
            _wait_for_claims(hook.state, plan.removed)
        else:
            # The program told which numbers its other resources declare: a hand-over needs no waiting.
            for number in declared_elsewhere:
                hook.state.claims.claim(number)
        failed.update(_release(hook, recorded, plan.removed, out, policy=news.get("on_delete") or "unbind"))
    outputs = out.bag(news)
    if failed:
        total = len(plan.added) + len(plan.changed) + len(plan.removed)
        raise FleetPartialFailure(_failed("written", failed, total, _rerun(dynamic)), outputs)
    return outputs


@dataclass(frozen=True)
class FleetRead:
    outputs: dict[str, Any]
    inputs: dict[str, Any] | None
    """Inputs whose entries follow the live bindings after drift, or None to keep the recorded inputs."""


def read(settings: Settings, props: Mapping[str, Any]) -> FleetRead:
    """The live bindings of the fleet's numbers from one listing; a number that left the account leaves the fleet."""
    if not props.get("bindings") and not props.get("numbers"):
        raise errors.ConfigurationError(
            "a PhoneNumberFleet cannot be imported from an id; declare it in the program instead, with "
            "adopt: true on each entry that should be taken over as it is"
        )
    hook = _Hook.of(settings, lifecycle.PYTHON)
    recorded: dict[str, Any] = dict(props.get("bindings") or {})
    out = _Outputs.of(props)

    lives, failed = _in_parallel(recorded, lambda n: _read(hook.client, hook.account, n), hook.concurrency)
    if failed:
        raise next(iter(failed.values()))
    drifted = False
    for number, live in lives.items():
        if live is None:
            out.forget(number)
            drifted = True
            continue
        out.record(live, live.binding())
        drifted = drifted or out.bindings[number] != recorded[number]
    gone = [n for n, live in lives.items() if live is None]
    if gone:
        logger.warning("%d numbers of the fleet are no longer in the VoiceOS account: %s", len(gone), _named(gone))
    outputs = out.bag(props)
    if not drifted:
        return FleetRead(outputs, None)
    # After drift the inputs follow the live bindings too, so `ignore_changes` keeps what is live (as a binding's).
    inputs = {
        "bindings": dict(out.bindings),
        "allow_overwrite": outputs["allow_overwrite"],
        "on_delete": outputs["on_delete"],
    }
    return FleetRead(outputs, inputs)


def delete(settings: Settings, props: Mapping[str, Any], wording: lifecycle.Wording = lifecycle.PYTHON) -> None:
    """Let go of every number, each as a binding's delete (the engine deletes after it creates, so the
    numbers another resource of the deployment took over are claimed already)."""
    recorded: dict[str, Any] = dict(props.get("bindings") or {})
    if not recorded:
        return
    hook = _Hook.of(settings, wording)
    failed = _release(hook, recorded, recorded, _Outputs.of(props), policy=props.get("on_delete") or "unbind")
    if failed:
        then = "The fleet stays in the stack; run `pulumi destroy` again: the numbers already let go of need nothing."
        raise errors.VoiceOSError(_failed("let go of", failed, len(recorded), then))
