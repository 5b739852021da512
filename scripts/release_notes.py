"""Print the CHANGELOG.md section of a release, after checking that the tag is the package's version.

    python scripts/release_notes.py v0.1.0 > notes.md

Fails, naming the fix, when the tag is not ``v`` + pulumi_voiceos/_version.py's version, or when
CHANGELOG.md has no ``## [<version>]`` section (rename ``[Unreleased]`` before tagging).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)


def package_version() -> str:
    found = VERSION_LINE.search((REPO / "pulumi_voiceos" / "_version.py").read_text())
    if found is None:
        raise SystemExit("release_notes: no __version__ in pulumi_voiceos/_version.py")
    return found.group(1)


def section(changelog: str, version: str) -> str | None:
    """The body of ``## [version] ...`` up to the next ``## `` heading or the link definitions."""
    found = re.search(rf"^## \[{re.escape(version)}\][^\n]*\n(.*?)(?=^## |^\[[^\]]+\]: |\Z)", changelog, re.M | re.S)
    return found.group(1).strip() if found else None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        raise SystemExit("usage: release_notes.py v<version>")
    tag, version = argv[0], package_version()
    if tag != f"v{version}":
        raise SystemExit(f"release_notes: the tag {tag} is not v{version} (pulumi_voiceos/_version.py); tag v{version}")
    notes = section((REPO / "CHANGELOG.md").read_text(), version)
    if not notes:
        raise SystemExit(f"release_notes: CHANGELOG.md has no '## [{version}] - <date>' section; rename [Unreleased]")
    print(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
