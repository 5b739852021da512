"""The native fleet's wait for claims before it lets go of numbers, on a clock the test moves."""

from __future__ import annotations

from pulumi_voiceos.engine.deployment import Deployment
from pulumi_voiceos.native.fleet import LONGEST_CLAIMS_WAIT_SECONDS, QUIET_CHECKS_SECONDS, wait_for_claims


class FakeClock:
    """Time that passes only when the wait sleeps, so the test measures the wait without a wall clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_numbers_the_deployment_already_claims_are_let_go_of_without_waiting() -> None:
    deployment, clock = Deployment(), FakeClock()
    deployment.claims.claim("+14155550100")
    deployment.last_check = clock.now
    assert wait_for_claims(deployment, ["+14155550100"], clock=clock, sleep=clock.sleep) == 0.0
    assert clock.sleeps == []


def test_an_unclaimed_number_waits_until_the_checks_have_been_quiet_for_the_quiet_period() -> None:
    deployment, clock = Deployment(), FakeClock()
    deployment.last_check = clock.now - 0.2  # a check ran 0.2 s ago
    waited = wait_for_claims(deployment, ["+14155550100"], clock=clock, sleep=clock.sleep)
    assert QUIET_CHECKS_SECONDS - 0.2 <= waited < QUIET_CHECKS_SECONDS
    assert clock.now - deployment.last_check >= QUIET_CHECKS_SECONDS


def test_checks_that_never_go_quiet_hold_the_release_back_for_the_longest_wait_only() -> None:
    deployment, clock = Deployment(), FakeClock()

    def busy_sleep(seconds: float) -> None:
        clock.sleep(seconds)
        deployment.last_check = clock.now  # another resource's check runs at every turn

    waited = wait_for_claims(deployment, ["+14155550100"], clock=clock, sleep=busy_sleep)
    assert LONGEST_CLAIMS_WAIT_SECONDS <= waited < LONGEST_CLAIMS_WAIT_SECONDS + QUIET_CHECKS_SECONDS


def test_a_quiet_deployment_releases_at_once() -> None:
    deployment, clock = Deployment(), FakeClock()
    deployment.last_check = clock.now - 5.0
    assert wait_for_claims(deployment, ["+14155550100"], clock=clock, sleep=clock.sleep) == 0.0
