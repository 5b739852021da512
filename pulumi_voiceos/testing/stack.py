"""``TestStack``: a user's program run through the real CLI and engine on a ``LocalBackend``, against the
test's emulator. Each operation returns the outputs, the change summary and the API requests it made.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from .api import Request, VoiceOSAPI
from .backend import LocalBackend

__all__ = ["Run", "TestStack", "make_stack"]


@dataclass(frozen=True)
class Run:
    """What one operation did."""

    changes: dict[str, int]
    """The change summary, without the resources that stayed the same."""
    requests: list[Request]
    """The API requests the operation made."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """The stack's outputs after ``up``, secrets revealed (``secret_outputs`` names them)."""
    secret_outputs: frozenset[str] = frozenset()

    @property
    def writes(self) -> list[Request]:
        """The requests that changed something (PATCHes)."""
        return [r for r in self.requests if r.method != "GET"]


def _changes(summary: Mapping[str, int] | None) -> dict[str, int]:
    return {str(op): count for op, count in (summary or {}).items() if count and str(op) != "same"}


class TestStack:
    """A stack of the program under test; ``up()``, ``preview()``, ``refresh()``, ``destroy()``."""

    __test__ = False  # a helper, not a test class, whatever pytest's collection makes of the name

    def __init__(self, stack: auto.Stack, api: VoiceOSAPI, backend: LocalBackend) -> None:
        self.stack = stack
        """The Automation API stack, for anything the helper does not wrap."""
        self.api = api
        self.local = backend
        self.backend = backend.state
        """The file backend's folder: the state as the engine wrote it (secrets encrypted), to grep."""

    def state_files(self) -> dict[Path, bytes]:
        """Every file of the backend (checkpoints, history, backups), by path: what a bucket would hold."""
        return self.local.state_files()

    def _run(self, operation: Callable[[], Any]) -> tuple[Any, list[Request]]:
        self.api.clear_requests()
        result = operation()
        return result, self.api.requests()

    def up(self, **options: Any) -> Run:
        result, requests = self._run(lambda: self.stack.up(**options))
        outputs = {name: output.value for name, output in result.outputs.items()}
        secret = frozenset(name for name, output in result.outputs.items() if output.secret)
        return Run(_changes(result.summary.resource_changes), requests, outputs, secret)

    def preview(self, **options: Any) -> Run:
        result, requests = self._run(lambda: self.stack.preview(**options))
        return Run(_changes(result.change_summary), requests)

    def refresh(self, **options: Any) -> Run:
        result, requests = self._run(lambda: self.stack.refresh(**options))
        return Run(_changes(result.summary.resource_changes), requests)

    def destroy(self, **options: Any) -> Run:
        result, requests = self._run(lambda: self.stack.destroy(**options))
        return Run(_changes(result.summary.resource_changes), requests)

    def set_config(self, key: str, value: str, *, secret: bool = False) -> None:
        self.stack.set_config(key, auto.ConfigValue(value, secret=secret))


def make_stack(
    api: VoiceOSAPI,
    root: Path,
    program: str | os.PathLike[str] | Callable[[], None],
    *,
    stack: str = "test",
    project: str = "voiceos-test",
    config: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> TestStack:
    """A new stack of ``program`` (a folder with a Pulumi.yaml, or a function) in ``root``."""
    # The user's PULUMI_HOME stays: it holds the plugins of the program's other providers.
    backend = LocalBackend(root, own_home=False)
    if not callable(program):
        work_dir = root / "project"
        shutil.copytree(Path(program), work_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("Pulumi.*.yaml"))
        program = work_dir
    created = backend.stack(program, name=stack, project=project, env=backend.env(api), config=config, secrets=secrets)
    return TestStack(created, api, backend)
