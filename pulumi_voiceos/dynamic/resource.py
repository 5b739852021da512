"""``PhoneNumberBinding``: the resource users declare in their Pulumi programs."""

from __future__ import annotations

import asyncio
import copy
import weakref
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, cast

import pulumi
import pulumi.dynamic
import pulumi.runtime
from pulumi.runtime.settings import SETTINGS

from . import headers as _headers
from .provider import OUTPUT_NAMES, PROVIDER, SECRET_OUTPUTS

__all__ = [
    "PhoneNumberBinding",
    "PhoneNumberBindingArgs",
    "WebhookArgs",
    "WebhookArgsDict",
    "claim_in_program",
    "claim_later",
    "declared_elsewhere",
    "forget_program_claims",
    "program_run",
    "warn_plaintext",
    "webhooks_props",
]


class WebhookArgsDict(TypedDict, total=False):
    """A webhook as a plain dict; ``events`` and ``url`` are required."""

    events: pulumi.Input[Sequence[pulumi.Input[str]]]
    url: pulumi.Input[str]
    method: pulumi.Input[str]
    headers: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    filter: pulumi.Input[str]


class WebhookArgs:
    """A webhook VoiceOS calls to fetch the agent when a call comes in.

    :param events: event names it fires on, e.g. ``["phone_call:connection_requested"]``.
    :param url: absolute https (or http) URL.
    :param method: HTTP method, any case; ``POST`` when left out.
    :param headers: extra request headers. Pass credentials with
        ``pulumi.Output.secret(...)`` so they stay encrypted in state and hidden in previews.
    :param filter: optional filter expression, passed through to VoiceOS.
    """

    def __init__(
        self,
        *,
        events: pulumi.Input[Sequence[pulumi.Input[str]]],
        url: pulumi.Input[str],
        method: pulumi.Input[str] | None = None,
        headers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        filter: pulumi.Input[str] | None = None,  # noqa: A002 - the API's own field name
    ) -> None:
        self.events = events
        self.url = url
        self.method = method
        self.headers = headers
        self.filter = filter

    def to_props(self) -> dict[str, Any]:
        props: dict[str, Any] = {"events": self.events, "url": self.url}
        for name in ("method", "headers", "filter"):
            value = getattr(self, name)
            if value is not None:
                props[name] = value
        return props


class PhoneNumberBindingArgs:
    """The inputs of a ``PhoneNumberBinding``.

    :param phone_number: the number, E.164 (``+14155550123``). Changing it replaces the binding.
    :param inbound_agent_id: the agent that answers inbound calls; left out, the number has no agent.
    :param webhooks: webhooks that fetch the agent at the start of a call; left out, none.
    :param allow_overwrite: when creating, replace a binding someone else made instead of
        failing; what was there is kept in ``previous_inbound_agent_id``/``previous_webhooks``.
    :param on_delete: what destroying the binding does to the number: ``"unbind"`` (the
        default: no agent, no webhooks) or ``"restore"`` (put back the binding that
        ``allow_overwrite`` replaced or ``import_`` adopted). Either way only if the number
        still has the binding this stack set; someone else's later change is left alone.
    """

    def __init__(
        self,
        *,
        phone_number: pulumi.Input[str],
        inbound_agent_id: pulumi.Input[str] | None = None,
        webhooks: pulumi.Input[Sequence[pulumi.Input[WebhookArgs | WebhookArgsDict]]] | None = None,
        allow_overwrite: pulumi.Input[bool] | None = None,
        on_delete: pulumi.Input[str] | None = None,
    ) -> None:
        self.phone_number = phone_number
        self.inbound_agent_id = inbound_agent_id
        self.webhooks = webhooks
        self.allow_overwrite = allow_overwrite
        self.on_delete = on_delete


def _webhook_props(webhook: Any) -> Any:
    return webhook.to_props() if isinstance(webhook, WebhookArgs) else webhook


def webhooks_props(webhooks: Any) -> Any:
    """Webhooks as property values: ``WebhookArgs`` become dicts, plain dicts stay as they are."""
    if webhooks is None:
        return None
    if isinstance(webhooks, pulumi.Output):
        return webhooks.apply(lambda items: None if items is None else [_webhook_props(w) for w in items])
    return [_webhook_props(w) for w in webhooks]


def warn_plaintext(resource: pulumi.Resource, name: str, found: list[tuple[str, str]]) -> None:
    """Warn once at preview of the header values given in plain text, naming webhooks and headers, never a value:
    a warning per value would make a fleet of thousands print thousands (and the engine redraw for each)."""
    if not found:
        return
    from ..core.reasons import PlaintextHeader
    from .wording import PYTHON

    pulumi.log.warn(PYTHON(PlaintextHeader(name, tuple(found))), resource=resource)


