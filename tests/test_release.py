"""The version is kept in one place (pulumi_voiceos/_version.py); CHANGELOG.md keeps its form.

Every copy of the version (the schema, the generated SDKs, the examples) must be that one, and
scripts/release_notes.py, which the release workflow runs on the pushed tag, must refuse a tag that
is not it and a CHANGELOG.md without its section.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pulumi_voiceos._version import __version__

from .docs import one_block

if sys.version_info >= (3, 11):
    import tomllib
else:  # the package supports 3.10, whose standard library has no TOML reader
    import tomli as tomllib  # type: ignore[import-not-found]

REPO = Path(__file__).resolve().parent.parent


def load_release_notes() -> Any:
    """scripts/release_notes.py, a script rather than a package."""
    spec = importlib.util.spec_from_file_location("release_notes", REPO / "scripts" / "release_notes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copies_of_the_version() -> dict[str, str]:
    schema = json.loads((REPO / "pulumi_voiceos" / "native" / "schema.json").read_text())
    python_sdk = tomllib.loads((REPO / "sdk" / "python" / "pyproject.toml").read_text())
    nodejs_sdk = json.loads((REPO / "sdk" / "nodejs" / "package.json").read_text())
    example_ts = json.loads((REPO / "examples" / "typescript" / "package.json").read_text())
    example_go = (REPO / "examples" / "go" / "go.mod").read_text()
    [go_require] = re.findall(r"github\.com/voiceos/pulumi-voiceos/sdk v(\S+)", example_go)
    docs_yaml = yaml.safe_load(one_block("docs-program", "yaml"))
    [plugin_install] = re.findall(r"voiceos (\S+) --server", one_block("docs-command", "plugin-install"))
    return {
        "pulumi_voiceos/native/schema.json": schema["version"],
        "sdk/python/pyproject.toml": python_sdk["project"]["version"],
        "sdk/nodejs/package.json": nodejs_sdk["version"],
        "sdk/nodejs/package.json (pulumi)": nodejs_sdk["pulumi"]["version"],
        "examples/typescript/package.json": example_ts["dependencies"]["@voiceos/pulumi-voiceos"].lstrip("^"),
        "examples/go/go.mod": go_require,
        "docs/_index.md (YAML)": str(docs_yaml["resources"]["support-line"]["options"]["version"]),
        "docs/installation-configuration.md (plugin install)": plugin_install,
    }


def test_every_copy_of_the_version_is_the_one_in_version_py() -> None:
    assert copies_of_the_version() == dict.fromkeys(copies_of_the_version(), __version__)


def test_the_changelog_keeps_the_keep_a_changelog_form() -> None:
    text = (REPO / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n")
    headings = re.findall(r"^## \[([^\]]+)\](.*)$", text, flags=re.MULTILINE)
    assert headings and headings[0][0] == "Unreleased", "the first section is [Unreleased]"
    for version, rest in headings[1:]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
        assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", rest), f"[{version}] has no ' - YYYY-MM-DD'"
    linked = set(re.findall(r"^\[([^\]]+)\]: https://", text, flags=re.MULTILINE))
    assert {v for v, _ in headings} <= linked, "each section's heading has its link at the bottom"
    for body in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        kinds = re.findall(r"^### (.+)$", body, flags=re.MULTILINE)
        assert set(kinds) <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, kinds


def run_release_notes(tag: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "release_notes.py"), tag], capture_output=True, text=True, check=False
    )


def test_the_release_notes_refuse_a_tag_that_is_not_the_version() -> None:
    done = run_release_notes("v9.9.9")
    assert done.returncode != 0
    assert f"the tag v9.9.9 is not v{__version__}" in done.stderr and "Traceback" not in done.stderr


def test_the_release_notes_are_the_changelog_section_of_the_version_or_name_the_fix() -> None:
    release_notes = load_release_notes()
    text = (REPO / "CHANGELOG.md").read_text()
    released = text.replace("## [Unreleased]", f"## [Unreleased]\n\n## [{__version__}] - 2026-12-03", 1)
    notes = release_notes.section(released, __version__)
    assert notes is not None and notes.startswith("### Added") and "make dist" in notes
    assert "[Unreleased]:" not in notes  # the link definitions are no part of it
    unreleased = re.sub(rf"^## \[{re.escape(__version__)}\].*$", "## [Unreleased]", text, flags=re.MULTILINE)
    assert release_notes.section(unreleased, __version__) is None
    # As the workflow runs it on the tag: the section, or the fix when there is none yet.
    done = run_release_notes(f"v{__version__}")
    if release_notes.section(text, __version__) is None:
        assert done.returncode != 0 and "rename [Unreleased]" in done.stderr, done.stderr
    else:
        assert done.returncode == 0 and done.stdout.strip() == release_notes.section(text, __version__)


def test_the_readmes_pip_install_lines_name_this_package_its_extra_and_what_each_brings() -> None:
    """pulumi-voiceos from the package index is a release, not this checkout, so the README's install block
    is not run here; instead each line is held to pyproject.toml: the name, the extra, and the packages
    its comment says come with it (every dependency of the line, by name)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    brings = {
        "": [Requirement(r) for r in project["dependencies"]],
        **{extra: [Requirement(r) for r in reqs] for extra, reqs in project["optional-dependencies"].items()},
    }
    lines = one_block("readme-install", "pip", "sh").splitlines()
    installed = []
    for line in lines:
        command, _, comment = line.partition("#")
        [requirement] = shlex.split(command.removeprefix("pip install "))
        wanted = Requirement(requirement)
        assert canonicalize_name(wanted.name) == canonicalize_name(project["name"]), line
        [extra] = sorted(wanted.extras) or [""]
        named = {canonicalize_name(word) for word in re.findall(r"[A-Za-z][\w.-]*", comment)}
        # The extra's own packages; pulumi-voiceos[emulator] inside an extra is the line above's.
        own = {canonicalize_name(r.name) for r in brings[extra] if canonicalize_name(r.name) != project["name"]}
        assert own <= named, f"{line!r} does not say it brings {sorted(own - named)}"
        installed.append(extra)
    assert installed == ["", "emulator"]
    [pydantic] = [r for r in brings[""] if r.name == "pydantic"]
    [major] = re.findall(r"pydantic v(\d+)", lines[0])
    assert pydantic.specifier.contains(f"{major}.99") and not pydantic.specifier.contains(f"{int(major) + 1}.0")
