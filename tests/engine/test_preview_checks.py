"""Check reads the number a binding is about to take, so `pulumi preview` tells what `up` will do.

Both providers' ``check`` hooks are called as their servers call them, against
the emulator: a conflict is a failure on the phone number with the text create
gives, a takeover a warning, and a preview that cannot reach the API goes on
and says so once. tests/e2e/test_preview.py drives the same cases through the
real CLI.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import CheckRequest, ConfigureRequest

from pulumi_voiceos import errors
from pulumi_voiceos.core.checks import UNKNOWN
from pulumi_voiceos.dynamic.provider import PhoneNumberBindingProvider
from pulumi_voiceos.emulator.process import EmulatorProcess
from pulumi_voiceos.engine.deployment import Deployment
from pulumi_voiceos.native.provider import BINDING_TYPE, VoiceOSProvider

from ..helpers import API_TOKEN, native_provider

HOOK: dict[str, Any] = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/support"}
THEIR_HOOK: dict[str, Any] = {
    "events": ["phone_call:connection_requested"],
    "url": "https://hooks.example.com/theirs",
    "headers": {"X-Their-Key": "SENTINEL-THEIR-HEADER-77aa"},
}
URN = f"urn:pulumi:dev::proj::{BINDING_TYPE}::support"


def ours(number: str, **overrides: Any) -> dict[str, Any]:
    return {"phone_number": number, "inbound_agent_id": "agent_support", "webhooks": [HOOK], **overrides}


def failures(
    provider: PhoneNumberBindingProvider, news: dict[str, Any], olds: dict[str, Any] | None = None
) -> dict[str, str]:
    result = provider.check(olds or {}, {**news, "__provider": "opaque"})
    return {f.property: f.reason for f in result.failures}


def calls(api: EmulatorProcess) -> list[tuple[str, str | None]]:
    return [(r["method"], r["phone_number"]) for r in api.requests()]


def listing(api: EmulatorProcess) -> list[tuple[str, str | None]]:
    """The requests of one listing of the (session-wide) emulator's account: a page per 200 numbers."""
    return [("GET", None)] * -(-api.number_count() // 200)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def configured(config: dict[str, Any]) -> PhoneNumberBindingProvider:
    from pulumi.dynamic import ConfigureRequest as DynamicConfigure
    from pulumi.dynamic.config import Config

    provider = PhoneNumberBindingProvider(Deployment())
    provider.configure(DynamicConfigure(Config(config, "test-project")))
    return provider


@pytest.fixture
def theirs(api: EmulatorProcess, number: str) -> str:
    """A number someone else bound in the dashboard."""
    api.seed(number, inbound_agent_id="agent_billing", webhooks=[THEIR_HOOK])
    api.clear_requests()
    return number


# -- decisions ---------------------------------------------------------------------------------


def test_a_new_binding_of_a_number_bound_elsewhere_fails_on_the_number_with_the_guards_text(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, theirs: str
) -> None:
    found = failures(provider, ours(theirs))
    assert set(found) == {"phone_number"}
    reason = found["phone_number"]
    for words in (
        theirs,
        "agent_billing",
        "https://hooks.example.com/theirs",
        "aliases=",
        "import_=",
        "allow_overwrite",
    ):
        assert words in reason
    assert "SENTINEL-THEIR-HEADER" not in reason
    assert calls(api) == listing(api)  # one listing of the account; nothing written


def test_a_new_binding_of_a_number_not_in_the_account_fails_after_its_own_get_confirms_it(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess
) -> None:
    found = failures(provider, ours("+19995550100"))
    assert "+19995550100 is not in the VoiceOS account" in found["phone_number"]
    assert calls(api) == [*listing(api), ("GET", "+19995550100")]


def test_an_import_that_declares_another_binding_fails_naming_both(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, theirs: str
) -> None:
    found = failures(provider, ours(theirs, adopt_existing=True))
    assert "cannot import" in found["phone_number"] and "agent_billing" in found["phone_number"]


def test_a_takeover_with_allow_overwrite_passes_with_a_warning_that_says_what_is_replaced(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, theirs: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert failures(provider, ours(theirs, allow_overwrite=True)) == {}
    [warning] = warnings(caplog)
    assert theirs in warning and "agent_billing" in warning and "previous_" in warning and "restore" in warning
    assert "SENTINEL-THEIR-HEADER" not in warning
    assert calls(api) == listing(api)  # the account's listing (its size depends on the tests before), no write


@pytest.mark.parametrize("bound_as_declared", [False, True])
def test_binding_a_free_number_or_adopting_one_passes_without_a_word(
    provider: PhoneNumberBindingProvider,
    api: EmulatorProcess,
    number: str,
    bound_as_declared: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if bound_as_declared:
        api.seed(number, inbound_agent_id="agent_support", webhooks=[HOOK])
        api.clear_requests()
    assert failures(provider, ours(number)) == {}
    assert warnings(caplog) == []


def test_a_binding_that_keeps_its_number_reads_nothing(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, theirs: str
) -> None:
    # Its own number, bound as the stack recorded: an update, whose check has nothing to predict.
    assert failures(provider, ours(theirs, inbound_agent_id="agent_sales"), olds=ours(theirs)) == {}
    assert api.requests() == []


def test_a_binding_that_changes_its_number_reads_the_new_one(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, number: str, theirs: str
) -> None:
    other = "+19995550101"
    found = failures(provider, ours(theirs), olds=ours(other))
    assert "already bound" in found["phone_number"]


def test_a_preview_of_many_new_bindings_lists_the_account_instead_of_reading_each_number(tmp_path: Path) -> None:
    numbers = [f"+1628555{i:04d}" for i in range(250)]
    with EmulatorProcess(db_path=tmp_path / "account.db", token=API_TOKEN, agents=["agent_support"]) as account:
        account.seed_many([{"phone_number": n} for n in numbers])
        account.clear_requests()
        provider = configured({"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": account.url})
        for n in numbers:
            assert failures(provider, ours(n)) == {}
        assert calls(account) == [("GET", None), ("GET", None)]  # an account of 250: two pages of 200


# -- unknowns -----------------------------------------------------------------------------------


def test_an_unknown_agent_on_a_number_bound_elsewhere_warns_that_the_outcome_depends_on_it(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, theirs: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert failures(provider, ours(theirs, inbound_agent_id=UNKNOWN, webhooks=[THEIR_HOOK])) == {}
    [warning] = warnings(caplog)
    assert "inbound_agent_id" in warning and "not known until `up`" in warning and "fails" in warning


def test_known_webhooks_that_differ_refuse_even_when_the_agent_is_unknown(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, theirs: str
) -> None:
    found = failures(provider, ours(theirs, inbound_agent_id=UNKNOWN))
    assert "already bound" in found["phone_number"]


def test_an_unknown_number_cannot_be_checked_and_says_so(
    provider: PhoneNumberBindingProvider, api: EmulatorProcess, caplog: pytest.LogCaptureFixture
) -> None:
    assert failures(provider, ours(UNKNOWN)) == {}
    [warning] = warnings(caplog)
    assert "phone_number is not known until `up`" in warning
    assert api.requests() == []


# -- without the API ----------------------------------------------------------------------------


def test_without_a_token_the_check_passes_and_says_once_why_it_could_not_check(
    api: EmulatorProcess, number: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOICEOS_API_TOKEN", raising=False)
    provider = configured({"voiceos:apiUrl": api.url})
    for _ in range(3):
        assert failures(provider, ours(number)) == {}
    [warning] = warnings(caplog)
    assert "could not check" in warning and "no API token" in warning and "`up` checks each number" in warning
    assert api.requests() == []


@pytest.mark.parametrize("fleet", [False, True], ids=["binding", "fleet"])
def test_a_plain_http_url_to_a_remote_host_is_reported_as_itself_not_as_a_missing_token(
    number: str, caplog: pytest.LogCaptureFixture, fleet: bool
) -> None:
    # Refusing to send the token over plain http names the token: a search of the text for "token" once
    # reported it as a missing one. Causes are told by their type now.
    config = {"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": "http://voice.example.com"}
    if fleet:
        from pulumi.dynamic import ConfigureRequest as DynamicConfigure
        from pulumi.dynamic.config import Config

        from pulumi_voiceos.dynamic.fleet import PhoneNumberFleetProvider

        provider: Any = PhoneNumberFleetProvider(Deployment())
        provider.configure(DynamicConfigure(Config(config, "test-project")))
        result = provider.check({}, {"bindings": {number: {"inbound_agent_id": "agent_support"}}, "__provider": "x"})
        assert result.failures == []
    else:
        assert failures(configured(config), ours(number)) == {}
    [warning] = warnings(caplog)
    assert "could not check" in warning and "no API token" not in warning
    assert "http://voice.example.com" in warning or "https" in warning
    assert API_TOKEN not in warning


def test_an_api_that_cannot_be_reached_leaves_the_check_passing_with_one_warning(
    number: str, caplog: pytest.LogCaptureFixture
) -> None:
    provider = configured(
        {"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": "http://127.0.0.1:9", "voiceos:maxAttempts": "1"}
    )
    for _ in range(3):
        assert failures(provider, ours(number)) == {}
    [warning] = warnings(caplog)
    assert "could not check" in warning and "could not reach the VoiceOS API" in warning
    assert API_TOKEN not in warning


def test_a_token_the_api_refuses_leaves_the_check_passing_with_one_warning(
    api: EmulatorProcess, number: str, caplog: pytest.LogCaptureFixture
) -> None:
    provider = configured({"voiceos:apiToken": "wrong-token", "voiceos:apiUrl": api.url})
    assert failures(provider, ours(number)) == {}
    [warning] = warnings(caplog)
    assert "refused the token" in warning
    assert calls(api) == [("GET", None)]  # the first page is refused


@pytest.mark.parametrize("source", ["config", "environment"])
def test_preview_checks_turned_off_read_nothing_and_say_nothing(
    api: EmulatorProcess, theirs: str, source: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": api.url}
    if source == "config":
        config["voiceos:previewChecks"] = "false"
    else:
        monkeypatch.setenv("VOICEOS_PREVIEW_CHECKS", "false")
    provider = configured(config)
    assert failures(provider, ours(theirs)) == {}
    assert api.requests() == [] and warnings(caplog) == []


def test_a_preview_checks_setting_that_is_not_a_boolean_names_the_key(api: EmulatorProcess, number: str) -> None:
    provider = configured({"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": api.url, "voiceos:previewChecks": "maybe"})
    with pytest.raises(errors.ConfigurationError) as exc:
        failures(provider, ours(number))
    assert "voiceos:previewChecks must be true or false" in str(exc.value)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [("voiceos:maxRequestsPerSecond", "0", "more than 0"), ("voiceos:rateLimitShare", "1.2", "at most 1")],
)
def test_a_bad_budget_fails_the_preview_naming_the_setting_even_without_a_token(
    number: str, key: str, value: str, words: str
) -> None:
    with pytest.raises(errors.ConfigurationError) as exc:
        failures(configured({key: value}), ours(number))
    assert f"{key} must be {words}" in str(exc.value) and "e.g." in str(exc.value)
    native = VoiceOSProvider()
    name = key.partition(":")[2]
    request = ConfigureRequest(
        variables={f"voiceos:config:{name}": value}, args={}, accept_secrets=True, accept_resources=True
    )
    asyncio.run(native.configure(request))
    with pytest.raises(errors.ConfigurationError, match=f"{key} must be {words}"):
        native_check(native, {"phoneNumber": number, "inboundAgentId": "agent_support"})


# -- the native provider ------------------------------------------------------------------------


def native_check(native: VoiceOSProvider, news: dict[str, Any]) -> dict[str, str]:
    props = {key: PropertyValue(value) for key, value in news.items()}
    response = asyncio.run(native.check(CheckRequest(URN, {}, props, b"")))
    return {f.property: f.reason for f in response.failures or []}


@pytest.fixture
def native(api: EmulatorProcess) -> VoiceOSProvider:
    return native_provider(api.url)


def test_the_native_check_refuses_a_number_bound_elsewhere_on_phone_number_in_its_own_spelling(
    native: VoiceOSProvider, api: EmulatorProcess, theirs: str
) -> None:
    found = native_check(native, {"phoneNumber": theirs, "inboundAgentId": "agent_support"})
    assert set(found) == {"phoneNumber"}
    assert "allowOverwrite: true" in found["phoneNumber"] and "inboundAgentId='agent_billing'" in found["phoneNumber"]
    assert calls(api) == listing(api)


def test_the_native_check_announces_a_takeover(
    native: VoiceOSProvider, api: EmulatorProcess, theirs: str, caplog: pytest.LogCaptureFixture
) -> None:
    found = native_check(native, {"phoneNumber": theirs, "inboundAgentId": "agent_support", "allowOverwrite": True})
    assert found == {}
    [warning] = warnings(caplog)
    assert "previousInboundAgentId" in warning and "onDelete: restore" in warning