def program_run() -> object:
    """What tells one run of a program from the next in this process: the SDK's list of a run's RPCs.

    A program the engine runs is one run per process, but unit tests run many in one: ``set_mocks`` and
    each ``@pulumi.runtime.test`` start a run by giving the SDK's RPC manager a new list, so its identity
    marks the run (compare with ``is``)."""
    return SETTINGS.rpc_manager.rpcs


@dataclass
class _RunClaims:
    run: object
    numbers: dict[str, str] = field(default_factory=dict)
    pending: list[Awaitable[Any]] = field(default_factory=list)
    """The numbers of resources not known when they were declared (an output of another resource)."""


# Numbers claimed per program run, keyed by the run's root stack resource (unit tests under mocks share
# one root across runs, hence the run kept beside them), so two bindings of one number are refused
# before either reaches the API.
_claims: weakref.WeakKeyDictionary[Any, _RunClaims] = weakref.WeakKeyDictionary()
_claims_without_root: list[_RunClaims] = []


def forget_program_claims() -> None:
    """Start the claims afresh, as a new run of a program does (a new run is also noticed on its own)."""
    _claims.clear()
    _claims_without_root.clear()


def _this_run(root: Any) -> _RunClaims:
    run = program_run()
    found = _claims.get(root) if root is not None else next(iter(_claims_without_root), None)
    if found is None or found.run is not run:
        found = _RunClaims(run)
        if root is not None:
            _claims[root] = found
        else:
            _claims_without_root[:] = [found]
    return found


def _run_claims(root: Any) -> dict[str, str]:
    return _this_run(root).numbers


def claim_later(phone_number: pulumi.Output[str]) -> None:
    """A resource declares a number known only later: ``declared_elsewhere`` waits for it."""
    _this_run(pulumi.runtime.get_root_resource()).pending.append(phone_number.future())


def declared_elsewhere(holder: str) -> pulumi.Output[list[str]]:
    """The numbers that resources of this program other than ``holder`` declare, once all are declared.

    A fleet lets go of an entry it no longer lists only when no other resource declares the number; this
    input tells it, without waiting on the engine's timing. It resolves after the program's body has run
    (the coroutine starts on the event loop's next turn) and every number known only later is known; an
    unknown one at preview counts as no number."""
    run = _this_run(pulumi.runtime.get_root_resource())

    async def numbers() -> list[str]:
        await asyncio.sleep(0)
        while run.pending:
            waiting, run.pending[:] = list(run.pending), []
            await asyncio.gather(*waiting, return_exceptions=True)
        return sorted(number for number, claimer in run.numbers.items() if claimer != holder)

    return pulumi.Output.from_input(numbers())


def claim_in_program(phone_number: str, resource: str) -> str:
    """Claim ``phone_number`` for ``resource`` (``"PhoneNumberBinding 'support'"``) in this program run;
    a second resource of the same program that declares it is refused before either reaches the API."""
    claims = _run_claims(pulumi.runtime.get_root_resource())
    holder = claims.setdefault(phone_number, resource)
    if holder != resource:
        raise ValueError(
            f"{resource}: phone_number {phone_number} is already bound by {holder} in this program; a number "
            "has exactly one binding, so merge the two (one agent, all the webhooks) into one, or remove "
            "the number from one of them"
        )
    return phone_number


