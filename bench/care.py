"""Care benchmarks: NEWS2 scoring throughput, observation save p95 in a 100,000-patient
folder, and trend-chart loads with a year of readings.

Run: /work/venv/bin/python bench/care.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import write_section  # noqa: E402
from hms_desktop.domain.chronic import ChronicReading  # noqa: E402
from hms_desktop.domain.news2 import score_news2  # noqa: E402
from hms_desktop.domain.observations import Observation  # noqa: E402
from hms_desktop.domain.wearables import WearableReading  # noqa: E402
from hms_desktop.services.container import build_services  # noqa: E402
from hms_desktop.storage import Store  # noqa: E402

PATIENTS = 100_000
COMMAND = "/work/venv/bin/python bench/care.py"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def bench_news2(rng: random.Random, n: int = 200_000) -> float:
    sets = [dict(respiration_rate=rng.randint(5, 35), spo2=rng.randint(80, 100),
                 on_oxygen=rng.random() < 0.3, systolic=rng.randint(70, 230),
                 pulse=rng.randint(35, 160), consciousness=rng.choice(("alert", "voice")),
                 temperature=round(rng.uniform(34.5, 40.5), 1), scale2=rng.random() < 0.1)
            for _ in range(n)]
    t0 = time.perf_counter()
    for s in sets:
        score_news2(**s)  # type: ignore[arg-type]
    return n / (time.perf_counter() - t0)


def _obs(rng: random.Random, pid: str, at: datetime) -> Observation:
    return Observation(patient_id=pid, at=at, respiration_rate=rng.randint(12, 22),
                       spo2=rng.randint(92, 99), on_oxygen=False, systolic=rng.randint(100, 150),
                       diastolic=rng.randint(60, 90), pulse=rng.randint(55, 110),
                       consciousness="alert", temperature=round(rng.uniform(36, 38.5), 1))


def main() -> None:
    rng = random.Random(4)
    rate = bench_news2(rng)
    print(f"NEWS2 scoring: {rate:,.0f} sets/s")
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)  # saves must not be future
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        store = Store(data)
        services = build_services(store)
        # A folder of 100,000 patients: two sets each on file (200,000 rows), and one
        # patient with 5,000 sets (the "10 years of data" patient).
        t0 = time.perf_counter()
        batch: list[Observation] = []
        for n in range(1, PATIENTS + 1):
            for k in range(2):
                batch.append(_obs(rng, f"PAT{n:06d}", now - timedelta(days=rng.randint(1, 700), hours=k)))
            if len(batch) >= 20_000:
                services.observations.record_many(batch)
                batch = []
        heavy = "PAT000777"
        batch = [_obs(rng, heavy, now - timedelta(hours=17 * i)) for i in range(5_000)]
        services.observations.record_many(batch)
        store.checkpoint()
        fill = time.perf_counter() - t0
        rows = PATIENTS * 2 + 5_000
        print(f"filled {rows:,} observations in {fill:.1f} s")

        # Reopen: what a user pays at start-up, then save p95.
        store.close()
        t0 = time.perf_counter()
        store = Store(data)
        services = build_services(store)
        services.observations.latest_for("PAT000001")
        open_s = time.perf_counter() - t0
        saves = []
        for i in range(200):
            obs = _obs(rng, f"PAT{rng.randint(1, PATIENTS):06d}", now - timedelta(minutes=i))
            t0 = time.perf_counter()
            services.observations.record(obs)
            saves.append((time.perf_counter() - t0) * 1000)
        print(f"observation save: p50 {pct(saves, 0.5):.2f} ms, p95 {pct(saves, 0.95):.2f} ms")

        from PySide6.QtWidgets import QApplication

        from hms_desktop.ui.care.trend_chart import TrendChart

        app = QApplication.instance() or QApplication([])

        # The Observations page opening the heavy patient first (nothing cached yet), then again.
        from hms_desktop.domain.clinic_settings import ClinicSettings
        from hms_desktop.services.writer import BackgroundWriter
        from hms_desktop.ui.care.observations_page import ObservationsPage
        from hms_desktop.ui.context import AppContext

        writer = BackgroundWriter()
        ctx = AppContext(services=services, store=store, bus=services.bus, writer=writer,
                         settings=ClinicSettings(), data_dir=data)
        page = ObservationsPage(ctx)
        page.resize(1300, 850)
        page.show()
        page_ms, page_cpu = [], []
        for _ in range(6):  # the first switch reads and scores; later ones reuse the cache
            ctx.current_patient.select("PAT000001")
            app.processEvents()
            t0, c0 = time.perf_counter(), time.thread_time()
            ctx.current_patient.select(heavy)
            app.processEvents()
            page_ms.append((time.perf_counter() - t0) * 1000)
            page_cpu.append((time.thread_time() - c0) * 1000)
        first_ms, page_ms = page_ms[0], page_ms[1:]
        first_cpu, page_cpu = page_cpu[0], page_cpu[1:]
        page.close()
        writer.shutdown()
        print(f"Observations page, patient with 5,000 sets: first {first_ms:.0f} ms, "
              f"again median {statistics.median(page_ms):.0f} ms")

        # Live NEWS2 as the monitor asks for it: every second, per bed (cached latest set).
        services.observations.news2_for(heavy)
        t0 = time.perf_counter()
        for i in range(1_000):
            services.observations.news2_for(heavy, live_spo2=90 + i % 10, live_pulse=80)
        live_us = (time.perf_counter() - t0) / 1_000 * 1e6
        print(f"live NEWS2 (patient with 5,000 sets): {live_us:.0f} µs a call")

        # Trend loads: the heavy patient's NEWS2 series (5,000 sets, cached by now), a year
        # of chronic readings (daily), and a year of wearable readings every 5 minutes.
        chart = TrendChart("bench_chart", "bench", "")
        news2_ms = []
        for _ in range(5):
            t0 = time.perf_counter()
            sets = services.observations.list_for(heavy)
            scores = [r.aggregate if (r := o.news2()) else None for o in sets]
            chart.set_series("news2", [o.at for o in sets], scores)
            app.processEvents()
            news2_ms.append((time.perf_counter() - t0) * 1000)
        print(f"NEWS2 trend, 5,000 sets: median {statistics.median(news2_ms):.0f} ms")


        start = now.date() - timedelta(days=364)
        services.chronic.add_readings([
            ChronicReading(patient_id=heavy, at=datetime.combine(start + timedelta(days=d),
                           datetime.min.time(), UTC) + timedelta(hours=8),
                           glucose_mmol_l=round(rng.uniform(4, 11), 1), systolic=130,
                           diastolic=80, weight_kg=80.0) for d in range(365)])
        chronic_ms = []
        for _ in range(5):
            t0 = time.perf_counter()
            readings = services.chronic.readings_for(heavy)
            chart.set_series("glucose", [r.at for r in readings], [r.glucose_mmol_l for r in readings])
            chart.set_band("glucose", 4.0, 7.0)
            app.processEvents()
            chronic_ms.append((time.perf_counter() - t0) * 1000)
        print(f"chronic glucose trend, 365 readings: median {statistics.median(chronic_ms):.0f} ms")

        # 16 patients wearing a device for a year, one reading each per 5 minutes.
        t0 = time.perf_counter()
        per_day = 24 * 12
        for d in range(365):
            day0 = datetime.combine(start + timedelta(days=d), datetime.min.time(), UTC)
            services.wearables.append([
                WearableReading(at=day0 + timedelta(minutes=5 * i), patient_id=f"PAT{p:06d}",
                                device_id=f"W{p}", heart_rate=60 + (i % 30), spo2=96)
                for i in range(per_day) for p in range(770, 786)])
        print(f"filled {365 * per_day * 16:,} wearable rows in {time.perf_counter() - t0:.1f} s")
        wear_ms = []
        wear_cpu = []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.thread_time()
            s = services.wearables.series_for(heavy, start, start + timedelta(days=364),
                                              ("heart_rate", "spo2"))
            chart.set_series("hr", s["t"], s["heart_rate"])
            app.processEvents()
            wear_ms.append((time.perf_counter() - t0) * 1000)
            wear_cpu.append((time.thread_time() - c0) * 1000)
        points = len(s["t"])
        # The same year the way it was read before the index: every row of every file parsed.
        log = store.day_log("wearables", WearableReading)
        t0, c0 = time.perf_counter(), time.thread_time()
        every = log.read_frame(datetime.combine(start, datetime.min.time(), UTC),
                               datetime.combine(start + timedelta(days=365), datetime.min.time(), UTC))
        every = every[every["patient_id"] == heavy]
        before_ms, before_cpu = (time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000
        import shutil

        shutil.rmtree(data / "wearables" / ".index")  # as after an upgrade, or a lost index
        t0 = time.perf_counter()
        services.wearables.series_for(heavy, start, start + timedelta(days=364), ("heart_rate", "spo2"))
        rebuild_ms = (time.perf_counter() - t0) * 1000
        month_ms = []
        for _ in range(3):
            t0 = time.perf_counter()
            m = services.wearables.series_for(heavy, start + timedelta(days=335),
                                              start + timedelta(days=364), ("heart_rate", "spo2"))
            chart.set_series("hr", m["t"], m["heart_rate"])
            app.processEvents()
            month_ms.append((time.perf_counter() - t0) * 1000)
        print(f"wearable trend, 30 days ({len(m['t']):,} readings): median {statistics.median(month_ms):.0f} ms")
        print(f"wearable trend, {points:,} readings (16 patients in the files): "
              f"median {statistics.median(wear_ms):.0f} ms")
        store.close()

    load = os.getloadavg()
    write_section("care", f"""
