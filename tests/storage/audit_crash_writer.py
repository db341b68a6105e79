"""Child process for the audit-chain crash test: saves a few changes, then is killed with
SIGKILL exactly between an audit entry and the lines it records ("before": none of the line
written; "torn": half of it), in a journal or a day file.

The kill is real (the process dies in that instant, the OS keeps what it wrote); the hook
only chooses the moment: it wraps ``AuditChain.record``, which runs just before the append.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from hms_desktop.domain.accounts import AccessEvent
from hms_desktop.storage import Store
from hms_desktop.storage.audit_chain import AuditChain
from tests.storage.models import THINGS, Thing

folder, target, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
store = Store(folder)
table = store.table(THINGS)
access = store.day_log("access", AccessEvent)
for k in range(5):
    print(table.insert(Thing(name=f"saved {k}", born=date(1990, 1, 1))).id, flush=True)
    access.append([AccessEvent(at=datetime.now(UTC), user="ann", action="opened record", patient_id=f"P{k}")])

original = AuditChain.record


def record_then_die(chain: AuditChain, path: Path, data: bytes, *, new: bool = False) -> int:
    n = original(chain, path, data, new=new)
    if mode == "torn":
        with open(path, "ab") as handle:
            handle.write(data[: len(data) // 2])
    os.kill(os.getpid(), signal.SIGKILL)
    return n


AuditChain.record = record_then_die  # type: ignore[method-assign]
if target == "journal":
    table.insert_many([Thing(name=f"never saved {k}", born=date(1990, 1, 1)) for k in range(3)])
else:
    access.append([AccessEvent(at=datetime.now(UTC), user="ann", action="opened record", patient_id="PX")])
print("not killed", flush=True)
