"""The provider's hooks called directly, against the emulator, counting the API calls each makes."""

from __future__ import annotations

import base64
import pickle
import subprocess
import sys
from typing import Any

import dill
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_voiceos import errors
from pulumi_voiceos.core.checks import UNKNOWN
from pulumi_voiceos.dynamic.provider import PROVIDER, PhoneNumberBindingProvider
from pulumi_voiceos.emulator.process import EmulatorProcess

from ..helpers import API_TOKEN, CARRIER_TOKEN, dynamic_provider, failure_path

HOOK: dict[str, Any] = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/support"}
OTHER_HOOK: dict[str, Any] = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/other"}


def inputs(number: str, **overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "phone_number": number,
        "inbound_agent_id": "agent_support",
        "webhooks": [HOOK],
        "__provider": "opaque",
    }
    props.update(overrides)
    return props


def checked(provider: PhoneNumberBindingProvider, props: dict[str, Any]) -> dict[str, Any]:
    """The checked inputs, checked as those of a binding that holds its number already: such a check
    reads nothing (tests/engine/test_preview_checks.py has the checks that read the number)."""
    result = provider.check({"phone_number": props["phone_number"]}, props)
    assert result.failures == []
    return result.inputs


def calls(api: EmulatorProcess) -> list[tuple[str, int]]:
    return [(r["method"], r["status"]) for r in api.requests()]


# -- check -------------------------------------------------------------------------------


def test_check_normalises_inputs(provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str) -> None:
    hook = {**HOOK, "method": "get", "events": ["z:y", "a:b", "z:y"]}
    result = checked(provider, inputs(number, webhooks=[hook]))
    assert result["webhooks"] == [{"events": ["a:b", "z:y"], "url": HOOK["url"], "method": "GET"}]
    assert result["webhook_headers"] is None
    assert result["allow_overwrite"] is False
    assert result["__provider"] == "opaque"
    assert api.requests() == []


@pytest.mark.parametrize(
    ("overrides", "path", "words"),
    [
        ({"phone_number": "4155550123"}, "phone_number", "E.164"),
        ({"webhooks": [HOOK, {**HOOK, "url": "javascript:alert(1)"}]}, "webhooks[1].url", "https://"),
        ({"webhooks": [{**HOOK, "headers": {"X-A": "v\r\nX-B: 1"}}]}, "webhooks[0].headers", "CR, LF"),
        ({"webhooks": [{**HOOK, "method": "FETCH"}]}, "webhooks[0].method", "GET, POST"),
        ({"webhooks": [{**HOOK, "events": []}]}, "webhooks[0].events", "at least one event"),
        ({"webhooks": [{**HOOK, "headers": {"X-A": 3}}]}, "webhooks[0].headers.X-A", "got int"),
        ({"inbound_agent_id": None, "webhooks": []}, "inbound_agent_id", "needs an inbound_agent_id"),
        ({"inbound_agent_id": "agent one"}, "inbound_agent_id", "not an agent id"),
        ({"webhooks": [HOOK, HOOK]}, "webhooks", "repeats webhooks[0]"),
        ({"agent": "x"}, "agent", "not a property of PhoneNumberBinding"),
        ({"webhooks": [{**HOOK, "verb": "GET"}]}, "webhooks[0].verb", "not a property"),
        ({"phone_number": "+1415555O123"}, "phone_number", "E.164"),
        ({"phone_number": "+1415555012345678"}, "phone_number", "E.164"),
        ({"phone_number": "+1415"}, "phone_number", "E.164"),
        ({"webhooks": [{**HOOK, "url": "ftp://hooks.example.com/x"}]}, "webhooks[0].url", "https://"),
        ({"webhooks": [{**HOOK, "url": "file:///etc/passwd"}]}, "webhooks[0].url", "https://"),
        ({"webhooks": [{**HOOK, "url": "/hooks/relative"}]}, "webhooks[0].url", "absolute"),
        ({"webhooks": [{**HOOK, "url": "https://u:p@hooks.example.com/x"}]}, "webhooks[0].url", "credentials"),
        ({"webhooks": [{**HOOK, "events": ["connection_requested"]}]}, "webhooks[0].events[0]", "scope:event"),
        ({"webhooks": [{**HOOK, "headers": {"Bad Name": "x"}}]}, "webhooks[0].headers", "HTTP token"),
        ({"webhooks": [{**HOOK, "headers": {"X-A\nB": "x"}}]}, "webhooks[0].headers", "HTTP token"),
        ({"webhooks": [{**HOOK, "headers": {"X-A": "x" * 100_000}}]}, "webhooks[0].headers", "longer than"),
        ({"webhooks": [{**HOOK, "url": f"https://h.example/{i}"} for i in range(500)]}, "webhooks", "at most 20"),
        ({"webhooks": [{**HOOK, "filter": "x" * 1_000_000}]}, "webhooks[0].filter", "limit"),
    ],
)
def test_check_failures_name_the_field_and_the_fix(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, overrides: dict[str, Any], path: str, words: str
) -> None:
    result = provider.check({}, inputs("+14155550199", **overrides))
    assert [(failure_path(f), words in f.reason) for f in result.failures] == [(path, True)], [
        (f.property, f.reason) for f in result.failures
    ]
    assert api.requests() == []


