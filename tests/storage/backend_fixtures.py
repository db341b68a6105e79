"""Storage fixtures (loaded with ``pytest_plugins``): ``open_backend`` runs a test on the CSV
folder and on a PostgreSQL server; ``pg_url`` is a fresh schema on the test server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

OpenStore = Callable[..., Any]


@pytest.fixture
def pg_url() -> Iterator[str]:
    from tests.pg_support import fresh_schema

    with fresh_schema() as url:
        yield url


@pytest.fixture(params=["csv", "postgresql"])
def open_backend(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[OpenStore]:
    """``open_backend(**kw)`` opens the same clinic again (a fresh store each call)."""
    # Imports inside the fixture: a conftest importing pydantic models at collection time
    # (before pytest-qt loads PySide6's import hook) breaks pydantic's lazy imports.
    from hms_desktop.storage import Store

    opened: list[Any] = []
    if request.param == "csv":
        def open_csv(**kw: Any) -> Any:
            opened.append(Store(data_dir, **kw))
            return opened[-1]
        yield open_csv
    else:
        from hms_desktop.storage.postgres import open_pg_store
        from tests.pg_support import fresh_schema

        with fresh_schema() as url:
            def open_pg(**kw: Any) -> Any:
                opened.append(open_pg_store(url, data_dir=data_dir, **kw))
                return opened[-1]
            yield open_pg
            for store in opened:
                store.close()
        return
    for store in opened:
        store.close()
