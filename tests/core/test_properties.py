"""The pydantic models, which the checks run, hold the properties ``core.properties`` declares."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from pulumi_voiceos.core.config import STACK_CONFIG_KEYS, preview_checks, resolve_settings
from pulumi_voiceos.core.declaration import PRIMITIVES, Property
from pulumi_voiceos.core.models import DELETE_POLICIES, BindingInputs, Telephony, Webhook
from pulumi_voiceos.core.models.binding import WEBHOOK_FIELDS
from pulumi_voiceos.core.properties import (
    BINDING,
    CAMEL_CASE,
    CONFIG,
    FLAG_NAMES,
    FLEET,
    FUNCTIONS,
    INPUT_NAMES,
    OBJECT_TYPES,
    ON_DELETE,
    OUTPUT_NAMES,
    RESOURCES,
    TELEPHONY,
    TYPES,
    WEBHOOK,
    camel_case,
    snake_case,
)
from pulumi_voiceos.errors import ConfigurationError, MissingTokenError


def required_fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(name for name, field in model.model_fields.items() if field.is_required())


def test_the_binding_model_has_the_declared_inputs_in_order_with_the_declared_required_one() -> None:
    assert tuple(BindingInputs.model_fields) == INPUT_NAMES
    assert required_fields(BindingInputs) == tuple(p.name for p in BINDING.inputs() if p.required_input)


def test_the_webhook_model_has_the_declared_fields_required_and_defaults() -> None:
    assert tuple(Webhook.model_fields) == tuple(p.name for p in WEBHOOK.properties)
    assert required_fields(Webhook) == tuple(p.name for p in WEBHOOK.properties if p.required)
    declared_defaults = {p.name: p.default for p in WEBHOOK.properties if p.default is not None}
    assert declared_defaults == {name: Webhook.model_fields[name].default for name in declared_defaults}


def test_the_fields_a_binding_value_compares_are_the_declared_webhook_fields() -> None:
    assert tuple(p.name for p in WEBHOOK.properties) == WEBHOOK_FIELDS


def test_the_telephony_model_has_the_declared_fields_and_the_credential_apart() -> None:
    assert tuple(Telephony.model_fields) == (*(p.name for p in TELEPHONY.properties), "auth_token")


def test_the_delete_policies_are_the_declared_enum_values() -> None:
    assert tuple(v.value for v in ON_DELETE.values) == DELETE_POLICIES


def test_the_lifecycle_flags_are_inputs_and_outputs_of_a_binding_and_of_no_schema_type() -> None:
    assert set(FLAG_NAMES) <= set(INPUT_NAMES) <= set(OUTPUT_NAMES)
    assert {p.name for p in FLEET.inputs()} - {"bindings"} <= set(FLAG_NAMES)


def test_every_type_a_property_names_is_declared() -> None:
    props = [p for declared in OBJECT_TYPES for p in declared.properties]
    props += [p for resource in RESOURCES for p in resource.properties]
    props += [p for function in FUNCTIONS for p in (*function.inputs, *function.outputs)]
    assert {p.type for p in props} <= {t.name for t in TYPES} | set(PRIMITIVES)


def test_names_go_to_camel_case_and_back() -> None:
    props = [p for declared in OBJECT_TYPES for p in declared.properties]
    for prop in props + [p for resource in RESOURCES for p in resource.properties]:
        assert CAMEL_CASE[prop.name] == camel_case(prop.name)
        assert snake_case(camel_case(prop.name)) == prop.name
    assert snake_case("X-Custom-Header") == "X-Custom-Header"


@pytest.mark.parametrize("setting", [p for p in CONFIG if p.name != "api_token"], ids=lambda p: p.name)
def test_each_declared_setting_is_read_from_the_stack_config(setting: Property) -> None:
    key = f"voiceos:{camel_case(setting.name)}"
    stack = {"voiceos:apiToken": "token", key: "-1" if setting.type in ("integer", "number") else "ftp://maybe"}
    with pytest.raises(ConfigurationError, match=key):
        if setting.name == "preview_checks":
            preview_checks(stack, environ={})
        else:
            resolve_settings(stack, environ={})
    assert key in STACK_CONFIG_KEYS


def test_the_api_token_is_the_one_secret_setting() -> None:
    assert [p.name for p in CONFIG if p.secret] == ["api_token"]
    with pytest.raises(MissingTokenError):
        resolve_settings({}, environ={})