def test_check_never_echoes_header_values(provider: PhoneNumberBindingProvider) -> None:
    result = provider.check({}, inputs("+14155550199", webhooks=[{**HOOK, "headers": {"X": f"{CARRIER_TOKEN}\n"}}]))
    assert result.failures and all(CARRIER_TOKEN not in f.reason for f in result.failures)


def test_check_passes_unknown_values_through_and_still_validates_known_ones(
    provider: PhoneNumberBindingProvider,
) -> None:
    held = {"phone_number": "+14155550199"}
    ok = provider.check(held, inputs("+14155550199", inbound_agent_id=UNKNOWN, webhooks=[{**HOOK, "url": UNKNOWN}]))
    assert ok.failures == []
    assert ok.inputs["inbound_agent_id"] == UNKNOWN
    assert ok.inputs["webhooks"][0]["url"] == UNKNOWN
    bad = provider.check(
        {}, inputs("+1", inbound_agent_id=UNKNOWN, webhooks=[{**HOOK, "method": "NOPE", "url": UNKNOWN}])
    )
    assert sorted(failure_path(f) for f in bad.failures) == ["phone_number", "webhooks[0].method"]


# -- diff --------------------------------------------------------------------------------


def created(provider: PhoneNumberBindingProvider, number: str, **overrides: Any) -> dict[str, Any]:
    return provider.create(checked(provider, inputs(number, **overrides))).outs or {}


