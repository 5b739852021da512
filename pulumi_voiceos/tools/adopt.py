"""``voiceos-pulumi adopt``: turn an existing VoiceOS account into a Pulumi project in one command.

docs/adopt.md says what the project holds; ``adopt_account`` says how it is written.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from ..core.config import DEFAULT_API_URL, Settings, resolve_settings
from ..errors import AdoptError, ConfigurationError, MissingTokenError, VoiceOSError
from .adopt_entries import AdoptReport, binding_name, new_entries
from .adopt_project import appended, check_backend, fleet_program, read_project, write_project
from .adopt_split import check_split, split_stack_names, split_stacks

__all__ = ["AdoptError", "AdoptReport", "adopt_account", "binding_name", "fleet_program"]

DEFAULT_PROJECT: Final = "voiceos-bindings"
_PROJECT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}")
_PREFIX = re.compile(r"\+[0-9]{1,15}")
_appended = appended
"""The name tests/tools/test_adopt_fleet_file.py has imported from here."""


def adopt_account(
    out: Path,
    stack_name: str,
    *,
    project: str = DEFAULT_PROJECT,
    prefix: str | None = None,
    include_unbound: bool = False,
    one_resource: bool = False,
    strict: bool = False,
    stacks: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> AdoptReport:
    """Write or extend the project in ``out`` and its stack (or, with ``stacks``, the stacks of a split).

    It reads the account (adopt_entries.py), then writes the project and its stack (adopt_project.py);
    whatever can be wrong is found before anything is written. docs/adopt.md says what the project holds.
    """
    from ..api.client import VoiceOSClient

    env = dict(os.environ if environ is None else environ)
    _check_names(project, stack_name, prefix)
    names = [stack_name] if stacks is None else split_stack_names(stack_name, stacks)
    settings = _settings(env)
    existing = read_project(out, project)
    check_split(out, project, None if stacks is None else names, stack_name)
    check_backend(env)

    report = AdoptReport(out=out, stack=stack_name, stacks=names, created_project=existing is None)
    with VoiceOSClient(settings) as client:
        try:
            numbers = list(client.list_phone_numbers())
        except VoiceOSError as exc:
            raise AdoptError(f"could not list the account: {exc}") from None
    report.listed = len(numbers)
    secrets: dict[str, str] = {}
    entries = new_entries(
        numbers, existing or [], prefix=prefix, include_unbound=include_unbound, report=report, secrets=secrets
    )
    report.secrets = len(secrets)
    if strict and report.undeclarable:
        named = "; ".join(f"{n}: {why}" for n, why in sorted(report.undeclarable.items()))
        raise AdoptError(
            f"--strict: {len(report.undeclarable)} numbers have a binding no program can declare ({named}); "
            "fix them in the VoiceOS dashboard, or run adopt without --strict to adopt the rest"
        )
    config: dict[str, str] = {}
    if settings.api_url != DEFAULT_API_URL:
        config["voiceos:apiUrl"] = settings.api_url
    write_project(
        out,
        project=project,
        stacks={stack_name: {**secrets, **config}} if stacks is None else split_stacks(names, entries, secrets, config),
        env=env,
        existing=existing,
        new_entries=entries,
        secret=set(secrets),
        one_resource=one_resource,
    )
    return report


def _check_names(project: str, stack_name: str, prefix: str | None) -> None:
    if not _PROJECT_NAME.fullmatch(project):
        raise AdoptError(f"--project {project!r} is not a Pulumi project name: use letters, digits, '-', '_', '.'")
    if not _STACK_NAME.fullmatch(stack_name):
        raise AdoptError(f"--stack {stack_name!r} is not a stack name: use letters, digits, '-', '_', '.'")
    if prefix is not None and not _PREFIX.fullmatch(prefix):
        raise AdoptError(f"--prefix {prefix!r} must be '+' and digits, the start of an E.164 number (e.g. +1415)")


def _settings(env: Mapping[str, str]) -> Settings:
    try:
        return resolve_settings({}, env)
    except MissingTokenError:
        raise AdoptError(
            "no VoiceOS API token: export VOICEOS_API_TOKEN=<token> (it is never a command-line flag)"
        ) from None
    except ConfigurationError as exc:
        raise AdoptError(str(exc)) from None


def run(args: argparse.Namespace, print_line: Callable[[str], None] = print) -> int:
    """``voiceos-pulumi adopt`` with the arguments ``cli`` parsed: 0 when written, 2 when refused."""
    try:
        report = adopt_account(
            args.out,
            args.stack,
            project=args.project,
            prefix=args.prefix,
            include_unbound=args.include_unbound,
            one_resource=args.fleet,
            strict=args.strict,
            stacks=args.stacks,
        )
    except AdoptError as exc:
        print(f"voiceos-pulumi adopt: {exc}; nothing was written", file=sys.stderr)
        return 2
    for line in report.lines():
        print_line(line)
    return 0
