"""What the benchmark reads off a run besides wall time: memory, state, import time, machine.

Each probe reads something the operating system, the state backend or the
interpreter already keeps (``/proc``, the checkpoint file, ``-X importtime``),
so nothing in the provider or the engine is instrumented for the benchmark.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

# How the engine marks a secret in a checkpoint or an export.
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"
PROVIDER_KEY = "__provider"


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time a process has used so far."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the fields after it are fixed.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _role(cmdline: bytes) -> str:
    args = cmdline.split(b"\0")
    if b"pulumi.dynamic" in args:
        return "provider"
    if any(a.endswith(b"pulumi-language-python-exec") for a in args):
        return "program"
    if args and Path(args[0].decode(errors="replace")).name == "pulumi":
        return "engine"
    return "other"


@dataclass
class ProcessSampler:
    """Polls ``/proc`` for the processes of one Pulumi operation: engine, program, provider.

    They are recognised by ``marker`` in their environment (each benchmark stack
    has its own PULUMI_HOME). The kernel keeps each process's peak resident set
    (``VmHWM``) and its CPU time, so the last sample before a process exits holds
    nearly all of both; polling only misses the final ``interval`` of a process.
    """

    marker: str
    interval: float = 0.05
    roles: dict[int, str] = field(default_factory=dict)
    """The role each process had when it was last sampled."""
    peaks_kib: dict[tuple[int, str], int] = field(default_factory=dict)
    cpu: dict[tuple[int, str], float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _ours: set[int] = field(default_factory=set)
    _ignored: set[int] = field(default_factory=set)

    def _is_ours(self, pid: int) -> bool:
        try:
            return self.marker.encode() in Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            return False

    def _sample(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if pid in self._ignored:
                continue
            if pid not in self._ours:
                if not self._is_ours(pid):
                    self._ignored.add(pid)
                    continue
                self._ours.add(pid)
            # The role is read at every sample: a child caught between fork and exec still shows its
            # parent's command line (the engine's, for a provider it is starting), and a machine under
            # load makes that window long enough to be sampled.
            try:
                role = _role(Path(f"/proc/{pid}/cmdline").read_bytes())
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            self.roles[pid] = role
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if found:
                self.peaks_kib[pid, role] = max(self.peaks_kib.get((pid, role), 0), int(found.group(1)))
            used = cpu_seconds(pid)
            if used is not None:
                self.cpu[pid, role] = used

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    @contextmanager
    def running(self) -> Iterator[ProcessSampler]:
        thread = threading.Thread(target=self._loop, name="process-sampler", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()

    def peak_kib(self, role: str) -> int | None:
        return max((kib for (_, seen), kib in self.peaks_kib.items() if seen == role), default=None)

    def role_cpu_seconds(self, role: str) -> float:
        return sum(used for (_, seen), used in self.cpu.items() if seen == role)


def _unwrap_secrets(value: Any) -> Any:
    """Replace exported secrets (``{signature, plaintext}``) by their values."""
    if isinstance(value, dict):
        if value.get(SECRET_SIGNATURE) is not None and "plaintext" in value:
            return json.loads(value["plaintext"])
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(v) for v in value]
    return value


def compact_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def dynamic_resources(deployment: Mapping[str, Any]) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = deployment.get("resources") or []
    return [r for r in resources if str(r.get("type", "")).startswith(DYNAMIC_TYPE_PREFIX)]


@dataclass(frozen=True)
class StateFigures:
    """Sizes, in bytes of compact JSON, averaged over the stack's dynamic resources."""

    resources: int
    state_per_resource: float
    """The resource's whole entry in the checkpoint, as stored (secrets encrypted)."""
    outputs_per_resource: float
    """The resource's own outputs in plaintext, without the ``__provider`` plumbing."""
    inputs_per_resource: float
    stored_outputs_per_resource: float
    """The outputs as the checkpoint holds them: secrets as ciphertext, ``__provider`` included."""
    provider_bytes: int
    """The ``__provider`` input: the pickled provider every resource carries."""
    checkpoint_file_bytes: int
    """The stack's checkpoint file on disk, whole (indented JSON, all resources)."""

    @property
    def engine_metadata_per_resource(self) -> float:
        """What the engine keeps beside inputs and outputs: URNs, timestamps, the program's stack trace."""
        return self.state_per_resource - self.inputs_per_resource - self.stored_outputs_per_resource


