"""Where memory goes when a 100,000-patient folder is open, and a paired before/after run.

Run: /work/venv/bin/python bench/open_memory.py DATA_DIR [--top 15]
     /work/venv/bin/python bench/open_memory.py DATA_DIR --against SRC OTHER_DATA_DIR [--pairs 5]

DATA_DIR is a copy of the demo folder (``bench/demo_folder.py``; opened for writing). The
first form opens it as the app does (``open_session(defer_tables=True)``, one search, then
``load_deferred``) in a fresh process under ``tracemalloc`` and prints the largest holders by
file and line. The second alternates fresh processes of this checkout on DATA_DIR and of the
checkout at SRC (e.g. ``git archive <commit> | tar -x -C SRC``) on OTHER_DATA_DIR, so both see
the same load on a shared machine, and prints the medians of CPU time and RSS (usable Patients
tab, then everything loaded). Each folder is opened once first so its rows cache is current.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time, tracemalloc
from pathlib import Path
def rss():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20
from hms_desktop.services.session import close_session, load_deferred, open_session
top = int(sys.argv[2])
if top:
    tracemalloc.start()
cpu = time.process_time()
session = open_session(Path(sys.argv[1]), defer_tables=True)
assert session.services.patients.search("smith")
usable, usable_rss = time.process_time() - cpu, rss()
load_deferred(session)
out = {"usable": usable, "usable_rss": usable_rss, "all": time.process_time() - cpu, "all_rss": rss()}
if top:
    out["heap_mib"] = tracemalloc.get_traced_memory()[0] / 2**20
    stats = tracemalloc.take_snapshot().statistics("lineno")[:top]
    out["top"] = [(s.size / 2**20, s.count, str(s.traceback)) for s in stats]
close_session(session)
print(json.dumps(out))
"""


def child(src: Path, folder: Path, top: int = 0) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(top)], cwd=src, check=True,
                         capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(src), "QT_QPA_PLATFORM": "offscreen"})
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--against", nargs=2, type=Path, metavar=("SRC", "OTHER_DATA_DIR"))
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    if args.against is None:
        child(ROOT, args.data)  # the rows caches current, as after any close
        traced = child(ROOT, args.data, args.top)
        print(f"Python heap held {traced['heap_mib']:.0f} MiB; the largest holders (MiB, blocks, where):")
        for size, count, where in traced["top"]:  # type: ignore[attr-defined]
            print(f"| {size:.1f} | {count:,} | {where.replace(str(ROOT) + '/', '')} |")
        return
    sides = {"this checkout": (ROOT, args.data), str(args.against[0]): tuple(args.against)}
    for src, folder in sides.values():
        child(Path(src), Path(folder))
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in sides}
    for _ in range(args.pairs):
        for name, (src, folder) in sides.items():
            runs[name].append(child(Path(src), Path(folder)))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians of {args.pairs}")
    for name, results in runs.items():
        def median(key: str, results: list[dict[str, object]] = results) -> float:
            return statistics.median(float(r[key]) for r in results)  # type: ignore[arg-type]
        print(f"{name}: usable {median('usable'):.2f} s CPU, {median('usable_rss'):.0f} MB; "
              f"everything {median('all'):.2f} s CPU, {median('all_rss'):.0f} MB")


if __name__ == "__main__":
    main()
