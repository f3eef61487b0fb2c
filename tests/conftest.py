"""Shared test fixtures.

The network guard lives in pyproject's pytest `addopts` (pytest-socket `--allow-hosts`): any
connection to an address other than loopback fails the test that tried it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OWN_FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("PAPERBOY_SHARED_DIR") or ROOT.parent / "shared")


def shared_dir(name: str) -> Path:
    """A folder of ../shared (beside the project in CI, absent in a user's clone).

    Skips with the reason when absent, unless PAPERBOY_REQUIRE_SHARED_FIXTURES is set (as
    .ci/run does), where its absence is a failure.
    """
    path = SHARED / name
    if path.is_dir():
        return path
    message = f"{path} is absent: the recorded real responses sit beside the project only in CI"
    if os.environ.get("PAPERBOY_REQUIRE_SHARED_FIXTURES"):
        pytest.fail(f"{message}, and PAPERBOY_REQUIRE_SHARED_FIXTURES says they must be there")
    pytest.skip(message)


@pytest.fixture
def sources_dir() -> Path:
    return shared_dir("fixtures/sources")


@pytest.fixture
def own() -> Path:
    return OWN_FIXTURES
