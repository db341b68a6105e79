"""Where start-up time and memory go, phase by phase, on a 100,000-patient demo folder.

Run: /work/venv/bin/python bench/startup_profile.py [--demo DIR] [--runs 3]

Each run is a fresh process that starts the app the way a user does (offscreen Qt):
imports, the window, then on the writer thread the folder lock, manifest, quarantine, every
table, the services, the settings and the index warm-up, then on the GUI thread each tab.
Phases are timed by wrapping the functions that do them (benchmark-only instrumentation);
the resident memory after each phase shows what each one keeps. Writes the
"startup-profile" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo_folder import (  # noqa: E402
    DEFAULT_DEMO,
    demo_folder,
    load_line,
    on_each_call,
    rss_mb,
    working_copy,
)

COMMAND = "/work/venv/bin/python bench/startup_profile.py"
PHASES: list[tuple[str, str, float, float]] = []  # (phase, thread, ms, rss MB after)


def record(phase: str, thread: str, began: float) -> None:
    PHASES.append((phase, thread, (time.perf_counter() - began) * 1000, rss_mb()))


def wrap(owner: Any, name: str, phase: str, thread: str) -> None:
    on_each_call(owner, name, lambda began: record(phase, thread, began))


def one_start(data: Path, ini: Path) -> list[tuple[str, str, float, float]]:
    began = time.perf_counter()
    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication

    import hms_desktop.services.patients as patients_service
    import hms_desktop.services.session as session_module
    import hms_desktop.ui.main_window as main_window
    import hms_desktop.ui.shell.session_controller as controller_module
    from hms_desktop.storage.lock import FolderLock
    from hms_desktop.storage.quarantine import Quarantine
    from hms_desktop.storage.store import Store
    record("Python imports (Qt, the app's modules)", "main", began)

    wrap(FolderLock, "__init__", "folder lock", "writer")
    wrap(Quarantine, "__init__", "quarantine folder", "writer")
    wrap(Store, "_verify_at_open", "manifest: every table's files checked by stat", "writer")
    table = Store.table

    def timed_table(store: Store, spec: Any) -> Any:
        if spec.name in store._tables:
            return table(store, spec)
        table_began = time.perf_counter()
        try:
            return table(store, spec)
        finally:
            record(f"table {spec.name}", "writer", table_began)

    Store.table = timed_table  # type: ignore[method-assign]
    preload = controller_module._preload_modules

    def timed_preload(names: tuple[str, ...]) -> None:
        preload_began = time.perf_counter()
        try:
            preload(names)
        finally:
            record(f"preload {' + '.join(names)}", "writer", preload_began)

    controller_module._preload_modules = timed_preload
    wrap(session_module, "build_services", "build the services", "writer")
    wrap(session_module, "load_settings", "settings file", "writer")
    wrap(session_module, "warm_up", "index warm-up, all services (in load_deferred)", "writer")
    wrap(patients_service, "build_index", "… of which the patient search index", "writer")
    original_tab = main_window.create_tab

    def timed_tab(title: str, package: str, ctx: Any) -> Any:
        tab_began = time.perf_counter()
        widget = original_tab(title, package, ctx)
        record(f"tab {title}", "GUI", tab_began)
        return widget

    main_window.create_tab = timed_tab  # type: ignore[assignment]

    app = QApplication.instance() or QApplication(sys.argv[:1])
    began = time.perf_counter()
    controller_module.import_plotting()  # as app.main does, before the window is built
    record("pyqtgraph import (app.main, before the window)", "GUI", began)
    began = time.perf_counter()
    controller = controller_module.SessionController(data, demo_if_empty=False)
    window = main_window.MainWindow(controller, qsettings=QSettings(str(ini), QSettings.Format.IniFormat),
                                    relaunch=lambda _f: None)
    window.show()
    app.processEvents()
    record("window built and shown", "GUI", began)

    loop = QEventLoop()
    controller.sig_open_failed.connect(lambda msg: (print(msg, file=sys.stderr), loop.quit()))
    opened: list[float] = []
    tabs: list[float] = []
    controller.sig_session_opened.connect(lambda _s: opened.append(time.perf_counter()))
    window.sig_tabs_created.connect(lambda: tabs.append(time.perf_counter()))
    controller.sig_tables_loaded.connect(loop.quit)  # load_deferred done: every table, every index
    began = time.perf_counter()
    controller.start()
    loop.exec()
    while not tabs:  # the tabs are created on the GUI thread; the writer may finish first
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    loaded = time.perf_counter()
    PHASES.append(("= Patients tab's tables and search index (start → session ready, writer)", "total",
                   (opened[0] - began) * 1000, 0.0))
    PHASES.append(("= window usable (start → every tab created)", "total", (tabs[0] - began) * 1000, 0.0))
    PHASES.append(("= everything (start → every table and index, in the background)", "total",
                   (max(loaded, tabs[0]) - began) * 1000, rss_mb()))
    window.close()
    window.deleteLater()
    app.processEvents()
    return PHASES


def run_child(data: Path, ini: Path) -> list[list[Any]]:
    out = subprocess.run([sys.executable, __file__, "--child", str(data), str(ini)], check=True,
                         capture_output=True, text=True, env=os.environ)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", type=Path, default=DEFAULT_DEMO)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_start(*args.child)))
        return 0
    source = demo_folder(args.demo)
    with tempfile.TemporaryDirectory(prefix="hms-startup-") as tmp:
        data = working_copy(source, Path(tmp))
        runs = [run_child(data, Path(tmp) / "ui.ini") for _ in range(args.runs)]
    print_report(args, runs)
    return 0


def print_report(args: argparse.Namespace, runs: list[list[list[Any]]]) -> None:
    order = [phase for phase, *_ in runs[0]]
    by_phase: dict[str, list[list[Any]]] = {}
    for run in runs:
        for phase, thread, ms, rss in run:
            by_phase.setdefault(phase, []).append([thread, ms, rss])
    rows = []
    previous_rss = 0.0
    for phase in dict.fromkeys(order):
        samples = by_phase[phase]
        ms = statistics.median(s[1] for s in samples)
        rss = statistics.median(s[2] for s in samples)
        grown = "" if not rss or phase.startswith(("=", "…")) else f"{rss - previous_rss:+.0f}"
        if rss and not phase.startswith("…"):
            previous_rss = rss
        rows.append(f"| {phase} | {samples[0][0]} | {ms:,.0f} | {grown} |")
    tables = sorted(((p, statistics.median(s[1] for s in v)) for p, v in by_phase.items()
                     if p.startswith("table ")), key=lambda kv: -kv[1])
    table_ms = sum(ms for _p, ms in tables)
    text = f"""## Start-up profile (issue 18, item 6)

