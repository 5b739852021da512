"""The ``voiceos-pulumi`` command line: ``adopt`` and ``doctor``."""
