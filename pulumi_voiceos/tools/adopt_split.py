"""``adopt --stacks K``: the K stacks of one project, each with its share of the numbers (core/split.py).

Every stack runs the one program, kept to its share by its config ``split`` (``"2/4"``); it holds its own secrets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import yaml

from ..core.split import SPLIT_KEY, split_of, stack_share
from ..errors import AdoptError

__all__ = ["MAX_STACKS", "check_split", "split_stack_names", "split_stacks"]

MAX_STACKS: Final = 100


def split_stack_names(stack_name: str, count: int) -> list[str]:
    """``prod`` in 4: ``prod-1`` to ``prod-4`` (an ``org/project/`` qualifier is kept)."""
    if not 1 <= count <= MAX_STACKS:
        raise AdoptError(f"--stacks {count} is outside 1 to {MAX_STACKS}; give the number of stacks to split into")
    return [f"{stack_name}-{share}" for share in range(1, count + 1)]


def _secret_keys(entry: Mapping[str, Any]) -> list[str]:
    return [
        str(value["secret"])
        for hook in entry.get("webhooks") or []
        for value in (hook.get("headers") or {}).values()
        if isinstance(value, dict) and "secret" in value
    ]


def split_stacks(
    names: Sequence[str], entries: Sequence[Mapping[str, Any]], secrets: Mapping[str, str], config: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """Each stack's config: ``config``, its ``split``, and the secret header values of its own new ``entries``."""
    count = len(names)
    stacks = {name: {**config, SPLIT_KEY: split_of(share, count)} for share, name in enumerate(names, start=1)}
    for entry in entries:
        name = names[stack_share(str(entry["phone_number"]), count) - 1]
        stacks[name].update({key: secrets[key] for key in _secret_keys(entry) if key in secrets})
    return stacks


def _held_split(out: Path, project: str, name: str) -> str | None:
    """The ``split`` in stack ``name``'s config file in ``out``, if it has one."""
    path = out / f"Pulumi.{name.rsplit('/', 1)[-1]}.yaml"
    if not path.is_file():
        return None
    try:
        held = ((yaml.safe_load(path.read_text()) or {}).get("config") or {}).get(f"{project}:{SPLIT_KEY}")
    except (yaml.YAMLError, AttributeError):
        return None  # not ours to judge: the stack setup names what is wrong with the file
    return None if held is None else str(held)


def check_split(out: Path, project: str, names: Sequence[str] | None, stack_name: str = "") -> None:
    """Refuse a re-run whose split differs from the one a stack's config file already holds (``names``
    None: a re-run of one stack, ``stack_name``, on a split project): it would move numbers between stacks,
    and a stack would then declare numbers another one still holds."""
    if names is None:
        held = _held_split(out, project, f"{stack_name}-1")
        if held is not None:
            raise AdoptError(
                f"the project in {out} is split across stacks ({stack_name}-1 holds {SPLIT_KEY} {held}); "
                f"give the same --stacks as the first adopt, so that no stack declares another's numbers"
            )
        return
    for share, name in enumerate(names, start=1):
        held = _held_split(out, project, name)
        wanted = split_of(share, len(names))
        if held is not None and held != wanted:
            raise AdoptError(
                f"stack {name} holds {SPLIT_KEY} {held}, not {wanted}: the project was split into another number "
                f"of stacks; give the same --stacks as the first adopt (moving numbers between stacks is "
                "`pulumi state move`, see docs/pipelines.md)"
            )
