"""The engine installs the voiceos plugin by itself, from the SDK's plugin server, in every language.

The schema's pluginDownloadURL (github://api.github.com/voiceos: the release assets of
voiceos/pulumi-voiceos) is in each generated SDK. Here ``make dist`` builds the release assets into a
folder, a loopback HTTP server serves it, and PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES points the engine's
GitHub source at that server. Each program starts from a fresh PULUMI_HOME with no voiceos plugin in it
nor on PATH, and with automatic plugin acquisition on: the up installs the plugin, binds the number, and
the test reads the number back live. An override that matches nothing falls through to the real sources
silently, so each test asserts that the server served the asset the engine asked for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_voiceos._version import __version__
from pulumi_voiceos.emulator.process import EmulatorProcess

from ..docs import one_block
from .harness import PROGRAMS, Deployment, base_env, deployment, emulator
from .test_flows import AGENTS, CARRIER, N1, TOKEN, summary
from .test_languages import (
    EXAMPLES,
    Installed,
    Program,
    cache_root,
    digest,
    npm_env,
    restore_node_modules,
    run,
    save_node_modules,
    write_docs_typescript,
)

PLUGIN_SOURCE = "github://api.github.com/voiceos/pulumi-voiceos"
ASSET = f"/pulumi-resource-voiceos-v{__version__}-linux-amd64.tar.gz"
NPM_TARBALL = f"voiceos-pulumi-voiceos-{__version__}.tgz"
NUMBER = "+14155550123"  # the docs' examples' number
HEADER_VALUE = "SENTINEL-DOCS-WEBHOOK-TOKEN-2f7a"
VENV_BIN = str(Path(sys.executable).parent)
AGENT = "agent_support"


class AssetServer:
    """Serves a folder on loopback and records each request's path and status."""

    def __init__(self, folder: Path) -> None:
        served: list[tuple[str, int]] = []
        self.served = served

        class Handler(SimpleHTTPRequestHandler):
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                served.append((self.path, int(code) if str(code).isdigit() else 0))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> AssetServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def assets(dist: Path) -> Iterator[AssetServer]:
    assert (dist / ASSET.lstrip("/")).is_file() and (dist / NPM_TARBALL).is_file()
    with AssetServer(dist) as server:
        yield server


def path_without_plugin() -> str:
    return os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != VENV_BIN)


def auto_install_env(assets: AssetServer) -> dict[str, str]:
    """What the engine needs to install the plugin from the loopback server, and nothing to find it elsewhere."""
    env = {
        "PATH": path_without_plugin(),
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "false",
        # A regexp=URL pair: the SDK's source, matched whole, to the server (which serves the standard names).
        "PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES": f"^{PLUGIN_SOURCE.replace('.', '[.]')}$={assets.url}",
    }
    assert shutil.which("pulumi-resource-voiceos", path=env["PATH"]) is None
    return env


def assert_installed_from(assets: AssetServer, pulumi_home: Path) -> None:
    """The server served the asset, and the plugin is in the fresh PULUMI_HOME, its virtualenv made."""
    assert (ASSET, 200) in assets.served, f"the engine never fetched {ASSET} from {assets.url}: {assets.served}"
    plugin_dir = pulumi_home / "plugins" / f"resource-voiceos-v{__version__}"
    assert (plugin_dir / "PulumiPlugin.yaml").is_file() and (plugin_dir / "venv").is_dir()


def assert_bound(emulator: EmulatorProcess, number: str, agent: str, header: str | None = None) -> None:
    live = emulator.get_number(number)
    assert live is not None and live["inbound_agent_id"] == agent, live
    if header is not None:
        assert [w["headers"] for w in live["webhooks"]] == [{"Authorization": header}]


def docs_program(tmp_path: Path, language: str) -> Path:
    """The docs' ``<!-- docs-program: language -->`` block (docs/_index.md) as a program to run."""
    source = one_block("docs-program", language)
    folder = tmp_path / f"docs-{language}"
    folder.mkdir()
    if language == "yaml":
        (folder / "Pulumi.yaml").write_text(source)
        return folder / "Pulumi.yaml"
    (folder / "__main__.py").write_text(source)
    return folder


