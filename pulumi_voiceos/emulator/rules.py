"""The emulator's own rules: what the VoiceOS API accepts, as the contract (``shared/voiceos-api.md``) says.

Why they are not the client's models: docs/internals.md, "The emulator".
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StrictStr

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "METHOD_NAMES",
    "AgentIdText",
    "MethodName",
    "PhoneNumberText",
    "PhoneNumberWrite",
    "WebhookWrite",
    "check_agent_id",
    "check_phone_number",
]

MAX_PAGE_SIZE: Final = 200
"""The largest ``limit`` of ``GET /phone_numbers``."""
DEFAULT_PAGE_SIZE: Final = 50

METHOD_NAMES: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""HTTP methods a test control (a fault, a latency) may name."""

_E164: Final = re.compile(r"\+[1-9][0-9]{7,14}")
_NO_SPACE: Final = re.compile(r"[^\s\x00-\x1f\x7f]+")


def check_phone_number(value: str) -> str:
    """``value`` as E.164 ('+', then 8 to 15 digits, the first not 0), surrounding spaces dropped."""
    candidate = value.strip()
    if not _E164.fullmatch(candidate):
        raise ValueError("is not an E.164 phone number: '+', the country code and the number, 8 to 15 digits")
    return candidate


def check_agent_id(value: str) -> str:
    """An agent id the account may know: any text without spaces or control characters."""
    if not _NO_SPACE.fullmatch(value):
        raise ValueError("is not an agent id: give a non-empty id without spaces")
    return value


def _check_method(value: str) -> str:
    if value not in METHOD_NAMES:
        raise ValueError(f"is not an HTTP method; use one of {', '.join(METHOD_NAMES)}")
    return value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


PhoneNumberText = Annotated[StrictStr, AfterValidator(check_phone_number)]
AgentIdText = Annotated[StrictStr, AfterValidator(check_agent_id)]
MethodName = Annotated[StrictStr, BeforeValidator(_upper), AfterValidator(_check_method)]


class WebhookWrite(BaseModel):
    """A webhook in a write. Fields the service does not know are stored as sent: a restore writes
    back what a newer client stored. ``method`` and ``headers`` left out take the defaults."""

    model_config = ConfigDict(extra="allow", strict=True)

    events: list[StrictStr]
    url: StrictStr
    method: StrictStr | None = "POST"
    headers: dict[StrictStr, StrictStr | None] | None = None
    filter: StrictStr | None = None


class PhoneNumberWrite(BaseModel):
    """The body of ``PATCH /phone_numbers/{phone_number}``: both fields optional, only those sent change."""

    model_config = ConfigDict(extra="forbid", strict=True)

    inbound_agent_id: StrictStr | None = None
    webhooks: list[WebhookWrite] | None = None