## Care: NEWS2, observations, trend charts

Command: `{COMMAND}`

| measure | figure |
|---|---|
| NEWS2 scoring (pure, both scales) | {rate:,.0f} sets/s |
| open store + first observation lookup, {rows:,} observations ({PATIENTS:,} patients) | {open_s * 1000:.0f} ms |
| observation save (one set, fsync'd), p50 / p95 of 200 | {pct(saves, 0.5):.2f} / {pct(saves, 0.95):.2f} ms |
| live NEWS2 for the monitor (`news2_for` with live SpO2/pulse, patient with 5,000 sets) | {live_us:.0f} µs a call |
| NEWS2 trend chart alone, patient with 5,000 sets (sets cached, plot), median of 5 | {statistics.median(news2_ms):.0f} ms |
| Observations page opening that patient (table, NEWS2 panel, chart, painted): first time | {first_ms:.0f} ms (CPU {first_cpu:.0f} ms) |
| the same, reopened (sets and scores cached until the patient's next save), median of 5 | {statistics.median(page_ms):.0f} ms (CPU {statistics.median(page_cpu):.0f} ms) |
| chronic glucose trend with target band, a year of daily readings, median of 5 | {statistics.median(chronic_ms):.0f} ms |
| wearable trend, a year at 5-min ({points:,} readings; files hold 16 patients), median of 3 | {statistics.median(wear_ms):.0f} ms (CPU {statistics.median(wear_cpu):.0f} ms) |
| the same year read as before the index (every row of the 365 files parsed, then filtered), once | {before_ms:.0f} ms (CPU {before_cpu:.0f} ms) |
| the same year with its index deleted first (read and index rebuilt from the CSV, once) | {rebuild_ms:.0f} ms |
| wearable trend, last 30 days (the page's default range), median of 3 | {statistics.median(month_ms):.0f} ms |

Load average when measured (1/5/15 min, on 2 cores shared with other work):
{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; a busy machine inflates every figure.

The Observations page reads a long list by columns (`services/observation_sets.py`): each
row checked in the form the app writes and against the model's rules, NEWS2 aggregates from
tables of the domain's sub-score functions, a model built only for the rows on screen; the
first-time figure is that read plus the painting of the table and chart; the reopened figure
(data cached) is the painting alone, so what is left of the first-time cost is Qt's and
pyqtgraph's. Before the columnar read (a model and a NEWS2 per set, 2026-12-03 10:57 UTC, load
7.2): first time 2657 ms, reopened 365 ms. Target ≤ 100 ms on an idle machine: compare the CPU
figures, the wall clock here is mostly other people's work.

The year of wearable readings sits in 365 day files shared by 16 patients (1.7 M rows). The
chart reads only its patient's lines, located by the per-patient index the app keeps beside
the day files (`storage/daylog_index.py`, `wearables/.index/`): the files are read whole a few
MB at a time into one buffer, the patient's records picked per bufferful, and only the charted
columns parsed, column-wise in numpy (`storage/daylog_lines.py`; any line outside the app's
plain layout sends the read the ordinary way). Before the numpy read (records gathered byte by
byte from mapped files, then pandas), measured the same way at 2026-12-03 19:21 UTC, load
1.3 / 0.9 / 0.8: a year 136 ms (CPU 136 ms), 30 days 23 ms; at 14:19 UTC, load 4.1: 299 ms.
The next row reads the same year the way it was read before the index, in the same run. A
missing index (files written before it existed) is rebuilt once, by scanning the CSV. CPU
times are this thread's (on this VM they still include time the hypervisor gave to others).
The page loads the year on the background writer with the window responsive, and opens on
the last 30 days. fsync on this VM's disk is usually cheap, which flatters the save figure.
""")


if __name__ == "__main__":
    main()
