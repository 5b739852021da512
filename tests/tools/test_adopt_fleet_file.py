"""Adding numbers to an existing bindings.yaml: any valid layout of its list, the user's bytes kept.

A re-run of `voiceos-pulumi adopt` appends the numbers that are new in the
account. Users and their tools re-indent the file (PyYAML writes list items at
the key's column), add keys after the list, or drop the final newline; each of
those must still take the new entries, and a file that cannot must be refused
with its line and the fix.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from pulumi_voiceos.tools.adopt import AdoptError, _appended

ENTRY = {"name": "number-14155550199", "phone_number": "+14155550199", "inbound_agent_id": "agent_new", "adopt": True}
OLD = [
    {"name": "support", "phone_number": "+14155550101", "inbound_agent_id": "agent_support"},
    {"name": "sales", "phone_number": "+14155550102", "webhooks": [{"events": ["a:b"], "url": "https://h.example/x"}]},
]

LAYOUTS = {
    "as adopt writes it": (
        "# my fleet\nbindings:\n  - name: support\n    phone_number: '+14155550101'\n"
        "    inbound_agent_id: agent_support\n"
        "  - name: sales\n    phone_number: '+14155550102'\n    webhooks:\n      - events: [a:b]\n"
        "        url: https://h.example/x\n"
    ),
    "as PyYAML dumps it, dashes at the key's column": yaml.safe_dump({"bindings": OLD}, sort_keys=False),
    "four spaces and a wide dash": (
        "bindings:\n    -   name: support\n        phone_number: '+14155550101'\n"
        "        inbound_agent_id: agent_support\n"
        "    -   name: sales\n        phone_number: '+14155550102'\n        webhooks:\n        -   events: [a:b]\n"
        "            url: https://h.example/x\n"
    ),
    "other keys after the list": yaml.safe_dump({"bindings": OLD, "owner": "team-voice"}, sort_keys=False),
    "comments and blank lines at the end": yaml.safe_dump({"bindings": OLD}, sort_keys=False) + "\n# the end\n\n",
    "no newline at the end": yaml.safe_dump({"bindings": OLD}, sort_keys=False).rstrip("\n"),
    "Windows line endings": yaml.safe_dump({"bindings": OLD}, sort_keys=False).replace("\n", "\r\n"),
}


def parsed(text: str) -> Any:
    return yaml.safe_load(text)


def inserted(current: str, text: str) -> str:
    """What ``text`` adds to ``current``, asserting that it only adds: every byte of the user's is kept."""
    common = next((i for i, (a, b) in enumerate(zip(current, text, strict=False)) if a != b), len(current))
    added = len(text) - len(current)
    assert text[:common] == current[:common] and text[common + added :] == current[common:]
    return text[common : common + added]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_new_entries_are_added_after_the_last_one_whatever_the_layout(layout: str) -> None:
    current = LAYOUTS[layout]
    text = _appended(current, [ENTRY])
    assert parsed(text)["bindings"] == [*OLD, ENTRY]
    assert {k: v for k, v in parsed(text).items() if k != "bindings"} == {
        k: v for k, v in parsed(current).items() if k != "bindings"
    }
    assert "number-14155550199" in inserted(current, text)


def test_the_windows_line_endings_of_a_file_are_kept() -> None:
    text = _appended(LAYOUTS["Windows line endings"], [ENTRY])
    assert "\n" not in text.replace("\r\n", "")


@pytest.mark.parametrize(
    "empty", ["bindings: []\n", "bindings:\n", "bindings: ~\n", "# mine\nbindings: []\nowner: me\n"]
)
def test_an_empty_list_is_written_out_in_place(empty: str) -> None:
    text = _appended(empty, [ENTRY])
    assert parsed(text)["bindings"] == [ENTRY]
    assert parsed(text).get("owner") == parsed(empty).get("owner")
    assert text.startswith(empty[: empty.index("bindings") + len("bindings")])


def test_a_list_in_flow_style_is_refused_with_its_line_and_the_fix() -> None:
    with pytest.raises(AdoptError) as exc:
        _appended("# fleet\n\nbindings: [{name: a, phone_number: '+14155550101'}]\n", [ENTRY])
    message = str(exc.value)
    assert "bindings.yaml line 3" in message and "flow style" in message and "block list" in message


def test_a_file_without_a_bindings_list_is_refused_with_the_fix() -> None:
    with pytest.raises(AdoptError) as exc:
        _appended("owner: me\n", [ENTRY])
    assert "add `bindings: []`" in str(exc.value)


def test_a_file_that_is_not_yaml_is_refused_as_such() -> None:
    with pytest.raises(AdoptError) as exc:
        _appended("bindings:\n  - name: [unclosed\n", [ENTRY])
    assert str(exc.value).startswith("cannot read bindings.yaml") and "line" in str(exc.value)