def state_figures(stored: Mapping[str, Any], exported: Mapping[str, Any], checkpoint_file_bytes: int) -> StateFigures:
    """Measure the checkpoint as stored against an export with ``--show-secrets``."""
    stored_resources = dynamic_resources(stored)
    exported_resources = dynamic_resources(exported)
    if not stored_resources:
        raise ValueError("the state holds no dynamic resources to measure")
    count = len(stored_resources)
    outputs = [
        {k: v for k, v in _unwrap_secrets(r.get("outputs") or {}).items() if k != PROVIDER_KEY}
        for r in exported_resources
    ]
    provider = str((stored_resources[0].get("inputs") or {}).get(PROVIDER_KEY, ""))
    return StateFigures(
        resources=count,
        state_per_resource=sum(compact_size(r) for r in stored_resources) / count,
        outputs_per_resource=sum(compact_size(o) for o in outputs) / len(outputs),
        inputs_per_resource=sum(compact_size(r.get("inputs") or {}) for r in stored_resources) / count,
        stored_outputs_per_resource=sum(compact_size(r.get("outputs") or {}) for r in stored_resources) / count,
        provider_bytes=len(provider.encode()),
        checkpoint_file_bytes=checkpoint_file_bytes,
    )


@dataclass(frozen=True)
class ImportFigures:
    """Milliseconds, medians over ``runs`` fresh interpreters."""

    runs: int
    pulumi_ms: float
    """``import pulumi`` alone, cumulative, as ``-X importtime`` reports it."""
    added_ms: float
    """``import pulumi_voiceos`` after ``import pulumi``: what our package adds."""
    added_modules: list[str]
    """Top-level packages our import pulls in that ``pulumi`` did not already load."""


def _cumulative_us(report: str, module: str) -> int:
    found = re.search(rf"^import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$", report, re.MULTILINE)
    if not found:
        raise ValueError(f"-X importtime did not report {module}")
    return int(found.group(1))


def import_figures(python: str = sys.executable, runs: int = 9) -> ImportFigures:
    pulumi_us: list[int] = []
    added_us: list[int] = []
    for _ in range(runs):
        report = subprocess.run(
            [python, "-X", "importtime", "-c", "import pulumi; import pulumi_voiceos"],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        pulumi_us.append(_cumulative_us(report, "pulumi"))
        added_us.append(_cumulative_us(report, "pulumi_voiceos"))
    probe = (
        "import sys; import pulumi; before = {m.split('.')[0] for m in sys.modules}; import pulumi_voiceos; "
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules} - before)))"
    )
    added = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    return ImportFigures(
        runs=runs,
        pulumi_ms=statistics.median(pulumi_us) / 1000,
        added_ms=statistics.median(added_us) / 1000,
        added_modules=[m for m in added if not m.startswith("_") and m != "pulumi_voiceos"],
    )


def provider_server_workers() -> int:
    """How many calls the Python dynamic-provider server runs at once (its gRPC thread pool)."""
    # Read, not imported: importing the module starts the server.
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    if spec is None or spec.origin is None:
        raise ValueError("pulumi.dynamic.__main__ is not installed")
    found = re.search(r"ThreadPoolExecutor\(\s*max_workers\s*=\s*(\d+)", Path(spec.origin).read_text())
    if not found:
        raise ValueError("cannot find the dynamic-provider server's thread pool size in pulumi.dynamic.__main__")
    return int(found.group(1))


def engine_default_parallel() -> int:
    """The engine's default ``--parallel`` (pulumi/pulumi#14989): four per CPU the Go runtime may use."""
    override = os.environ.get("PULUMI_PARALLEL")
    if override and override.isdigit() and int(override) > 0:
        return int(override)
    return 4 * (os.cpu_count() or 1)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        found = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    except OSError:
        return None
    return round(int(found.group(1)) / 1024 / 1024, 1) if found else None


def _git_commit(repo: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True, check=False
    ).stdout
    return result.stdout.strip() + ("+dirty" if dirty.strip() else "")


def machine_and_versions(repo: Path) -> dict[str, Any]:
    cli = subprocess.run(["pulumi", "version"], capture_output=True, text=True, check=True).stdout.strip()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pulumi_cli": cli,
        "pulumi_sdk": metadata.version("pulumi"),
        "pulumi_voiceos": metadata.version("pulumi-voiceos"),
        "httpx": metadata.version("httpx"),
        "pydantic": metadata.version("pydantic"),
        "commit": _git_commit(repo),
    }
