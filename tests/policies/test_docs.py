"""docs/policies.md holds to the pack: its workflow is the example file `make lint` checks, its table every rule."""

from __future__ import annotations

import json
import subprocess
import sys

from pulumi_voiceos.policies import PACK_DIR
from pulumi_voiceos.policies.analyzer import POLICIES, RULES

from ..docs import REPO, one_block

WORKFLOW = REPO / "examples" / "policies" / ".github" / "workflows" / "voiceos-policies.yml"


def test_the_docs_workflow_is_the_example_file_and_runs_the_docs_preview_command() -> None:
    assert one_block("policies-workflow", "example", "yaml") == WORKFLOW.read_text()
    command = one_block("policies-command", "preview", "sh").strip()
    assert f"- run: {command}\n" in WORKFLOW.read_text()
    assert str(WORKFLOW.relative_to(REPO)) in (REPO / "Makefile").read_text()


def test_the_docs_name_every_rule_and_config_key_and_the_example_config_fits_the_schemas() -> None:
    page = (REPO / "docs" / "policies.md").read_text()
    schemas = {p.name: (p.config_schema.properties if p.config_schema else {}) for p in POLICIES}
    for rule in RULES:
        assert f"| `{rule.name}` |" in page
        assert all(f"`{key}`" in page for key in schemas[rule.name])
    example = json.loads(one_block("policies-config", "example", "json"))
    for name, config in example.items():
        assert set(config) - {"enforcementLevel"} <= set(schemas[name]), name


def test_python_m_pulumi_voiceos_policies_prints_the_pack_folder() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pulumi_voiceos.policies"], capture_output=True, text=True, check=True, timeout=60
    )
    assert run.stdout.strip() == str(PACK_DIR) and (PACK_DIR / "PulumiPolicy.yaml").is_file()
