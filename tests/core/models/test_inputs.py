"""Every field of the models, valid and invalid, and the canonical forms diffs rely on."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from pulumi_voiceos.core.models import MAX_WEBHOOKS, UNBOUND, BindingInputs, PhoneNumber, PhoneNumberUpdate, Webhook

HOOK: dict[str, Any] = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/v"}


def binding(**overrides: Any) -> BindingInputs:
    fields: dict[str, Any] = {"phone_number": "+14155550123", "inbound_agent_id": "agent_1"}
    fields.update(overrides)
    return BindingInputs(**fields)


def error_of(exc: pytest.ExceptionInfo[pydantic.ValidationError]) -> tuple[tuple[Any, ...], str]:
    first = exc.value.errors()[0]
    return tuple(first["loc"]), first["msg"]


@pytest.mark.parametrize("number", ["+14155550123", "+4930123456", "+861234567890123", "  +14155550123 "])
def test_valid_phone_numbers(number: str) -> None:
    assert binding(phone_number=number).phone_number == number.strip()


@pytest.mark.parametrize(
    "number",
    [
        "14155550123",
        "+0123456789",
        "+1415555",
        "+1234567890123456",
        "+1415abc0123",
        "+1 415 555 0123",
        "",
        "++14155550123",
    ],
)
def test_invalid_phone_numbers_name_the_field_and_the_fix(number: str) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        binding(phone_number=number)
    loc, msg = error_of(exc)
    assert loc == ("phone_number",)
    assert "E.164" in msg and "+14155550123" in msg


def test_phone_number_must_be_a_string() -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        binding(phone_number=14155550123)
    assert error_of(exc)[0] == ("phone_number",)


@pytest.mark.parametrize("agent", ["agent_1", "ag-2.x:y", "A" * 128])
def test_valid_agent_ids(agent: str) -> None:
    assert binding(inbound_agent_id=agent).inbound_agent_id == agent


@pytest.mark.parametrize("agent", ["", " agent", "agent 1", "a/b", "A" * 129, "agent\n"])
def test_invalid_agent_ids(agent: str) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        binding(inbound_agent_id=agent)
    assert error_of(exc)[0] == ("inbound_agent_id",)


def test_events_are_sorted_and_deduplicated() -> None:
    hook = Webhook(events=["z:b", "a:b", "z:b"], url="https://x.example")
    assert hook.events == ["a:b", "z:b"]


@pytest.mark.parametrize("events", [[], ["phone_call"], ["Phone_Call:x"], [":x"], ["a:"], ["a b:c"], ["a:b"] * 0])
def test_invalid_events(events: list[str]) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        Webhook(events=events, url="https://x.example")
    assert exc.value.errors()[0]["loc"][0] == "events"


def test_unknown_well_formed_event_is_accepted() -> None:
    assert Webhook(events=["agent:speech_started"], url="https://x.example").events == ["agent:speech_started"]


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/a?b=c", "http://127.0.0.1:8080/x", "https://[::1]/x", "HTTPS://EXAMPLE.COM"],
)
def test_valid_urls(url: str) -> None:
    assert Webhook(events=["a:b"], url=url).url == url


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("ftp://example.com/x", "https://"),
        ("javascript:alert(1)", "https://"),
        ("file:///etc/passwd", "https://"),
        ("/relative/path", "https://"),
        ("example.com/x", "https://"),
        ("https://user:pw@example.com/x", "credentials"),
        ("https://", "no host"),
        ("https://exa mple.com", "spaces"),
        ("https://example.com/\r\nX: y", "control"),
        ("https://example.com:99999/x", "not a valid URL"),
        ("https://example.com/" + "a" * 3000, "limit"),
    ],
)
def test_invalid_urls(url: str, hint: str) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        Webhook(events=["a:b"], url=url)
    loc, msg = error_of(exc)
    assert loc == ("url",)
    assert hint in msg


@pytest.mark.parametrize(("given", "stored"), [("post", "POST"), (" get ", "GET"), ("Put", "PUT")])
def test_methods_are_upper_cased(given: str, stored: str) -> None:
    assert Webhook(events=["a:b"], url="https://x.example", method=given).method == stored


def test_method_defaults_to_post() -> None:
    assert Webhook(events=["a:b"], url="https://x.example").method == "POST"


@pytest.mark.parametrize("method", ["FETCH", "", "TRACE", "CONNECT", 1])
def test_invalid_methods(method: Any) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        Webhook(events=["a:b"], url="https://x.example", method=method)
    assert error_of(exc)[0] == ("method",)


def test_headers_are_kept_and_sorted() -> None:
    hook = Webhook(events=["a:b"], url="https://x.example", headers={"X-B": "2", "Authorization": "Bearer t"})
    assert list(hook.headers) == ["Authorization", "X-B"]


@pytest.mark.parametrize(
    ("headers", "hint"),
    [
        ({"Bad Header": "x"}, "not a valid HTTP token"),
        ({"X-A:": "x"}, "not a valid HTTP token"),
        ({"X-A\r\nInjected": "x"}, "not a valid HTTP token"),
        ({"X-A": "x\r\nInjected: 1"}, "CR, LF"),
        ({"X-A": "x\nInjected: 1"}, "CR, LF"),
        ({"X-A": "a" * 5000}, "longer than"),
        ({"X-A": "1", "x-a": "2"}, "same header"),
        ({f"X-{i}": "v" for i in range(60)}, "limit"),
    ],
)
def test_invalid_headers(headers: dict[str, str], hint: str) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        Webhook(events=["a:b"], url="https://x.example", headers=headers)
    loc, msg = error_of(exc)
    assert loc[0] == "headers"
    assert hint in msg


def test_header_values_are_never_echoed_in_errors() -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        Webhook(events=["a:b"], url="https://x.example", headers={"X-A": "SENTINEL-VALUE\n"})
    assert "SENTINEL-VALUE" not in exc.value.errors(include_input=False)[0]["msg"]


@pytest.mark.parametrize("value", [1, True, None, ["x"]])
def test_non_string_header_values_are_refused(value: Any) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        Webhook(events=["a:b"], url="https://x.example", headers={"X-A": value})
    assert error_of(exc)[0] == ("headers", "X-A")


def test_filter_is_optional_and_bounded() -> None:
    assert Webhook(events=["a:b"], url="https://x.example").filter is None
    assert Webhook(events=["a:b"], url="https://x.example", filter="caller == 'x'").filter == "caller == 'x'"
    with pytest.raises(pydantic.ValidationError):
        Webhook(events=["a:b"], url="https://x.example", filter="x" * 5000)


def test_unknown_webhook_fields_are_refused_in_inputs() -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        Webhook(events=["a:b"], url="https://x.example", verb="POST")  # type: ignore[call-arg]
    assert error_of(exc)[0] == ("verb",)


def test_binding_needs_an_agent_or_a_webhook() -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        BindingInputs(phone_number="+14155550123")
    assert "inbound_agent_id" in error_of(exc)[1]
    assert BindingInputs.model_validate({"phone_number": "+14155550123", "webhooks": [HOOK]}).inbound_agent_id is None


def test_duplicate_webhooks_are_refused_even_if_written_differently() -> None:
    other = {**HOOK, "method": "post", "events": ["phone_call:connection_requested"] * 2}
    with pytest.raises(pydantic.ValidationError) as exc:
        binding(webhooks=[HOOK, other])
    assert "webhooks[1] repeats webhooks[0]" in error_of(exc)[1]


def test_too_many_webhooks() -> None:
    hooks = [{**HOOK, "url": f"https://x.example/{i}"} for i in range(MAX_WEBHOOKS + 1)]
    with pytest.raises(pydantic.ValidationError) as exc:
        binding(webhooks=hooks)
    assert error_of(exc)[0] == ("webhooks",)


def test_canonical_properties_round_trip() -> None:
    declared = binding(webhooks=[{**HOOK, "method": "get", "headers": {"b": "1", "a": "2"}}])
    again = BindingInputs.from_properties(declared.to_properties())
    assert again == declared
    assert again.to_properties() == declared.to_properties()
    assert declared.to_properties()["webhooks"][0] == {
        "events": ["phone_call:connection_requested"],
        "url": "https://hooks.example.com/v",
        "method": "GET",
        "headers": {"a": "2", "b": "1"},
    }


def test_update_body_sends_only_what_is_set() -> None:
    assert PhoneNumberUpdate(inbound_agent_id="a").to_wire() == {"inbound_agent_id": "a"}
    assert PhoneNumberUpdate(webhooks=[]).to_wire() == {"webhooks": []}
    assert UNBOUND.patch().to_wire() == {"inbound_agent_id": None, "webhooks": []}
    assert binding().binding().patch().to_wire() == {"inbound_agent_id": "agent_1", "webhooks": []}


def test_phone_number_response_tolerates_extra_fields_and_nulls() -> None:
    parsed = PhoneNumber.model_validate(
        {
            "id": "pn_1",
            "phone_number": "+14155550123",
            "inbound_agent_id": None,
            "webhooks": None,
            "telephony": {"provider": "twilio", "auth_token": "t", "region": "us1"},
            "brand_new_field": {"x": 1},
        }
    )
    assert parsed.webhooks == [] and parsed.telephony is not None
    assert "t" not in repr(parsed.telephony).split("auth_token")[-1][:5]
    assert parsed.binding().is_unbound


def test_live_and_declared_bindings_compare_equal_when_canonical() -> None:
    live = PhoneNumber.model_validate(
        {
            "id": "pn_1",
            "phone_number": "+14155550123",
            "inbound_agent_id": "agent_1",
            "webhooks": [{**HOOK, "method": "POST", "headers": {}, "extra": 1}],
        }
    )
    assert live.binding() == binding(webhooks=[{**HOOK, "method": "post"}]).binding()
    assert live.binding() != binding(webhooks=[{**HOOK, "method": "get"}]).binding()
