"""The suite's own settings (issue 16, item 5): nothing in it may flake or hang CI."""

from __future__ import annotations

import pytest
from hypothesis import settings


def test_every_hypothesis_test_runs_without_deadline_and_derandomized() -> None:
    """conftest.py's profile: the same examples on each run, no timing per example."""
    assert settings.default.deadline is None
    assert settings.default.derandomize
    assert settings.default.database is None


def test_a_hanging_test_fails_alone(request: pytest.FixtureRequest) -> None:
    """pytest-timeout ends a test that hangs (a loop reading a terminal that never
    answers) after a generous limit, so that one test fails instead of the whole run."""
    assert request.config.pluginmanager.hasplugin("timeout")
    assert float(request.config.getini("timeout")) == 300
