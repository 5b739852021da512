"""The pytest plugin, as a user meets it: test files of their own, run by pytest in a new process.

The plugin comes in through the ``pytest11`` entry point of the installed
package, so each run here is a plain ``pytest`` in a subprocess with nothing
but the user's files.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USES_THE_API = """
import os

import httpx
import pytest

from pulumi_voiceos.api.client import VoiceOSClient
from pulumi_voiceos.core.config import resolve_settings
from pulumi_voiceos.errors import VoiceOSError
from pulumi_voiceos.testing import binding

N1 = "+14155550101"
HOOK = {"events": ["phone_call:connection_requested"], "url": "https://hooks.example.com/a"}


def client():
    return VoiceOSClient(resolve_settings({}))


def get(http, api, number):
    return http.get(f"{api.url}/phone_numbers/{number}", headers={"Authorization": f"Bearer {api.token}"})


def test_the_provider_settings_point_at_the_emulator(voiceos_api):
    assert os.environ["VOICEOS_API_URL"] == voiceos_api.url
    assert os.environ["VOICEOS_API_TOKEN"] == voiceos_api.token
    assert voiceos_api.url.startswith("http://127.0.0.1:")


def test_seed_live_rebind_and_the_request_log(voiceos_api):
    voiceos_api.seed(N1, inbound_agent_id="agent_support", webhooks=[HOOK])
    assert voiceos_api.live(N1) == binding("agent_support", [HOOK])
    assert voiceos_api.requests() == []  # seeding and reading back are controls, not API requests
    assert client().get_phone_number(N1).inbound_agent_id == "agent_support"
    [request] = voiceos_api.requests()
    assert (request.method, request.phone_number, request.status) == ("GET", N1, 200)
    voiceos_api.rebind(N1, inbound_agent_id="agent_sales")
    assert voiceos_api.live(N1) == binding("agent_sales", [HOOK])  # what was not given stays
    voiceos_api.rebind(N1, webhooks=[])
    assert voiceos_api.live(N1) == binding("agent_sales")
    with pytest.raises(KeyError, match="seed"):
        voiceos_api.rebind("+14155550199", inbound_agent_id="agent_sales")
    assert voiceos_api.live("+14155550199") is None


def test_faults_latency_and_rate_limits(voiceos_api):
    voiceos_api.seed(N1)
    voiceos_api.fail(404, number=N1, permanent=True)
    with pytest.raises(VoiceOSError):
        client().get_phone_number(N1)
    voiceos_api.reset()
    voiceos_api.latency(300)
    with httpx.Client() as http:
        answer = get(http, voiceos_api, N1)
        assert answer.status_code == 200 and answer.elapsed.total_seconds() >= 0.3
        voiceos_api.latency(0)
        voiceos_api.rate_limit(1, burst=1)
        statuses = [get(http, voiceos_api, N1).status_code for _ in range(3)]
    assert statuses[0] == 200 and 429 in statuses[1:]
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's shell: the provider's settings point elsewhere (the fixture must put them back)."""
    monkeypatch.setenv("VOICEOS_API_URL", "https://api.voiceos.example")
    monkeypatch.setenv("VOICEOS_API_TOKEN", "the-users-own-token")


def test_the_fixture_runs_an_emulator_the_provider_talks_to_and_every_control_works(
    pytester: pytest.Pytester, clean_env: None
) -> None:
    pytester.makepyfile(test_api=USES_THE_API)
    run(pytester).assert_outcomes(passed=3)


def test_the_environment_is_put_back_after_each_test(pytester: pytest.Pytester, clean_env: None) -> None:
    pytester.makepyfile(
        test_env="""
        import os

        def test_a_uses_the_fixture(voiceos_api):
            assert os.environ["VOICEOS_API_URL"] == voiceos_api.url

        def test_b_runs_after_it_without_the_fixture():
            assert os.environ["VOICEOS_API_URL"] == "https://api.voiceos.example"
            assert os.environ["VOICEOS_API_TOKEN"] == "the-users-own-token"
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_each_test_gets_its_own_emulator_by_default_and_it_is_stopped_by_its_pid(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    seen = tmp_path / "seen.txt"
    pytester.makepyfile(
        test_scope=f"""
        def test_one(voiceos_api):
            voiceos_api.seed("+14155550101")
            with open({str(seen)!r}, "a") as out:
                out.write(f"{{voiceos_api.url}} {{voiceos_api.pid}}\\n")

        def test_two(voiceos_api):
            assert voiceos_api.live("+14155550101") is None  # a fresh account
            with open({str(seen)!r}, "a") as out:
                out.write(f"{{voiceos_api.url}} {{voiceos_api.pid}}\\n")
        """
    )
    run(pytester).assert_outcomes(passed=2)
    rows = [line.split() for line in seen.read_text().splitlines()]
    assert len({url for url, _ in rows}) == 2
    for _, pid in rows:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)


def test_the_ini_option_shares_one_emulator_across_a_module(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nvoiceos_api_scope = module\n")
    pytester.makepyfile(
        test_shared="""
        def test_one(voiceos_api):
            voiceos_api.seed("+14155550101", inbound_agent_id="agent_support")

        def test_two(voiceos_api):
            assert voiceos_api.live("+14155550101") is not None  # the same account as test_one's
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_a_scope_that_does_not_exist_is_a_usage_error_naming_the_option(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nvoiceos_api_scope = forever\n")
    pytester.makepyfile(test_bad="def test_one(voiceos_api):\n    pass\n")
    result = run(pytester)
    assert result.ret != 0
    assert "voiceos_api_scope = 'forever': use function, class, module, package or session" in str(result.stdout) + str(
        result.stderr
    )


def test_tests_that_run_a_stack_carry_a_marker_so_the_quick_ones_run_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marks="""
        def test_quick(voiceos_api):
            pass

        def test_through_the_cli(pulumi_stack):
            raise AssertionError("deselected: it must not run")
        """
    )
    result = run(pytester, "-m", "not voiceos_integration", "--strict-markers")
    result.assert_outcomes(passed=1, deselected=1)


def test_pulumi_stack_without_the_cli_on_path_fails_saying_so(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    pytester.makepyfile(test_cli="def test_one(pulumi_stack):\n    pass\n")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*pulumi_stack runs the Pulumi CLI, which is not on PATH*"])


SHADOW_UVICORN = """raise ModuleNotFoundError("No module named 'uvicorn'", name="uvicorn")\n"""


def without_the_extra(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """As after a plain ``pip install pulumi-voiceos``: importing uvicorn fails."""
    shadow = pytester.mkdir("no-extra")
    (shadow / "uvicorn.py").write_text(SHADOW_UVICORN)
    monkeypatch.setenv("PYTHONPATH", str(shadow))


def test_without_the_emulator_extra_the_fixture_fails_with_the_install_command(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_the_extra(pytester, monkeypatch)
    pytester.makepyfile(test_extra="def test_one(voiceos_api):\n    pass\n")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the voiceos_api fixture needs the emulator extra*pulumi-voiceos[[]emulator[]]*"])
    assert "Traceback" not in str(result.stdout)


def test_without_the_emulator_extra_the_emulator_command_says_what_to_install(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_the_extra(pytester, monkeypatch)
    script = Path(sys.executable).parent / "voiceos-emulator"
    result = pytester.run(str(script), "--port", "0")
    assert result.ret == 2
    assert str(result.stderr).strip() == textwrap.dedent(
        """\
        error: voiceos-emulator needs the emulator extra of pulumi-voiceos (uvicorn not installed): \
pip install 'pulumi-voiceos[emulator]'"""
    )
    assert result.stdout.str() == ""
