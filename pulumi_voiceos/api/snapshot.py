"""One listing of the account, shared by the reads of one deployment: ``AccountSnapshot``.

What it guarantees: docs/internals.md, "One listing of the account".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable

from ..core.models import PhoneNumber
from ..errors import VoiceOSError

__all__ = ["AccountSnapshot", "listed_now"]


class AccountSnapshot:
    """The account as listed page by page (200 a page) by the first read of a provider process; later reads
    are served from it, so refreshing N bindings costs about ceil(account size / 200) requests instead of N.

    A number missing from the listing is never concluded gone, a write drops its number's entry,
    concurrent first reads share one listing, and a failed listing leaves every lookup to a GET. It lives
    in memory only, never on disk or in state.
    """

    def __init__(self, list_numbers: Callable[[], Iterable[PhoneNumber]]) -> None:
        self._list_numbers = list_numbers
        self._listing_lock = threading.Lock()
        self._listed: dict[str, PhoneNumber] | None = None
        self.failure: VoiceOSError | None = None
        """Why the listing failed, once it has; lookups are then never answered."""
        self._written_lock = threading.Lock()
        self._written: set[str] = set()

    def lookup(self, phone_number: str) -> PhoneNumber | None:
        """The number as listed, or None when the caller must GET it."""
        if self._was_written(phone_number):
            return None
        listed = self._listing()
        # A write may have landed while the listing was under way: the listing may predate it.
        if listed is None or self._was_written(phone_number):
            return None
        return listed.get(phone_number)

    def forget(self, phone_number: str) -> None:
        """This process writes the number: from now on it is read afresh."""
        with self._written_lock:
            self._written.add(phone_number)

    def _was_written(self, phone_number: str) -> bool:
        with self._written_lock:
            return phone_number in self._written

    def _listing(self) -> dict[str, PhoneNumber] | None:
        with self._listing_lock:
            if self._listed is None and self.failure is None:
                try:
                    self._listed = {n.phone_number: n for n in self._list_numbers()}
                except VoiceOSError as exc:
                    self.failure = exc
            return self._listed


def listed_now(pages: Iterable[Iterable[PhoneNumber]], wanted: Collection[str]) -> dict[str, PhoneNumber]:
    """The ``wanted`` numbers as a listing read now shows them (a release decides on it: docs/internals.md,
    "A release lists the account"). Pages are read while the numbers not yet seen outnumber the pages read
    by more than one, so the listing never costs much more than a GET of each; the unseen are the caller's to
    GET, since a listing is not a snapshot. A listing that fails stops there: its GETs say each number's error."""
    unseen = set(wanted)
    found: dict[str, PhoneNumber] = {}
    if len(unseen) <= 1:
        return found
    try:
        for read, page in enumerate(pages, start=1):
            for number in page:
                if number.phone_number in unseen:
                    unseen.discard(number.phone_number)
                    found[number.phone_number] = number
            if len(unseen) <= read + 1:
                break
    except VoiceOSError:
        pass  # what was seen stands; the rest is read (or fails) number by number, as a partial failure can record
    return found
