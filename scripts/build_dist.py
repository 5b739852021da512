"""Build every release artifact into one folder (``make dist``), and print each with its size.

    python scripts/build_dist.py --pulumi-version 3.272.0 [--out dist]

- the plugin package under every name the engine may ask for (scripts/build_plugin.py --every-platform);
- pulumi-voiceos (the dynamic resource, the plugin, adopt, the emulator): wheel and sdist;
- pulumi_voiceos_native (the generated Python SDK, sdk/python): wheel and sdist;
- @voiceos/pulumi-voiceos (the TypeScript SDK, sdk/nodejs): the npm tarball of its tsc build.
The SDKs are built from copies, so the working tree keeps no build leftovers. The folder is emptied first.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_plugin  # a sibling script, not a package

REPO = build_plugin.REPO


def python_dists(source: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(source)], check=True)


def npm_tarball(work: Path, out: Path) -> None:
    """tsc into bin/, with the manifest beside it (the layout the README installs from), then npm pack of bin/."""
    sdk = work / "nodejs"
    shutil.copytree(REPO / "sdk" / "nodejs", sdk, ignore=shutil.ignore_patterns("node_modules", "bin"))
    subprocess.run(["npm", "install", "--no-package-lock", "--loglevel=error"], cwd=sdk, check=True)
    subprocess.run(["npm", "run", "build", "--silent"], cwd=sdk, check=True)
    for name in ("package.json", "README.md", "LICENSE"):
        shutil.copy(sdk / name, sdk / "bin" / name)
    subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(out.resolve())], cwd=sdk / "bin", check=True)


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description="Build every release artifact into one folder.")
    parser.add_argument("--pulumi-version", required=True, help="the pulumi SDK the plugin installs (pinned)")
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="the folder (default: dist)")
    args = parser.parse_args(argv)
    out: Path = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    build_plugin.main(["--pulumi-version", args.pulumi_version, "--out", str(out), "--every-platform"])
    python_dists(REPO, out)
    with tempfile.TemporaryDirectory(prefix="voiceos-dist-") as tmp:
        shutil.copytree(REPO / "sdk" / "python", Path(tmp) / "python", ignore=shutil.ignore_patterns("*.egg-info"))
        python_dists(Path(tmp) / "python", out)
        npm_tarball(Path(tmp), out)

    artifacts = sorted(out.iterdir())
    width = max(len(p.name) for p in artifacts)
    print(f"\n{len(artifacts)} artifacts in {out}:")
    for artifact in artifacts:
        print(f"  {artifact.name:<{width}}  {artifact.stat().st_size:>9,} bytes")
    return artifacts


if __name__ == "__main__":
    main()
