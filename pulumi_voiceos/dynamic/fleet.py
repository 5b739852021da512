"""``PhoneNumberFleet``: many numbers in one dynamic resource, each with a binding's rules (docs/fleets.md)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypedDict, cast

import pulumi
import pulumi.dynamic
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from .._lazy import LazyModule
from ..core.fleet_record import FleetRecord
from ..core.properties import FLEET_OUTPUT_NAMES, SECRET_FLEET_OUTPUTS
from . import headers
from .messages import message_first
from .provider import VoiceOSResourceProvider, engine_failures, wire_unknowns, without_provider
from .resource import (
    WebhookArgs,
    WebhookArgsDict,
    claim_in_program,
    declared_elsewhere,
    warn_plaintext,
    webhooks_props,
)

if TYPE_CHECKING:
    from ..engine import fleet
    from . import wording
else:
    fleet = LazyModule("pulumi_voiceos.engine.fleet")
    wording = LazyModule("pulumi_voiceos.dynamic.wording")

__all__ = ["FLEET_PROVIDER", "FleetBindingArgs", "FleetBindingArgsDict", "PhoneNumberFleet", "PhoneNumberFleetProvider"]


class FleetBindingArgsDict(TypedDict, total=False):
    """An entry of a fleet as a plain dict: at least an agent or one webhook."""

    inbound_agent_id: pulumi.Input[str]
    webhooks: pulumi.Input[Sequence[pulumi.Input[WebhookArgs | WebhookArgsDict]]]
    adopt: pulumi.Input[bool]


class FleetBindingArgs:
    """What one number of a fleet is bound to.

    :param inbound_agent_id: the agent that answers inbound calls; left out, none.
    :param webhooks: webhooks that fetch the agent at the start of a call; left out, none.
    :param adopt: take the number over as it is, as ``import_`` does for a binding: its first
        ``up`` checks that the number has exactly this binding and writes nothing, and that
        binding is what ``on_delete="restore"`` puts back.
    """

    def __init__(
        self,
        *,
        inbound_agent_id: pulumi.Input[str] | None = None,
        webhooks: pulumi.Input[Sequence[pulumi.Input[WebhookArgs | WebhookArgsDict]]] | None = None,
        adopt: pulumi.Input[bool] | None = None,
    ) -> None:
        self.inbound_agent_id = inbound_agent_id
        self.webhooks = webhooks
        self.adopt = adopt

    def to_props(self) -> dict[str, Any]:
        given = {"inbound_agent_id": self.inbound_agent_id, "webhooks": self.webhooks, "adopt": self.adopt}
        return {name: value for name, value in given.items() if value is not None}


def _entry_props(entry: Any) -> Any:
    props = entry.to_props() if isinstance(entry, FleetBindingArgs) else entry
    if isinstance(props, Mapping) and "webhooks" in props:
        props = {**props, "webhooks": webhooks_props(props["webhooks"])}
    return props


def _holds_outputs(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(_holds_outputs(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_outputs(item) for item in value)
    return False


DECLARED_ELSEWHERE: Final = "__declared_elsewhere"
"""The fleet's hidden input: the numbers other resources of the program declare (see ``declared_elsewhere``)."""


def _own_inputs(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in without_provider(props).items() if k != DECLARED_ELSEWHERE}


def _wired(news: dict[str, Any], olds: dict[str, Any]) -> dict[str, Any]:
    """The fleet's own inputs with the SDK's unknowns as the wire marker (``wire_unknowns``); an entry equal to
    its old self (inputs in state, which hold no unknowns) is taken as it is, so only changed entries are walked."""
    own = _own_inputs(news)
    entries, before = own.get("bindings"), olds.get("bindings")
    if not isinstance(entries, dict) or not isinstance(before, dict):
        return dict(wire_unknowns(own))
    wired = {n: e if before.get(n) == e else wire_unknowns(e) for n, e in entries.items()}
    return {**wire_unknowns({k: v for k, v in own.items() if k != "bindings"}), "bindings": wired}


