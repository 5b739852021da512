"""The dynamic Args classes, written out for IDEs to read, hold the properties ``core.properties`` declares."""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

from pulumi_voiceos.core.properties import BINDING, FLEET, FLEET_BINDING, WEBHOOK
from pulumi_voiceos.dynamic import headers
from pulumi_voiceos.dynamic.fleet import FleetBindingArgs, FleetBindingArgsDict, PhoneNumberFleet
from pulumi_voiceos.dynamic.resource import PhoneNumberBinding, PhoneNumberBindingArgs, WebhookArgs, WebhookArgsDict

SCHEMA_INPUTS = tuple(p.name for p in BINDING.inputs() if p.in_schema)
"""What a program gives; ``adopt_existing`` is set by ``PhoneNumberBinding`` itself, from ``import_``."""


def keywords(function: Any) -> tuple[str, ...]:
    kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in inspect.signature(function).parameters.values() if p.kind in kinds]
    return tuple(name for name in names if name not in ("self", "resource_name", "args", "opts"))


def required_keywords(function: Any) -> tuple[str, ...]:
    parameters = inspect.signature(function).parameters.values()
    return tuple(p.name for p in parameters if p.default is inspect.Parameter.empty and p.name != "self")


def output_annotations(resource: type) -> tuple[str, ...]:
    """The outputs a resource class annotates for type checkers, in its ``if TYPE_CHECKING:`` block."""
    [klass] = ast.parse(textwrap.dedent(inspect.getsource(resource))).body
    assert isinstance(klass, ast.ClassDef)
    [block] = [node for node in klass.body if isinstance(node, ast.If)]
    return tuple(
        node.target.id for node in block.body if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    )


def test_the_binding_args_take_the_declared_inputs_and_require_the_declared_one() -> None:
    assert keywords(PhoneNumberBindingArgs.__init__) == SCHEMA_INPUTS
    assert required_keywords(PhoneNumberBindingArgs.__init__) == ("phone_number",)
    assert tuple(p.name for p in BINDING.inputs() if p.required_input) == ("phone_number",)


def test_the_binding_takes_the_declared_inputs_as_keywords_and_annotates_every_declared_output() -> None:
    assert keywords(PhoneNumberBinding.__init__) == SCHEMA_INPUTS
    # Besides the declared outputs, the header values the dynamic resource keeps apart (dynamic/headers.py).
    declared = [p.name for p in BINDING.properties] + [headers.HEADERS]
    assert sorted(output_annotations(PhoneNumberBinding)) == sorted(declared)


def test_webhook_args_and_dict_have_the_declared_fields() -> None:
    declared = tuple(p.name for p in WEBHOOK.properties)
    assert keywords(WebhookArgs.__init__) == declared
    assert required_keywords(WebhookArgs.__init__) == tuple(p.name for p in WEBHOOK.properties if p.required)
    assert tuple(WebhookArgsDict.__annotations__) == declared


def test_fleet_entry_args_and_dict_have_the_declared_fields() -> None:
    declared = tuple(p.name for p in FLEET_BINDING.properties)
    assert keywords(FleetBindingArgs.__init__) == declared
    assert tuple(FleetBindingArgsDict.__annotations__) == declared


def test_the_fleet_takes_the_declared_inputs_and_annotates_every_declared_output() -> None:
    assert keywords(PhoneNumberFleet.__init__) == tuple(p.name for p in FLEET.inputs())
    declared = (*(p.name for p in FLEET.properties), headers.FLEET_HEADERS)
    assert output_annotations(PhoneNumberFleet) == declared
