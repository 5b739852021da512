from __future__ import annotations

import pytest

from .harness import pulumi_available


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _require_pulumi_cli() -> None:
    # `make test` puts the CLI on PATH; running pytest by hand without it is a setup error,
    # so fail loudly instead of skipping.
    if not pulumi_available():
        pytest.fail("the pulumi CLI is not on PATH: run `make test`, or PATH=$(scripts/install-pulumi):$PATH")
