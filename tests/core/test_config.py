"""Settings: stack config first, then the environment, then the one set of defaults."""

from __future__ import annotations

import pytest

from pulumi_voiceos.core.config import STACK_CONFIG_KEYS, Settings, resolve_settings
from pulumi_voiceos.errors import ConfigurationError, MissingTokenError

TOKEN = "SENTINEL-CONFIG-TOKEN-1b2c"


def test_defaults_come_from_settings_alone() -> None:
    settings = resolve_settings({}, {"VOICEOS_API_TOKEN": TOKEN})
    assert settings == Settings("https://api.voiceos.io", TOKEN)
    assert TOKEN not in repr(settings)


def test_stack_config_wins_over_the_environment() -> None:
    settings = resolve_settings(
        {"voiceos:maxAttempts": "2", "voiceos:apiToken": TOKEN},
        {"VOICEOS_MAX_ATTEMPTS": "9", "VOICEOS_API_TOKEN": "from-env"},
    )
    assert (settings.max_attempts, settings.api_token) == (2, TOKEN)


def test_every_stack_config_key_is_read() -> None:
    config = dict.fromkeys(STACK_CONFIG_KEYS, "3")
    config.update({"voiceos:apiToken": TOKEN, "voiceos:apiUrl": "http://127.0.0.1:1", "voiceos:rateLimitShare": "0.3"})
    settings = resolve_settings(config, {})
    assert (settings.request_timeout, settings.max_attempts, settings.max_retry_seconds) == (3.0, 3, 3.0)
    assert (settings.max_requests_per_second, settings.rate_limit_share) == (3.0, 0.3)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("voiceos:maxAttempts", "inf", "finite"),
        ("voiceos:maxAttempts", "nan", "finite"),
        ("voiceos:maxAttempts", "2.5", "whole number"),
        ("voiceos:maxAttempts", "0", "at least 1"),
        ("voiceos:requestTimeout", "nan", "finite"),
        ("voiceos:requestTimeout", "-inf", "finite"),
        ("voiceos:requestTimeout", "soon", "must be a number"),
        ("voiceos:maxRetrySeconds", "inf", "finite"),
        ("voiceos:maxRequestsPerSecond", "0", "more than 0"),
        ("voiceos:maxRequestsPerSecond", "fast", "must be a number"),
        ("voiceos:rateLimitShare", "0", "more than 0"),
        ("voiceos:rateLimitShare", "1.5", "at most 1"),
        ("voiceos:rateLimitShare", "half", "must be a number"),
    ],
)
def test_bad_numbers_are_refused_naming_the_key_and_the_fix(key: str, value: str, words: str) -> None:
    with pytest.raises(ConfigurationError) as exc:
        resolve_settings({key: value, "voiceos:apiToken": TOKEN}, {})
    message = str(exc.value)
    assert words in message and key in message and "set " in message
    assert TOKEN not in message


def test_the_budget_is_unset_by_default_and_read_from_the_environment_too() -> None:
    assert (Settings.max_requests_per_second, Settings.rate_limit_share) == (None, 1.0)
    env = {"VOICEOS_API_TOKEN": TOKEN, "VOICEOS_MAX_REQUESTS_PER_SECOND": "12.5", "VOICEOS_RATE_LIMIT_SHARE": "0.25"}
    settings = resolve_settings({}, env)
    assert (settings.max_requests_per_second, settings.rate_limit_share) == (12.5, 0.25)


def test_a_bad_budget_says_which_setting_and_an_example_value() -> None:
    with pytest.raises(ConfigurationError) as exc:
        resolve_settings({"voiceos:apiToken": TOKEN}, {"VOICEOS_RATE_LIMIT_SHARE": "2"})
    assert str(exc.value) == (
        "voiceos:rateLimitShare must be at most 1, got '2'; set voiceos:rateLimitShare (or VOICEOS_RATE_LIMIT_SHARE) "
        "to e.g. 0.5"
    )


def test_whole_float_attempts_are_accepted() -> None:
    assert resolve_settings({}, {"VOICEOS_API_TOKEN": TOKEN, "VOICEOS_MAX_ATTEMPTS": "3.0"}).max_attempts == 3


def test_a_missing_token_is_told_apart_by_its_type_and_says_both_ways_to_set_it() -> None:
    with pytest.raises(MissingTokenError) as raised:
        resolve_settings({"voiceos:apiUrl": "https://api.voiceos.example"}, {})
    assert isinstance(raised.value, ConfigurationError)
    assert "voiceos:apiToken" in str(raised.value) and "VOICEOS_API_TOKEN" in str(raised.value)


def test_a_plain_http_url_is_a_configuration_error_but_not_a_missing_token() -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_settings({"voiceos:apiToken": TOKEN, "voiceos:apiUrl": "http://api.voiceos.example"}, {})
    assert not isinstance(raised.value, MissingTokenError)
    assert "API token" in str(raised.value)  # why text-sniffing for "token" could not tell the two apart
