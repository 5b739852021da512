"""What the tests share besides fixtures: the emulator's token, a carrier token and agents, quick settings."""

from __future__ import annotations

from typing import Any

from pulumi_voiceos.config import Settings

API_TOKEN = "SENTINEL-API-TOKEN-7f3a9c"
CARRIER_TOKEN = "SENTINEL-CARRIER-TOKEN-51be02"
AGENTS = ("agent_support", "agent_sales", "agent_billing")


def quick_settings(url: str, **overrides: Any) -> Settings:
    """Settings with retries a few milliseconds apart, so retry tests take no time."""
    return Settings(url, API_TOKEN, **{"retry_base_delay": 0.01, "retry_max_delay": 0.05, **overrides})