class PhoneNumberFleetProvider(VoiceOSResourceProvider):
    """Binds many VoiceOS numbers, each as a ``PhoneNumberBinding`` would."""

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Pickled by name into the fleet's __provider, as the binding's provider is (see there).
        if self is FLEET_PROVIDER:
            return "FLEET_PROVIDER"
        return (PhoneNumberFleetProvider, ())

    @message_first
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked, failures = fleet.check(
            self.deployment,
            headers.join_fleet(_wired(news, olds)),
            headers.join_fleet(_own_inputs(olds)),  # inputs in state: known
            settings=self._preview_settings(),
            say=wording.PYTHON,
        )
        checked = headers.split_fleet(checked)
        for hidden in ("__provider", DECLARED_ELSEWHERE):
            if hidden in news:
                checked[hidden] = news[hidden]
        return CheckResult(checked, engine_failures(failures))

    @message_first
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # A fleet is never replaced: adding, changing and removing numbers are updates of its entries.
        changes = fleet.diff(headers.join_fleet(olds), headers.join_fleet(news)).changes
        return DiffResult(changes=changes, replaces=[], delete_before_replace=False)

    @message_first
    def create(self, props: dict[str, Any]) -> CreateResult:
        declared = headers.join_fleet(without_provider(props))
        fleet_id, outputs = fleet.create(self.deployment, self._settings(), declared, wording.PYTHON)
        return CreateResult(fleet_id, headers.split_fleet(outputs))

    @message_first
    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        elsewhere = news.get(DECLARED_ELSEWHERE)
        declared = elsewhere if isinstance(elsewhere, list) else []

        def learn_claims(_removed: object) -> None:
            # The program told which numbers its other resources declare: a hand-over needs no waiting.
            for number in declared:
                self.deployment.claims.claim(number)

        olds, news = headers.join_fleet(olds), headers.join_fleet(_own_inputs(news))
        outputs = fleet.update(
            self.deployment, self._settings(), olds, news, wording.PYTHON, before_release=learn_claims
        )
        return UpdateResult(headers.split_fleet(outputs))

    @message_first
    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        found = fleet.read(self.deployment, self._settings(), headers.join_fleet(props))
        inputs = None if found.inputs is None else headers.split_fleet(found.inputs)
        return ReadResult(id_, headers.split_fleet(found.outputs), inputs)

    @message_first
    def delete(self, _id: str, props: dict[str, Any]) -> None:
        fleet.delete(self.deployment, self._settings(), headers.join_fleet(props), wording.PYTHON)


def _secret(value: Any) -> pulumi.Output[Any]:
    """``value`` as a secret Output. Plain data goes through one ``apply``: ``Output.secret`` lifts every nested
    value into an Output of its own, which for the headers of 10,000 entries cost the program 12 CPU seconds."""
    if _holds_outputs(value):
        return pulumi.Output.secret(value)
    return pulumi.Output.secret(None).apply(lambda _: value)


def _numbers(records: Mapping[str, str] | None) -> dict[str, dict[str, str]]:
    numbers = {}
    for number, text in (records or {}).items():
        record = FleetRecord.parse(text)
        fields = ("voiceos_id", "provider", "phone_number_sid", "account_sid")
        numbers[number] = {name: value for name in fields if (value := getattr(record, name)) is not None}
    return numbers


FLEET_PROVIDER: Final = PhoneNumberFleetProvider()
"""The instance every ``PhoneNumberFleet`` uses; pickled by name into ``__provider``."""


