"""``python -m pulumi_voiceos.policies`` prints the folder of the voiceos-policies pack, for ``--policy-pack``."""

from __future__ import annotations

from . import PACK_DIR

if __name__ == "__main__":
    print(PACK_DIR)
