"""Interop benchmark: FHIR bulk export of a 100,000-patient demo folder, and a 10,000-row
spreadsheet import (the original system's patients layout) with the duplicate check.

Run: /work/venv/bin/python bench/interop.py [--patients 100000] [--rows 10000] [--keep DIR]
Writes the "interop" section of docs/benchmarks.md. ``--keep DIR`` reuses (or leaves) the
demo folder there, so a second run skips the minute of demo generation.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from hms_desktop.domain.patient import age_on  # noqa: E402
from hms_desktop.interop import fhir_export  # noqa: E402
from hms_desktop.interop.fhir_export import bulk_export  # noqa: E402
from hms_desktop.interop.sheet_import import (  # noqa: E402
    Mode,
    apply_plan,
    default_options,
    plan_import,
)
from hms_desktop.interop.sheet_layouts import Kind, recognise  # noqa: E402
from hms_desktop.interop.sheet_read import read_sheet  # noqa: E402
from hms_desktop.interop.sheet_rows import DateOrder  # noqa: E402
from hms_desktop.services.demo.patients import fake_patients  # noqa: E402
from hms_desktop.services.session import close_session, open_session  # noqa: E402


def original_patients_csv(path: Path, rows: int, seed: int = 5) -> None:
    """The original system's patients.csv layout, Windows-1252, with the demo generator's
    people (a new seed: not the folder's patients); ages instead of dates of birth for half
    the rows and dd/mm/yyyy dates for the rest (a mix of both habits)."""
    rng = random.Random(seed)
    lines = ["patient_id,name,age,date_of_birth,gender,contact,email,address,blood_group,"
             "medical_history,emergency_contact_name,emergency_contact_relation,"
             "emergency_contact_phone"]
    today = date.today()
    for n, p in enumerate(fake_patients(rng, rows, today), start=1):
        age = str(age_on(p.date_of_birth, today)) if n % 2 else ""
        born = "" if n % 2 else p.date_of_birth.strftime("%d/%m/%Y")
        name = f"{p.given_name} {p.family_name}".encode("cp1252", "replace").decode("cp1252")
        lines.append(f"PAT{n:06d},{name},{age},{born},{p.sex.value.title()},{p.phone},{p.email},"
                     f"\"{p.address}\",{p.blood_group.value if p.blood_group.value != 'unknown' else ''},"
                     f",{p.emergency_name},{p.emergency_relation},{p.emergency_phone}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252", "replace"))


def ensure_demo(folder: Path, patients: int) -> float:
    if (folder / "patients.csv").exists():
        return 0.0
    started = time.perf_counter()
    close_session(open_session(folder, demo_if_empty=True, demo_patients=patients, demo_seed=1))
    return time.perf_counter() - started


def measure_import(folder: Path, source: Path) -> tuple[float, float, float, float, Any, Any]:
    """Read, check and write ``source`` into ``folder``: (read s, check s, write s, CPU s,
    plan, result)."""
    session = open_session(folder)
    try:
        _ = session.services.patients.index  # built at start-up in the app (warm_up)
        started, cpu = time.perf_counter(), time.process_time()
        sheet = read_sheet(source)
        read_s = time.perf_counter() - started
        kind = recognise(sheet.headers)
        assert kind is Kind.PATIENTS, kind
        options = default_options(sheet, kind, date_order=DateOrder.DAY_FIRST, mode=Mode.VALID_ROWS)
        started = time.perf_counter()
        plan = plan_import(sheet, options, session.services)
        plan_s = time.perf_counter() - started
        started = time.perf_counter()
        result = apply_plan(plan, session.services, rejected_path=folder.parent / "rejected.csv")
        apply_s = time.perf_counter() - started
        return read_s, plan_s, apply_s, time.process_time() - cpu, plan, result
    finally:
        close_session(session)


def import_only(args: argparse.Namespace) -> None:
    """The import into an empty folder (a clinic moving in) and into the demo folder."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "patients.csv"
        original_patients_csv(source, args.rows)
        targets = [("an empty folder", None)]
        if args.keep is not None:
            targets.append((f"the {args.patients:,}-patient demo folder", args.keep))
        for label, demo_dir in targets:
            work = Path(tmp) / f"clinic-{len(rows)}" / "data"
            if demo_dir is None:
                work.mkdir(parents=True)
            else:
                ensure_demo(demo_dir, args.patients)
                shutil.copytree(demo_dir, work, ignore=shutil.ignore_patterns(".lock"))
            read_s, plan_s, apply_s, cpu, plan, result = measure_import(work, source)
            rows.append(f"| into {label} | {read_s + plan_s + apply_s:.2f} s | {cpu:.2f} s | "
                        f"{plan_s:.2f} s | {apply_s:.2f} s | {len(plan.valid_rows):,} / "
                        f"{result.rejected:,} | ≤ 10 s {'✅' if cpu <= 10 else '❌'} |")
            print(rows[-1], file=sys.stderr)
    markdown = f"""## Interop: spreadsheet import of {args.rows:,} rows by target folder

`/work/venv/bin/python bench/interop.py --part import --rows {args.rows} --patients {args.patients} --keep DIR`
— the original system's patients layout, Windows-1252, half the rows with an age, half with a
dd/mm/yyyy date; every row through the registration rules and the duplicate check (against
the folder's patients and the file's earlier rows), valid rows written in one batch. The
machine was shared with other engineers' test runs (2 cores): CPU time is the comparable figure.

| import | wall clock | CPU time | of which check | write | imported / rejected | target |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}
"""
    print(markdown)
    write_section("interop-import", markdown)


@contextlib.contextmanager
def _validation_off() -> Iterator[None]:
    saved = fhir_export.validate
    fhir_export.validate = lambda resource: None
    try:
        yield
    finally:
        fhir_export.validate = saved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="demo folder to reuse or keep")
    parser.add_argument("--part", choices=("all", "import"), default="all",
                        help="import: only the import section, into an empty and the demo folder")
    parser.add_argument("--whole", action="store_true",
                        help="also export with --validate whole (every resource through "
                             "fhir.resources; about 20 minutes on a shared machine)")
    args = parser.parse_args()
    if args.part == "import":
        import_only(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        demo_dir = args.keep or Path(tmp) / "demo"
        generated = ensure_demo(demo_dir, args.patients)
        session = open_session(demo_dir)
        try:
            counts = {}
            checks = None
            modes = (("floor", True), ("all", False), *((("whole", True),) if args.whole else ()))
            for mode, whole in modes:
                out = Path(tmp) / f"export-{mode}"
                started, cpu = time.perf_counter(), time.process_time()
                # The floor: the same export with validation switched off here (bench only),
                # to show what the validation itself costs in the same run.
                with _validation_off() if mode == "floor" else contextlib.nullcontext():
                    result = bulk_export(session.services, out, whole=whole)
                counts[mode] = (time.perf_counter() - started, result.total,
                                time.process_time() - cpu)
                checks = checks or result.checks
                shutil.rmtree(out)
                print(f"bulk export (--validate {mode}): {counts[mode][0]:.1f} s, "
                      f"cpu {counts[mode][2]:.1f} s, {result.total:,} resources", file=sys.stderr)
            load = os.getloadavg()
            kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(result.counts.items()))
        finally:
            close_session(session)

        work = Path(tmp) / "clinic"
        shutil.copytree(demo_dir, work, ignore=shutil.ignore_patterns(".lock"))
        source = Path(tmp) / "patients.csv"
        original_patients_csv(source, args.rows)
        read_s, plan_s, apply_s, import_cpu, plan, imported = measure_import(work, source)
    total_import = read_s + plan_s + apply_s
    rejected = imported.rejected
    all_s, all_n, all_cpu = counts["all"]
    floor_s, _, floor_cpu = counts["floor"]
    assert checks is not None
    if "whole" in counts:
        whole_s, whole_n, whole_cpu = counts["whole"]
        whole_row = (f"| the same, `--validate whole`: every resource through fhir.resources "
                     f"(the reference) | {whole_s:.1f} s | {whole_cpu:.1f} s | ≤ 60 s "
                     f"{'✅' if whole_cpu <= 60 else '❌'} |")
    else:
        whole_row = ("| the same, `--validate whole` (run with `--whole`; last measured "
                     "2026-12-03 10:56 UTC at 100,000 patients) | 1133.2 s | 257.3 s | ≤ 60 s ❌ |")
    markdown = f"""## Interop (FHIR bulk export, spreadsheet import)

`/work/venv/bin/python bench/interop.py --patients {args.patients} --rows {args.rows}{' --whole' if args.whole else ''}` — demo folder of
{args.patients:,} patients with records (`demo` generator{f", generated in {generated:.0f} s" if generated else ""}).
The machine was shared with other engineers' test runs while measuring (2 cores).

Wall-clock time depends on the other jobs on the machine (load average when the export
finished, 1/5/15 min on 2 cores: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}); CPU time
(this process) is what the same run costs on an idle machine of this class, and what the
target column judges.

| measure | wall clock | CPU time | target |
|---|---|---|---|
| FHIR bulk export, every resource validated (`--validate all`, the default: structure matched to a shape fhir.resources validated whole, every value checked against its FHIR type) | {all_s:.1f} s ({all_n / all_s:,.0f} resources/s) | {all_cpu:.1f} s | ≤ 60 s {"✅" if all_cpu <= 60 else "❌"} |
{whole_row}
| the same export with validation switched off (the floor; bench only, same run) | {floor_s:.1f} s | {floor_cpu:.1f} s | |
| spreadsheet import of {args.rows:,} rows (read + check with duplicate check + write) | {total_import:.2f} s | {import_cpu:.2f} s | ≤ 10 s {"✅" if import_cpu <= 10 else "❌"} |
| — read (Windows-1252, encoding and delimiter detection) | {read_s:.2f} s | | |
| — check every row, duplicates against {args.patients:,} patients and within the file | {plan_s:.2f} s | | |
| — write through the services (one batch) | {apply_s:.2f} s | | |

Exported {all_n:,} resources: {kinds}.
Validation of the default export: {checks.shapes:,} distinct resource shapes, each validated whole by
fhir.resources when first met ({checks.unsupported_shapes} of them validated whole every time);
{checks.by_shape:,} resources by shape and per-value checks, {checks.whole:,} whole (first of
each shape, every 1000th as a cross-check). What that covers: `docs/interop.md`, "Validation".
Import: {len(plan.valid_rows):,} rows imported, {rejected:,} rejected, each with line, field and
reason (the demo generator's people are drawn from a limited set of names, so some rows are
likely duplicates of the folder's patients or of earlier rows; addresses with commas are quoted).
The import alone, into an empty and into the demo folder: `--part import` (next section).
"""
    print(markdown)
    write_section("interop", markdown)


if __name__ == "__main__":
    main()
