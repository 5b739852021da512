"""``python -m pulumi_voiceos adopt|doctor ...``: the same as the ``voiceos-pulumi`` command."""

from .cli import main

raise SystemExit(main())
