"""``python -m pulumi_voiceos adopt|doctor ...``: the same as the ``voiceos-pulumi`` command."""

from .tools.cli import main

raise SystemExit(main())
