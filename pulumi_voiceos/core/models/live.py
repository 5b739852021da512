"""What the API returns, read leniently: a real account holds what dashboards and older clients stored.

Nothing here reuses the input rules (``inputs``): a field may be null or missing, and unknown fields are ignored.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .binding import Binding

__all__ = ["LiveWebhook", "PhoneNumber", "PhoneNumberPage", "Telephony"]


class Telephony(BaseModel):
    """The carrier behind a number. ``auth_token`` is the carrier's credential."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    provider: str | None = None
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


class LiveWebhook(BaseModel):
    """A webhook as the API returned it: any field may be null or missing, and fields this package does
    not know are kept (``to_wire`` gives them back, for a restore)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    # Any JSON in each field: a header value that is a number, a URL that is not a string... is read, kept
    # exactly for a restore, and compares unequal to anything a program can declare (``canonical_webhook``).
    events: Any = None
    url: Any = None
    method: Any = None
    headers: Any = Field(default=None, repr=False)
    filter: Any = None

    def to_wire(self) -> dict[str, Any]:
        """Exactly the fields the API returned, unknown ones included."""
        return self.model_dump(exclude_unset=True)


class PhoneNumber(BaseModel):
    """A phone number as the API returns it.

    Every field but ``id`` and ``phone_number`` may be null or missing, lists may be empty, webhooks keep
    whatever JSON they hold (unknown events, methods, URL schemes, null headers), and fields this package
    does not know are ignored.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    uri: str | None = None
    phone_number: str
    account_id: str | None = None
    inbound_agent_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    telephony: Telephony | None = None
    webhooks: list[LiveWebhook] = Field(default_factory=list)

    @field_validator("webhooks", mode="before")
    @classmethod
    def _null_means_none(cls, value: Any) -> Any:
        return [w for w in value if w is not None] if isinstance(value, list) else [] if value is None else value

    @field_validator("created_at", "updated_at", mode="before")
    @classmethod
    def _timestamp_as_text(cls, value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else value

    def binding(self) -> Binding:
        """What this number is bound to now."""
        return Binding.from_properties(self.inbound_agent_id, self.webhooks)


class PhoneNumberPage(BaseModel):
    """One page of ``GET /phone_numbers``."""

    model_config = ConfigDict(extra="ignore")

    items: list[PhoneNumber] = Field(default_factory=list)
    index: int = 0
    has_more: bool = False

    @field_validator("items", mode="before")
    @classmethod
    def _null_means_none(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("index", "has_more", mode="before")
    @classmethod
    def _null_means_default(cls, value: Any) -> Any:
        return False if value is None else value
