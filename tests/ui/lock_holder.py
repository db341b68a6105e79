"""The first HMS Desktop on a folder, as a real process for the read-only-window tests:
``python tests/ui/lock_holder.py DATA_DIR PORT`` opens the folder (taking its lock), records a
live monitoring session on Bed 1 with the device on PORT, prints "ready", and holds the
folder until its stdin closes."""

from __future__ import annotations

import sys
from pathlib import Path

from hms_desktop.domain.monitoring import Bed
from hms_desktop.services.bus import EventBus
from hms_desktop.services.monitoring import MonitoringService
from hms_desktop.storage import Store


def main() -> int:
    data_dir, port = Path(sys.argv[1]), sys.argv[2]
    store = Store(data_dir, actor="station.first")
    assert not store.read_only
    service = MonitoringService(store, EventBus())
    service.add_beds([Bed(id="BED01", name="Bed 1")])
    service.start_session(bed_id="BED01", patient_id="PAT000001", port=port, protocol="cms50-v7")
    print("ready", flush=True)
    sys.stdin.read()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
