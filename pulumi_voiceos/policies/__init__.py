"""voiceos-policies: a CrossGuard policy pack for PhoneNumberBinding and PhoneNumberFleet, of either provider.

``pulumi preview --policy-pack "$(python -m pulumi_voiceos.policies)"`` runs it (docs/policies.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

__all__ = ["PACK_DIR"]

PACK_DIR: Final = Path(__file__).resolve().parent / "pack"
"""The pack's folder (PulumiPolicy.yaml and its __main__.py), for ``--policy-pack``."""
