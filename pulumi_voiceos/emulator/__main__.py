"""``voiceos-emulator`` / ``python -m pulumi_voiceos.emulator``: run the emulator.

Once it accepts requests it prints one line on stdout, ``voiceos-emulator listening on http://HOST:PORT``.
"""

from __future__ import annotations

import argparse
import copy
import errno
import ipaddress
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._extra import exit_without_extra

# Before FastAPI and uvicorn are imported: without the emulator extra, say what to install.
exit_without_extra("voiceos-emulator")

import uvicorn  # noqa: E402
from pydantic import TypeAdapter, ValidationError  # noqa: E402

from . import defaults  # noqa: E402
from .app import create_app  # noqa: E402
from .rules import AgentIdText, PhoneNumberText  # noqa: E402
from .store import Store  # noqa: E402

__all__ = ["build_parser", "main"]

_LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voiceos-emulator",
        description=(
            "A local VoiceOS phone-number API for demos, tests and offline development. "
            "Point the provider at it with VOICEOS_API_URL=http://HOST:PORT and the same token."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument(
        "--port",
        type=int,
        default=defaults.DEFAULT_PORT,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=Path(defaults.DEFAULT_DB),
        help="SQLite file holding the data (default: ./%(default)s)",
    )
    parser.add_argument(
        "--token",
        default=None,
        help=f"bearer token to accept (default: $VOICEOS_API_TOKEN, else {defaults.DEFAULT_TOKEN!r})",
    )
    parser.add_argument(
        "--seed-number",
        action="append",
        default=[],
        metavar="E164",
        help="make sure this number exists (fake Twilio telephony); an existing one is left as is. Repeatable",
    )
    parser.add_argument(
        "--agent",
        action="append",
        default=[],
        metavar="ID",
        help="a known agent id; once any is known, PATCHes naming other agents get a 404. Repeatable",
    )
    parser.add_argument(
        "--account-id", default=defaults.DEFAULT_ACCOUNT_ID, help="account id reported (default: %(default)s)"
    )
    parser.add_argument("--log-level", default="info", choices=_LOG_LEVELS, help="uvicorn log level (default: info)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host that is not a loopback address (the token is static: only on trusted networks)",
    )
    return parser


def _validated(parser: argparse.ArgumentParser, flag: str, adapter: TypeAdapter[str], values: list[str]) -> list[str]:
    checked = []
    for value in values:
        try:
            checked.append(adapter.validate_python(value))
        except ValidationError as exc:
            msg = str(exc.errors(include_url=False)[0]["msg"]).removeprefix("Value error, ")
            parser.error(f"{flag} {value}: {msg}")
    return checked


def _resolve(host: str, port: int) -> list[tuple[socket.AddressFamily, tuple[str, int]]]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [(family, (str(addr[0]), int(addr[1]))) for family, _, _, _, addr in infos]


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _bind(family: socket.AddressFamily, address: tuple[str, int]) -> socket.socket:
    # proto=IPPROTO_TCP is not a formality: asyncio only turns Nagle off
    # (TCP_NODELAY) on sockets that say they are TCP, and with Nagle on every
    # response (headers and body are written separately) waits ~40 ms for a
    # delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name != "nt":
            # Lets a restarted emulator take its old port back while the
            # previous run's connections sit in TIME_WAIT. (On Windows the
            # same flag would let two servers share a port, so it is not set.)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until SIGINT or SIGTERM; the exit status is 0, or ``EXIT_ADDRESS_IN_USE``, or 1.

    It binds the listening socket itself rather than letting uvicorn do it, so ``--port 0`` can report the
    port the OS picked: once the server accepts requests it prints exactly one line, ``voiceos-emulator
    listening on http://HOST:PORT``, on stdout. Everything else (uvicorn's logs) goes to stderr, so a
    parent process can wait for that line and nothing more.
    """
    parser = build_parser()
    args = parser.parse_args(argv)

    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a port number (0-65535)")
    token = args.token or os.environ.get("VOICEOS_API_TOKEN") or defaults.DEFAULT_TOKEN
    seed_numbers = _validated(parser, "--seed-number", TypeAdapter(PhoneNumberText), args.seed_number)
    agents = _validated(parser, "--agent", TypeAdapter(AgentIdText), args.agent)

    try:
        addresses = _resolve(args.host, args.port)
    except OSError as exc:
        parser.error(f"cannot resolve --host {args.host!r}: {exc}")
    if not args.allow_remote and not all(_is_loopback(addr[0]) for _, addr in addresses):
        parser.error(
            f"--host {args.host} is not a loopback address; the emulator accepts one static token, "
            "so it listens on loopback only unless you add --allow-remote"
        )
    family, address = addresses[0]
    try:
        sock = _bind(family, address)
    except OSError as exc:
        print(f"voiceos-emulator: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return defaults.EXIT_ADDRESS_IN_USE if exc.errno == errno.EADDRINUSE else 1

    url = _url(sock)
    try:
        store = Store(args.db, account_id=args.account_id)
    except sqlite3.Error as exc:
        sock.close()
        print(f"voiceos-emulator: cannot open the database {args.db}: {exc}", file=sys.stderr)
        return 1
    try:
        store.add_agents(agents)
        for number in seed_numbers:
            store.ensure(number)
        config = uvicorn.Config(
            create_app(store, token=token),
            log_level=args.log_level,
            log_config=_log_config(),
            http="h11",
            lifespan="off",
            # Bounded so SIGTERM still ends a run whose requests sleep in injected latency.
            timeout_graceful_shutdown=3,
        )
        server = _AnnouncingServer(config, url)

        def request_exit(signum: int, frame: object) -> None:
            server.should_exit = True

        # uvicorn handles SIGINT/SIGTERM while it serves, then re-raises the
        # signal to the handler it found. This one asks for a shutdown, so a
        # signal arriving before uvicorn is ready still stops it, and one
        # re-raised afterwards is harmless: a requested stop exits with 0.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, request_exit)
        server.run(sockets=[sock])
    finally:
        store.close()
        sock.close()
    return 0


def _log_config() -> dict[str, Any]:
    # uvicorn logs accesses to stdout by default; stdout is reserved for the
    # listening line, which parents parse, so every log goes to stderr.
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
    return config


class _AnnouncingServer(uvicorn.Server):
    """uvicorn's server, printing the listening line once it accepts requests."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self._url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(f"{defaults.LISTENING_PREFIX}{self._url}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
