"""The split of an account across stacks (core/split.py): stable, a partition, and refused when misconfigured."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from pulumi_voiceos import entries_of_split, stack_share
from pulumi_voiceos.errors import ConfigurationError

NUMBERS = [f"+1415{i:07d}" for i in range(2000)]

KNOWN_SHARES = {"+14155550123": 2, "+14155550101": 1, "+442071838750": 2, "+14156000000": 2}
"""Shares in 4 stacks, fixed here: should the rule ever change, every adopted split would move its numbers."""


def test_a_numbers_share_is_the_one_recorded_here_so_the_rule_never_moves_a_number() -> None:
    assert {number: stack_share(number, 4) for number in KNOWN_SHARES} == KNOWN_SHARES


def test_another_interpreter_with_another_hash_seed_puts_every_number_in_the_same_stack() -> None:
    script = "import sys; from pulumi_voiceos import stack_share; print([stack_share(n, 4) for n in sys.argv[1:]])"
    shown = subprocess.run(
        [sys.executable, "-c", script, *NUMBERS[:200]],
        env={"PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown.strip() == str([stack_share(n, 4) for n in NUMBERS[:200]])


def test_the_stacks_shares_partition_the_account_each_number_in_exactly_one() -> None:
    entries = [{"phone_number": n} for n in NUMBERS]
    shares = [entries_of_split(entries, f"{share}/4") for share in range(1, 5)]
    declared = Counter(str(e["phone_number"]) for share in shares for e in share)
    assert set(declared) == set(NUMBERS) and set(declared.values()) == {1}
    assert all(350 <= len(share) <= 650 for share in shares), [len(s) for s in shares]


def test_numbers_added_later_leave_every_earlier_number_where_it_was() -> None:
    earlier = [{"phone_number": n} for n in NUMBERS[:1000]]
    later = earlier + [{"phone_number": n} for n in NUMBERS[1000:]]
    for share in range(1, 5):
        before = entries_of_split(earlier, f"{share}/4")
        after = entries_of_split(later, f"{share}/4")
        assert after[: len(before)] == before
        assert all(stack_share(str(e["phone_number"]), 4) == share for e in after)


def test_a_stack_with_no_split_declares_every_entry() -> None:
    entries = [{"phone_number": n} for n in NUMBERS[:10]]
    assert entries_of_split(entries, None) == entries
    assert entries_of_split(entries, "") == entries


@pytest.mark.parametrize("bad", ["5/4", "0/4", "2", "two/4", "2/0", "-1/4"])
def test_a_malformed_split_is_refused_naming_the_key_and_the_fix(bad: str) -> None:
    with pytest.raises(ConfigurationError, match=r"config split must be SHARE/STACKS .*pulumi config set split 2/4"):
        entries_of_split([{"phone_number": NUMBERS[0]}], bad)
