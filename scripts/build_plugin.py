"""Build the plugin package of the native provider, for ``pulumi plugin install resource voiceos``.

    python scripts/build_plugin.py --pulumi-version 3.272.0 [--out dist] [--os linux] [--arch amd64] [--every-platform]

writes ``<out>/pulumi-resource-voiceos-v<version>-<os>-<arch>.tar.gz`` and prints its path (``make plugin``
runs it); ``--every-platform`` writes the same bytes under each name the engine may ask for (PLATFORMS),
one path a line (``make dist``). The archive is a Python plugin directory, the layout the engine runs
through the Python language host:

    PulumiPlugin.yaml                        runtime: python, virtualenv: venv
    __main__.py                              starts pulumi_voiceos.native.__main__.main
    requirements.txt                         the bundled wheel (a ./ path: pip runs in the plugin directory)
                                             and the pulumi SDK the project is tested with (pinned)
    pulumi_voiceos-<version>-py3-none-any.whl

``pulumi plugin install resource voiceos <version> --file <archive>`` unpacks it into the plugin cache, and
the language host creates ``venv`` there and pip-installs requirements.txt with the plugin directory as
pip's working directory: the wheel comes from the archive, its dependencies (pulumi, httpx, pydantic) from
the package index. Nothing in it is specific to an OS or CPU (the virtualenv is made at install time), so
``--os``/``--arch`` only name the file; they default to this machine's.

The archive is reproducible: the wheel is (hatchling fixes its timestamps), and so are the tar entries
(sorted, owner 0, mtime SOURCE_DATE_EPOCH or 0).
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import platform
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLUGIN = "voiceos"

ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
# The (os, arch) pairs the engine downloads plugins for (sdk/go/common/workspace/plugins.go, Download).
PLATFORMS = [(os_name, arch) for os_name in ("linux", "darwin", "windows") for arch in ("amd64", "arm64")]


def package_version() -> str:
    text = (REPO / "pulumi_voiceos" / "_version.py").read_text()
    found = re.search(r'^__version__ = "([^"]+)"$', text, flags=re.MULTILINE)
    if found is None:
        raise SystemExit("build_plugin: no __version__ in pulumi_voiceos/_version.py")
    return found.group(1)


def plugin_files(version: str, wheel: str, pulumi_version: str) -> dict[str, str]:
    return {
        "PulumiPlugin.yaml": (
            f"# The {PLUGIN} resource plugin (pulumi-voiceos {version}), run by Pulumi's Python language host.\n"
            "runtime:\n"
            "  name: python\n"
            "  options:\n"
            "    virtualenv: venv\n"
        ),
        "__main__.py": (
            f'"""The {PLUGIN} resource plugin: the language host runs ``venv/bin/python <this directory> <args>``."""\n'
            "\n"
            "from pulumi_voiceos.native.__main__ import main\n"
            "\n"
            "main()\n"
        ),
        "requirements.txt": (
            "# Installed into ./venv by `pulumi plugin install`, with pip running in this directory.\n"
            f"./{wheel}\n"
            f"pulumi=={pulumi_version}\n"
        ),
    }


def build_wheel(out_dir: Path, version: str) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out_dir), str(REPO)],
        check=True,
    )
    wheels = sorted(out_dir.glob(f"pulumi_voiceos-{version}-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"build_plugin: expected one pulumi_voiceos {version} wheel, found {wheels}")
    return wheels[0]


def write_archive(path: Path, members: dict[str, bytes], mtime: int) -> None:
    """A gzipped tar of ``members`` at its root (the plugin directory), the same bytes for the same input."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(members):
            data = members[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = mtime
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=mtime) as gz:
        gz.write(tar_bytes.getvalue())


def archive_name(version: str, os_name: str, arch: str) -> str:
    return f"pulumi-resource-{PLUGIN}-v{version}-{os_name}-{arch}.tar.gz"


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description="Build the plugin package of the native provider.")
    parser.add_argument("--pulumi-version", required=True, help="the pulumi SDK the plugin installs (pinned)")
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="directory for the archive (default: dist)")
    parser.add_argument("--os", default=platform.system().lower(), help="OS in the file name (default: this one)")
    machine = platform.machine().lower()
    parser.add_argument("--arch", default=ARCHES.get(machine, machine), help="CPU in the file name")
    parser.add_argument("--every-platform", action="store_true", help="one archive per name in PLATFORMS")
    args = parser.parse_args(argv)

    version = package_version()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="voiceos-plugin-") as tmp:
        wheel = build_wheel(Path(tmp), version)
        members = {name: text.encode() for name, text in plugin_files(version, wheel.name, args.pulumi_version).items()}
        members[wheel.name] = wheel.read_bytes()
    platforms = PLATFORMS if args.every_platform else [(args.os, args.arch)]
    archives = [out / archive_name(version, os_name, arch) for os_name, arch in platforms]
    for archive in archives:
        write_archive(archive, members, mtime=int(os.environ.get("SOURCE_DATE_EPOCH", "0")))
        print(archive)
    return archives


if __name__ == "__main__":
    main()
