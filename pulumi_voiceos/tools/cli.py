"""``voiceos-pulumi``: its subcommands ``adopt`` (adopt.py) and ``doctor`` (doctor.py) and their arguments."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from ..core.models import MAX_PAGE_SIZE
from . import adopt, adopt_import, doctor

__all__ = ["main", "parser"]


def _page_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; give 1 to {MAX_PAGE_SIZE}") from None
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(f"{value} is outside 1 to {MAX_PAGE_SIZE}, the limits the API allows")
    return value


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="voiceos-pulumi", description="Tools for managing VoiceOS phone numbers with Pulumi."
    )
    commands = root.add_subparsers(dest="command", required=True)
    adopting = commands.add_parser(
        "adopt",
        help="write a Pulumi project that takes over every bound number of the account",
        description="Reads VOICEOS_API_URL and VOICEOS_API_TOKEN; writes DIR and creates (or selects) the stack.",
    )
    adopting.add_argument("--out", required=True, type=Path, metavar="DIR", help="the project folder to write")
    adopting.add_argument("--stack", required=True, metavar="NAME", help="the stack to create or select")
    adopting.add_argument(
        "--project", default=adopt.DEFAULT_PROJECT, metavar="NAME", help=f"default {adopt.DEFAULT_PROJECT}"
    )
    adopting.add_argument("--prefix", metavar="+1415", help="only numbers that start with this")
    adopting.add_argument("--include-unbound", action="store_true", help="also list numbers with no agent or webhooks")
    adopting.add_argument(
        "--strict",
        action="store_true",
        help="fail, writing nothing, if some number's binding cannot be declared (by default it is named and skipped)",
    )
    adopting.add_argument(
        "--fleet",
        action="store_true",
        help="declare the numbers as one PhoneNumberFleet instead of one PhoneNumberBinding each (a new project only)",
    )
    adopting.add_argument(
        "--stacks",
        type=int,
        metavar="K",
        help="split the account across K stacks of the project, STACK-1 to STACK-K, each declaring its share "
        "of the numbers (a stable hash of each number, mod K; docs/adopt.md)",
    )
    adopting.add_argument(
        "--import-file",
        type=Path,
        metavar="FILE",
        help="write Pulumi's bulk-import file for the native provider instead of a Python project: "
        "DIR is then the project (any language) that runs `pulumi import --file FILE`",
    )
    checking = commands.add_parser(
        "doctor",
        help="check, read-only, that the API URL and token serve the provider",
        description=(
            "Reads VOICEOS_API_URL and VOICEOS_API_TOKEN as the provider does; sends only GETs. "
            "Exits 0 when everything the provider needs works, 1 naming the reason otherwise."
        ),
    )
    checking.add_argument(
        "--page-size",
        type=_page_size,
        default=MAX_PAGE_SIZE,
        metavar="N",
        help=f"the listing's limit (1 to {MAX_PAGE_SIZE}; default {MAX_PAGE_SIZE}, as the provider lists)",
    )
    checking.add_argument(
        "--no-census",
        dest="census",
        action="store_false",
        help="skip reading the whole listing (the census of numbers no program can declare)",
    )
    checking.add_argument(
        "--stack",
        metavar="NAME",
        help="resolve the settings from this stack's config first, then the environment, as the provider does",
    )
    checking.add_argument(
        "--cwd", type=Path, default=Path(), metavar="DIR", help="the folder of the stack's project (default: here)"
    )
    return root


def main(argv: Sequence[str] | None = None, *, print_line: Callable[[str], None] = print) -> int:
    args = parser().parse_args(argv)
    if args.command == "doctor":
        return doctor.run(args.page_size, args.census, print_line, stack=args.stack, cwd=args.cwd)
    if args.import_file is not None:
        return adopt_import.run_import_file(args, print_line)
    return adopt.run(args, print_line)
