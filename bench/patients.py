"""Patients benchmark at 100,000 patients: search as you type, duplicates, registration, list.

Run: /work/venv/bin/python bench/patients.py [--patients 100000]
Writes the "patients" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt  # noqa: E402

from bench.report import write_section  # noqa: E402
from bench.stats import pct, timed  # noqa: E402
from hms_desktop.domain.duplicates import Identity  # noqa: E402
from hms_desktop.services.container import build_services  # noqa: E402
from hms_desktop.services.demo import patients as demo  # noqa: E402
from hms_desktop.storage import Store  # noqa: E402
from hms_desktop.storage.patients import build_index  # noqa: E402
from hms_desktop.ui.patients.table_model import PatientTableModel  # noqa: E402
from tests.domain.test_patients_duplicates import variant  # noqa: E402 - the labelled set's mistakes

QUERIES = ("smith jo", "garcía maría", "nguyen", "o'brien", "07400 1", "1984-03", "pat00123", "zoe")


def row(name: str, samples: list[float], target: str = "") -> str:
    return (f"| {name} | {len(samples)} | {pct(samples, 50):.2f} | {pct(samples, 95):.2f} | "
            f"{max(samples):.2f} | {target} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    args = parser.parse_args()
    n = args.patients
    _app = QCoreApplication.instance() or QCoreApplication([])
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "data", actor="bench")
        services = build_services(store)
        service = services.patients
        t0 = time.perf_counter()
        demo.generate(services, random.Random(1), patients=n, progress=lambda *_: None)
        generate_s = time.perf_counter() - t0
        store.close()

        t0 = time.perf_counter()
        store = Store(Path(tmp) / "data", actor="bench")
        services = build_services(store)
        service = services.patients
        open_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        index = service.index
        index_s = time.perf_counter() - t0
        tracemalloc.start()  # a second build, only to measure its memory (tracing slows it down)
        extra = build_index(service.table)
        index_mb = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        del extra
        gc.collect()
        index.duplicates(Identity("warm", "up"))  # builds the phonetic blocking table once

        # Search as you type: every prefix of each query, search + model update, as the tab does.
        model = PatientTableModel(index)
        search_ms: list[float] = []
        sorted_ms: list[float] = []
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                text = query[:end]
                search_ms.append(timed(lambda t=text: model.set_rows(index.search(t))))
        model.sort(1, Qt.SortOrder.AscendingOrder)  # by family name
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                text = query[:end]
                sorted_ms.append(timed(lambda t=text: model.set_rows(index.search(t))))
        empty_ms = [timed(lambda: model.set_rows(index.search(""))) for _ in range(10)]

        # Duplicate check while typing a registration, keystroke by keystroke.
        rng = random.Random(9)
        dup_ms: list[float] = []
        for person in demo.fake_patients(rng, 40, date(2026, 11, 25)):
            given, family = person.given_name, person.family_name
            for end in range(2, len(family) + 1):
                probe = Identity(given, family[:end])
                dup_ms.append(timed(lambda p=probe: service.duplicates(p)))
            probe = Identity(given, family, person.date_of_birth, person.phone)
            dup_ms.append(timed(lambda p=probe: service.duplicates(p)))

        # Duplicate detection quality at full size: re-registrations of existing patients with
        # the mistakes of the labelled test set (typos, swapped day/month, transposed names).
        found = false_alarms = 0
        sample = random.Random(5).sample(range(len(index)), 300)
        for position in sample:
            source = index.cols["id"][position]
            matches = service.duplicates(variant(rng, index.identity(position)))
            found += any(m.id == source for m in matches)
            false_alarms += sum(m.id != source for m in matches)
        recall = found / len(sample)
        precision = found / max(1, found + false_alarms)

        # Registration: one durable insert each (fsync), duplicate check included.
        reg_ms: list[float] = []
        for person in demo.fake_patients(random.Random(21), 200, date(2026, 11, 25)):
            confirmed = [m.id for m in service.duplicates(person)]
            person = person.model_copy(update={"confirmed_not_duplicate_of": confirmed})
            reg_ms.append(timed(lambda p=person: service.register(p)))

        # List scrolling: a page of 40 rows x 7 columns of display text, at random places.
        model.set_rows(index.search(""))
        scroll_ms: list[float] = []
        root = QModelIndex()
        for _ in range(300):
            top = rng.randrange(max(1, model.rowCount() - 40))
            scroll_ms.append(timed(lambda top=top: [
                model.data(model.index(r, c, root)) for r in range(top, top + 40) for c in range(7)]))
        rows_kb = model._rows.nbytes / 1024
        store.close()

    lines += [
        f"Command: `/work/venv/bin/python bench/patients.py --patients {n}`",
        "",
        f"- {n:,} demo patients generated and saved in {generate_s:.1f} s; store opened in {open_s:.1f} s; "
        f"search index built in {index_s:.2f} s, holding {index_mb:.0f} MiB (Python heap, tracemalloc).",
        f"- Duplicate detection on 300 re-registrations (typos, swapped day/month, transposed names, "
        f"a digit off; one or two mistakes each) against all {n:,}: recall {recall:.3f}, "
        f"precision {precision:.3f} (a match counts as found when the source record is among those shown). "
        "Blocking on the birth date's slips with the names compared in C (issue 18) returns exactly what "
        "scoring every patient would (tests/storage/test_duplicate_blocking.py), so these figures are the "
        "scorer's own: the code before that change gives the same on the same data (0.973 / 0.990 on "
        "2026-12-03; the 0.990 / 0.997 printed here earlier came from older demo data).",
        f"- List model memory: {rows_kb:.0f} KiB for all {model.rowCount():,} rows "
        "(an int64 row-position array; cells are read from the index on demand).",
        "",
        "| operation | samples | p50 ms | p95 ms | max ms | target |",
        "|---|---|---|---|---|---|",
        row("keystroke → list updated (search + model reset)", search_ms, "p95 ≤ 16 ms"),
        row("same, list sorted by family name", sorted_ms, "p95 ≤ 16 ms"),
        row("empty box → every patient listed", empty_ms),
        row("duplicate check while typing", dup_ms, "p95 ≤ 50 ms"),
        row("register one patient (fsync, duplicate check)", reg_ms),
        row("scroll: one page, 40 rows × 7 cells", scroll_ms, "≤ 16 ms"),
        "",
        f"Queries typed one character at a time: {', '.join(repr(q) for q in QUERIES)}.",
        "Single slow samples (max column) are probably pauses of Python's cyclic garbage collector,",
        "not confirmed per sample: in a separate script holding 100,000 patient models plus the index,",
        "one full collection took ~0.6 s, and ~0.3 ms after `gc.freeze()`. Machine shared with other",
        f"jobs while measuring (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores).",
    ]
    text = "\n".join(lines)
    print(text)
    write_section("patients", text)


if __name__ == "__main__":
    main()
