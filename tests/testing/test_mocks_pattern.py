"""VoiceOSMocks in Pulumi's documented pattern: ``set_mocks`` at the top of a user's test file and
``@pulumi.runtime.test`` on each test, run by pytest in a new process as a user runs it."""

from __future__ import annotations

import re

import pytest

from ..docs import one_block

pytest_plugins = ["pytester"]

# A user's test file whose tests each declare something preview refuses, through both providers' classes:
# each test must fail, and say the property and the fix as preview says them.
REFUSED = """
import pulumi
import pulumi_voiceos_native as native

from pulumi_voiceos import PhoneNumberBinding, PhoneNumberFleet, WebhookArgs
from pulumi_voiceos.testing import VoiceOSMocks

mocks = VoiceOSMocks()
mocks.seed("+14155550109", inbound_agent_id="agent_billing")
pulumi.runtime.set_mocks(mocks)

EVENT = "phone_call:connection_requested"
BAD = "javascript:alert(1)"


@pulumi.runtime.test
def test_dynamic_bad_url():
    PhoneNumberBinding("support", phone_number="+14155550101", webhooks=[WebhookArgs(events=[EVENT], url=BAD)])


@pulumi.runtime.test
def test_native_bad_url():
    hook = native.WebhookArgs(events=[EVENT], url=BAD)
    native.PhoneNumberBinding("support", phone_number="+14155550101", webhooks=[hook])


@pulumi.runtime.test
def test_dynamic_conflict():
    PhoneNumberBinding("taken", phone_number="+14155550109", inbound_agent_id="agent_support")


@pulumi.runtime.test
def test_native_conflict():
    native.PhoneNumberBinding("taken", phone_number="+14155550109", inbound_agent_id="agent_support")


@pulumi.runtime.test
def test_dynamic_fleet_entry():
    PhoneNumberFleet("lines", {"+14155550102": {"webhooks": [{"events": [EVENT], "url": BAD}]}})


@pulumi.runtime.test
def test_native_fleet_entry():
    hook = native.WebhookArgs(events=[EVENT], url=BAD)
    native.PhoneNumberFleet("lines", bindings={"+14155550102": native.FleetBindingArgs(webhooks=[hook])})


@pulumi.runtime.test
def test_a_good_line_after_all_those_refusals_passes():
    line = PhoneNumberBinding("support", phone_number="+14155550101", inbound_agent_id="agent_support")
    return line.inbound_agent_id.apply(lambda agent: mocks.raise_failures())
"""

# What each refused test's failure must say, as the preview of the same program says it.
TAKEN = r"\+14155550109 is already bound to "
SAYS = {
    "test_dynamic_bad_url": [
        r"PhoneNumberBinding resource 'support' has a problem: webhooks\[0\]\.url has 'javascript:'"
    ],
    "test_native_bad_url": [
        r"voiceos:index:PhoneNumberBinding resource 'support' has a problem: webhooks\[0\]\.url has 'javascript:'"
    ],
    "test_dynamic_conflict": [TAKEN + "inbound_agent_id='agent_billing'", "allow_overwrite=True"],
    "test_native_conflict": [TAKEN + "inboundAgentId='agent_billing'", "allowOverwrite: true"],
    "test_dynamic_fleet_entry": [r'has a problem: bindings\["\+14155550102"\]\.webhooks\[0\]\.url has'],
    "test_native_fleet_entry": [r'has a problem: bindings\["\+14155550102"\]\.webhooks\[0\]\.url has'],
}


def test_each_refused_resource_fails_its_test_with_the_path_and_fix_preview_gives(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_refused=REFUSED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "-rf")
    result.assert_outcomes(failed=len(SAYS), passed=1)
    summary = {
        m[1]: m[2] for m in re.finditer(r"^FAILED test_refused\.py::(\w+) - (.*)$", result.stdout.str(), re.MULTILINE)
    }
    assert set(summary) == set(SAYS)
    text = result.stdout.str()
    for test, expected in SAYS.items():
        section = re.split(r"^_{3,} test_\w+ _{3,}$", text.split(f"_ {test} _", 1)[1], flags=re.MULTILINE)[0]
        for pattern in expected:
            assert re.search(pattern, section), f"{test} does not say {pattern!r}:\n{section[-2000:]}"
    assert "Future exception was never retrieved" not in text + result.stderr.str()


def test_the_docs_test_file_in_pulumis_pattern_passes_as_a_users_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_lines=one_block("docs-test-file", "mocks-pattern", "python"))
    source = one_block("docs-test-file", "mocks-pattern", "python")
    # In the file's order, then the other way round: no test leans on what another one did.
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly").assert_outcomes(passed=4)
    backwards = [f"test_lines.py::{name}" for name in reversed(re.findall(r"^def (test_\w+)", source, re.MULTILINE))]
    assert len(backwards) == 4
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", *backwards).assert_outcomes(passed=4)


SEEDED_IN_A_TEST = """
import pulumi
import pytest

from pulumi_voiceos import BindingConflictError, PhoneNumberBinding
from pulumi_voiceos.testing import VoiceOSMocks, binding

mocks = VoiceOSMocks()
pulumi.runtime.set_mocks(mocks)
LINE = "+14155550101"


def test_a_line_seeded_in_one_test_is_refused_there():
    @pulumi.runtime.test
    def program():
        mocks.seed(LINE, inbound_agent_id="agent_billing")
        PhoneNumberBinding("support", phone_number=LINE, inbound_agent_id="agent_support")

    with pytest.raises(BindingConflictError):
        program()


@pulumi.runtime.test
def test_the_next_test_finds_the_line_as_the_file_seeded_it():
    assert mocks.live(LINE) is None
    line = PhoneNumberBinding("support", phone_number=LINE, inbound_agent_id="agent_support")
    return line.inbound_agent_id.apply(lambda _: mocks.raise_failures())


@pulumi.runtime.test
def test_and_the_one_after_reads_nothing_the_last_one_wrote():
    assert mocks.live(LINE) is None
"""


def test_a_seed_inside_a_test_holds_for_that_test_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_seeded=SEEDED_IN_A_TEST)
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly").assert_outcomes(passed=3)
