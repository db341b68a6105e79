"""Open-to-usable profile at 100,000 patients: everything vs the Patients tab's own needs.

Run: /work/venv/bin/python bench/lazy_open.py DATA_DIR   (a demo folder, e.g. made by
``python -m hms_desktop demo --data-dir DATA_DIR --patients 100000``; it is opened for writing,
so use a copy). Each figure is a fresh process:
- ``all``: ``open_session`` as the command line does (every table loaded, every index built);
- ``patients``: only what the Patients tab needs (the patients tables and the search index),
  then one search: the floor a lazy start-up can reach before record tables load;
- ``deferred``: the app's start-up (``open_session(defer_tables=True)``, one search: the
  Patients tab is usable), then ``load_deferred`` as the writer runs it behind the window;
- per table: load time and Python heap held (tracemalloc), to show what lazy loading defers.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = 3


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(mode: str, folder: Path, trace: bool) -> dict[str, object]:
    from hms_desktop.services.bus import EventBus
    from hms_desktop.services.patients import PatientService
    from hms_desktop.services.session import close_session, open_session
    from hms_desktop.storage.registry import all_tables

    if trace:
        tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    result: dict[str, object] = {}
    if mode == "all":
        session = open_session(folder)
        assert session.services.patients.search("smith")
        result["seconds"] = time.perf_counter() - start
        store = session.store
    elif mode == "deferred":  # what the app does now: usable first, the rest on the writer
        from hms_desktop.services.session import load_deferred

        session = open_session(folder, defer_tables=True)
        assert session.services.patients.search("smith")
        result["seconds"], result["cpu_usable"] = time.perf_counter() - start, time.process_time() - cpu
        result["rss_usable_mb"] = _rss_mb()
        load_deferred(session)
        result["all_seconds"] = time.perf_counter() - start
        store = session.store
    elif mode == "patients":
        from hms_desktop.services.backup.upgrade import open_store
        from hms_desktop.services.gc_pause import cyclic_gc_paused

        store = open_store(folder)
        with cyclic_gc_paused():  # as open_session does
            service = PatientService(store, EventBus())
            _ = service.index
        assert service.search("smith")
        result["seconds"] = time.perf_counter() - start
    else:  # per table
        from hms_desktop.services.backup.upgrade import open_store

        store = open_store(folder)
        tables: dict[str, tuple[float, float, int]] = {}
        for spec in all_tables():
            before = tracemalloc.get_traced_memory()[0] if trace else 0
            began = time.perf_counter()
            rows = len(store.table(spec))
            held = (tracemalloc.get_traced_memory()[0] - before) / 2**20 if trace else 0.0
            tables[spec.name] = (time.perf_counter() - began, held, rows)
        result["tables"] = tables
    result["cpu"] = time.process_time() - cpu
    result["rss_mb"] = _rss_mb()
    if trace:
        result["heap_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
    if mode in ("all", "deferred"):
        close_session(session)
    else:
        store.close()
    return result


def run(mode: str, folder: Path, trace: bool) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(folder), str(int(trace))], cwd=ROOT,
                         check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(folder: Path) -> None:
    from bench.report import write_section

    load = os.getloadavg()[0]
    rows = []
    for mode, label in (("all", "open_session, every table + search index (the CLI's way), one search"),
                        ("patients", "Patients tab only: patients tables + search index, one search"),
                        ("deferred", "the app's start-up: `open_session(defer_tables=True)` to a search result")):
        plain = [run(mode, folder, False) for _ in range(RUNS)]

        def median(key: str, runs: list[dict[str, object]] = plain) -> float:
            return statistics.median(float(p[key]) for p in runs)  # type: ignore[arg-type]

        rss = max(float(p["rss_usable_mb" if mode == "deferred" else "rss_mb"]) for p in plain)  # type: ignore[arg-type]
        traced = run(mode, folder, True)
        heap = f"{traced['heap_mb']:.0f} MiB" if mode != "deferred" else "—"
        rows.append(f"| {label} | {median('seconds'):.2f} s | "
                    f"{median('cpu_usable' if mode == 'deferred' else 'cpu'):.2f} s | {heap} | {rss:.0f} MB |")
        if mode == "deferred":
            rows.append(f"| … then `load_deferred` on the writer: every table loaded, every index built | "
                        f"{median('all_seconds'):.2f} s | {median('cpu'):.2f} s | {traced['heap_mb']:.0f} MiB | "
                        f"{max(float(p['rss_mb']) for p in plain):.0f} MB |")  # type: ignore[arg-type]
    tables: dict[str, list[float]] = run("tables", folder, True)["tables"]  # type: ignore[assignment]
    per_table = sorted(tables.items(), key=lambda item: -item[1][0])
    table_rows = [f"| {name} | {int(rows_):,} | {sec * 1000:.0f} ms | {held:.1f} MiB |"
                  for name, (sec, held, rows_) in per_table[:12]]
    markdown = "\n".join([
        "## Open to usable, lazy-loading profile (issue 18 item 1)",
        "",
        f"`/work/venv/bin/python bench/lazy_open.py DATA_DIR` on a copy of a 100,000-patient demo folder "
        f"(`python -m hms_desktop demo --data-dir DATA_DIR --patients 100000`); fresh process per figure, "
        f"time is the median of {RUNS}; load average {load:.1f} on 2 cores when it started "
        f"({'a shared machine: other engineers' + chr(39) + ' tests were running' if load >= 1.0 else 'a quiet machine'}).",
        "",
        "| what is opened | open to a search result (wall) | CPU time (process_time) | Python heap (tracemalloc) | RSS |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "Per table, loaded one after the other with tracemalloc on (times inflated by tracing), the twelve slowest:",
        "",
        "| table | rows | load | heap held |",
        "|---|---|---|---|",
        *table_rows,
    ])
    write_section("lazy_open", markdown)
    print(markdown)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2], Path(sys.argv[3]), sys.argv[4] == "1")))
    else:
        main(Path(sys.argv[1]))