def assert_unbound(emulator: EmulatorProcess, number: str) -> None:
    live = emulator.get_number(number)
    assert live is not None and (live["inbound_agent_id"], live["webhooks"]) == (None, []), live


@pytest.mark.python_sdk  # its program runs on the generated Python SDK
def test_the_docs_python_program_on_the_sdk_installs_the_plugin_from_its_server_and_binds_the_number(
    assets: AssetServer, tmp_path: Path
) -> None:
    env = auto_install_env(assets)
    program = docs_program(tmp_path, "python")
    with deployment(
        tmp_path / "run", program=program, token=TOKEN, numbers=[NUMBER], agents=AGENTS, extra_env=env
    ) as d:
        deploy_and_destroy(d, assets)


def test_the_docs_yaml_program_naming_the_plugin_server_installs_the_plugin_and_binds_the_number(
    assets: AssetServer, tmp_path: Path
) -> None:
    env = auto_install_env(assets)
    program = docs_program(tmp_path, "yaml")
    with deployment(
        tmp_path / "run", program=program, token=TOKEN, numbers=[NUMBER], agents=AGENTS, extra_env=env
    ) as d:
        deploy_and_destroy(d, assets)


def deploy_and_destroy(d: Deployment, assets: AssetServer) -> None:
    """up on a PULUMI_HOME without plugins: the plugin installed, the number bound as the docs say; destroy."""
    d.emulator.seed(NUMBER, auth_token=CARRIER)
    assert not (d.root / "pulumi-home" / "plugins").exists()
    d.stack.set_config("webhookToken", auto.ConfigValue(HEADER_VALUE, secret=True))
    up = d.up()
    assert summary(up) == {"create": 2}
    assert_installed_from(assets, d.root / "pulumi-home")
    assert_bound(d.emulator, NUMBER, AGENT, header=HEADER_VALUE)
    assert {k: v.value for k, v in up.outputs.items()} == {"phoneNumber": NUMBER, "agent": AGENT}
    assert HEADER_VALUE not in d.state_files_text()
    d.destroy()
    assert_unbound(d.emulator, NUMBER)


