"""Storage engine at 100,000 patients against the original system's approach.

Run: python bench/storage.py [--patients 100000]

The baseline does what the original backend did for every registration: pandas reads the
whole CSV, appends one row and writes the whole file back (we add an fsync so both sides
pay for durability). Each measured phase runs in a fresh process so "cold open" and peak
memory are honest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import BaseModel  # noqa: E402

from hms_desktop.storage import Store, TableSpec  # noqa: E402


class BenchPatient(BaseModel):
    """Shaped like the Patients table (same column count and kinds), so the bench stands alone."""

    id: str = ""
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    phone: str
    email: str | None = None
    address: str = ""
    blood_group: str = "unknown"
    emergency_name: str = ""
    emergency_relation: str = ""
    emergency_phone: str = ""
    history_summary: str = ""
    other_identifier: str = ""
    status: str = "active"
    deceased_on: date | None = None


SPEC = TableSpec(name="patients", model=BenchPatient, id_prefix="PAT")
GIVEN = ["Amelia", "Oliver", "Zoë", "José", "Fatima", "Wei", "Chloé", "Noah", "Aisha", "Liam", "Søren", "Priya"]
FAMILY = ["Smith", "Jones", "Müller", "García", "O'Brien", "Nguyen", "Khan", "Kowalski", "Dubois", "Rossi"]


def make(rng: random.Random) -> BenchPatient:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    return BenchPatient(
        given_name=given, family_name=family,
        date_of_birth=date(rng.randint(1930, 2024), rng.randint(1, 12), rng.randint(1, 28)),
        sex=rng.choice(["male", "female"]), phone=f"+4477009{rng.randint(0, 99999):05d}",
        email=f"{given.lower()}.{family.lower()}@example.org", address=f"{rng.randint(1, 200)} High Street, Leeds",
        emergency_name="Sam " + family, emergency_relation="spouse", emergency_phone="+447700900123",
        history_summary="Hypertension, on ramipril. Penicillin allergy (rash).",
    )


def build(folder: Path, n: int) -> None:
    rng = random.Random(1)
    store = Store(folder)
    table = store.table(SPEC)
    for start in range(0, n, 10_000):
        table.insert_many([make(rng) for _ in range(min(10_000, n - start))])
    store.close()


def measure_engine(folder: Path) -> dict[str, float]:
    import resource

    rng = random.Random(2)
    t0, cpu0 = time.perf_counter(), time.process_time()
    store = Store(folder)
    table = store.table(SPEC)
    cold_open = time.perf_counter() - t0
    cold_open_cpu = time.process_time() - cpu0
    register, amend = [], []
    for _ in range(1000):
        patient = make(rng)
        t = time.perf_counter()
        saved = table.insert(patient)
        register.append(time.perf_counter() - t)
        t = time.perf_counter()
        table.update(saved.id, {"phone": f"+4477009{rng.randint(0, 99999):05d}"})
        amend.append(time.perf_counter() - t)
    ids = table.ids()
    sample = [rng.choice(ids) for _ in range(10_000)]
    t = time.perf_counter()
    for record_id in sample:
        table.get(record_id)
    get_us = (time.perf_counter() - t) / len(sample) * 1e6
    store.close()
    return {
        "rows": len(ids), "cold_open_s": cold_open, "cold_open_cpu_s": cold_open_cpu,
        "register_p50_ms": _pct(register, 50), "register_p95_ms": _pct(register, 95),
        "amend_p50_ms": _pct(amend, 50), "amend_p95_ms": _pct(amend, 95), "get_us": get_us,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_uncached(folder: Path) -> dict[str, float]:
    """A cold open that parses and checks every row (a folder without its rows cache)."""
    import shutil

    shutil.rmtree(folder / ".cache", ignore_errors=True)
    t0, cpu0 = time.perf_counter(), time.process_time()
    store = Store(folder)
    store.table(SPEC)
    figures = {"uncached_open_s": time.perf_counter() - t0, "uncached_open_cpu_s": time.process_time() - cpu0}
    store.close()
    return figures


def measure_baseline(folder: Path) -> dict[str, float]:
    import pandas as pd

    rng = random.Random(3)
    path = folder / "baseline.csv"
    times = []
    for _ in range(5):
        row = make(rng).model_dump(mode="json")
        t = time.perf_counter()
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        row["id"] = f"PAT{len(frame) + 1:06d}"
        frame = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
        frame.to_csv(path, index=False)
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())
        times.append(time.perf_counter() - t)
    return {"baseline_register_p50_ms": _pct(times, 50)}


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] * 1000


def in_child(phase: str, folder: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, str(folder)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--phase", nargs=2)
    parser.add_argument("--note", default="", help="a line added under the table (e.g. the machine was shared)")
    args = parser.parse_args()
    if args.phase:
        phase, folder = args.phase
        measure = {"engine": measure_engine, "uncached": measure_uncached}.get(phase, measure_baseline)
        print(json.dumps(measure(Path(folder))))
        return
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        build(folder, args.patients)
        build_s = time.perf_counter() - t
        import pandas as pd

        frame = pd.read_csv(folder / "patients.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame[list(BenchPatient.model_fields)].to_csv(folder / "baseline.csv", index=False)
        engine = {**in_child("uncached", folder), **in_child("engine", folder)}
        baseline = in_child("baseline", folder)
    speedup = baseline["baseline_register_p50_ms"] / engine["register_p50_ms"]
    figures = {**engine, **baseline, "build_s": build_s, "speedup": speedup}
    print(json.dumps(figures, indent=2))
    from report import write_section

    ok = lambda good: "✅" if good else "❌"  # noqa: E731
    write_section("storage", f"""## Storage engine (issue 2)

Command: `python bench/storage.py --patients {args.patients}`

| measure at {engine['rows']:,} patients | result | target |
|---|---|---|
| cold open (lock, stat-check every file, load checkpoint + journal; rows from the checked-rows cache, `storage/rows_cache.py`), wall / CPU | {engine['cold_open_s']:.2f} s / {engine['cold_open_cpu_s']:.2f} s | ≤ 1.0 s {ok(engine['cold_open_s'] <= 1.0)} |
| the same, the first open after the cache was removed (parse + type-check every row, then write the cache), wall / CPU | {engine['uncached_open_s']:.2f} s / {engine['uncached_open_cpu_s']:.2f} s | |
| register one, p50 / p95 (validate, journal append, fsync) | {engine['register_p50_ms']:.2f} / {engine['register_p95_ms']:.2f} ms | p95 ≤ 2 ms {ok(engine['register_p95_ms'] <= 2)} |
| amend one, p50 / p95 | {engine['amend_p50_ms']:.2f} / {engine['amend_p95_ms']:.2f} ms | |
| get by ID (builds the pydantic model) | {engine['get_us']:.1f} µs | |
| peak RSS of the measuring process | {engine['peak_rss_mb']:.0f} MB | ≤ 400 MB {ok(engine['peak_rss_mb'] <= 400)} |
| baseline register (pandas read + append + write back + fsync), p50 | {baseline['baseline_register_p50_ms']:.0f} ms | |
| speed-up over the baseline | {speedup:,.0f}× | ≥ 200× {ok(speedup >= 200)} |
| writing {args.patients:,} patients with insert_many in 10,000-row batches + checkpoint | {build_s:.1f} s | |
{chr(10) + args.note + chr(10) if args.note else ""}""")


if __name__ == "__main__":
    main()
