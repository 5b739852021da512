"""The split of one account across K stacks: which stack declares a number, by a stable hash of its E.164 text.

A number's share is ``sha256(number) mod K``, plus 1: the same in every process, Python version and run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeVar

from ..errors import ConfigurationError

__all__ = ["SPLIT_KEY", "entries_of_split", "parse_split", "split_of", "stack_share"]

SPLIT_KEY: Final = "split"
"""The project config key that tells a stack of ``adopt --stacks K`` its share: ``"2/4"``."""

_SPLIT = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*")
_Entry = TypeVar("_Entry", bound=Mapping[str, Any])


def stack_share(phone_number: str, stacks: int) -> int:
    """Which of ``stacks`` stacks (1 to ``stacks``) declares ``phone_number``.

    The first 8 bytes of the SHA-256 of the number's E.164 text, big-endian, modulo ``stacks``, plus 1:
    unlike ``hash()`` it is not salted per process, so every run, CI job and later adopt agrees.
    """
    if stacks < 1:
        raise ValueError(f"a split needs at least 1 stack, got {stacks}")
    digest = hashlib.sha256(phone_number.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % stacks + 1


def split_of(share: int, stacks: int) -> str:
    """The config value that gives a stack its share: ``"2/4"``."""
    return f"{share}/{stacks}"


def parse_split(text: str) -> tuple[int, int]:
    """``"2/4"`` as (2, 4); anything else is a ``ConfigurationError`` naming the key and the fix."""
    found = _SPLIT.fullmatch(text)
    if found is not None:
        share, stacks = int(found[1]), int(found[2])
        if 1 <= share <= stacks:
            return share, stacks
    raise ConfigurationError(
        f"config {SPLIT_KEY} must be SHARE/STACKS with 1 <= SHARE <= STACKS (this stack's share of "
        f"`voiceos-pulumi adopt --stacks STACKS`), got {text!r}; set it with `pulumi config set {SPLIT_KEY} 2/4`"
    )


def entries_of_split(entries: Iterable[_Entry], split: str | None) -> list[_Entry]:
    """The entries (each with a ``phone_number``) that the stack with config ``split`` declares; all of
    them when ``split`` is unset, as in a project of one stack."""
    if split is None or not split.strip():
        return list(entries)
    share, stacks = parse_split(split)
    return [entry for entry in entries if stack_share(str(entry["phone_number"]), stacks) == share]