def test_diff_of_an_unchanged_program_is_empty_and_free(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    api.clear_requests()
    # Written differently, same meaning: still no diff.
    news = checked(provider, inputs(number, webhooks=[{**HOOK, "method": "post", "events": [HOOK["events"][0]] * 2}]))
    result = provider.diff(number, outs, news)
    assert result.changes is False and not result.replaces
    assert api.requests() == []


def test_diff_of_a_changed_webhook_is_an_update(provider: PhoneNumberBindingProvider, number: str) -> None:
    outs = created(provider, number)
    result = provider.diff(number, outs, checked(provider, inputs(number, webhooks=[OTHER_HOOK])))
    assert result.changes is True and result.replaces == []


def test_diff_of_a_changed_agent_is_an_update(provider: PhoneNumberBindingProvider, number: str) -> None:
    outs = created(provider, number)
    result = provider.diff(number, outs, checked(provider, inputs(number, inbound_agent_id="agent_sales")))
    assert result.changes is True and result.replaces == []


def test_diff_of_a_changed_number_is_a_replace(provider: PhoneNumberBindingProvider, number: str) -> None:
    outs = created(provider, number)
    result = provider.diff(number, outs, checked(provider, inputs("+14155550100")))
    assert result.changes is True and result.replaces == ["phone_number"]


def test_diff_with_unknowns_reports_changes(provider: PhoneNumberBindingProvider, number: str) -> None:
    outs = created(provider, number)
    assert provider.diff(number, outs, inputs(number, inbound_agent_id=UNKNOWN)).changes is True
    assert provider.diff(number, outs, inputs(UNKNOWN)).replaces == ["phone_number"]


def test_diff_ignores_allow_overwrite(provider: PhoneNumberBindingProvider, number: str) -> None:
    outs = created(provider, number)
    assert provider.diff(number, outs, checked(provider, inputs(number, allow_overwrite=True))).changes is False


# -- create ------------------------------------------------------------------------------


def test_create_on_a_free_number_reads_then_writes_once(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    result = provider.create(checked(provider, inputs(number)))
    assert result.id == number
    assert calls(api) == [("GET", 200), ("PATCH", 200)]
    outs = result.outs or {}
    assert outs["inbound_agent_id"] == "agent_support"
    assert outs["webhooks"][0]["url"] == HOOK["url"]
    assert outs["telephony"]["provider"] == "twilio"
    assert "auth_token" not in outs["telephony"]
    assert outs["telephony_auth_token"] == CARRIER_TOKEN
    assert outs["previous_inbound_agent_id"] is None and outs["previous_webhooks"] is None
    assert api.get_number(number)["inbound_agent_id"] == "agent_support"  # type: ignore[index]


def test_create_refuses_to_clobber_someone_elses_binding(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    api.seed(number, inbound_agent_id="agent_sales", webhooks=[OTHER_HOOK], auth_token=CARRIER_TOKEN)
    api.clear_requests()
    with pytest.raises(errors.BindingConflictError) as exc:
        provider.create(checked(provider, inputs(number)))
    message = str(exc.value)
    assert "agent_sales" in message and OTHER_HOOK["url"] in message
    assert "import_" in message and "allow_overwrite" in message
    assert calls(api) == [("GET", 200)]
    assert api.get_number(number)["inbound_agent_id"] == "agent_sales"  # type: ignore[index]


def test_create_with_allow_overwrite_keeps_what_it_replaced(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    api.seed(number, inbound_agent_id="agent_sales", webhooks=[OTHER_HOOK])
    api.clear_requests()
    outs = provider.create(checked(provider, inputs(number, allow_overwrite=True))).outs or {}
    assert calls(api) == [("GET", 200), ("PATCH", 200)]
    assert outs["inbound_agent_id"] == "agent_support"
    assert outs["previous_inbound_agent_id"] == "agent_sales"
    assert [w["url"] for w in outs["previous_webhooks"]] == [OTHER_HOOK["url"]]


def test_create_when_the_number_already_has_the_binding_writes_nothing(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    api.seed(number, inbound_agent_id="agent_support", webhooks=[HOOK])
    api.clear_requests()
    outs = provider.create(checked(provider, inputs(number))).outs or {}
    assert calls(api) == [("GET", 200)]
    assert outs["inbound_agent_id"] == "agent_support"


def test_adopting_refuses_a_binding_that_differs(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    api.seed(number, inbound_agent_id="agent_sales")
    api.clear_requests()
    with pytest.raises(errors.BindingConflictError) as exc:
        provider.create(checked(provider, inputs(number, adopt_existing=True, allow_overwrite=True)))
    assert "cannot import" in str(exc.value)
    assert calls(api) == [("GET", 200)]


def test_create_on_a_number_not_in_the_account_says_to_add_it_to_voiceos_first(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess
) -> None:
    with pytest.raises(errors.NumberNotInAccountError) as exc:
        provider.create(checked(provider, inputs("+19995550123")))
    assert "+19995550123 is not in the VoiceOS account" in str(exc.value) and "add the number" in str(exc.value)
    assert calls(api) == [("GET", 404)]


# -- update, read, delete ----------------------------------------------------------------


def next_deployment(api: EmulatorProcess) -> PhoneNumberBindingProvider:
    """What the engine does between two commands: a new provider process, with no claims."""
    return dynamic_provider(PhoneNumberBindingProvider, api.url)


def bodies(api: EmulatorProcess) -> list[tuple[str, Any]]:
    return [(r["method"], r.get("body")) for r in api.requests()]


def test_update_of_both_fields_writes_both_once(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    api.clear_requests()
    news = checked(provider, inputs(number, webhooks=[OTHER_HOOK], inbound_agent_id="agent_sales"))
    result = provider.update(number, outs, news).outs or {}
    assert calls(api) == [("PATCH", 200)]
    assert set(api.requests()[0]["body"]) == {"inbound_agent_id", "webhooks"}
    assert result["inbound_agent_id"] == "agent_sales"
    assert [w["url"] for w in result["webhooks"]] == [OTHER_HOOK["url"]]


def test_update_of_the_agent_sends_only_the_agent_and_keeps_webhooks_edited_out_of_band(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    api.seed(number, inbound_agent_id="agent_support", webhooks=[OTHER_HOOK], auth_token=CARRIER_TOKEN)
    api.clear_requests()
    # The program changes the agent; its webhooks are what it declared before (or ignore_changes).
    result = provider.update(number, outs, checked(provider, inputs(number, inbound_agent_id="agent_sales"))).outs
    assert bodies(api) == [("PATCH", {"inbound_agent_id": "agent_sales"})]
    live = api.get_number(number)
    assert live is not None and live["inbound_agent_id"] == "agent_sales"
    assert [w["url"] for w in live["webhooks"]] == [OTHER_HOOK["url"]]
    # State keeps what this stack set, so the next diff does not write the old webhooks back.
    assert result is not None and [w["url"] for w in result["webhooks"]] == [HOOK["url"]]
    assert (
        provider.diff(number, result, checked(provider, inputs(number, inbound_agent_id="agent_sales"))).changes
        is False
    )


def test_update_of_the_webhooks_sends_only_the_webhooks(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    api.clear_requests()
    provider.update(number, outs, checked(provider, inputs(number, webhooks=[OTHER_HOOK])))
    assert [(m, set(b)) for m, b in bodies(api)] == [("PATCH", {"webhooks"})]


def test_update_of_on_delete_alone_makes_no_request(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    news = checked(provider, inputs(number, on_delete="restore"))
    assert provider.diff(number, outs, news).changes is True
    api.clear_requests()
    result = provider.update(number, outs, news).outs or {}
    assert api.requests() == []
    assert result["on_delete"] == "restore" and result["inbound_agent_id"] == "agent_support"


def test_read_reflects_an_out_of_band_change_in_outputs_and_inputs(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    api.seed(number, inbound_agent_id="agent_billing", webhooks=[], auth_token=CARRIER_TOKEN)
    api.clear_requests()
    read = provider.read(number, outs)
    assert calls(api) == [("GET", 200)]
    assert read.id == number and read.outs is not None and read.inputs is not None
    assert read.outs["inbound_agent_id"] == "agent_billing" and read.outs["webhooks"] == []
    assert read.inputs["inbound_agent_id"] == "agent_billing" and read.inputs["webhooks"] == []
    assert "telephony_auth_token" not in read.inputs
    assert provider.diff(number, read.outs, checked(provider, inputs(number))).changes is True


def test_read_without_drift_leaves_the_inputs_as_they_are(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    read = provider.read(number, outs)
    assert read.inputs is None
    assert read.outs is not None and read.outs["webhooks"] == outs["webhooks"]


def test_read_of_a_vanished_number_reports_it_gone(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    api.remove_number(number)
    api.clear_requests()
    assert provider.read(number, outs).id == ""
    assert calls(api) == [("GET", 404)]


def test_delete_reads_then_unbinds_and_never_deletes_the_number(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    provider = next_deployment(api)
    api.clear_requests()
    provider.delete(number, outs)
    assert bodies(api) == [("GET", None), ("PATCH", {"inbound_agent_id": None, "webhooks": []})]
    left = api.get_number(number)
    assert left is not None and left["inbound_agent_id"] is None and left["webhooks"] == []


def test_delete_of_a_vanished_number_succeeds(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number)
    provider = next_deployment(api)
    api.remove_number(number)
    api.clear_requests()
    provider.delete(number, outs)
    assert calls(api) == [("GET", 404)]


def test_delete_leaves_a_number_someone_rebound_since_and_says_so(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str, caplog: pytest.LogCaptureFixture
) -> None:
    outs = created(provider, number)
    provider = next_deployment(api)
    api.seed(number, inbound_agent_id="agent_billing", webhooks=[OTHER_HOOK], auth_token=CARRIER_TOKEN)
    api.clear_requests()
    provider.delete(number, outs)
    assert calls(api) == [("GET", 200)]
    assert api.get_number(number)["inbound_agent_id"] == "agent_billing"  # type: ignore[index]
    [message] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "agent_billing" in message and "--refresh" in message and number in message


def test_delete_of_a_number_taken_over_in_the_same_deployment_makes_no_request(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str, caplog: pytest.LogCaptureFixture
) -> None:
    old = created(provider, number)
    provider = next_deployment(api)
    # A renamed binding: the engine creates the new resource, which adopts the number, then deletes the old one.
    api.clear_requests()
    provider.create(checked(provider, inputs(number)))
    assert calls(api) == [("GET", 200)]
    api.clear_requests()
    provider.delete(number, old)
    assert api.requests() == []
    assert api.get_number(number)["inbound_agent_id"] == "agent_support"  # type: ignore[index]
    assert any("handed over" in r.getMessage() for r in caplog.records)


def test_a_diff_alone_claims_nothing_since_refresh_calls_it_too(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    old = created(provider, number)
    provider = next_deployment(api)
    provider.diff(number, old, old)
    api.clear_requests()
    provider.delete(number, old)
    assert [m for m, _ in bodies(api)] == ["GET", "PATCH"]


def test_a_number_declared_by_an_unchanged_binding_is_handed_over_too(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    # An interrupted rename left both resources in state; the next up keeps the new one (checked,
    # no changes) and deletes the old one, which must not unbind the number the new one holds.
    old = created(provider, number)
    provider = next_deployment(api)
    assert provider.diff(number, old, checked(provider, inputs(number))).changes is False
    api.clear_requests()
    provider.delete(number, old)
    assert api.requests() == []


def test_delete_with_restore_puts_back_what_allow_overwrite_replaced(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    api.seed(number, inbound_agent_id="agent_billing", webhooks=[OTHER_HOOK], auth_token=CARRIER_TOKEN)
    outs = created(provider, number, allow_overwrite=True, on_delete="restore")
    provider = next_deployment(api)
    api.clear_requests()
    provider.delete(number, outs)
    assert [m for m, _ in bodies(api)] == ["GET", "PATCH"]
    restored = api.get_number(number)
    assert restored is not None and restored["inbound_agent_id"] == "agent_billing"
    assert [w["url"] for w in restored["webhooks"]] == [OTHER_HOOK["url"]]


def test_delete_with_restore_puts_back_a_dashboards_odd_webhooks_exactly_as_the_api_returned_them(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    odd: list[dict[str, Any]] = [
        {"events": [], "url": "wss://stream.example.com/agent", "method": None, "headers": None},
        {"events": ["Call.Ended"], "url": "https://hooks.example.com/x", "method": "brew", "headers": {"X-A": None}},
        {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/y", "retries": 3},
    ]
    before = api.seed_raw(number, {"inbound_agent_id": "agent_billing", "webhooks": odd, "telephony": None})
    outs = created(provider, number, allow_overwrite=True, on_delete="restore")
    provider = next_deployment(api)
    provider.delete(number, outs)
    restored = api.peek(number)
    assert restored is not None
    # Written back as returned: null stays null, unknown fields stay. A method and headers the API returned
    # no key for are written as null, not left out (which would take the API's write defaults): state
    # cannot tell a missing key from a null one, as the Python SDK drops nulls on the way.
    assert before["webhooks"] == odd
    assert (restored["inbound_agent_id"], restored["webhooks"]) == (
        "agent_billing",
        [*odd[:2], {**odd[2], "method": None, "headers": None}],
    )


def test_delete_with_restore_puts_back_an_adopted_binding_after_later_updates(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    api.seed(number, inbound_agent_id="agent_support", webhooks=[HOOK], auth_token=CARRIER_TOKEN)
    outs = created(provider, number, adopt_existing=True, on_delete="restore")
    assert outs["previous_inbound_agent_id"] == "agent_support"
    assert [w["url"] for w in outs["previous_webhooks"]] == [HOOK["url"]]
    outs = (
        provider.update(
            number, outs, checked(provider, inputs(number, inbound_agent_id="agent_sales", on_delete="restore"))
        ).outs
        or {}
    )
    provider = next_deployment(api)
    api.clear_requests()
    provider.delete(number, outs)
    assert bodies(api)[1] == (
        "PATCH",
        {"inbound_agent_id": "agent_support", "webhooks": [{**HOOK, "method": "POST", "headers": {}}]},
    )


def test_delete_with_restore_and_nothing_taken_over_unbinds(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str
) -> None:
    outs = created(provider, number, on_delete="restore")
    provider = next_deployment(api)
    provider.delete(number, outs)
    left = api.get_number(number)
    assert left is not None and left["inbound_agent_id"] is None and left["webhooks"] == []


# -- configuration and the pickled provider ---------------------------------------------


def test_missing_token_names_both_ways_to_set_it(
    api: EmulatorProcess, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOICEOS_API_TOKEN", raising=False)
    bare = PhoneNumberBindingProvider()
    bare.configure(ConfigureRequest(Config({"voiceos:apiUrl": api.url}, "p")))
    with pytest.raises(errors.ConfigurationError) as exc:
        bare.read(number, {})
    assert "pulumi config set --secret voiceos:apiToken" in str(exc.value)
    assert "VOICEOS_API_TOKEN" in str(exc.value)


def test_token_from_the_environment(api: EmulatorProcess, number: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEOS_API_TOKEN", API_TOKEN)
    monkeypatch.setenv("VOICEOS_API_URL", api.url)
    from_env = PhoneNumberBindingProvider()
    from_env.configure(ConfigureRequest(Config({}, "p")))
    assert from_env.read(number, {}).id == number


def test_stack_config_wins_over_the_environment(
    api: EmulatorProcess, number: str, monkeypatch: pytest.MonkeyPatch, provider: PhoneNumberBindingProvider
) -> None:
    monkeypatch.setenv("VOICEOS_API_TOKEN", "stale-token-from-env")
    assert provider.read(number, {}).id == number


def test_plain_http_to_a_remote_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    remote = PhoneNumberBindingProvider()
    remote.configure(
        ConfigureRequest(Config({"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": "http://api.example.com"}, "p"))
    )
    with pytest.raises(errors.ConfigurationError) as exc:
        remote.read("+14155550123", {})
    assert "https" in str(exc.value) and API_TOKEN not in str(exc.value)


def test_serialized_provider_is_tiny_holds_no_token_and_round_trips(
    provider: PhoneNumberBindingProvider, number: str
) -> None:
    provider.read(number, {})  # configured and used: it now holds stack config and a client
    for instance in (PROVIDER, provider):
        text = serialize_provider(instance)
        raw = base64.b64decode(text)
        assert len(text) < 200
        assert API_TOKEN.encode() not in raw and b"apiToken" not in raw
        clone = dill.loads(raw)
        assert type(clone) is PhoneNumberBindingProvider
        assert clone.__dict__ == {}
    # The shared instance is pickled by name: it is what every binding's state carries twice.
    assert len(serialize_provider(PROVIDER)) <= 80
    assert dill.loads(base64.b64decode(serialize_provider(PROVIDER))) is PROVIDER
    assert PhoneNumberBindingProvider.serialize_as_secret_always is False
    assert pickle.loads(pickle.dumps(provider)).__dict__ == {}


STACK_OF_0_1_0_PROVIDER = "gASVKAAAAAAAAACMF3B1bHVtaV92b2ljZW9zLnByb3ZpZGVylIwIUFJPVklERVKUk5Qu"
"""``__provider`` as stacks deployed before the dynamic adapter had its own folder hold it: by name,
``pulumi_voiceos.provider.PROVIDER``."""


def test_a_stack_deployed_before_the_dynamic_folder_still_finds_its_provider() -> None:
    assert dill.loads(base64.b64decode(STACK_OF_0_1_0_PROVIDER)) is PROVIDER


def test_input_names_are_the_binding_model_fields() -> None:
    from pulumi_voiceos.core.models import BindingInputs
    from pulumi_voiceos.dynamic.provider import INPUT_NAMES

    assert tuple(BindingInputs.model_fields) == INPUT_NAMES


def test_programs_import_neither_pydantic_nor_httpx() -> None:
    # Every `pulumi up` imports the package into the program; the hooks that need
    # the models and the client only run in the provider process.
    probe = (
        "import sys, pulumi_voiceos; from pulumi_voiceos import PhoneNumberBinding, WebhookArgs; "
        "print(sorted(m for m in ('pydantic', 'httpx', 'pulumi_voiceos.core.models', 'pulumi_voiceos.api.client') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
    lazy = subprocess.run(
        [sys.executable, "-c", "import pulumi_voiceos as p; print(p.Webhook.__module__, p.VoiceOSClient.__module__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert lazy.split() == ["pulumi_voiceos.core.models.inputs", "pulumi_voiceos.api.client"]
