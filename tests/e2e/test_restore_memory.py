"""What a takeover kept for ``on_delete="restore"`` across hand-overs, for both providers.

A hand-over from a resource that lets go first (a delete-before-replace) passes the memory on, and an
alias keeps the resource and its memory. When the engine creates the new resource first (a rename
without an alias), the memory cannot reach it: the run says so, naming the number, what a restore
would have given back and the alias. Each test reads the live number back after the destroy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import Deployment, deployment
from .test_flows import AGENTS, CARRIER, N1, TOKEN, hook, summary, support

THEIRS = hook("theirs", headers={"X-Their-Key": "SENTINEL-RESTORE-MEMORY-HEADER-3c1d"})


@pytest.fixture(params=["bindings", pytest.param("native_bindings", marks=pytest.mark.python_sdk)])
def d(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    with deployment(tmp_path, program=request.param, token=TOKEN, numbers=[N1], agents=AGENTS) as dep:
        dep.emulator.seed(N1, inbound_agent_id="agent_billing", webhooks=[THEIRS], auth_token=CARRIER)
        yield dep


def deploy(d: Deployment, spec: dict[str, Any], **kwargs: Any) -> Any:
    d.set_bindings([spec])
    d.emulator.clear_requests()
    return d.up(**kwargs)


def live(d: Deployment) -> tuple[str | None, list[str]]:
    got = d.emulator.get_number(N1)
    assert got is not None
    return got["inbound_agent_id"], [w["url"] for w in got["webhooks"]]


def kept_agent(d: Deployment) -> Any:
    [resource] = d.resources()
    outputs = resource["outputs"]
    return outputs.get("previous_inbound_agent_id", outputs.get("previousInboundAgentId"))


def take_over(d: Deployment, **extra: Any) -> dict[str, Any]:
    ours = support(allow_overwrite=True, on_delete="restore", **extra)
    deploy(d, ours)
    assert live(d) == ("agent_support", [hook("support")["url"]])
    assert kept_agent(d) == "agent_billing"
    return ours


def test_a_rename_with_an_alias_keeps_what_the_takeover_kept_and_destroy_gives_it_back(d: Deployment) -> None:
    ours = take_over(d)
    result = deploy(d, {**ours, "name": "support-line", "aliases": ["support"]})
    assert "create" not in summary(result) and "delete" not in summary(result)
    assert kept_agent(d) == "agent_billing"
    d.destroy()
    assert live(d) == ("agent_billing", [THEIRS["url"]])
    restored = d.emulator.get_number(N1)
    assert restored is not None and restored["webhooks"][0]["headers"] == THEIRS["headers"]


def test_a_replace_that_deletes_first_hands_the_restore_memory_to_the_replacement(d: Deployment) -> None:
    take_over(d, delete_before_replace=True)
    [resource] = d.resources()
    d.emulator.clear_requests()
    result = d.up(replace=[resource["urn"]])
    assert summary(result).get("replace") == 1
    # The old one handed the number over (no unbind); the replacement found it routed as declared.
    assert [r["method"] for r in d.emulator.requests() if r["phone_number"] == N1 and r["method"] == "PATCH"] == []
    assert live(d) == ("agent_support", [hook("support")["url"]])
    assert kept_agent(d) == "agent_billing"
    d.destroy()
    assert live(d) == ("agent_billing", [THEIRS["url"]])


def test_a_rename_without_an_alias_after_a_takeover_says_the_restore_memory_is_lost_and_destroy_unbinds(
    d: Deployment,
) -> None:
    ours = take_over(d)
    result = deploy(d, {**ours, "name": "support-line"})
    assert summary(result) == {"create": 1, "delete": 1, "same": 1}
    said = " ".join("".join(d.output).split())
    assert f"{N1} was handed over to a resource created before the old one let go of it" in said
    assert "agent_billing" in said and "alias" in said
    assert THEIRS["headers"]["X-Their-Key"] not in said
    assert live(d) == ("agent_support", [hook("support")["url"]])
    assert kept_agent(d) is None
    d.destroy()
    # As the warning said: the resource that has the number now unbinds it.
    assert live(d) == (None, [])