class PhoneNumberBinding(pulumi.dynamic.Resource, module="voiceos", name="PhoneNumberBinding"):
    """Routes a VoiceOS phone number to an inbound agent and webhooks.

    Example::

        import pulumi
        from pulumi_voiceos import PhoneNumberBinding, WebhookArgs

        support = PhoneNumberBinding(
            "support-line",
            phone_number="+14155550123",
            inbound_agent_id="agent_support",
            webhooks=[
                WebhookArgs(
                    events=["phone_call:connection_requested"],
                    url="https://hooks.example.com/voiceos",
                    headers={"Authorization": pulumi.Output.secret("Bearer s3cr3t")},
                )
            ],
        )
        pulumi.export("support_number", support.phone_number)

    Creating checks the number first: if someone else already bound it, the
    create fails instead of clobbering it, unless ``allow_overwrite=True``.
    To take over an existing binding as it is, pass
    ``opts=pulumi.ResourceOptions(import_="+14155550123")``. Destroying the
    resource unbinds the number (no agent, no webhooks), or with
    ``on_delete="restore"`` puts back what was there before; it never deletes
    or releases the number itself, and leaves alone a number someone re-bound
    since, or that another binding of the same deployment took over (a rename,
    ``--replace``, a move or a swap).
    """

    # For type checkers only: at run time the SDK evaluates a resource class's
    # annotations again for every resource registered, to translate outputs that
    # need no translation here (docs/performance.md measures the cost).
    if TYPE_CHECKING:
        phone_number: pulumi.Output[str]
        inbound_agent_id: pulumi.Output[str | None]
        webhooks: pulumi.Output[list[dict[str, Any]]]
        """The webhooks, without their headers (those are in ``webhook_headers``)."""
        webhook_headers: pulumi.Output[list[dict[str, str]] | None]
        """Each webhook's headers, in the order of ``webhooks`` (None when none has any); always a secret."""
        allow_overwrite: pulumi.Output[bool]
        adopt_existing: pulumi.Output[bool]
        voiceos_id: pulumi.Output[str]
        uri: pulumi.Output[str]
        account_id: pulumi.Output[str]
        created_at: pulumi.Output[str]
        updated_at: pulumi.Output[str]
        telephony: pulumi.Output[dict[str, Any] | None]
        telephony_auth_token: pulumi.Output[str | None]
        """The carrier's credential; always a secret."""
        previous_inbound_agent_id: pulumi.Output[str | None]
        on_delete: pulumi.Output[str]
        previous_webhooks: pulumi.Output[list[dict[str, Any]] | None]
        """What ``allow_overwrite`` replaced or ``import_`` adopted at create time (None if
        nothing); secret, as its headers may hold credentials."""

    def __init__(
        self,
        resource_name: str,
        args: PhoneNumberBindingArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        phone_number: pulumi.Input[str] | None = None,
        inbound_agent_id: pulumi.Input[str] | None = None,
        webhooks: pulumi.Input[Sequence[pulumi.Input[WebhookArgs | WebhookArgsDict]]] | None = None,
        allow_overwrite: pulumi.Input[bool] | None = None,
        on_delete: pulumi.Input[str] | None = None,
    ) -> None:
        opts = copy.copy(opts) if opts is not None else pulumi.ResourceOptions()
        secret_outputs = list(opts.additional_secret_outputs or [])
        always = (*SECRET_OUTPUTS, _headers.HEADERS)
        opts.ignore_changes = _headers.ignoring_headers_too(opts.ignore_changes)
        opts.additional_secret_outputs = secret_outputs + [n for n in always if n not in secret_outputs]

        props: dict[str, Any] = dict.fromkeys((*OUTPUT_NAMES, _headers.HEADERS))
        plaintext: list[tuple[str, str]] = []
        if opts.id is None:
            if args is not None:
                mixed = [
                    name
                    for name, value in (
                        ("phone_number", phone_number),
                        ("inbound_agent_id", inbound_agent_id),
                        ("webhooks", webhooks),
                        ("allow_overwrite", allow_overwrite),
                        ("on_delete", on_delete),
                    )
                    if value is not None
                ]
                if mixed:
                    raise TypeError(
                        f"PhoneNumberBinding {resource_name!r}: give the inputs either as args "
                        f"(PhoneNumberBindingArgs) or as keyword arguments, not both; move "
                        f"{', '.join(mixed)} into the PhoneNumberBindingArgs"
                    )
                phone_number = args.phone_number
                inbound_agent_id = args.inbound_agent_id
                webhooks = args.webhooks
                allow_overwrite = args.allow_overwrite
                on_delete = args.on_delete
            if phone_number is None:
                raise TypeError(f"PhoneNumberBinding {resource_name!r}: missing required argument 'phone_number'")
            if isinstance(phone_number, str):
                claim_in_program(phone_number, f"PhoneNumberBinding {resource_name!r}")
            else:
                phone_number = pulumi.Output.from_input(cast("pulumi.Input[str]", phone_number)).apply(
                    lambda number: claim_in_program(number, f"PhoneNumberBinding {resource_name!r}")
                )
                claim_later(phone_number)
            hooks, header_values = _headers.split_webhooks(webhooks, _webhook_props)
            plaintext = _headers.plaintext_headers(header_values)
            props.update(
                phone_number=phone_number,
                inbound_agent_id=inbound_agent_id,
                webhooks=hooks,
                webhook_headers=None if header_values is None else pulumi.Output.secret(header_values),
                allow_overwrite=allow_overwrite,
                on_delete=on_delete,
            )
            if opts.import_ is not None:
                # The engine's import asks the provider to Read with no state, which Python
                # dynamic providers cannot serve (pulumi/pulumi#16175). Adoption therefore runs
                # through create, which writes nothing when the live binding is the declared one.
                if isinstance(phone_number, str) and opts.import_ != phone_number:
                    raise ValueError(
                        f"PhoneNumberBinding {resource_name!r}: import_={opts.import_!r} must be the "
                        f"binding's phone_number ({phone_number!r})"
                    )
                opts.import_ = None
                props["adopt_existing"] = True
        super().__init__(PROVIDER, resource_name, props, opts)
        warn_plaintext(self, f"PhoneNumberBinding {resource_name!r}", plaintext)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],  # noqa: A002 - the name Pulumi SDKs use for get()
        opts: pulumi.ResourceOptions | None = None,
    ) -> PhoneNumberBinding:
        """Look up the binding of an existing number (its E.164 form is the id) without managing it."""
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        return PhoneNumberBinding(resource_name, opts=merged)
