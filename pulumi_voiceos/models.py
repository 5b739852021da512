"""Pydantic models of the VoiceOS phone-number API and of a binding's inputs.

One source of truth: the client parses responses and builds request bodies with
these models, the provider validates and canonicalises user inputs with them,
and the emulator validates request bodies with them. Canonical forms (methods
upper case, events sorted and de-duplicated) live here, so comparing two
bindings never shows a phantom difference.

The field-level rules are exported as annotated types (``PhoneNumberStr``,
``WebhookUrl``...) so the provider can validate a single field on its own when
other fields of the same object are not known yet at preview time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    field_validator,
    model_validator,
)

__all__ = [
    "BINDING_FIELDS",
    "DELETE_POLICIES",
    "DOCUMENTED_EVENTS",
    "HTTP_METHODS",
    "MAX_PAGE_SIZE",
    "MAX_WEBHOOKS",
    "AgentId",
    "Binding",
    "BindingInputs",
    "DeletePolicy",
    "EventName",
    "HttpMethod",
    "PhoneNumber",
    "PhoneNumberPage",
    "PhoneNumberStr",
    "PhoneNumberUpdate",
    "Telephony",
    "Webhook",
    "WebhookFilter",
    "WebhookHeaders",
    "WebhookUrl",
]

DOCUMENTED_EVENTS: Final = frozenset({"phone_call:connection_requested"})
"""Event names VoiceOS documents; other well-formed ``scope:event`` names are accepted."""

HTTP_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE")
"""Methods a webhook may use; HEAD and OPTIONS cannot carry an agent back."""

MAX_PAGE_SIZE: Final = 200
"""The largest ``limit`` the contract allows on ``GET /phone_numbers``."""

BINDING_FIELDS: Final = ("inbound_agent_id", "webhooks")
"""The fields of a phone number that make up its binding, in the order a PATCH names them."""

DeletePolicy = Literal["unbind", "restore"]
DELETE_POLICIES: Final = ("unbind", "restore")
"""What destroying a binding does: leave the number unbound, or put back what was there before."""

# Bounds that keep a single binding far below any sane request size, so an
# accidental megabyte of YAML is refused at preview instead of at the API.
MAX_WEBHOOKS: Final = 20
MAX_EVENTS: Final = 20
MAX_HEADERS: Final = 50
MAX_URL_LENGTH: Final = 2048
MAX_HEADER_VALUE_LENGTH: Final = 4096
MAX_FILTER_LENGTH: Final = 2048
MAX_AGENT_ID_LENGTH: Final = 128

_E164 = re.compile(r"\+[1-9][0-9]{7,14}")
_EVENT = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*:[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
# RFC 9110 token characters: what an HTTP header name may contain.
_HEADER_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_AGENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-.:]*")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def _check_phone_number(value: str) -> str:
    candidate = value.strip()
    if not _E164.fullmatch(candidate):
        raise ValueError(
            f"{value!r} is not an E.164 phone number: write '+', the country code and the "
            "number, 8 to 15 digits in all, no spaces or leading 0 (for example '+14155550123')"
        )
    return candidate


def _check_agent_id(value: str) -> str:
    if not value:
        raise ValueError("must not be empty: give the agent's id, or leave it unset for no agent")
    if len(value) > MAX_AGENT_ID_LENGTH:
        raise ValueError(f"is {len(value)} characters long; agent ids have at most {MAX_AGENT_ID_LENGTH}")
    if not _AGENT_ID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an agent id: use letters, digits, '_', '-', '.' or ':' "
            "(copy the id from the VoiceOS dashboard)"
        )
    return value


def _check_event(value: str) -> str:
    if not _EVENT.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an event name: use 'scope:event' in lower case, "
            "for example 'phone_call:connection_requested'"
        )
    return value


def _check_url(value: str) -> str:
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"is {len(value)} characters long; the limit is {MAX_URL_LENGTH}")
    if _CONTROL_CHARS.search(value) or " " in value:
        raise ValueError("must not contain spaces or control characters; percent-encode them")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        raise ValueError(f"has {shown}; a webhook URL must be absolute and start with https:// (or http://)")
    if not parts.hostname:
        raise ValueError("has no host; write an absolute URL such as https://example.com/hook")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "must not carry credentials (user:password@); put them in a header such as "
            "Authorization and pass it as a secret"
        )
    return value


def _normalise_method(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _check_method(value: str) -> str:
    if value not in HTTP_METHODS:
        raise ValueError(f"{value!r} is not a supported HTTP method; use one of {', '.join(HTTP_METHODS)}")
    return value


def _normalise_events(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("must list at least one event, for example ['phone_call:connection_requested']")
    if len(value) > MAX_EVENTS:
        raise ValueError(f"lists {len(value)} events; the limit is {MAX_EVENTS}")
    return sorted(set(value))


def _check_headers(value: dict[str, str]) -> dict[str, str]:
    if len(value) > MAX_HEADERS:
        raise ValueError(f"has {len(value)} headers; the limit is {MAX_HEADERS}")
    seen: dict[str, str] = {}
    for name, header_value in value.items():
        if not _HEADER_TOKEN.fullmatch(name):
            raise ValueError(
                f"header name {name!r} is not a valid HTTP token: use letters, digits and "
                "!#$%&'*+-.^_`|~ only, no spaces, colons or line breaks"
            )
        if "\r" in header_value or "\n" in header_value or "\x00" in header_value:
            # The value is never echoed: headers often carry credentials.
            raise ValueError(f"header {name!r} has a value containing CR, LF or NUL; remove the line break")
        if len(header_value) > MAX_HEADER_VALUE_LENGTH:
            raise ValueError(f"header {name!r} is longer than {MAX_HEADER_VALUE_LENGTH} characters")
        folded = name.lower()
        if folded in seen:
            raise ValueError(f"headers {seen[folded]!r} and {name!r} are the same header; keep one")
        seen[folded] = name
    return dict(sorted(value.items()))


def _check_filter(value: str) -> str:
    if len(value) > MAX_FILTER_LENGTH:
        raise ValueError(f"is {len(value)} characters long; the limit is {MAX_FILTER_LENGTH}")
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


PhoneNumberStr = Annotated[StrictStr, AfterValidator(_check_phone_number)]
"""An E.164 number: '+', then 8 to 15 digits, the first not 0."""
AgentId = Annotated[StrictStr, AfterValidator(_check_agent_id)]
EventName = Annotated[StrictStr, AfterValidator(_check_event)]
WebhookUrl = Annotated[StrictStr, AfterValidator(_check_url)]
HttpMethod = Annotated[StrictStr, BeforeValidator(_normalise_method), AfterValidator(_check_method)]
WebhookEvents = Annotated[list[EventName], AfterValidator(_normalise_events)]
WebhookHeaders = Annotated[dict[StrictStr, StrictStr], AfterValidator(_check_headers)]
WebhookFilter = Annotated[StrictStr, AfterValidator(_check_filter)]


class Webhook(BaseModel):
    """A webhook VoiceOS calls to fetch the agent at the start of a conversation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    events: WebhookEvents
    url: WebhookUrl
    method: HttpMethod = "POST"
    headers: WebhookHeaders = Field(default_factory=dict, repr=False)
    filter: WebhookFilter | None = None

    def to_wire(self) -> dict[str, Any]:
        """The canonical JSON shape: what is sent to the API and kept in state."""
        body: dict[str, Any] = {
            "events": list(self.events),
            "url": self.url,
            "method": self.method,
            "headers": dict(self.headers),
        }
        if self.filter is not None:
            body["filter"] = self.filter
        return body

    def canonical_key(self) -> str:
        return json.dumps(self.to_wire(), sort_keys=True, separators=(",", ":"))


