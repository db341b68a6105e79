"""The care demo generator goes through the services and leaves every list with content."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hms_desktop.services.container import build_services
from hms_desktop.services.demo import care
from hms_desktop.storage import Store


@pytest.mark.slow
def test_generate_fills_every_care_area(data_dir: Path) -> None:
    store = Store(data_dir)
    try:
        services = build_services(store)
        steps: list[str] = []
        care.generate(services, random.Random(7), patients=400,
                      progress=lambda step, f: steps.append(step))
        assert steps[0] == "care: observations" and steps[-1] == "care"
        assert services.observations.list_for("PAT000001")
        assert services.chronic.enrolment_for("PAT000003") is not None
        assert services.chronic.readings_for("PAT000003")
        today = datetime.now(UTC).date()
        assert len(services.referrals.search(today)) == 10
        assert services.wearables.readings_for("PAT000001", today - timedelta(days=14), today)
    finally:
        store.close()
    # Everything written is valid on reload: nothing quarantined.
    again = Store(data_dir)
    try:
        build_services(again).observations.list_for("PAT000001")
        assert again.quarantine == []
    finally:
        again.close()
