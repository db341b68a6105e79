"""How long the schedule demo takes to book 300 patients' appointments through the rules.

The test (tests/services/test_schedule_demo.py) checks what the demo books; this bench keeps
the time it takes (the test asserted "< 15 s" on the wall clock and failed once on a loaded
machine). Reports wall time and this process's CPU time, which moves less with load.
Run: /work/venv/bin/python bench/schedule_demo.py [--patients 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from hms_desktop.domain.patient import Patient  # noqa: E402
from hms_desktop.services.container import build_services  # noqa: E402
from hms_desktop.services.demo import schedule  # noqa: E402
from hms_desktop.storage import Store  # noqa: E402

COMMAND = "/work/venv/bin/python bench/schedule_demo.py"


def one_run(patients: int) -> tuple[float, float, int]:
    """(wall s, CPU s, appointments) for one demo schedule in a fresh folder."""
    from datetime import date, timedelta

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "data", actor="bench")
        try:
            services = build_services(store)
            services.patients.register_many(
                [Patient(given_name=f"Pat{n}", family_name="Tester", date_of_birth=date(1980, 1, 1) + timedelta(days=n))
                 for n in range(1, patients + 1)], check_phones=False)
            wall0, cpu0 = time.perf_counter(), time.process_time()
            schedule.generate(services, random.Random(7), patients=patients, progress=lambda _step, _f: None)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            return wall, cpu, len(services.scheduling.appointments.all())
        finally:
            store.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    runs = [one_run(args.patients) for _ in range(args.runs)]
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    md = "\n".join([
        "## Schedule demo (what tests/services/test_schedule_demo.py books)",
        "",
        f"Command: `{COMMAND} --patients {args.patients} --runs {args.runs}`",
        "",
        f"{runs[0][2]:,} appointments for {args.patients} patients, seed 7; {args.runs} runs, each in a fresh folder. "
        f"Machine load average {load0:.1f} at the start and {os.getloadavg()[0]:.1f} at the end on "
        f"{os.cpu_count()} cores (shared with other engineers' runs: wall time is pessimistic).",
        "",
        "| figure | median | worst |",
        "|---|---|---|",
        f"| wall time | {statistics.median(walls):.2f} s | {max(walls):.2f} s |",
        f"| CPU time (this process) | {statistics.median(cpus):.2f} s | {max(cpus):.2f} s |",
    ])
    print(md)
    if not args.no_write:
        write_section("schedule-demo", md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
