"""The native provider's hooks called directly (as its gRPC server does), against the emulator.

Each test also reads what the API was asked, so the native provider is held to
the same API calls as the dynamic one; tests/e2e/test_native.py drives it
through the real engine.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckRequest,
    ConfigureRequest,
    CreateRequest,
    DeleteRequest,
    DiffRequest,
    GetSchemaRequest,
    InvokeRequest,
    PropertyDiffKind,
    ReadRequest,
    UpdateRequest,
)

from pulumi_voiceos import errors
from pulumi_voiceos.core.checks import UNKNOWN
from pulumi_voiceos.core.models import BindingInputs, Telephony, Webhook
from pulumi_voiceos.core.properties import CAMEL_CASE, INPUT_NAMES, OUTPUT_NAMES
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.native.provider import BINDING_TYPE, INPUTS, LISTED, OUTPUTS, VoiceOSProvider, load_schema
from pulumi_voiceos.native.values import plain

from ..helpers import CARRIER_TOKEN, failure_path, native_provider

T = TypeVar("T")
URN = f"urn:pulumi:dev::proj::{BINDING_TYPE}::support"
HEADER_SECRET = "SENTINEL-HEADER-VALUE-c41d7e"
HOOK = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/support"}


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def pv(value: Any, *, secret: bool = False) -> PropertyValue:
    """A property value as the engine sends it: nested values wrapped too."""
    if isinstance(value, dict):
        wrapped: Any = {key: item if isinstance(item, PropertyValue) else pv(item) for key, item in value.items()}
    elif isinstance(value, list):
        wrapped = [item if isinstance(item, PropertyValue) else pv(item) for item in value]
    else:
        wrapped = value
    return PropertyValue(wrapped, is_secret=secret)


def bag(**props: Any) -> dict[str, PropertyValue]:
    return {key: value if isinstance(value, PropertyValue) else pv(value) for key, value in props.items()}


def secret_hook() -> PropertyValue:
    return pv({**HOOK, "headers": pv({"Authorization": pv(HEADER_SECRET, secret=True)})})


def header(webhooks: PropertyValue, name: str) -> PropertyValue:
    """The property value of header ``name`` of the first webhook, secret flag and all."""
    first = webhooks.value[0]  # type: ignore[index]
    assert isinstance(first, PropertyValue)
    headers = first.value["headers"]  # type: ignore[index,call-overload]
    assert isinstance(headers, PropertyValue)
    found = headers.value[name]  # type: ignore[index,call-overload]
    assert isinstance(found, PropertyValue)
    return found


def live(api: EmulatorProcess, number: str) -> dict[str, Any]:
    found = api.get_number(number)
    assert found is not None
    return found


def calls(api: EmulatorProcess) -> list[str]:
    return [f"{r['method']} {r['status']}" for r in api.requests()]


@pytest.fixture
def native(api: EmulatorProcess) -> VoiceOSProvider:
    return native_provider(api.url)


def checked(native: VoiceOSProvider, props: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    """The checked inputs, checked as those of a binding that holds its number already: such a check
    reads nothing (tests/engine/test_preview_checks.py has the checks that read the number)."""
    response = run(native.check(CheckRequest(URN, {"phoneNumber": props["phoneNumber"]}, props, b"")))
    assert not response.failures, [(f.property, f.reason) for f in response.failures or []]
    assert response.inputs is not None
    return response.inputs


def created(native: VoiceOSProvider, props: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    response = run(native.create(CreateRequest(URN, checked(native, props), 60, preview=False)))
    return response.properties


# -- schema ----------------------------------------------------------------------------


def test_the_schema_names_every_input_and_output_of_the_shared_operations_in_camel_case() -> None:
    schema = json.loads(load_schema())
    resource = schema["resources"][BINDING_TYPE]
    assert set(resource["inputProperties"]) == set(INPUTS)
    assert set(resource["properties"]) == set(OUTPUTS)
    assert set(OUTPUTS) == {CAMEL_CASE[name] for name in OUTPUT_NAMES if name != "adopt_existing"}
    assert set(INPUTS) == {CAMEL_CASE[name] for name in INPUT_NAMES if name != "adopt_existing"}
    assert tuple(BindingInputs.model_fields) == INPUT_NAMES
    webhook = schema["types"]["voiceos:index:Webhook"]
    assert set(webhook["properties"]) == set(Webhook.model_fields)
    telephony = schema["types"]["voiceos:index:Telephony"]
    assert {CAMEL_CASE.get(n, n) for n in Telephony.model_fields if n != "auth_token"} == set(telephony["properties"])
    assert resource["properties"]["telephonyAuthToken"]["secret"] is True
    assert resource["properties"]["previousWebhooks"]["secret"] is True
    assert schema["config"]["variables"]["apiToken"]["secret"] is True
    assert set(LISTED) == set(schema["types"]["voiceos:index:PhoneNumber"]["properties"])


def test_the_schema_version_is_the_package_version(native: VoiceOSProvider) -> None:
    from pulumi_voiceos import __version__

    served = run(native.get_schema(GetSchemaRequest(0))).schema
    assert served is not None
    assert json.loads(served)["version"] == __version__


def test_configure_takes_the_typed_config_and_a_missing_token_names_the_key(
    api: EmulatorProcess, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOICEOS_API_TOKEN", raising=False)
    provider = VoiceOSProvider()
    run(
        provider.configure(
            ConfigureRequest(
                variables={},
                # As an SDK's explicit provider sends them: numbers as JSON text.
                args={"apiUrl": PropertyValue(api.url), "maxAttempts": PropertyValue("2"), "requestTimeout": pv(5.0)},
                accept_secrets=True,
                accept_resources=True,
            )
        )
    )
    props = checked(provider, bag(phoneNumber=number, inboundAgentId="agent_support"))
    with pytest.raises(errors.ConfigurationError) as missing:
        run(provider.create(CreateRequest(URN, props, 60, preview=False)))
    assert "voiceos:apiToken" in str(missing.value) and "VOICEOS_API_TOKEN" in str(missing.value)
    assert api.requests() == []


# -- check --------------------------------------------------------------------------------


def test_check_names_the_bad_field_in_camel_case(native: VoiceOSProvider, number: str) -> None:
    bad = bag(phoneNumber=number, inboundAgentId="agent support", webhooks=[{**HOOK, "url": "ftp://x"}])
    response = run(native.check(CheckRequest(URN, {}, bad, b"")))
    failures = {failure_path(f): f.reason for f in response.failures or []}
    assert set(failures) == {"inboundAgentId", "webhooks[0].url"}
    assert "https://" in failures["webhooks[0].url"]


def test_check_explains_a_phone_number_that_arrived_as_a_number(native: VoiceOSProvider) -> None:
    response = run(native.check(CheckRequest(URN, {}, bag(phoneNumber=14155550123.0, inboundAgentId="a1"), b"")))
    [failure] = response.failures or []
    assert failure.property == "phoneNumber"
    assert "got the number 14155550123" in failure.reason and "quoted string" in failure.reason


def test_check_refuses_a_property_the_schema_does_not_have(native: VoiceOSProvider, number: str) -> None:
    response = run(native.check(CheckRequest(URN, {}, bag(phoneNumber=number, adoptExisting=True), b"")))
    assert [f.property for f in response.failures or []] == ["adoptExisting"]


def test_a_failed_check_with_unknown_inputs_can_be_sent_to_the_engine(native: VoiceOSProvider, number: str) -> None:
    props = bag(phoneNumber=number, inboundAgentId=PropertyValue(Computed()), webhooks=[{**HOOK, "url": "ftp://x"}])
    response = run(native.check(CheckRequest(URN, {}, props, b"")))
    assert [failure_path(f) for f in response.failures or []] == ["webhooks[0].url"]
    assert response.inputs is not None
    PropertyValue.marshal_map(response.inputs)  # what the gRPC server does with it


def test_check_keeps_secret_inputs_secret_and_unknowns_unknown(native: VoiceOSProvider, number: str) -> None:
    props = bag(phoneNumber=number, inboundAgentId=PropertyValue(Computed()), webhooks=pv([secret_hook()]))
    result = checked(native, props)
    assert result["inboundAgentId"].value == UNKNOWN
    # Only the header value is secret: the rest of the webhook reads in clear in a diff.
    assert not result["webhooks"].is_secret and header(result["webhooks"], "Authorization").is_secret


# -- the lifecycle, with the dynamic provider's API calls ------------------------------------


def test_create_reads_then_writes_and_marks_every_credential_secret(
    native: VoiceOSProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(native, bag(phoneNumber=number, inboundAgentId="agent_support", webhooks=pv([secret_hook()])))
    assert calls(api) == ["GET 200", "PATCH 200"]
    assert plain(outs["inboundAgentId"]) == "agent_support"
    assert not outs["webhooks"].is_secret and header(outs["webhooks"], "Authorization").is_secret
    assert outs["telephonyAuthToken"].is_secret and plain(outs["telephonyAuthToken"]) == CARRIER_TOKEN
    assert plain(outs["telephony"])["phoneNumberSid"] is not None
    assert "adoptExisting" not in outs
    bound = live(api, number)
    assert bound["inbound_agent_id"] == "agent_support"
    assert bound["webhooks"][0]["headers"] == {"Authorization": HEADER_SECRET}


def test_header_values_are_secret_in_outputs_even_when_given_in_plain_text(
    native: VoiceOSProvider, number: str
) -> None:
    outs = created(native, bag(phoneNumber=number, webhooks=[{**HOOK, "headers": {"X-Team": "support"}}]))
    assert not outs["webhooks"].is_secret
    assert header(outs["webhooks"], "X-Team").is_secret


def test_create_refuses_a_number_bound_elsewhere_naming_the_schema_options(
    native: VoiceOSProvider, api: EmulatorProcess, number: str
) -> None:
    api.seed(number, inbound_agent_id="agent_billing")
    api.clear_requests()
    with pytest.raises(errors.BindingConflictError) as refused:
        created(native, bag(phoneNumber=number, inboundAgentId="agent_support"))
    message = str(refused.value)
    assert "allowOverwrite: true" in message and "pulumi import voiceos:index:PhoneNumberBinding" in message
    assert "ResourceOptions" not in message
    assert calls(api) == ["GET 200"]
    assert live(api, number)["inbound_agent_id"] == "agent_billing"


def test_diff_is_detailed_and_replaces_on_a_new_number(native: VoiceOSProvider, number: str) -> None:
    outs = created(native, bag(phoneNumber=number, inboundAgentId="agent_support"))
    same = run(
        native.diff(
            DiffRequest(URN, number, outs, checked(native, bag(phoneNumber=number, inboundAgentId="agent_support")), [])
        )
    )
    assert same.changes is False
    news = checked(native, bag(phoneNumber=number, inboundAgentId="agent_sales", webhooks=[HOOK]))
    changed = run(native.diff(DiffRequest(URN, number, outs, news, [])))
    assert changed.changes is True and changed.replaces == []
    assert {k: v.kind for k, v in changed.detailed_diff.items()} == {
        "inboundAgentId": PropertyDiffKind.UPDATE,
        "webhooks": PropertyDiffKind.ADD,
    }
    moved = run(
        native.diff(
            DiffRequest(
                URN, number, outs, checked(native, bag(phoneNumber="+14155550999", inboundAgentId="agent_support")), []
            )
        )
    )
    assert moved.replaces == ["phoneNumber"]
    assert moved.detailed_diff["phoneNumber"].kind == PropertyDiffKind.UPDATE_REPLACE


def test_update_patches_only_the_changed_field(native: VoiceOSProvider, api: EmulatorProcess, number: str) -> None:
    outs = created(native, bag(phoneNumber=number, inboundAgentId="agent_support", webhooks=[HOOK]))
    api.clear_requests()
    news = checked(native, bag(phoneNumber=number, inboundAgentId="agent_sales", webhooks=[HOOK]))
    updated = run(native.update(UpdateRequest(URN, number, outs, news, 60, [], preview=False))).properties
    assert calls(api) == ["PATCH 200"]
    assert [r["body"] for r in api.requests()] == [{"inbound_agent_id": "agent_sales"}]
    assert plain(updated["inboundAgentId"]) == "agent_sales"
    assert plain(updated["voiceosId"]) == plain(outs["voiceosId"])


def test_preview_of_create_and_update_makes_no_request(
    native: VoiceOSProvider, api: EmulatorProcess, number: str
) -> None:
    props = checked(native, bag(phoneNumber=number, inboundAgentId="agent_support"))
    preview = run(native.create(CreateRequest(URN, props, 60, preview=True))).properties
    assert preview["voiceosId"].value == UNKNOWN
    assert plain(preview["inboundAgentId"]) == "agent_support"
    assert api.requests() == []


def test_preview_of_a_create_with_an_unknown_agent_can_be_sent_to_the_engine(
    native: VoiceOSProvider, number: str
) -> None:
    props = bag(phoneNumber=number, inboundAgentId=PropertyValue(Computed()), webhooks=pv([secret_hook()]))
    preview = run(native.create(CreateRequest(URN, props, 60, preview=True))).properties
    PropertyValue.marshal_map(preview)  # what the gRPC server does with it; Computed itself cannot be marshalled
    assert preview["inboundAgentId"].value == UNKNOWN
    assert header(preview["webhooks"], "Authorization").is_secret


def test_read_from_the_id_alone_adopts_the_live_binding_with_one_get(
    native: VoiceOSProvider, api: EmulatorProcess, number: str
) -> None:
    api.seed(
        number,
        inbound_agent_id="agent_billing",
        webhooks=[{**HOOK, "method": "POST", "headers": {"Authorization": HEADER_SECRET}}],
    )
    api.clear_requests()
    read = run(native.read(ReadRequest(URN, number, {}, {})))
    assert calls(api) == ["GET 200"]
    assert read.resource_id == number
    assert set(read.inputs) == {"phoneNumber", "inboundAgentId", "webhooks"}
    assert plain(read.inputs["inboundAgentId"]) == "agent_billing"
    assert header(read.inputs["webhooks"], "Authorization").is_secret
    # What was adopted is what onDelete: restore puts back.
    assert plain(read.properties["previousInboundAgentId"]) == "agent_billing"
    assert read.properties["previousWebhooks"].is_secret


def test_read_of_a_number_that_left_the_account_says_it_is_gone(native: VoiceOSProvider) -> None:
    read = run(native.read(ReadRequest(URN, "+14155550998", {}, {})))
    assert read.resource_id == ""


def test_refresh_after_drift_returns_inputs_that_follow_the_live_binding(
    native: VoiceOSProvider, api: EmulatorProcess, number: str
) -> None:
    inputs = checked(native, bag(phoneNumber=number, inboundAgentId="agent_support", onDelete="restore"))
    outs = run(native.create(CreateRequest(URN, inputs, 60, preview=False))).properties
    api.seed(number, inbound_agent_id="agent_billing")
    read = run(native.read(ReadRequest(URN, number, outs, inputs)))
    assert plain(read.properties["inboundAgentId"]) == "agent_billing"
    assert plain(read.inputs["inboundAgentId"]) == "agent_billing"
    assert plain(read.inputs["onDelete"]) == "restore"


def test_delete_unbinds_only_what_this_stack_set(native: VoiceOSProvider, api: EmulatorProcess, number: str) -> None:
    outs = created(native, bag(phoneNumber=number, inboundAgentId="agent_support"))
    native = native_provider(api.url)  # a destroy is a new provider process: nothing claimed
    api.clear_requests()
    run(native.delete(DeleteRequest(URN, number, outs, 60)))
    assert calls(api) == ["GET 200", "PATCH 200"]
    assert live(api, number)["inbound_agent_id"] is None


def test_delete_of_a_number_another_resource_declares_is_a_hand_over(
    native: VoiceOSProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(native, bag(phoneNumber=number, inboundAgentId="agent_support"))
    api.clear_requests()
    run(native.delete(DeleteRequest(URN, number, outs, 60)))
    assert api.requests() == []
    assert live(api, number)["inbound_agent_id"] == "agent_support"


# -- invokes ----------------------------------------------------------------------------------


def test_get_phone_number_returns_the_live_routing_with_the_carrier_token_secret(
    native: VoiceOSProvider, api: EmulatorProcess, number: str
) -> None:
    api.seed(number, inbound_agent_id="agent_sales")
    api.clear_requests()
    found = run(native.invoke(InvokeRequest("voiceos:index:getPhoneNumber", bag(phoneNumber=number))))
    assert found.return_value is not None
    assert plain(found.return_value["inboundAgentId"]) == "agent_sales"
    assert found.return_value["telephonyAuthToken"].is_secret
    assert calls(api) == ["GET 200"]


def test_list_phone_numbers_filters_by_prefix_and_binding(native: VoiceOSProvider, api: EmulatorProcess) -> None:
    api.seed("+14255550001", auth_token=CARRIER_TOKEN)
    api.seed("+14255550002", auth_token=CARRIER_TOKEN)
    api.seed("+14255550002", inbound_agent_id="agent_sales")
    api.clear_requests()

    def listed(**args: Any) -> list[str]:
        response = run(native.invoke(InvokeRequest("voiceos:index:listPhoneNumbers", bag(**args))))
        assert response.return_value is not None
        return [item["phoneNumber"] for item in plain(response.return_value["phoneNumbers"])]

    assert listed(prefix="+1425555") == ["+14255550001", "+14255550002"]
    assert listed(prefix="+1425555", bound=True) == ["+14255550002"]
    assert listed(prefix="+1425555", bound=False) == ["+14255550001"]
    assert all(line.startswith("GET") for line in calls(api))


def test_a_type_the_provider_does_not_have_is_refused_by_every_resource_hook_naming_the_two_it_has() -> None:
    provider = VoiceOSProvider()
    urn = "urn:pulumi:dev::proj::voiceos:index:PhoneNumberPool::pool"
    requests = [
        provider.check(CheckRequest(urn, {}, {}, b"")),
        provider.diff(DiffRequest(urn, "pool", {}, {}, [])),
        provider.delete(DeleteRequest(urn, "pool", {}, 60)),
    ]
    for request in requests:
        with pytest.raises(NotImplementedError) as raised:
            run(request)
        assert "voiceos:index:PhoneNumberPool" in str(raised.value)
        assert "voiceos:index:PhoneNumberBinding and voiceos:index:PhoneNumberFleet" in str(raised.value)


def test_a_header_value_given_in_plain_text_warns_naming_the_webhook_and_the_header_never_the_value(
    native: VoiceOSProvider, number: str, caplog: pytest.LogCaptureFixture
) -> None:
    plain_value = "SENTINEL-NATIVE-PLAIN-HEADER-3a3a"
    hooks = pv([secret_hook(), {**HOOK, "url": "https://hooks.example.com/b", "headers": {"X-Team": plain_value}}])
    with caplog.at_level("WARNING", logger="pulumi_voiceos"):
        checked(native, bag(phoneNumber=number, webhooks=hooks))
    [warning] = [r.getMessage() for r in caplog.records if "plain text" in r.getMessage()]
    assert "PhoneNumberBinding 'support': webhooks[1] has header 'X-Team'" in warning
    assert "pulumi config set --secret" in warning and plain_value not in warning


def test_a_nested_check_failure_names_its_path_in_the_reason_where_the_engine_prints_it_well(
    native: VoiceOSProvider, number: str
) -> None:
    bad = bag(phoneNumber="4155550123", webhooks=[{**HOOK, "url": "ftp://x"}])
    response = run(native.check(CheckRequest(URN, {}, bad, b"")))
    # The engine prints a failure's property value by its top-level name: a nested path would show {<nil>}.
    failures = sorted((f.property, f.reason.split(";")[0]) for f in response.failures or [])
    assert failures[0] == ("", "webhooks[0].url has 'ftp:'")
    assert failures[1][0] == "phoneNumber"
