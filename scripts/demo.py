"""`make demo`: a real `pulumi up` of examples/basic against the bundled VoiceOS emulator.

It starts a seeded emulator on a free loopback port, creates a throwaway stack
with a local file backend and a passphrase secrets provider in a temporary
folder (the repository is left untouched), runs `pulumi up --yes`, prints the
stack outputs and what the emulator now holds, and stops the emulator.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.testing.backend import LocalBackend, python_project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "basic"
NUMBER = "+14155550123"
AGENT = "agent_support"


def pulumi(backend: LocalBackend, args: list[str], *, cwd: Path, env: dict[str, str], capture: bool = False) -> str:
    print(f"\n$ pulumi {' '.join(args)}", flush=True)
    result = backend.cli(*args, cwd=cwd, env=env, capture=capture)
    if result.returncode != 0:
        if capture:
            sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"demo failed: `pulumi {' '.join(args)}` exited with {result.returncode}")
    return result.stdout if capture else ""


def redact_secrets(number: dict[str, Any]) -> dict[str, Any]:
    """The carrier token and webhook header values are credentials: show that they are there, not what."""
    telephony = dict(number.get("telephony") or {})
    if telephony.get("auth_token"):
        telephony["auth_token"] = "[secret]"
    webhooks = [
        {**hook, "headers": dict.fromkeys(hook.get("headers") or {}, "[secret]")}
        for hook in number.get("webhooks") or []
    ]
    return {**number, "telephony": telephony, "webhooks": webhooks}


def main() -> None:
    if shutil.which("pulumi") is None:
        raise SystemExit("the pulumi CLI is not on PATH; run `make demo`, which builds it first")
    with tempfile.TemporaryDirectory(prefix="voiceos-demo-") as tmp_name:
        tmp = Path(tmp_name)
        # The program is examples/basic itself; only the stack's own files live here.
        project = python_project(tmp / "project", "voiceos-basic", main=EXAMPLE)
        backend = LocalBackend(tmp)
        with EmulatorProcess(
            db_path=tmp / "emulator.db", token="demo-api-token", seed_numbers=[NUMBER], agents=[AGENT]
        ) as emulator:
            print(f"VoiceOS emulator running at {emulator.url} with {NUMBER} and agent {AGENT}")
            # The token goes in the stack's config, as a user's would; the API's URL stays in the environment.
            env = backend.environ(emulator, token=False)
            pulumi(backend, ["stack", "init", "demo"], cwd=project, env=env)
            pulumi(backend, ["config", "set", "--secret", "voiceos:apiToken", emulator.token], cwd=project, env=env)
            pulumi(backend, ["config", "set", "agentId", AGENT], cwd=project, env=env)
            pulumi(backend, ["up", "--yes"], cwd=project, env=env)
            outputs = pulumi(backend, ["stack", "output", "--json"], cwd=project, env=env, capture=True)
            print("\nStack outputs (secrets stay hidden):")
            print(json.dumps(json.loads(outputs), indent=2))
            held = emulator.get_number(NUMBER)
            print(f"\nWhat the emulator now holds for {NUMBER}:")
            print(json.dumps(redact_secrets(held or {}), indent=2))
            if not held or held.get("inbound_agent_id") != AGENT:
                raise SystemExit(f"demo failed: {NUMBER} is not bound to {AGENT}")
    print("\nDemo finished: the emulator is stopped and the temporary stack is gone.")


if __name__ == "__main__":
    main()
