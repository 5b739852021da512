"""``pulumi-resource-voiceos``: serve the native provider to the engine that started it."""

from __future__ import annotations

import sys

from pulumi.provider.experimental.server import main as serve

from .._version import __version__
from .provider import VoiceOSProvider


def main() -> None:
    serve(sys.argv[1:], __version__, VoiceOSProvider())


if __name__ == "__main__":
    main()
