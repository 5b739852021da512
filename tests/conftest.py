"""Shared fixtures: one real emulator on loopback per session, a fresh number per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_voiceos.client import VoiceOSClient
from pulumi_voiceos.config import Settings
from pulumi_voiceos.deployment import new_deployment
from pulumi_voiceos.dynamic.provider import PhoneNumberBindingProvider
from pulumi_voiceos.emulator.process import EmulatorProcess

API_TOKEN = "SENTINEL-API-TOKEN-7f3a9c"
CARRIER_TOKEN = "SENTINEL-CARRIER-TOKEN-51be02"
AGENTS = ("agent_support", "agent_sales", "agent_billing")

_numbers = itertools.count(1000)


def quick_settings(url: str, **overrides: Any) -> Settings:
    """Settings with retries a few milliseconds apart, so retry tests take no time."""
    return Settings(url, API_TOKEN, **{"retry_base_delay": 0.01, "retry_max_delay": 0.05, **overrides})


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    db = Path(tmp_path_factory.mktemp("emulator")) / "voiceos.db"
    with EmulatorProcess(db_path=db, token=API_TOKEN, agents=list(AGENTS)) as process:
        yield process


@pytest.fixture
def api(emulator: EmulatorProcess) -> EmulatorProcess:
    """The session emulator with faults, latency, rate limits and the request log cleared."""
    emulator.reset()
    return emulator


@pytest.fixture
def number(api: EmulatorProcess) -> str:
    """A number that exists in the account, unbound, with a known carrier token."""
    phone_number = f"+1415555{next(_numbers):04d}"
    api.seed_number(phone_number, auth_token=CARRIER_TOKEN)
    api.clear_requests()
    return phone_number


@pytest.fixture
def client(api: EmulatorProcess) -> Iterator[VoiceOSClient]:
    with VoiceOSClient(quick_settings(api.url)) as c:
        yield c


@pytest.fixture
def provider(api: EmulatorProcess) -> PhoneNumberBindingProvider:
    """A provider configured as the engine does, from stack config, in a fresh deployment (no claims)."""
    new_deployment()
    instance = PhoneNumberBindingProvider()
    instance.configure(
        ConfigureRequest(Config({"voiceos:apiToken": API_TOKEN, "voiceos:apiUrl": api.url}, "test-project"))
    )
    return instance
