"""What a native hook raises for the server to tell the engine more than a message (kept in
``pulumi_voiceos.errors``; this name stays for old imports)."""

from __future__ import annotations

from ..errors import InitFailed

__all__ = ["InitFailed"]
