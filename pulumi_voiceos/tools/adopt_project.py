"""adopt's project: the files it writes (Pulumi.yaml, __main__.py, bindings.yaml) and the stack it creates.

A re-run extends bindings.yaml in place; a stack that cannot be set up takes back every file written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml

from .._version import __version__
from ..errors import AdoptError

__all__ = [
    "FLEET_FILE",
    "appended",
    "check_backend",
    "fleet_header",
    "fleet_program",
    "read_project",
    "write_project",
]

FLEET_FILE: Final = "bindings.yaml"

FLEET_HEADER: Final = """\
# The VoiceOS bindings of this project, one entry per phone number.
#
# <what>. A header value is never written
# here: `{secret: <key>}` names the stack config key that holds it as a secret
# (`pulumi config set --secret <key> <value>`).
#
# `adopt: true` takes the number over as it is, with no write (its first `up`
# checks that the number still has exactly this binding). Entries with neither
# an agent nor webhooks are listed but not managed: to bind one, give it an
# inbound_agent_id or webhooks and remove its `adopt: true`.
#
# `voiceos-pulumi adopt` adds numbers that are new in the account at the end of
# this list and never changes or removes an entry.
"""
_ONE_RESOURCE_EACH: Final = """\
Each entry becomes a PhoneNumberBinding (see __main__.py): `name` is its resource
# name, then the binding's inputs (phone_number, inbound_agent_id, webhooks and,
# optionally, allow_overwrite and on_delete)"""
_ONE_FLEET: Final = """\
Each entry is one number of the PhoneNumberFleet in __main__.py: its
# phone_number, inbound_agent_id and webhooks (`name` only labels the entry;
# allow_overwrite and on_delete are the whole fleet's, set in
# __main__.py)"""


def fleet_header(*, one_resource: bool = False) -> str:
    """The comment at the top of a new bindings.yaml, for the program adopt writes beside it."""
    return FLEET_HEADER.replace("<what>", _ONE_FLEET if one_resource else _ONE_RESOURCE_EACH)


def fleet_program(*, one_resource: bool = False) -> str:
    """The ``__main__.py`` adopt writes: one ``PhoneNumberBinding`` per entry (``templates/fleet``;
    ``examples/fleet`` runs the same file), or with ``one_resource`` one ``PhoneNumberFleet`` for all of
    them (``templates/fleet_resource``, for ``--fleet``)."""
    template = "fleet_resource" if one_resource else "fleet"
    return resources.files("pulumi_voiceos").joinpath(f"templates/{template}/__main__.py").read_text()


def read_project(out: Path, project: str) -> list[dict[str, Any]] | None:
    """The entries of an earlier adopt into ``out``, None for a new folder; refuses anything else."""
    if not out.exists():
        return None
    if not out.is_dir():
        raise AdoptError(f"--out {out} is a file; give a folder (new, empty, or written by an earlier adopt)")
    if not any(out.iterdir()):
        return None
    manifest = out / "Pulumi.yaml"
    fleet = out / FLEET_FILE
    if not manifest.is_file() or not fleet.is_file():
        raise AdoptError(
            f"--out {out} is not empty and holds no project written by voiceos-pulumi adopt "
            f"(Pulumi.yaml and {FLEET_FILE}); give a new or empty folder"
        )
    try:
        # Read from the open files, so a YAML error names the file as well as the line.
        with manifest.open() as manifest_file, fleet.open() as fleet_file:
            name = (yaml.safe_load(manifest_file) or {}).get("name")
            entries = (yaml.safe_load(fleet_file) or {}).get("bindings") or []
    except (yaml.YAMLError, AttributeError) as exc:
        raise AdoptError(f"cannot read the project in {out}: {exc}; fix the YAML or give a new folder") from None
    if name != project:
        raise AdoptError(
            f"--out {out} holds Pulumi project {name!r}, not {project!r}; give --project {name} to add to it, "
            "or a new folder"
        )
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "phone_number" in e for e in entries):
        raise AdoptError(f"{fleet} must hold `bindings:`, a list of entries with a phone_number each")
    return entries


def check_backend(env: Mapping[str, str]) -> None:
    from pulumi import automation as auto

    with tempfile.TemporaryDirectory() as scratch:
        try:
            auto.LocalWorkspace(work_dir=scratch, env_vars=dict(env)).who_am_i()
        except Exception as exc:  # the CLI is missing, or not logged in: either way nothing can be adopted
            detail = str(exc).strip().splitlines()
            raise AdoptError(
                "the Pulumi CLI cannot reach a state backend (not logged in?): run `pulumi login` "
                f"(for example `pulumi login --local`) and try again ({detail[-1] if detail else type(exc).__name__})"
            ) from None


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _fleet_text(entries: Sequence[Mapping[str, Any]]) -> str:
    return str(yaml.safe_dump([dict(e) for e in entries], sort_keys=False, default_flow_style=False, width=1000))


