"""Property-based tests: whatever a program passes, check answers with normalised
inputs or CheckFailures, never an unhandled exception, and never echoes a header value."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown

from pulumi_voiceos.core.models import BindingInputs, Webhook
from pulumi_voiceos.dynamic.provider import PhoneNumberBindingProvider

from ..helpers import failure_path

SECRET = "HYPOTHESIS-SECRET-VALUE"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["+14155550123", "https://hooks.example.com/x", "POST", "get", "phone_call:connection_requested"]),
    st.just(Unknown()),  # type: ignore[no-untyped-call]
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)
webhooks = st.fixed_dictionaries(
    {},
    optional={
        "events": st.one_of(st.lists(st.sampled_from(["a:b", "phone_call:x", "bad", ""]), max_size=3), values),
        "url": st.one_of(st.sampled_from(["https://h.example/x", "ftp://x", "/rel", "javascript:x"]), values),
        "method": st.one_of(st.sampled_from(["post", "GET", "FETCH"]), values),
        "headers": st.one_of(
            st.dictionaries(st.sampled_from(["X-A", "bad name", "X\r\n"]), st.just(SECRET + "\n")), values
        ),
        "filter": values,
        "extra": values,
    },
)
props = st.fixed_dictionaries(
    {},
    optional={
        "phone_number": st.one_of(st.sampled_from(["+14155550123", "123", "+0123"]), values),
        "inbound_agent_id": st.one_of(st.sampled_from(["agent_1", "bad agent", ""]), values),
        "webhooks": st.one_of(st.lists(webhooks, max_size=3), values),
        "allow_overwrite": values,
        "surprise": values,
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(props)
def test_check_never_raises(news: dict[str, Any]) -> None:
    result = PhoneNumberBindingProvider().check({}, {**news, "__provider": "p"})
    assert isinstance(result.inputs, dict)
    for failure in result.failures:
        assert isinstance(failure.property, str) and failure_path(failure)
        assert isinstance(failure.reason, str) and failure.reason
        assert SECRET not in failure.reason
    if not result.failures and not any(isinstance(v, Unknown) for v in news.values()):
        # Accepted inputs are canonical: checking them again changes nothing.
        again = PhoneNumberBindingProvider().check({}, result.inputs)
        assert again.failures == [] and again.inputs == result.inputs


@settings(max_examples=300, deadline=None)
@given(webhooks)
def test_webhook_model_accepts_or_raises_validation_error_only(raw: dict[str, Any]) -> None:
    try:
        hook = Webhook.model_validate(raw)
    except ValueError:  # pydantic.ValidationError is a ValueError
        return
    assert Webhook.model_validate(hook.to_wire()) == hook


@settings(max_examples=300, deadline=None)
@given(props)
def test_binding_model_round_trips_when_valid(raw: dict[str, Any]) -> None:
    try:
        binding = BindingInputs.model_validate(raw)
    except ValueError:
        return
    canonical = binding.to_properties()
    assert BindingInputs.from_properties(canonical).to_properties() == canonical
