"""Audit chain benchmark at 100,000 patients: what the chain adds to registering a patient,
and how long ``verify`` takes over the whole folder.

Run: /work/venv/bin/python bench/audit.py [--patients 100000] [--registrations 400]
Writes the "audit" section of docs/benchmarks.md.

"With" and "without" are measured side by side in one run, alternating one registration each
(so load on the shared machine falls on both alike): "without" detaches the chain from the
patients journal for that one write, which is then recorded nowhere (a bench-only switch).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.demo_folder import demo_folder, working_copy  # noqa: E402
from bench.report import write_section  # noqa: E402
from hms_desktop.services.container import build_services  # noqa: E402
from hms_desktop.services.demo import patients as demo  # noqa: E402
from hms_desktop.storage import Store  # noqa: E402
from hms_desktop.storage.audit_chain import chain_files  # noqa: E402
from hms_desktop.storage.audit_verify import verify_folder  # noqa: E402


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=1000)
    args = parser.parse_args()
    source = Path(tempfile.gettempdir()) / "hms-bench" / f"demo-{args.patients}-audit"
    t0 = time.perf_counter()
    demo_folder(source, patients=args.patients)  # the full demo, written with the chain; cached
    generate_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        folder = working_copy(source, Path(tmp))
        chain_mb = sum(p.stat().st_size for p in chain_files(folder)) / 1e6
        t0 = time.perf_counter()
        report = verify_folder(folder)  # the untouched demo folder, before the bench-only writes
        verify_s = time.perf_counter() - t0
        for problem in report.problems[:5]:
            print(problem, file=sys.stderr)

        store = Store(folder, actor="bench")
        service = build_services(store).patients
        table = service.table
        chain = store.audit_chain
        with_ms: list[float] = []
        without_ms: list[float] = []
        people = demo.fake_patients(random.Random(21), args.registrations, date(2026, 11, 25))
        for k, person in enumerate(people):
            confirmed = [m.id for m in service.duplicates(person)]
            person = person.model_copy(update={"confirmed_not_duplicate_of": confirmed})
            journal = table._open_journal()  # bench-only: the switch between the two variants
            journal._chain = chain if k % 2 == 0 else None  # type: ignore[attr-defined]
            start = time.perf_counter()
            service.register(person)
            (with_ms if k % 2 == 0 else without_ms).append((time.perf_counter() - start) * 1000)
        table._open_journal()._chain = chain  # type: ignore[attr-defined]
        # The chain's own cost per save, alone: one entry for a typical patient line.
        line = table.journal_path.read_bytes().rsplit(b"\n", 2)[-2] + b"\n"
        entry_us: list[float] = []
        assert chain is not None
        for _ in range(2000):
            start = time.perf_counter()
            with chain.lock:
                chain.record(table.journal_path, line)
            entry_us.append((time.perf_counter() - start) * 1e6)
        store.close()

    p95_with, p95_without = pct(with_ms, 95), pct(without_ms, 95)
    added = p95_with - p95_without
    load = os.getloadavg()
    command = f"/work/venv/bin/python bench/audit.py --patients {args.patients} --registrations {args.registrations}"
    text = f"""## Audit chain (bench/audit.py)

`{command}`

The full {args.patients:,}-patient demo folder (patients, records, schedule, monitoring; `bench/demo_folder.py`,\nset-up {generate_s:.0f} s{' — built by an earlier run' if generate_s < 5 else ''}). Registration is `PatientService.register`
(duplicate check, journal append + fsync, index), with and without the audit chain, alternating one
each in the same run ({len(with_ms)} of each). The chain adds one buffered write to `audit/<day>.csv`
per save and no fsync of its own (docs/storage.md). Measured on the shared 2-core machine while
other engineers ran tests (load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}): absolute times
are pessimistic and p95 is noisy; the difference is what this section is about.

| measure | without chain | with chain | target |
|---|---|---|---|
| register one, p50 (ms) | {pct(without_ms, 50):.2f} | {pct(with_ms, 50):.2f} | |
| register one, p95 (ms) | {p95_without:.2f} | {p95_with:.2f} | chain adds ≤ 0.1 ms: {added:+.2f} ms {'✅' if added <= 0.1 else '❌'} |
| the chain's entry alone (digest, hash, buffered write), p50 / p95 (µs) | | {pct(entry_us, 50):.0f} / {pct(entry_us, 95):.0f} | ≤ 100 µs {'✅' if pct(entry_us, 95) <= 100 else '❌'} |

Reading the figures: the chain's own work per save is the third row (microseconds). The
side-by-side difference is larger than that because the journal's fsync then also writes the
chain file's new bytes to disk (ext4 commits both files' data together); a plain experiment on
this disk — a 150-byte buffered write to a second file before each 400-byte append + fsync —
adds about 0.13 ms to the median by itself. The chain deliberately has no fsync of its own
(that would add a whole fsync per save). Whether the p95 target is met is decided by that disk
effect and by the load, which moves p95 by milliseconds between runs.

| `verify` of the whole (untouched) demo folder | figure | target |
|---|---|---|
| time | {verify_s:.1f} s | ≤ 10 s {'✅' if verify_s <= 10 else '❌'} |
| entries / lines / files | {report.entries:,} / {report.lines:,} / {report.files:,} | |
| chain files on disk | {chain_mb:.1f} MB | |
| result | {'intact' if report.intact else f'{len(report.problems)} problem(s)'} | intact |
"""
    print(text)
    write_section("audit", text)


if __name__ == "__main__":
    main()