def write_project(
    out: Path,
    *,
    project: str,
    stacks: Mapping[str, Mapping[str, str]],
    env: Mapping[str, str],
    existing: Sequence[Mapping[str, Any]] | None,
    new_entries: Sequence[Mapping[str, Any]],
    secret: set[str],
    one_resource: bool,
) -> None:
    """Write the project (or extend its bindings file) and set up its ``stacks`` (name -> config, one
    stack, or the K of a split); on any failure, put back every file as it was."""
    from pulumi import automation as auto

    fleet = out / FLEET_FILE
    # The new text is made before anything is written, so a file that cannot be extended is refused
    # as such (naming its line), not as a stack that could not be set up.
    extended = appended(fleet.read_text(), new_entries) if existing is not None and new_entries else None
    written: list[tuple[Path, str | None]] = []  # what to put back if the stack cannot be set up
    stack_name = next(iter(stacks))

    def write(path: Path, text: str) -> None:
        written.append((path, path.read_text() if path.exists() else None))
        _write_atomically(path, text)

    try:
        if existing is None:
            out.mkdir(parents=True, exist_ok=True)
            write(
                out / "Pulumi.yaml",
                f"name: {project}\ndescription: VoiceOS phone-number bindings (voiceos-pulumi adopt)\n"
                "runtime: python\n",
            )
            write(out / "__main__.py", fleet_program(one_resource=one_resource))
            write(out / "requirements.txt", f"pulumi-voiceos>={__version__}\n")
            listing = "bindings:\n" + _indent(_fleet_text(new_entries)) if new_entries else "bindings: []\n"
            write(fleet, fleet_header(one_resource=one_resource) + listing)
        elif extended is not None:
            write(fleet, extended)
        for stack_name, config in stacks.items():
            stack = auto.create_or_select_stack(
                stack_name, work_dir=str(out), opts=auto.LocalWorkspaceOptions(env_vars=dict(env))
            )
            if config:
                stack.set_all_config({key: auto.ConfigValue(v, secret=key in secret) for key, v in config.items()})
    except Exception as exc:
        _put_back(written, out if existing is None else None)
        if isinstance(exc, AdoptError):
            raise
        said = [line.strip() for line in str(exc).splitlines() if line.strip()]
        raise AdoptError(
            f"could not create or configure stack {stack_name!r}: {said[-1] if said else type(exc).__name__}"
        ) from None


def _put_back(written: Sequence[tuple[Path, str | None]], created: Path | None) -> None:
    """Undo ``written`` (each file and what it held before, None: it was new) and remove the folder
    ``created`` if it is left empty."""
    for path, before in reversed(written):
        if before is None:
            path.unlink(missing_ok=True)
        else:
            _write_atomically(path, before)
    if created is not None and created.exists() and not any(created.iterdir()):
        created.rmdir()


def _indent(text: str, width: int = 2) -> str:
    pad = " " * width
    return "".join(f"{pad}{line}" if line.strip() else line for line in text.splitlines(keepends=True))


def _line_of(mark: yaml.Mark) -> str:
    return f"{FLEET_FILE} line {mark.line + 1}"


def appended(current: str, entries: Sequence[Mapping[str, Any]]) -> str:
    """``current`` with ``entries`` added at the end of its ``bindings:`` list, every byte before them kept.

    Any valid layout of a block list is extended where it ends, at the column of
    its own dashes: as adopt writes it, as PyYAML or an editor re-indents it (the
    dashes at the key's column), with other keys after it, or with no newline at
    the end. An empty list is written out in place. A list that cannot be
    extended (written in flow style) is refused, naming the line and the fix.
    """
    newline = "\r\n" if "\r\n" in current else "\n"
    try:
        root = yaml.compose(current, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise AdoptError(f"cannot read {FLEET_FILE}: {exc}; fix the YAML and run adopt again") from None
    found = None
    if isinstance(root, yaml.MappingNode):
        found = next(((key, value) for key, value in root.value if key.value == "bindings"), None)
    if found is None:
        raise AdoptError(f"{FLEET_FILE} has no top-level `bindings:` list; add `bindings: []` and run adopt again")
    key, listing = found

    def block(column: int) -> str:
        return _indent(_fleet_text(entries), column).replace("\n", newline)

    is_null = isinstance(listing, yaml.ScalarNode) and listing.tag == "tag:yaml.org,2002:null"
    if is_null or (isinstance(listing, yaml.SequenceNode) and not listing.value):
        # `bindings:`, `bindings: ~` or `bindings: []`: the empty value becomes a block list.
        rest = current[listing.end_mark.index :]
        rest = rest[len(newline) :] if rest.startswith(newline) else rest
        text = current[: key.end_mark.index] + ":" + newline + block(key.start_mark.column + 2) + rest
    elif isinstance(listing, yaml.SequenceNode) and not listing.flow_style:
        at = listing.end_mark.index
        # The list ends where the next key (or the end of the file) begins; the last line may lack a newline.
        gap = "" if at == 0 or current[at - 1] == "\n" else newline
        text = current[:at] + gap + block(listing.start_mark.column) + current[at:]
    else:
        raise AdoptError(
            f"cannot add to {FLEET_FILE}: `bindings:` at {_line_of(key.start_mark)} is written in flow style "
            "([...]); write it as a block list, one `- name: ...` entry per line, and run adopt again"
        )
    before = (yaml.safe_load(current) or {}).get("bindings") or []
    try:
        after = (yaml.safe_load(text) or {}).get("bindings") or []
    except yaml.YAMLError:
        after = None
    if after is None or after[: len(before)] != before or len(after) != len(before) + len(entries):
        raise AdoptError(
            f"cannot add to {FLEET_FILE}: the `bindings:` list at {_line_of(key.start_mark)} could not be "
            "extended without changing its entries; write it as a block list, one `- name: ...` entry per "
            "line at one indentation, and run adopt again"
        )
    return text