def test_the_docs_plugin_install_command_fetches_the_asset_from_the_server(assets: AssetServer, tmp_path: Path) -> None:
    command = one_block("docs-command", "plugin-install", "sh")
    env = {
        **os.environ,
        **auto_install_env(assets),
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    done = subprocess.run(["sh", "-ec", command], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert_installed_from(assets, tmp_path / "pulumi-home")


# -- TypeScript and Go: Automation API inline programs, as in tests/e2e/test_languages.py ------------


def install_typescript_from_dist(work: Path, dist: Path) -> list[str]:
    """The TypeScript program on the SDK's npm tarball from dist/, as a user installs a release."""
    project = work / "project"
    shutil.copytree(PROGRAMS / "typescript", project, ignore=shutil.ignore_patterns("node_modules", "bin"))
    shutil.copy(EXAMPLES / "typescript" / "supportLine.ts", project)  # index.ts imports it
    write_docs_typescript(project)  # and this
    env = npm_env()
    tools = run(["node", "--version"], cwd=work, env=env, what="node").encode()
    cached = (
        cache_root()
        / "typescript"
        / ("program-node_modules-" + digest(tools, project / "package.json", project / "package-lock.json"))
    )
    restore_node_modules(cached, project / "node_modules")
    run(["npm", "install", "--no-save", str(dist / NPM_TARBALL)], cwd=project, env=env, what="npm install")
    save_node_modules(project / "node_modules", cached, leave_out=("@voiceos/pulumi-voiceos",))
    run(["npm", "run", "build"], cwd=project, env=env, what="tsc of the program")
    return ["node", str(project / "bin" / "index.js")]


@contextmanager
def inline_program(installed: Installed, root: Path, assets: AssetServer) -> Iterator[Program]:
    (root / "state").mkdir(parents=True)
    (root / "stack").mkdir()
    with emulator(token=TOKEN, numbers=[N1], agents=AGENTS) as emu:
        emu.seed(N1, auth_token=CARRIER)
        env = {**os.environ, **base_env(root, emu), "VOICEOS_API_TOKEN": TOKEN, **auto_install_env(assets)}
        yield Program(installed, root, emu, env)


def up_and_destroy_inline(p: Program, assets: AssetServer) -> None:
    declared: list[dict[str, Any]] = [{"name": "support", "phoneNumber": N1, "inboundAgentId": AGENT}]
    report = p.run("up", declared)
    assert report["summary"] == {"create": 2}
    assert_installed_from(assets, p.root / "pulumi-home")
    assert_bound(p.emulator, N1, AGENT)
    assert report["outputs"]["support.inboundAgentId"] == {"value": AGENT, "secret": False}
    assert p.run("destroy", declared)["summary"] == {"delete": 2}
    assert_unbound(p.emulator, N1)


def test_a_typescript_program_on_the_npm_tarball_installs_the_plugin_from_its_server_and_binds_the_number(
    dist: Path, assets: AssetServer, tmp_path: Path
) -> None:
    command = install_typescript_from_dist(tmp_path / "typescript", dist)
    with inline_program(Installed("typescript", command), tmp_path / "run", assets) as p:
        up_and_destroy_inline(p, assets)
    shutil.rmtree(tmp_path / "typescript", ignore_errors=True)


@pytest.mark.parametrize("installed", ["go"], indirect=True)
def test_a_go_program_on_the_sdk_installs_the_plugin_from_its_server_and_binds_the_number(
    installed: Installed, assets: AssetServer, tmp_path: Path
) -> None:
    with inline_program(installed, tmp_path / "run", assets) as p:
        up_and_destroy_inline(p, assets)


def test_make_dist_builds_the_plugin_under_every_name_the_engine_asks_for_and_each_package_of_the_release(
    dist: Path,
) -> None:
    plugins = {
        f"pulumi-resource-voiceos-v{__version__}-{os_}-{arch}.tar.gz"
        for os_ in ("linux", "darwin", "windows")
        for arch in ("amd64", "arm64")
    }
    packages = {
        f"pulumi_voiceos-{__version__}-py3-none-any.whl",
        f"pulumi_voiceos-{__version__}.tar.gz",
        f"pulumi_voiceos_native-{__version__}-py3-none-any.whl",
        f"pulumi_voiceos_native-{__version__}.tar.gz",
        f"voiceos-pulumi-voiceos-{__version__}.tgz",
    }
    assert {p.name for p in dist.iterdir()} == plugins | packages
    # One plugin package under six names: the same bytes, a Python plugin holding the wheel it installs.
    assert len({(dist / name).read_bytes() for name in plugins}) == 1
    with tarfile.open(dist / sorted(plugins)[0]) as archive:
        assert set(archive.getnames()) >= {"PulumiPlugin.yaml", "__main__.py", "requirements.txt"}
        assert f"pulumi_voiceos-{__version__}-py3-none-any.whl" in archive.getnames()


def test_make_dist_packs_the_policy_pack_in_the_wheel_and_its_extra(dist: Path) -> None:
    """The voiceos-policies pack (docs/policies.md) is in the wheel, where `python -m pulumi_voiceos.policies`
    finds it, and pulumi-policy comes with the `policy` extra."""
    with zipfile.ZipFile(dist / f"pulumi_voiceos-{__version__}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"pulumi_voiceos-{__version__}.dist-info/METADATA").decode()
    pack = "pulumi_voiceos/policies/pack/"
    assert {f"{pack}PulumiPolicy.yaml", f"{pack}__main__.py", "pulumi_voiceos/policies/analyzer.py"} <= names
    assert "Provides-Extra: policy" in metadata and "extra == 'policy'" in metadata
