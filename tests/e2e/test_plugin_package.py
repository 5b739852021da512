"""The native provider as a plugin package: ``make plugin``, ``pulumi plugin install --file``, a YAML program.

The conventional install for users of other languages, through the real CLI and engine: the archive
``make plugin`` builds is installed into the deployment's fresh PULUMI_HOME (the Python language host
creates the plugin's virtualenv from its requirements.txt), and the YAML example then runs on it with
PULUMI_IGNORE_AMBIENT_PLUGINS=true and without this virtualenv's bin directory, where pip's console script
``pulumi-resource-voiceos`` lives, on PATH. The engine's own log names the plugin it launched; the emulator
shows what each step sent and the live number after it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pulumi import automation as auto

from pulumi_voiceos._version import __version__

from ..docs import one_block
from .harness import STACK, deployment
from .test_flows import AGENTS, CARRIER, REPO, TOKEN, summary
from .test_native import EXAMPLE, EXAMPLE_NUMBER, HEADER_SENTINEL, calls, live

PATH_WARNING = "using pulumi-resource-voiceos from $PATH"
VENV_BIN = str(Path(sys.executable).parent)
OUTER_MAKE = ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")


def docs_path_warning() -> str:
    """The warning line the docs show, for this virtualenv."""
    [line] = one_block("docs-output", "path-warning", "text").splitlines()
    assert PATH_WARNING in line
    return line.replace("<virtualenv>", str(Path(VENV_BIN).parent))


def path_without_this_virtualenv() -> str:
    return os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != VENV_BIN)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``make plugin`` into a temporary folder (``-o venv``: never rebuild the virtualenv this test runs in)."""
    out = tmp_path_factory.mktemp("plugin-dist")
    run = subprocess.run(
        ["make", "--no-print-directory", "-o", "venv", "plugin", f"PLUGIN_DIST={out}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    [built] = list(out.iterdir())
    assert run.stdout.strip().splitlines()[-1] == str(built)
    assert built.name.startswith(f"pulumi-resource-voiceos-v{__version__}-") and built.name.endswith(".tar.gz")
    return built


def pulumi(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        ["pulumi", *args, "--non-interactive"],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, f"pulumi {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return run


def test_the_plugin_package_installs_from_its_archive_and_the_engine_runs_a_yaml_program_on_it(
    archive: Path, tmp_path: Path
) -> None:
    installed_only = {"PATH": path_without_this_virtualenv(), "PULUMI_IGNORE_AMBIENT_PLUGINS": "true"}
    with deployment(
        tmp_path, program=EXAMPLE, token=TOKEN, numbers=[EXAMPLE_NUMBER], agents=AGENTS, extra_env=installed_only
    ) as d:
        assert shutil.which("pulumi-resource-voiceos", path=d.env["PATH"]) is None
        printed: list[str] = []

        # The conventional install: the engine unpacks the archive, the language host makes its virtualenv.
        install = pulumi(
            d.env, tmp_path, "plugin", "install", "resource", "voiceos", __version__, "--file", str(archive)
        )
        printed.append(install.stdout + install.stderr)
        plugin_dir = Path(d.env["PULUMI_HOME"]) / "plugins" / f"resource-voiceos-v{__version__}"
        assert sorted(p.name for p in plugin_dir.iterdir()) == [
            "PulumiPlugin.yaml",
            "__main__.py",
            f"pulumi_voiceos-{__version__}-py3-none-any.whl",
            "requirements.txt",
            "venv",
        ]
        venv_python = plugin_dir / "venv" / "bin" / "python"
        shown = subprocess.run(
            [str(venv_python), "-I", "-c", "import pulumi_voiceos; print(pulumi_voiceos.__file__)"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        assert shown.stdout.startswith(str(plugin_dir / "venv"))  # the wheel from the archive, in its own venv
        listed = json.loads(pulumi(d.env, tmp_path, "plugin", "ls", "--json").stdout)
        assert [(p["name"], p["kind"], p["version"]) for p in listed] == [("voiceos", "resource", __version__)]

        d.emulator.seed(EXAMPLE_NUMBER, auth_token=CARRIER)
        d.stack.set_config("webhookToken", auto.ConfigValue(HEADER_SENTINEL, secret=True))
        d.emulator.clear_requests()

        # up binds the number as declared.
        assert summary(d.up()) == {"create": 2}
        assert calls(d) == [("GET", EXAMPLE_NUMBER), ("PATCH", EXAMPLE_NUMBER)]
        number = live(d, EXAMPLE_NUMBER)
        assert number["inbound_agent_id"] == "agent_support"
        assert [(w["url"], w["headers"]) for w in number["webhooks"]] == [
            ("https://hooks.example.com/voiceos", {"Authorization": HEADER_SENTINEL})
        ]
        printed.extend(d.output)

        # A preview with nothing to change sends nothing; the engine's log names the plugin it launched.
        d.emulator.clear_requests()
        preview = pulumi(d.env, d.work_dir, "preview", "--stack", STACK, "--expect-no-changes", "-v=9", "--logtostderr")
        assert d.emulator.requests() == []
        log = preview.stdout + preview.stderr
        launched = [line for line in log.splitlines() if "Launching plugin" in line and "via runtime" in line]
        assert launched and all(f"from '{plugin_dir}' via runtime 'python'" in line for line in launched), launched
        printed.append(log)

        # What the warning means: with pip's console script on PATH (ambient plugins allowed), that one runs
        # instead of the installed plugin, and the engine says so on every run.
        d.env_vars["PATH"] = os.pathsep.join([VENV_BIN, installed_only["PATH"]])
        del d.env_vars["PULUMI_IGNORE_AMBIENT_PLUGINS"]
        d.output.clear()
        d.preview(expect_no_changes=True)
        assert docs_path_warning() in [line.strip() for line in "\n".join(d.output).splitlines()]
        assert d.emulator.requests() == []
        d.env_vars.update(installed_only)
        d.output.clear()

        # destroy unbinds (onDelete: restore puts back what the number had: nothing).
        d.destroy()
        assert calls(d) == [("GET", EXAMPLE_NUMBER), ("PATCH", EXAMPLE_NUMBER)]
        unbound = live(d, EXAMPLE_NUMBER)
        assert unbound["inbound_agent_id"] is None and unbound["webhooks"] == []
        assert d.resources() == []
        printed.extend(d.output)

        # Every run on the installed plugin: the install, up, preview and destroy.
        assert not any(PATH_WARNING in text for text in printed)


def test_the_docs_plugin_package_commands_build_the_archive_install_it_and_remove_it(tmp_path: Path) -> None:
    """docs/installation-configuration.md's three lines, each as written at the repository's root (as a user's
    shell: no make of ours around it), into a PULUMI_HOME of the test's; the archive the first one builds in
    dist/ is taken away again unless it was there before."""
    lines = one_block("docs-command", "plugin-package", "sh").splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["make", "plugin", "#"],
        ["pulumi", "plugin", "install"],
        ["pulumi", "plugin", "rm"],
    ]
    [printed_path] = re.findall(r"# prints (\S+)", lines[0])
    archive = REPO / printed_path
    env = {k: v for k, v in os.environ.items() if k not in OUTER_MAKE}
    env |= {"PULUMI_HOME": str(tmp_path / "pulumi-home"), "PULUMI_SKIP_UPDATE_CHECK": "true"}
    fresh = subprocess.run(["make", "-q", "venv"], cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert fresh.returncode == 0, "the virtualenv is not up to date (make venv): the doc's make plugin would rebuild it"
    plugin_dir = tmp_path / "pulumi-home" / "plugins" / f"resource-voiceos-v{__version__}"
    there_before = archive.exists()

    def shell(line: str) -> subprocess.CompletedProcess[str]:
        # PULUMI_SKIP_CONFIRMATIONS: the user's yes to `pulumi plugin rm`'s question.
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", line],
            cwd=REPO,
            env={**env, "PULUMI_SKIP_CONFIRMATIONS": "true"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, f"{line}\n{run.stdout}\n{run.stderr}"
        return run

    def listed() -> list[tuple[str, str, str]]:
        plugins = json.loads(shell("pulumi plugin ls --json").stdout) or []
        return [(p["name"], p["kind"], p["version"]) for p in plugins]

    try:
        built = shell(lines[0])
        assert built.stdout.strip().splitlines()[-1] == printed_path and archive.is_file()
        shell(lines[1])
        assert listed() == [("voiceos", "resource", __version__)]
        assert (plugin_dir / "PulumiPlugin.yaml").is_file() and (plugin_dir / "venv").is_dir()
        shell(lines[2])
        assert listed() == [] and not plugin_dir.exists()
    finally:
        if not there_before:
            archive.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                archive.parent.rmdir()  # dist/, if the test made it and it is empty
