"""``python -m pulumi_voiceos adopt ...``: the same as the ``voiceos-pulumi`` command."""

from .adopt import main

raise SystemExit(main())