Command: `{COMMAND} --runs {args.runs}`

The demo folder of `bench/demo_folder.py` (100,000 patients and their demo records); each
start-up in a fresh process, offscreen Qt, the phases in the order they happen; median of
{args.runs} runs; {load_line()}. "RSS +MB" is what the process's resident memory grew by
during the phase (the writer and the GUI thread overlap only while tabs are created).

| phase | thread | ms | RSS +MB |
|---|---|---|---|
{chr(10).join(rows)}

The {len(tables)} tables take {table_ms:,.0f} ms together; the five largest:
{", ".join(f"{p.removeprefix('table ')} {ms:,.0f} ms" for p, ms in tables[:5])}.

How start-up is split (issue 18, item 1):
- At open, the lock, the manifest and one `stat` per file of every table (sizes, and the
  journal's last change number from its final line) detect a lost or truncated file
  without parsing anything ("Trust I"), whether or not the table is loaded yet.
- The window is usable once `patients`, `recent_patients` and the search index are in
  memory (`open_session(defer_tables=True)`); every other table, then the schedule, record
  and duplicate-check indexes, load on the writer afterwards (`load_deferred`), with progress
  in the status bar. A tab that needs a table sooner loads it on demand, completely; a table
  never loaded is never checkpointed.
- A table whose checkpoint is unchanged loads from its rows cache (`storage/rows_cache.py`)
  without parsing; rows are held as one string each (`storage/packed_rows.py`); lookups by
  patient use sorted arrays (`storage/value_index.py`).
- Not built: reading one patient's rows through a byte-offset index per table (as
  `storage/daylog_index.py` does for day files). With the steps above the 858,136-row folder
  opens with every table and index inside the 3 s goal ("Record" above), so every table is
  still loaded whole, in the background.
"""
    print(text)
    from bench.report import write_section

    write_section("startup-profile", text)


if __name__ == "__main__":
    sys.exit(main())
