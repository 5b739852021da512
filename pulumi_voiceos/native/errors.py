"""The old import path of ``InitFailed``, which now lives in ``pulumi_voiceos.errors``."""

from __future__ import annotations

from ..errors import InitFailed

__all__ = ["InitFailed"]
