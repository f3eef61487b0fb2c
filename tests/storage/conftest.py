"""One repository test suite, run against SQLite and PostgreSQL (`db_url`, in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from storage import SqlPaperStore, open_store


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[SqlPaperStore]:
    opened = await open_store(db_url)
    yield opened
    await opened.close()