class _ApiWebhook(Webhook):
    # Responses may carry fields newer than this package; they must not break parsing.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Telephony(BaseModel):
    """The carrier behind a number. ``auth_token`` is the carrier's credential."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    provider: str
    phone_number_sid: str | None = None
    account_sid: str | None = None
    auth_token: str | None = Field(default=None, repr=False)

    def public_fields(self) -> dict[str, Any]:
        """Everything but the credential, which travels as a secret output of its own."""
        return {
            "provider": self.provider,
            "phone_number_sid": self.phone_number_sid,
            "account_sid": self.account_sid,
        }


class PhoneNumber(BaseModel):
    """A phone number as the API returns it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    uri: str | None = None
    phone_number: str
    account_id: str | None = None
    inbound_agent_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    telephony: Telephony | None = None
    webhooks: list[_ApiWebhook] = Field(default_factory=list)

    @field_validator("webhooks", mode="before")
    @classmethod
    def _null_means_none(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("created_at", "updated_at", mode="before")
    @classmethod
    def _timestamp_as_text(cls, value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else value

    def binding(self) -> Binding:
        """What this number is bound to now."""
        return Binding(self.inbound_agent_id, tuple(Webhook(**w.model_dump()) for w in self.webhooks))


class PhoneNumberPage(BaseModel):
    """One page of ``GET /phone_numbers``."""

    model_config = ConfigDict(extra="ignore")

    items: list[PhoneNumber]
    index: int = 0
    has_more: bool = False


class PhoneNumberUpdate(BaseModel):
    """The body of ``PATCH /phone_numbers/{number}``: only fields that are set are sent."""

    model_config = ConfigDict(extra="forbid")

    inbound_agent_id: AgentId | None = None
    webhooks: Annotated[list[Webhook], Field(max_length=MAX_WEBHOOKS)] | None = None

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if "inbound_agent_id" in self.model_fields_set:
            body["inbound_agent_id"] = self.inbound_agent_id
        if "webhooks" in self.model_fields_set:
            body["webhooks"] = [w.to_wire() for w in self.webhooks or []]
        return body


@dataclass(frozen=True)
class Binding:
    """What a number is routed to: an agent and webhooks, compared by value.

    The same value describes what a program declares, what a stack recorded
    and what the API holds, so the lifecycle rules compare like with like.
    """

    inbound_agent_id: str | None = None
    webhooks: tuple[Webhook, ...] = ()

    @classmethod
    def from_properties(cls, inbound_agent_id: Any, webhooks: Any) -> Binding:
        """From a property bag's ``inbound_agent_id`` and ``webhooks`` (state, outputs or inputs)."""
        return cls(inbound_agent_id, tuple(Webhook.model_validate(w) for w in webhooks or ()))

    @property
    def is_unbound(self) -> bool:
        return self.inbound_agent_id is None and not self.webhooks

    def webhooks_wire(self) -> list[dict[str, Any]]:
        return [w.to_wire() for w in self.webhooks]

    def differing_fields(self, other: Binding) -> tuple[str, ...]:
        """The binding fields in which ``other`` differs from this one."""
        changed = []
        if self.inbound_agent_id != other.inbound_agent_id:
            changed.append("inbound_agent_id")
        if self.webhooks != other.webhooks:
            changed.append("webhooks")
        return tuple(changed)

    def patch(self, fields: Iterable[str] = BINDING_FIELDS) -> PhoneNumberUpdate:
        """The PATCH body that gives a number this binding's values for ``fields``."""
        values: dict[str, Any] = {"inbound_agent_id": self.inbound_agent_id, "webhooks": list(self.webhooks)}
        return PhoneNumberUpdate(**{name: values[name] for name in fields})

    def describe(self, agent: str = "inbound_agent_id") -> str:
        """For messages: the agent and each webhook's method and URL, never header values.

        ``agent`` is the agent property's name as the reader's program spells it."""
        parts = [f"{agent}={self.inbound_agent_id!r}" if self.inbound_agent_id else "no agent"]
        if self.webhooks:
            parts.append("webhooks " + ", ".join(f"{w.method} {w.url}" for w in self.webhooks))
        else:
            parts.append("no webhooks")
        return " and ".join(parts)


UNBOUND: Final = Binding()


class BindingInputs(BaseModel):
    """The inputs of a ``PhoneNumberBinding``: the whole routing of one number.

    The binding owns both fields: leaving ``webhooks`` out means "no webhooks",
    leaving ``inbound_agent_id`` out means "no agent", so what is declared is
    exactly what the number ends up with.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    phone_number: PhoneNumberStr
    inbound_agent_id: AgentId | None = None
    webhooks: Annotated[list[Webhook], Field(max_length=MAX_WEBHOOKS)] | None = None
    allow_overwrite: bool = False
    adopt_existing: bool = False
    """Set by ``PhoneNumberBinding`` for ``import_``: take over the number only if
    it already has exactly the declared binding, and write nothing."""
    on_delete: DeletePolicy = "unbind"

    @model_validator(mode="after")
    def _something_to_bind(self) -> BindingInputs:
        if self.inbound_agent_id is None and not self.webhooks:
            raise ValueError(
                "a binding needs an inbound_agent_id, at least one webhook, or both; "
                "to leave a number unbound, delete the binding instead"
            )
        seen: dict[str, int] = {}
        for index, webhook in enumerate(self.webhooks or []):
            key = webhook.canonical_key()
            if key in seen:
                raise ValueError(f"webhooks[{index}] repeats webhooks[{seen[key]}]; remove the duplicate")
            seen[key] = index
        return self

    def binding(self) -> Binding:
        return Binding(self.inbound_agent_id, tuple(self.webhooks or ()))

    def to_properties(self) -> dict[str, Any]:
        """Canonical inputs as a Pulumi property bag."""
        return {
            "phone_number": self.phone_number,
            "inbound_agent_id": self.inbound_agent_id,
            "webhooks": [w.to_wire() for w in self.webhooks or []],
            "allow_overwrite": self.allow_overwrite,
            "adopt_existing": self.adopt_existing,
            "on_delete": self.on_delete,
        }

    @classmethod
    def from_properties(cls, props: Mapping[str, Any]) -> BindingInputs:
        known = {name: props[name] for name in cls.model_fields if props.get(name) is not None}
        return cls(**known)
