"""Lenient reads, strict writes: the response models read whatever a real account holds, inputs stay strict."""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest
from pydantic import BaseModel

from pulumi_voiceos.core.models import (
    Binding,
    BindingInputs,
    PhoneNumber,
    PhoneNumberPage,
    Webhook,
    binding,
    inputs,
    live,
    undeclarable_reason,
)

from ...odd_data import BOUND_ODD_KINDS, EVENT, HEADER_SENTINEL, HOOK_URL, ODD_KINDS


def number_body(kind: str) -> dict[str, Any]:
    return {"id": "pn_1", "phone_number": "+14155550100", **ODD_KINDS[kind]}


@pytest.mark.parametrize("kind", ODD_KINDS)
def test_every_kind_of_odd_live_data_is_read_and_its_webhooks_kept_as_the_api_returned_them(kind: str) -> None:
    body = number_body(kind)
    number = PhoneNumber.model_validate(body)
    assert number.binding().webhooks_raw() == [w for w in body.get("webhooks") or [] if w is not None]
    page = PhoneNumberPage.model_validate({"items": [body], "index": 0, "has_more": None})
    assert page.items[0].binding() == number.binding()


def test_a_number_with_nothing_but_its_id_and_phone_number_is_read() -> None:
    number = PhoneNumber.model_validate(
        {"id": "pn_1", "phone_number": "+14155550100", "telephony": {}, "inbound_agent_id": None}
    )
    assert number.binding().is_unbound
    assert number.telephony is not None and number.telephony.provider is None


@pytest.mark.parametrize("kind", BOUND_ODD_KINDS)
def test_no_program_can_declare_odd_live_data_and_the_reason_names_the_field_not_the_header_value(kind: str) -> None:
    reason = undeclarable_reason(PhoneNumber.model_validate(number_body(kind)).binding())
    assert reason is not None and "webhooks[0]" in reason
    assert HEADER_SENTINEL not in reason


def test_null_headers_and_a_missing_filter_mean_what_no_headers_and_no_filter_mean() -> None:
    declared = BindingInputs(phone_number="+14155550100", webhooks=[Webhook(events=[EVENT], url=HOOK_URL)]).binding()
    live_binding = Binding.from_properties(
        None, [{"events": [EVENT], "url": HOOK_URL, "method": "post", "headers": None}]
    )
    assert live_binding == declared
    assert undeclarable_reason(live_binding) is None


def test_unknown_webhook_fields_are_kept_for_a_restore_but_do_not_make_a_binding_differ() -> None:
    declared = Binding.from_properties("agent_a", [Webhook(events=[EVENT], url=HOOK_URL)])
    newer = Binding.from_properties(
        "agent_a", [{"events": [EVENT], "url": HOOK_URL, "method": "POST", "headers": {}, "timeout_ms": 1500}]
    )
    assert newer == declared
    assert newer.patch().to_wire()["webhooks"][0]["timeout_ms"] == 1500


def test_a_restore_writes_back_the_live_webhooks_exactly_as_the_api_returned_them() -> None:
    raw = ODD_KINDS["null method and headers"]["webhooks"]
    previous = Binding.from_properties("agent_billing", raw)
    assert previous.patch().to_wire() == {"inbound_agent_id": "agent_billing", "webhooks": raw}


def test_a_description_of_odd_live_data_shows_no_header_value_and_no_traceback() -> None:
    described = PhoneNumber.model_validate(number_body("a null header value")).binding().describe()
    assert HOOK_URL in described and HEADER_SENTINEL not in described
    odd = PhoneNumber.model_validate(number_body("null method and headers")).binding().describe()
    assert "(no method)" in odd


@pytest.mark.parametrize(
    "webhook",
    [
        {"events": [], "url": HOOK_URL},
        {"events": [EVENT], "url": "wss://stream.example.com/agent"},
        {"events": ["CallStarted"], "url": HOOK_URL},
        {"events": [EVENT], "url": HOOK_URL, "method": "OPTIONS"},
        {"events": [EVENT], "url": HOOK_URL, "headers": {"X-Old": None}},
    ],
)
def test_inputs_still_refuse_what_reads_accept(webhook: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Webhook.model_validate(webhook)


def test_the_response_models_share_no_class_with_the_input_models() -> None:
    # Two kinds of model kept apart: neither may be built on the other, so no read inherits an input rule.
    def models_of(module: object) -> set[type[BaseModel]]:
        return {
            m for _, m in inspect.getmembers(module, inspect.isclass) if issubclass(m, BaseModel) and m is not BaseModel
        }

    strict, lenient = models_of(inputs), models_of(live)
    assert strict and lenient
    for model in lenient:
        assert not any(issubclass(model, rule) for rule in strict), model
    # Nor may the response models or the binding value import the input rules at all.
    for module in (live, binding):
        imported = {
            node.module
            for node in ast.walk(ast.parse(inspect.getsource(module)))
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert "inputs" not in imported, module.__name__


@pytest.mark.parametrize(
    "webhook",
    [
        {"events": [EVENT], "url": HOOK_URL, "method": "POST", "headers": {"X-Retries": 3, "X-On": True}},
        {"events": [EVENT], "url": 42, "method": None, "headers": {}},
        {"events": "phone_call:connection_requested", "url": HOOK_URL, "method": 1, "headers": []},
        {"events": [EVENT, 7], "url": HOOK_URL, "method": "POST", "headers": "none", "filter": {"to": "+1"}},
    ],
    ids=["numbers-as-header-values", "a-number-as-url", "a-string-of-events-and-a-list-of-headers", "odd-filter"],
)
def test_webhook_fields_of_any_json_type_are_read_kept_exactly_and_named_as_undeclarable(
    webhook: dict[str, Any],
) -> None:
    body = {"id": "pn_1", "phone_number": "+14155550100", "inbound_agent_id": "agent_a", "webhooks": [webhook]}
    page = PhoneNumberPage.model_validate({"items": [body, {"id": "pn_2", "phone_number": "+14155550101"}]})
    [odd, plain] = page.items
    assert odd.binding().webhooks_raw() == [webhook]  # what a restore writes back
    assert plain.binding().is_unbound  # one odd number does not fail its page
    reason = undeclarable_reason(odd.binding())
    assert reason is not None and "webhooks[0]" in reason
    assert odd.binding() != BindingInputs(phone_number="+14155550100", inbound_agent_id="agent_a").binding()
