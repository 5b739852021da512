"""The fleet both benchmark programs declare: N numbers with one agent and one webhook each.

Copied next to each program's ``__main__.py`` so that ours and the baseline
declare byte-for-byte the same inputs; the runner imports it too, to seed the
emulator with the same numbers.
"""

from __future__ import annotations

from typing import Any

AGENT_ID = "agent_bench"


def phone_number(index: int) -> str:
    """An E.164 number, unique per index (up to ten million)."""
    return f"+1415{index:07d}"


def webhooks(index: int, revision: str) -> list[dict[str, Any]]:
    """One webhook; a new ``revision`` changes its URL, which is what the update benchmark does."""
    return [
        {
            "events": ["phone_call:connection_requested"],
            "url": f"https://hooks.example.com/{revision}/line-{index}",
            "method": "POST",
            "headers": {"X-Fleet": "benchmark"},
        }
    ]
