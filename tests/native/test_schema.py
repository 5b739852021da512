"""``schema.json`` is what ``native.schema`` builds from the declared properties (``make schema``)."""

from __future__ import annotations

import json

from pulumi_voiceos.core.properties import BINDING, FLEET
from pulumi_voiceos.native.provider import load_schema
from pulumi_voiceos.native.schema import SCHEMA_FILE, build_schema, schema_text, token


def test_the_committed_schema_is_what_the_declaration_builds() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "pulumi_voiceos/native/schema.json is stale; run `make schema` (then `make sdk`) and commit the result"
    )


def test_the_provider_serves_the_committed_schema() -> None:
    assert load_schema() == SCHEMA_FILE.read_text(encoding="utf-8")


def test_the_dynamic_resources_own_import_flag_stays_out_of_the_schema() -> None:
    binding = build_schema()["resources"][token(BINDING.name)]
    assert "adoptExisting" not in binding["inputProperties"]
    assert "adoptExisting" not in binding["properties"]
    assert "adopt_existing" in {p.name for p in BINDING.properties}


def test_secrets_replacements_and_required_inputs_are_marked_as_declared() -> None:
    schema = build_schema()
    binding, fleet = (schema["resources"][token(r.name)] for r in (BINDING, FLEET))
    assert binding["inputProperties"]["phoneNumber"]["replaceOnChanges"] is True
    assert binding["requiredInputs"] == ["phoneNumber"]
    assert [name for name, p in binding["properties"].items() if p.get("secret")] == [
        "telephonyAuthToken",
        "previousWebhooks",
    ]
    assert [name for name, p in fleet["properties"].items() if p.get("secret")] == [
        "digestKey",
        "telephonyAuthTokens",
        "previous",
    ]
    assert schema["config"]["variables"]["apiToken"]["secret"] is True
    assert schema["provider"]["inputProperties"] == schema["config"]["variables"]


def test_the_schema_is_valid_json_whose_version_is_the_package_version() -> None:
    from pulumi_voiceos import __version__

    assert json.loads(schema_text())["version"] == __version__