class PhoneNumberFleet(pulumi.dynamic.Resource, module="voiceos", name="PhoneNumberFleet"):
    """Routes many VoiceOS numbers, each to its agent and webhooks, in one resource.

    Example::

        from pulumi_voiceos import FleetBindingArgs, PhoneNumberFleet

        PhoneNumberFleet(
            "us-lines",
            bindings={
                "+14155550101": FleetBindingArgs(inbound_agent_id="agent_support"),
                "+14155550102": {"inbound_agent_id": "agent_sales", "webhooks": [...]},
            },
        )

    The fleet manages exactly the numbers it lists; the account's other numbers
    are none of its business. Each entry follows a binding's rules: adding one
    reads the number and refuses to clobber someone else's binding unless
    ``allow_overwrite=True`` (what it replaced is kept in ``previous`` for
    ``on_delete="restore"``); changing one sends a PATCH of the changed fields only;
    removing one unbinds it, or restores it, only if it still has the fleet's
    binding. A number moved between the fleet and another binding or fleet of the
    same ``up`` is handed over, never unbound.

    Header values are kept apart from the entries, in ``binding_headers`` (per number, each webhook's headers),
    which is always a secret, so a preview shows what changes in an entry. Outputs per number, one string
    each so a state of thousands stays small: ``records[n]`` (the binding's print, then the VoiceOS id and the
    carrier, separated by ``|``); and ``telephony_auth_tokens[n]`` (secret), ``previous[n]`` (secret: what the
    fleet took over).
    """

    if TYPE_CHECKING:
        bindings: pulumi.Output[dict[str, dict[str, Any]]]
        """Each number's entry, its webhooks without their headers (those are in ``binding_headers``)."""
        allow_overwrite: pulumi.Output[bool]
        on_delete: pulumi.Output[str]
        records: pulumi.Output[dict[str, str]]
        """Per number: ``print|voiceos_id|provider|phone_number_sid|account_sid`` (docs/fleets.md, "Outputs")."""
        digest_key: pulumi.Output[str]
        """The key of the prints in ``records``; always a secret."""
        telephony_auth_tokens: pulumi.Output[dict[str, str] | None]
        """Per number, the carrier's credential; always a secret."""
        previous: pulumi.Output[dict[str, dict[str, Any]] | None]
        """Per number the fleet took over, what it had before; always a secret."""
        binding_headers: pulumi.Output[dict[str, list[dict[str, str]]] | None]
        """Per number with headers, each webhook's headers in the order of its ``webhooks``; always a secret."""

    @property
    def numbers(self) -> pulumi.Output[dict[str, dict[str, str]]]:
        """Per number, ``records`` read: its ``voiceos_id`` and carrier (``provider``, ``phone_number_sid``,
        ``account_sid``), each left out when VoiceOS says none."""
        return self.records.apply(_numbers)

    def __init__(
        self,
        resource_name: str,
        bindings: pulumi.Input[Mapping[str, pulumi.Input[FleetBindingArgs | FleetBindingArgsDict]]] | None = None,
        *,
        allow_overwrite: pulumi.Input[bool] | None = None,
        on_delete: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        opts = copy.copy(opts) if opts is not None else pulumi.ResourceOptions()
        if opts.import_ is not None:
            raise ValueError(
                f"PhoneNumberFleet {resource_name!r}: a fleet cannot be imported; give each entry to take over "
                "as it is adopt=True (FleetBindingArgs(..., adopt=True) or {'adopt': True})"
            )
        secret_outputs = list(opts.additional_secret_outputs or [])
        always = (*SECRET_FLEET_OUTPUTS, headers.FLEET_HEADERS)
        opts.ignore_changes = headers.ignoring_headers_too(opts.ignore_changes)
        opts.additional_secret_outputs = secret_outputs + [n for n in always if n not in secret_outputs]
        props: dict[str, Any] = dict.fromkeys(("bindings", *FLEET_OUTPUT_NAMES, headers.FLEET_HEADERS))
        plaintext: list[tuple[str, str]] = []
        if opts.id is None:
            if bindings is None:
                raise TypeError(f"PhoneNumberFleet {resource_name!r}: missing required argument 'bindings'")
            holder = f"PhoneNumberFleet {resource_name!r}"

            def entries(given: Mapping[str, Any]) -> dict[str, Any]:
                for number in given:
                    if isinstance(number, str):
                        claim_in_program(number.strip(), holder)
                return {number: _entry_props(entry) for number, entry in given.items()}

            declared: Any
            header_values: Any
            if isinstance(bindings, Mapping):
                # Header values go apart before anything is resolved, so a secret one taints only them.
                declared, header_values = headers.split_entries(entries(bindings))
                plaintext = [
                    (f'bindings["{number}"].{webhook}', header)
                    for number, given in (header_values or {}).items()
                    for webhook, header in headers.plaintext_headers(given)
                ]
                if _holds_outputs(declared):
                    # One Output for the map: secret as a whole if any value in it is, which is as finely as
                    # a dynamic provider's outputs can be marked.
                    declared = pulumi.Output.from_input(declared)
            else:
                given = pulumi.Output.from_input(cast("pulumi.Input[Mapping[str, Any]]", bindings)).apply(entries)
                declared = given.apply(lambda found: headers.split_entries(found)[0])
                header_values = given.apply(lambda found: headers.split_entries(found)[1])
            props.update(bindings=declared, allow_overwrite=allow_overwrite, on_delete=on_delete)
            props[headers.FLEET_HEADERS] = None if header_values is None else _secret(header_values)
            props[DECLARED_ELSEWHERE] = declared_elsewhere(holder)
        super().__init__(FLEET_PROVIDER, resource_name, props, opts)
        warn_plaintext(self, f"PhoneNumberFleet {resource_name!r}", plaintext)
