"""The input rules: what a program may declare and what the provider writes, validated strictly.

Values are made canonical here (methods upper case, events sorted), so two equal bindings never show a difference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    model_validator,
)

from ...errors import property_path
from .binding import Binding

__all__ = [
    "DELETE_POLICIES",
    "DOCUMENTED_EVENTS",
    "HTTP_METHODS",
    "MAX_PAGE_SIZE",
    "MAX_WEBHOOKS",
    "AgentId",
    "BindingInputs",
    "DeletePolicy",
    "EventName",
    "HttpMethod",
    "PhoneNumberStr",
    "PhoneNumberUpdate",
    "Webhook",
    "WebhookFilter",
    "WebhookHeaders",
    "WebhookUrl",
    "check_webhook_url",
    "undeclarable_reason",
]

DOCUMENTED_EVENTS: Final = frozenset({"phone_call:connection_requested"})
"""Event names VoiceOS documents; other well-formed ``scope:event`` names are accepted."""

HTTP_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE")
"""Methods a webhook may use; HEAD and OPTIONS cannot carry an agent back."""

MAX_PAGE_SIZE: Final = 200
"""The largest ``limit`` the contract allows on ``GET /phone_numbers``."""

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
    return check_webhook_url(value)


def check_webhook_url(value: str, schemes: tuple[str, ...] = ("https", "http")) -> str:
    """``value`` if it is an absolute URL of one of ``schemes`` (lower case, the preferred first), with a
    host and no credentials; else a ValueError saying what is wrong. The voiceos-policies pack narrows it."""
    if len(value) > MAX_URL_LENGTH:
        raise ValueError(f"is {len(value)} characters long; the limit is {MAX_URL_LENGTH}")
    if _CONTROL_CHARS.search(value) or " " in value:
        raise ValueError("must not contain spaces or control characters; percent-encode them")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in schemes:
        shown = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        first, *others = (f"{scheme}://" for scheme in schemes)
        also = f" (or {', '.join(others)})" if others else ""
        raise ValueError(f"has {shown}; a webhook URL must be absolute and start with {first}{also}")
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


# Each field's rule is a type of its own, so a single field can be checked alone when other fields of the
# same object are not known yet at preview time.
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
        return Binding.from_properties(self.inbound_agent_id, self.webhooks)

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


class _DeclarableBinding(BaseModel):
    """The binding fields of ``BindingInputs`` alone: what a program could declare of a live number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inbound_agent_id: AgentId | None = None
    webhooks: Annotated[list[Webhook], Field(max_length=MAX_WEBHOOKS)] = Field(default_factory=list)


def undeclarable_reason(binding: Binding) -> str | None:
    """Why no program can declare ``binding`` (a live one), or None when one can.

    The reason names each field and what the input rules say of it, never a header value."""
    try:
        declarable = _DeclarableBinding.model_validate(
            {"inbound_agent_id": binding.inbound_agent_id, "webhooks": binding.webhooks_wire()}
        )
    except ValidationError as exc:
        return "; ".join(_field_error(error) for error in exc.errors(include_input=False, include_url=False))
    declared = Binding.from_properties(declarable.inbound_agent_id, declarable.webhooks)
    if declared != binding:  # a value the rules accept only in another form
        return "its webhooks are not in a form the inputs can express"
    keys = [w.key for w in binding.webhooks]
    if len(set(keys)) < len(keys):
        return "it lists the same webhook twice, which inputs refuse"
    return None


def _field_error(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{property_path(error.get('loc', ()))}: {message}"
