"""View ▸ Remote beds… at the nurse station: every published bed, its alarm, a silent bedside."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from pytestqt.qtbot import QtBot

from hms_desktop.storage.postgres import open_pg_store
from hms_desktop.storage.postgres.bed_board import BoardRow, BoardWriter
from hms_desktop.ui.monitor.remote_beds import COLUMNS, RemoteBedsWindow
from tests.pg_support import fresh_schema

pytestmark = pytest.mark.postgres


@pytest.fixture
def server() -> Iterator[str]:
    with fresh_schema() as url:
        open_pg_store(url, listen=False).close()  # the schema, as the first workstation makes it
        yield url


def cells(window: RemoteBedsWindow) -> list[dict[str, str]]:
    table = window.table
    return [{COLUMNS[c]: table.item(r, c).text() for c in range(table.columnCount()) if table.item(r, c)}
            for r in range(table.rowCount())]


def test_the_board_shows_each_bedside_and_flags_one_gone_silent(qtbot: QtBot, server: str) -> None:
    writer = BoardWriter(server, "ward-2-pc")
    now = datetime.now(UTC)
    writer.publish([
        BoardRow("BED01", "Bed 1", "ward-2-pc", "PAT000001", "Ada Lovelace", "streaming", 97, 72, measured_at=now),
        BoardRow("BED02", "Bed 2", "ward-2-pc", "PAT000002", "Alan Turing", "streaming", 84, 110,
                 alarm="!!! SpO₂ low", alarm_priority="high", unacknowledged=1, measured_at=now)])
    window = RemoteBedsWindow(server)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: len(cells(window)) == 2, timeout=10000)
        first, second = cells(window)
        assert (first["Bed"], first["Patient"], first["SpO₂ %"], first["PR /min"], first["Alarm"]) == (
            "Bed 1", "Ada Lovelace", "97", "72", "")
        assert second["Alarm"] == "!!! SpO₂ low" and second["Workstation"] == "ward-2-pc"
        assert window.table.item(1, 0).background().color().name() == "#ffcdd2"

        with psycopg.connect(server, autocommit=True) as conn:  # ward-2-pc stopped publishing Bed 1
            conn.execute("UPDATE bed_board SET beat_at = now() - interval '9 seconds' WHERE bed_id = 'BED01'")
        qtbot.waitUntil(lambda: cells(window)[0]["Status"] == "no data", timeout=10000)
        assert cells(window)[0]["Alarm"].startswith("⚠ Bed 1: no data from ward-2-pc for ")
        assert cells(window)[1]["Status"] == "streaming"
    finally:
        window.close()
        writer.close()
