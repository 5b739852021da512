"""One number of a fleet as its ``records`` output holds it: ``print|voiceos_id|provider|phone_number_sid|account_sid``,
an empty field for none, a ``|`` or ``%`` in a value escaped as in a URL (``%7C``, ``%25``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, unquote

__all__ = ["FleetRecord"]

_SEPARATOR: Final = "|"


def _field(value: str | None) -> str:
    return "" if value is None else quote(value, safe="")


def _value(text: str) -> str | None:
    return unquote(text) if text else None


@dataclass(frozen=True)
class FleetRecord:
    """What a fleet records of one of its numbers.

    Read one from a fleet's outputs: ``fleet.records.apply(lambda r: FleetRecord.parse(r["+14155550123"]).voiceos_id)``.
    """

    print: str
    """A keyed digest of the binding's agent and of its webhooks (``agent.webhooks``, ``-`` for none): what tells
    the fleet which of them changed; it says nothing of header values."""
    voiceos_id: str | None = None
    provider: str | None = None
    phone_number_sid: str | None = None
    account_sid: str | None = None

    @classmethod
    def parse(cls, text: object) -> FleetRecord:
        """Lenient: a record edited by hand gives what can be read of it (an empty print when none)."""
        parts = text.split(_SEPARATOR) if isinstance(text, str) else []
        parts += [""] * (5 - len(parts))
        return cls(parts[0], *(_value(part) for part in parts[1:5]))

    def text(self) -> str:
        values = (self.voiceos_id, self.provider, self.phone_number_sid, self.account_sid)
        return _SEPARATOR.join((self.print, *(_field(value) for value in values)))
