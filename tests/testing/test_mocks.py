"""VoiceOSMocks: a program's VoiceOS resources run through the provider's real rules, with no engine.

Each test runs a small program with ``mocks.run`` (or the SDK's own
``@pulumi.runtime.test``) and reads what the in-memory account holds afterwards.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_voiceos_native as native
import pytest

from pulumi_voiceos import (
    BindingConflictError,
    FleetBindingArgs,
    NumberNotInAccountError,
    PhoneNumberBinding,
    PhoneNumberFleet,
    WebhookArgs,
)
from pulumi_voiceos.core.fleet_record import FleetRecord
from pulumi_voiceos.core.properties import FLEET_OUTPUT_NAMES, OUTPUT_NAMES
from pulumi_voiceos.testing import VoiceOSCheckError, VoiceOSMocks, binding

pytest_plugins = ["pytester"]

N1, N2, N3 = "+14155550101", "+14155550102", "+14155550103"
EVENT = "phone_call:connection_requested"
HOOK = {"events": [EVENT], "url": "https://hooks.example.com/voiceos"}


@pytest.fixture
def mocks() -> VoiceOSMocks:
    return VoiceOSMocks()


def test_a_binding_is_bound_in_the_account_and_gets_every_output_an_up_records(mocks: VoiceOSMocks) -> None:
    outputs = mocks.run(lambda: PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support"))
    assert mocks.live(N1) == binding("agent_support")
    assert set(outputs["support"]) >= set(OUTPUT_NAMES) - {"previous_webhooks", "previous_inbound_agent_id"}
    assert outputs["support"]["telephony"]["provider"] == "twilio"
    assert outputs["support"]["telephony_auth_token"]
    assert outputs["support"]["voiceos_id"] == mocks.account.number(N1).id  # type: ignore[union-attr]


def test_webhooks_come_back_canonical_as_the_provider_makes_them(mocks: VoiceOSMocks) -> None:
    mocks.run(
        lambda: PhoneNumberBinding(
            "support",
            phone_number=N1,
            webhooks=[WebhookArgs(events=[EVENT], url="https://hooks.example.com/voiceos", method="post")],
        )
    )
    live = mocks.live(N1)
    assert live == binding(None, [HOOK])
    assert live is not None and live.webhooks[0].method == "POST"


def test_a_bad_webhook_url_fails_with_the_property_and_the_fix_as_preview_says_it(mocks: VoiceOSMocks) -> None:
    def program() -> None:
        PhoneNumberBinding("support", phone_number=N1, webhooks=[WebhookArgs(events=[EVENT], url="ftp://x.example")])

    with pytest.raises(VoiceOSCheckError) as raised:
        mocks.run(program)
    message = str(raised.value)
    assert "resource 'support' has a problem: webhooks[0].url has 'ftp:'" in message
    assert "https://" in message
    assert mocks.live(N1) is None or mocks.live(N1) == binding()  # nothing was written


def test_a_number_someone_else_routes_is_refused_unless_the_program_allows_the_overwrite(mocks: VoiceOSMocks) -> None:
    mocks.seed(N1, inbound_agent_id="agent_billing")
    with pytest.raises(BindingConflictError) as raised:
        mocks.run(lambda: PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support"))
    assert "already bound to inbound_agent_id='agent_billing'" in str(raised.value)
    assert "allow_overwrite=True" in str(raised.value)  # the Python spelling: this is a Python program
    assert mocks.live(N1) == binding("agent_billing")

    outputs = mocks.run(
        lambda: PhoneNumberBinding(
            "support", phone_number=N1, inbound_agent_id="agent_support", allow_overwrite=True, on_delete="restore"
        )
    )
    assert mocks.live(N1) == binding("agent_support")
    assert outputs["support"]["previous_inbound_agent_id"] == "agent_billing"


def test_a_number_holding_what_a_dashboard_left_is_read_guarded_and_overwritten(mocks: VoiceOSMocks) -> None:
    odd_hook: dict[str, Any] = {
        "events": [],
        "url": "wss://stream.example.com",
        "method": None,
        "headers": None,
        "x": 1,
    }
    mocks.seed_raw(N1, {"inbound_agent_id": "agent_billing", "webhooks": [odd_hook, None], "telephony": None})
    with pytest.raises(BindingConflictError) as raised:
        mocks.run(lambda: PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support"))
    assert "already bound to inbound_agent_id='agent_billing'" in str(raised.value)
    live = mocks.live(N1)
    assert live is not None and live.webhooks_raw() == [odd_hook]
    mocks.run(
        lambda: PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support", allow_overwrite=True)
    )
    assert mocks.live(N1) == binding("agent_support")


def test_a_number_already_bound_exactly_as_declared_is_adopted(mocks: VoiceOSMocks) -> None:
    mocks.seed(N1, inbound_agent_id="agent_support")
    outputs = mocks.run(lambda: PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support"))
    assert outputs["support"]["inbound_agent_id"] == "agent_support"


def test_without_every_number_a_number_the_test_did_not_seed_is_not_in_the_account() -> None:
    mocks = VoiceOSMocks(every_number=False)
    with pytest.raises(NumberNotInAccountError) as raised:
        mocks.run(lambda: PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support"))
    assert N1 in str(raised.value)
    mocks.seed(N1)
    mocks.run(lambda: PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support"))
    assert mocks.live(N1) == binding("agent_support")


def test_every_refusal_of_a_run_is_counted_and_the_first_raised(mocks: VoiceOSMocks) -> None:
    def program() -> None:
        for name, number in (("a", "not-a-number"), ("b", "+1"), ("c", N3)):
            PhoneNumberBinding(name, phone_number=number, inbound_agent_id="agent_support")

    with pytest.raises(VoiceOSCheckError) as raised:
        mocks.run(program)
    assert "(and 1 more refused resource)" in str(raised.value)
    assert sorted(str(f).split("resource ")[1][:3] for f in mocks.failures) == ["'a'", "'b'"]
    assert mocks.live(N3) == binding("agent_support")  # the good one still went through


def test_a_hundred_bindings_are_checked_and_bound(mocks: VoiceOSMocks) -> None:
    numbers = [f"+1415555{1000 + i:04d}" for i in range(100)]

    def program() -> None:
        for i, number in enumerate(numbers):
            PhoneNumberBinding(f"line-{i}", phone_number=number, inbound_agent_id="agent_support")

    assert len(mocks.run(program)) == 100
    assert {str(mocks.live(n)) for n in numbers} == {str(binding("agent_support"))}


def test_config_reaches_the_program_under_its_project(mocks: VoiceOSMocks) -> None:
    def program() -> None:
        agent = pulumi.Config().require("agent")
        PhoneNumberBinding("support", phone_number=N1, inbound_agent_id=agent)

    mocks.run(program, config={"agent": "agent_sales"})
    assert mocks.live(N1) == binding("agent_sales")


def test_a_fleet_goes_through_the_fleet_rules(mocks: VoiceOSMocks) -> None:
    mocks.seed(N2, inbound_agent_id="agent_billing")

    def program() -> None:
        PhoneNumberFleet(
            "lines",
            {
                N1: FleetBindingArgs(inbound_agent_id="agent_support"),
                N2: FleetBindingArgs(inbound_agent_id="agent_sales", adopt=False),
            },
        )

    with pytest.raises(BindingConflictError) as raised:
        mocks.run(program)
    assert N2 in str(raised.value)
    assert mocks.live(N2) == binding("agent_billing")

    outputs = mocks.run(
        lambda: PhoneNumberFleet(
            "lines",
            {N1: {"inbound_agent_id": "agent_support"}, N2: {"inbound_agent_id": "agent_sales"}},
            allow_overwrite=True,
        )
    )
    assert mocks.live(N1) == binding("agent_support") and mocks.live(N2) == binding("agent_sales")
    assert set(outputs["lines"]) <= set(FLEET_OUTPUT_NAMES)
    assert FleetRecord.parse(outputs["lines"]["records"][N1]).provider == "twilio"


def test_a_fleet_entry_that_fails_its_check_names_the_entry(mocks: VoiceOSMocks) -> None:
    with pytest.raises(VoiceOSCheckError) as raised:
        mocks.run(
            lambda: PhoneNumberFleet("lines", {N1: {"webhooks": [{"events": [EVENT], "url": "ftp://x.example"}]}})
        )
    assert f'bindings["{N1}"].webhooks[0].url' in str(raised.value)


def test_native_sdk_resources_are_checked_with_camel_case_paths_and_get_camel_case_outputs(
    mocks: VoiceOSMocks,
) -> None:
    def bad() -> None:
        native.PhoneNumberBinding(
            "support", phone_number=N1, webhooks=[native.WebhookArgs(events=[EVENT], url="ftp://x.example")]
        )

    with pytest.raises(VoiceOSCheckError) as raised:
        mocks.run(bad)
    assert "voiceos:index:PhoneNumberBinding" in str(raised.value) and "webhooks[0].url" in str(raised.value)

    mocks.seed(N2, inbound_agent_id="agent_billing")
    with pytest.raises(BindingConflictError) as conflict:
        mocks.run(lambda: native.PhoneNumberBinding("sales", phone_number=N2, inbound_agent_id="agent_sales"))
    assert "allowOverwrite: true" in str(conflict.value)  # the schema's spelling

    outputs = mocks.run(lambda: native.PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support"))
    assert outputs["support"]["voiceosId"].startswith("pn_")
    assert outputs["support"]["telephony"]["phoneNumberSid"]
    assert mocks.live(N1) == binding("agent_support")


def test_a_native_fleet_runs_under_the_mocks(mocks: VoiceOSMocks) -> None:
    outputs = mocks.run(
        lambda: native.PhoneNumberFleet(
            "lines", bindings={N1: native.FleetBindingArgs(inbound_agent_id="agent_support")}
        )
    )
    assert (FleetRecord.parse(outputs["lines"]["records"][N1]).voiceos_id or "").startswith("pn_")
    assert mocks.live(N1) == binding("agent_support")


def test_invokes_are_answered_from_the_same_account(mocks: VoiceOSMocks) -> None:
    mocks.seed(N1, inbound_agent_id="agent_support")
    mocks.seed(N2)
    mocks.seed("+16505550100", inbound_agent_id="agent_sales")
    seen: dict[str, Any] = {}

    def program() -> None:
        found = native.get_phone_number(phone_number=N1)
        seen["agent"] = found.inbound_agent_id
        seen["carrier"] = found.telephony.provider if found.telephony else None
        listed = native.list_phone_numbers(prefix="+1415", bound=True)
        seen["bound"] = [n.phone_number for n in listed.phone_numbers]
        seen["unbound"] = [n.phone_number for n in native.list_phone_numbers(bound=False).phone_numbers]

    mocks.run(program)
    assert seen == {"agent": "agent_support", "carrier": "twilio", "bound": [N1], "unbound": [N2]}


def test_a_missing_number_asked_for_by_an_invoke_fails_as_the_api_answers(mocks: VoiceOSMocks) -> None:
    with pytest.raises(Exception, match=r"\+14155550199"):
        mocks.run(lambda: native.get_phone_number(phone_number="+14155550199"))


class BucketMocks(pulumi.runtime.Mocks):
    """A user's own mocks, for their other resources."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        self.created.append(args.typ)
        return f"{args.name}-id", {**args.inputs, "arn": f"arn:bucket:{args.name}"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return {"answer": 42}, None


class Bucket(pulumi.CustomResource):
    def __init__(self, name: str) -> None:
        super().__init__("example:index:Bucket", name, {"arn": None})


def test_other_resources_and_calls_go_to_the_users_own_mocks() -> None:
    theirs = BucketMocks()
    mocks = VoiceOSMocks(theirs)
    answers: list[Any] = []

    def program() -> None:
        Bucket("recordings")
        PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support")
        answers.append(pulumi.runtime.invoke("example:index:lookup", {}).value)

    outputs = mocks.run(program)
    assert theirs.created == ["example:index:Bucket"]
    assert answers == [{"answer": 42}]
    assert list(outputs) == ["support"] and mocks.live(N1) == binding("agent_support")


def test_the_sdks_own_test_decorator_works_with_raise_failures_at_the_end(mocks: VoiceOSMocks) -> None:
    pulumi.runtime.set_mocks(mocks, preview=False)
    seen: list[Any] = []

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def check_the_carrier() -> Any:
        line = PhoneNumberBinding("support", phone_number=N1, inbound_agent_id="agent_support")
        return line.telephony.apply(lambda t: seen.append(t["provider"] if t else None))

    check_the_carrier()
    mocks.raise_failures()
    assert seen == ["twilio"] and mocks.live(N1) == binding("agent_support")


def test_a_header_given_as_a_secret_reaches_the_account(mocks: VoiceOSMocks) -> None:
    def program() -> None:
        headers = {"Authorization": pulumi.Output.secret("Bearer hook-token")}
        PhoneNumberBinding(
            "support",
            phone_number=N1,
            webhooks=[WebhookArgs(events=[EVENT], url="https://hooks.example.com/voiceos", headers=headers)],
        )

    mocks.run(program)
    assert mocks.live(N1) == binding(None, [{**HOOK, "headers": {"Authorization": "Bearer hook-token"}}])


# -- each test is a program run of its own, however the mocks are installed ---------------------

# Pulumi's documented pattern: the mocks installed once, at import, and the SDK's own decorator on each
# test. Every test is a run of a program of its own: what one declared or wrote must not reach the next.
INSTALLED_AT_IMPORT = """
import pulumi
import pulumi_voiceos_native as native
import pytest

from pulumi_voiceos import BindingConflictError, PhoneNumberBinding, PhoneNumberFleet
from pulumi_voiceos.testing import VoiceOSMocks, binding

mocks = VoiceOSMocks()
mocks.seed("+14155550109", inbound_agent_id="agent_billing")
pulumi.runtime.set_mocks(mocks, preview=False)

LINE, NATIVE_LINE, SOMEONE_ELSES = "+14155550101", "+14155550102", "+14155550109"


def bound_to(agent, number):
    def check(declared):
        mocks.raise_failures()
        assert declared == agent and mocks.live(number) == binding(agent)

    return check


@pulumi.runtime.test
def test_support_answers_the_line():
    line = PhoneNumberBinding("support", phone_number=LINE, inbound_agent_id="agent_support")
    return line.inbound_agent_id.apply(bound_to("agent_support", LINE))


@pulumi.runtime.test
def test_sales_answers_the_same_line_in_a_program_of_its_own():
    line = PhoneNumberBinding("sales", phone_number=LINE, inbound_agent_id="agent_sales")
    return line.inbound_agent_id.apply(bound_to("agent_sales", LINE))


@pulumi.runtime.test
def test_a_fleet_takes_the_line_in_a_third_program():
    lines = PhoneNumberFleet("lines", {LINE: {"inbound_agent_id": "agent_billing"}})

    def check(numbers):
        assert numbers[LINE]["provider"] == "twilio" and numbers[LINE]["voiceos_id"].startswith("pn_")
        bound_to("agent_billing", LINE)("agent_billing")

    return lines.numbers.apply(check)


@pulumi.runtime.test
def test_the_native_sdk_binds_a_line():
    line = native.PhoneNumberBinding("support", phone_number=NATIVE_LINE, inbound_agent_id="agent_support")
    return line.inbound_agent_id.apply(bound_to("agent_support", NATIVE_LINE))


@pulumi.runtime.test
def test_the_native_sdk_binds_the_same_line_in_a_program_of_its_own():
    line = native.PhoneNumberBinding("sales", phone_number=NATIVE_LINE, inbound_agent_id="agent_sales")
    return line.inbound_agent_id.apply(bound_to("agent_sales", NATIVE_LINE))


def test_a_refusal_fails_the_test_of_its_own_run():
    @pulumi.runtime.test
    def program():
        PhoneNumberBinding("taken", phone_number=SOMEONE_ELSES, inbound_agent_id="agent_support")

    with pytest.raises(BindingConflictError, match="agent_billing"):
        program()
    with pytest.raises(BindingConflictError, match="agent_billing"):
        mocks.raise_failures()


@pulumi.runtime.test
def test_the_next_run_has_no_refusal_of_the_last_one_and_the_seed_stays():
    line = PhoneNumberBinding("support", phone_number=LINE, inbound_agent_id="agent_support")

    def check(_):
        mocks.raise_failures()
        assert mocks.live(SOMEONE_ELSES) == binding("agent_billing")

    return line.inbound_agent_id.apply(check)


@pulumi.runtime.test
def test_two_bindings_of_one_number_in_one_program_are_still_refused():
    PhoneNumberBinding("first", phone_number="+14155550103", inbound_agent_id="agent_support")
    with pytest.raises(ValueError, match="already bound by PhoneNumberBinding 'first'"):
        PhoneNumberBinding("second", phone_number="+14155550103", inbound_agent_id="agent_sales")
"""

# The package's own way: one VoiceOSMocks for the module, a program function per test given to run().
SHARED_WITH_RUN = """
from pulumi_voiceos import PhoneNumberBinding
from pulumi_voiceos.testing import VoiceOSMocks, binding

mocks = VoiceOSMocks()
LINE = "+14155550101"


def test_support_answers_the_line():
    mocks.run(lambda: PhoneNumberBinding("support", phone_number=LINE, inbound_agent_id="agent_support"))
    assert mocks.live(LINE) == binding("agent_support")


def test_sales_answers_the_same_line_in_a_program_of_its_own():
    mocks.run(lambda: PhoneNumberBinding("sales", phone_number=LINE, inbound_agent_id="agent_sales"))
    assert mocks.live(LINE) == binding("agent_sales")
"""


def test_tests_of_the_sdks_own_pattern_are_programs_of_their_own_whatever_they_declared_before(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_lines=INSTALLED_AT_IMPORT)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=8)


def test_runs_of_one_shared_mocks_are_programs_of_their_own(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_lines=SHARED_WITH_RUN)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
