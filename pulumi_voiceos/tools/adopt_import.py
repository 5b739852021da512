"""``voiceos-pulumi adopt --import-file``: the account as Pulumi's bulk-import file, for a project in any language.

docs/adopt.md ("Adopting into any language") says how it is used; the native provider's ``read`` imports each id.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from ..core.config import DEFAULT_API_URL
from ..engine.fleet_import import import_id
from ..errors import AdoptError, VoiceOSError
from .adopt import DEFAULT_PROJECT, _check_names, _settings
from .adopt_entries import UNDECLARABLE_NEXT, AdoptReport, new_entries
from .adopt_project import check_backend

__all__ = ["BINDING_TYPE", "FLEET_TYPE", "adopt_to_import_file", "import_plan", "run_import_file"]

BINDING_TYPE: Final = "voiceos:index:PhoneNumberBinding"
FLEET_TYPE: Final = "voiceos:index:PhoneNumberFleet"
FLEET_NAME: Final = "fleet"
"""The fleet's resource name, as the Python program of ``adopt --fleet`` names it."""


def import_plan(entries: Sequence[Mapping[str, Any]], *, one_resource: bool = False) -> dict[str, Any]:
    """The import file of adopted ``entries``: one binding each (its resource name, its number as the id),
    or with ``one_resource`` one fleet whose id is their numbers. No value is in it: ``pulumi import`` reads
    each binding from the account, header values included, into state as secrets."""
    if one_resource:
        numbers = [str(entry["phone_number"]) for entry in entries]
        return {"resources": [{"type": FLEET_TYPE, "name": FLEET_NAME, "id": import_id(numbers)}] if numbers else []}
    return {
        "resources": [
            {"type": BINDING_TYPE, "name": str(entry["name"]), "id": str(entry["phone_number"])} for entry in entries
        ]
    }


def adopt_to_import_file(
    path: Path,
    out: Path,
    stack_name: str,
    *,
    prefix: str | None = None,
    include_unbound: bool = False,
    one_resource: bool = False,
    strict: bool = False,
    stacks: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> AdoptReport:
    """Write the import file ``path`` for the project in ``out``, whose stack ``stack_name`` gets each header
    value as a secret config placeholder; the same numbers, skips and ``strict`` as ``adopt_account``."""
    from ..api.client import VoiceOSClient

    env = dict(os.environ if environ is None else environ)
    _check_names(DEFAULT_PROJECT, stack_name, prefix)
    if stacks is not None:
        raise AdoptError(
            "--stacks with --import-file: an import file is for one stack; split with --stacks and a Python "
            "project, or write one import file per project"
        )
    if include_unbound:
        raise AdoptError(
            "--include-unbound with --import-file: an unbound number has no binding to import; leave the option out"
        )
    settings = _settings(env)
    if not (out / "Pulumi.yaml").is_file() and not (out / "Pulumi.yml").is_file():
        raise AdoptError(
            f"--out {out} holds no Pulumi.yaml: with --import-file, give the folder of the project "
            "(any language) that will run `pulumi import --file`"
        )
    report = AdoptReport(out=out, stack=stack_name)
    with VoiceOSClient(settings) as client:
        try:
            numbers = list(client.list_phone_numbers())
        except VoiceOSError as exc:
            raise AdoptError(f"could not list the account: {exc}") from None
    report.listed = len(numbers)
    secrets: dict[str, str] = {}
    entries = new_entries(numbers, [], prefix=prefix, include_unbound=include_unbound, report=report, secrets=secrets)
    report.secrets = len(secrets)
    if strict and report.undeclarable:
        named = "; ".join(f"{n}: {why}" for n, why in sorted(report.undeclarable.items()))
        raise AdoptError(
            f"--strict: {len(report.undeclarable)} numbers have a binding no program can declare ({named}); "
            "fix them in the VoiceOS dashboard, or run adopt without --strict to adopt the rest"
        )
    config = {key: (value, True) for key, value in secrets.items()}
    if settings.api_url != DEFAULT_API_URL:
        config["voiceos:apiUrl"] = (settings.api_url, False)
    if config:
        _configure(out, stack_name, env, config)
    plan = import_plan(entries, one_resource=one_resource)
    path.write_text(json.dumps(plan, indent=2) + "\n")
    return report


def _configure(out: Path, stack_name: str, env: Mapping[str, str], config: Mapping[str, tuple[str, bool]]) -> None:
    from pulumi import automation as auto

    check_backend(env)
    try:
        stack = auto.create_or_select_stack(
            stack_name, work_dir=str(out), opts=auto.LocalWorkspaceOptions(env_vars=dict(env))
        )
        stack.set_all_config({key: auto.ConfigValue(value, secret=secret) for key, (value, secret) in config.items()})
    except Exception as exc:  # the CLI's own error: its last line says why
        said = [line.strip() for line in str(exc).splitlines() if line.strip()]
        raise AdoptError(
            f"could not create or configure stack {stack_name!r}: {said[-1] if said else type(exc).__name__}"
        ) from None


def report_lines(report: AdoptReport, path: Path) -> list[str]:
    """What ``adopt --import-file`` did, and what to run next."""
    skipped = report.unbound + report.outside_prefix + len(report.undeclarable)
    return [
        f"listed {report.listed} numbers in the account",
        f"wrote {path}: {len(report.adopted)} numbers to import; "
        f"{report.secrets} header values stored as secret config placeholders in stack {report.stack}",
        f"skipped {skipped}: {report.unbound} unbound (--include-unbound lists them), "
        f"{report.outside_prefix} outside --prefix, "
        f"{len(report.undeclarable)} whose binding no program can declare (listed below)",
        *(f"  {number}: {why}" for number, why in sorted(report.undeclarable.items())),
        *([UNDECLARABLE_NEXT] if report.undeclarable else []),
        f"next: cd {report.out} && pulumi import --file {path.resolve()} --stack {report.stack}",
    ]


def run_import_file(args: argparse.Namespace, print_line: Callable[[str], None] = print) -> int:
    """``voiceos-pulumi adopt --import-file``: 0 when written, 2 when refused (nothing written)."""
    try:
        report = adopt_to_import_file(
            args.import_file,
            args.out,
            args.stack,
            prefix=args.prefix,
            include_unbound=args.include_unbound,
            one_resource=args.fleet,
            strict=args.strict,
            stacks=args.stacks,
        )
    except AdoptError as exc:
        print(f"voiceos-pulumi adopt: {exc}; nothing was written", file=sys.stderr)
        return 2
    for line in report_lines(report, args.import_file):
        print_line(line)
    return 0
