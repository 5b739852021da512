"""``pulumi-resource-voiceos``: serve the native provider to the engine that started it."""

from __future__ import annotations

import logging
import sys

from .._lifetime import exit_with_parent
from .._requirements import NATIVE_PLUGIN, installed_pulumi, problem


def main() -> None:
    exit_with_parent()  # first: the engine may be killed while this process starts
    # Checked before anything of pulumi.provider.experimental is imported: below 3.171 it is not there,
    # and the engine would only say that the plugin "exited prematurely".
    too_old = problem("pulumi-resource-voiceos", NATIVE_PLUGIN, installed_pulumi())
    if too_old:
        print(f"error: {too_old}", file=sys.stderr)
        raise SystemExit(1)

    from .._version import __version__
    from .engine_log import EngineLogHandler
    from .provider import VoiceOSProvider
    from .server import serve

    args = sys.argv[1:]
    # The engine passes its own address as the first positional argument (server.main reads it too).
    engine = next((arg for arg in args if not arg.startswith("-")), None)
    if engine:
        logger = logging.getLogger("pulumi_voiceos")
        logger.addHandler(EngineLogHandler(engine))
        logger.setLevel(logging.INFO)
        logger.propagate = False
    serve(args, __version__, VoiceOSProvider())


if __name__ == "__main__":
    main()
