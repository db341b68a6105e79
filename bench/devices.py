"""Device benchmark: parser throughput per protocol (before/after), and 16 live readers.

Run: /work/venv/bin/python bench/devices.py [--parsers-only] [--before REV]
Writes the "devices" section of docs/benchmarks.md.

Parsers are fed a realistic stream (a 10-minute desaturation scenario with a synthetic
pleth, encoded byte-exact; Masimo lines with a new timestamp each second; BLE
notifications as a strap or oximeter sends them) repeated to 4 MB, in 64 KB chunks (bulk:
a reader catching up, a recording replayed) and in the chunk a reader gets per 1/30 s at
the line rate. The "before" column runs the same streams, in the same run, through the
parsers of revision REV (default: the commit before the vectorised parsers), extracted
with ``git archive`` into a temporary folder and measured in a subprocess.
The live part runs 16 simulated CMS50 oximeters (60 frames/s each) on 16 ptys in a
separate process, so the CPU measured is the app side alone: 16 DeviceReader threads plus
the GUI-thread slots receiving their batches.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report import write_section  # noqa: E402

from hms_desktop.devices.protocols import PROTOCOLS, make_encoder  # noqa: E402
from hms_desktop.devices.protocols.ble_gatt import (  # noqa: E402
    encode_heart_rate,
    encode_plx_continuous,
    encode_temperature,
)
from hms_desktop.devices.simulator.scenarios import builtin  # noqa: E402
from hms_desktop.devices.simulator.signals import SyntheticPleth  # noqa: E402
from hms_desktop.domain.readings import Reading  # noqa: E402

STREAM_MB = 4.0
BULK_CHUNK = 65536
DEVICES = 16
CPU_WINDOW_S = 15.0
BEFORE_REV = "ae8a235"  # main before issue 18 item 4 (regex finditer + a Python step per frame)

# name -> (expression building the parser, valid in the old and the new tree; wire bytes/s)
PARSERS: dict[str, tuple[str, float]] = {
    **{name: (f"make_parser({name!r})", info.baudrate / (10 + (info.parity != "N")))
       for name, info in PROTOCOLS.items()},
    "ble-heart-rate 0x2A37": ("NotificationParser(parse_heart_rate)", 5.0),
    "ble-plx 0x2A5F": ("NotificationParser(parse_plx_continuous)", 12.0),
    "ble-temperature 0x2A1C": ("NotificationParser(parse_temperature)", 1.0),
    "ble-berrymed": ("BerryMedParser()", 300.0),
}
NOTIFICATIONS = ("ble-heart-rate 0x2A37", "ble-plx 0x2A5F", "ble-temperature 0x2A1C", "ble-berrymed")

MEASURE = """
import json, sys, time
from hms_desktop.devices.protocols import make_parser
from hms_desktop.devices.protocols.ble_gatt import (
    BerryMedParser, NotificationParser, parse_heart_rate, parse_plx_continuous, parse_temperature)

def measure(expr, units, group, repeat):
    best = None
    for _ in range(repeat):
        parser = eval(expr)
        batched = group > 1 and hasattr(parser, "feed_notifications")  # not in older trees
        groups = [units[i:i + group] for i in range(0, len(units), group)] if batched else units
        feed = parser.feed_notifications if batched else parser.feed
        began = time.perf_counter()
        count = 0
        for unit in groups:
            count += len(feed(unit))
        elapsed = time.perf_counter() - began
        best = elapsed if best is None else min(best, elapsed)
    return best, count, parser.dropped_bytes

if __name__ == "__main__":
    spec = json.loads(open(sys.argv[1]).read())
    out = {}
    for key, (expr, path, sizes, group) in spec.items():
        data = open(path, "rb").read()
        units, pos = [], 0
        for size in sizes:
            units.append(data[pos:pos + size])
            pos += size
        out[key] = measure(expr, units, group, 5)
    print(json.dumps(out))
"""


def realistic_stream(name: str) -> tuple[bytes, list[int]]:
    """Ten minutes (50 for 1-per-second devices) of a desaturating patient, as the device sends it.

    Returns the bytes and, for BLE, the size of each notification.
    """
    scenario = builtin("desaturation", 97, 72)
    if name in PROTOCOLS or name == "ble-berrymed":
        protocol = "cms50-legacy" if name == "ble-berrymed" else name
        info = PROTOCOLS[protocol]
        encoder = make_encoder(protocol)
        pleth = SyntheticPleth()
        frames = int(600 * info.frame_rate_hz) if info.frame_rate_hz >= 10 else 3000
        out = bytearray()
        start = datetime(2026, 12, 3, 8, 0, 0)
        for i in range(frames):
            t = i / info.frame_rate_hz
            state = scenario.state_at(t)
            value, beat = pleth.sample(t, state.pr)
            if name == "text":
                reading = Reading(heart_rate=state.pr, spo2=state.spo2, steps=i * 2, temperature_c=36.8)
            else:
                reading = Reading(spo2=state.spo2, pulse_rate=state.pr, perfusion_index=2.4,
                                  pleth=(value,) if info.has_pleth else (), beat=beat, signal_strength=8)
            if name == "masimo":
                out += encoder.encode(reading, at=start + timedelta(seconds=i))  # type: ignore[call-arg]
            else:
                out += encoder.encode(reading)
        data = bytes(out)
        sizes = [20] * (len(data) // 20) if name == "ble-berrymed" else []  # 20-byte notifications
        return data, sizes
    rng = random.Random(1)
    units: list[bytes] = []
    if name.startswith("ble-heart-rate"):  # one notification a beat, with its RR interval
        t = 0.0
        while t < 3000:
            state = scenario.state_at(t)
            rr = 60 / state.pr * rng.uniform(0.95, 1.05)
            units.append(encode_heart_rate(state.pr, rr_s=(rr,)))
            t += rr
    elif name.startswith("ble-plx"):  # once a second
        for second in range(3000):
            state = scenario.state_at(second)
            units.append(encode_plx_continuous(Reading(spo2=state.spo2, pulse_rate=state.pr,
                                                       perfusion_index=round(rng.uniform(1, 4), 2))))
    else:  # a thermometer, every few seconds
        units = [encode_temperature(round(rng.uniform(36.4, 37.6), 2)) for _ in range(3000)]
    return b"".join(units), [len(u) for u in units]


def _chunks(total: int, size: int) -> list[int]:
    return [min(size, total - pos) for pos in range(0, total, size)]


Spec = dict[str, tuple[str, str, list[int], int]]


def parser_spec(folder: Path) -> Spec:
    """Per (parser, chunking): the parser expression, the stream file, the chunk sizes and
    how many notifications go in one ``feed_notifications`` call (1: ``feed`` each)."""
    spec: Spec = {}
    for name, (expr, line_rate) in PARSERS.items():
        base, sizes = realistic_stream(name)
        repeat = max(1, int(STREAM_MB * 1e6 / len(base)))
        path = folder / f"{name.split()[0]}.bin"
        path.write_bytes(base * repeat)
        if sizes and name != "ble-berrymed":  # each notification parsed alone
            spec[f"{name}|bulk"] = (expr, str(path), sizes * repeat, 1000)
            spec[f"{name}|live"] = (expr, str(path), sizes * repeat, 1)
        else:  # a byte stream (BerryMed: its 20-byte notifications when live)
            spec[f"{name}|bulk"] = (expr, str(path), _chunks(len(base) * repeat, BULK_CHUNK), 1)
            live = sizes * repeat if sizes else _chunks(len(base) * repeat, max(16, int(line_rate / 30)))
            spec[f"{name}|live"] = (expr, str(path), live, 1)
    return spec


def run_measure(tree: Path, spec: Spec) -> dict[str, list[float]]:
    spec_file = Path(next(iter(spec.values()))[1]).parent / "spec.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", MEASURE, str(spec_file)], cwd=tree,
                            env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def extract_revision(rev: str, folder: Path) -> Path | None:
    """The hms_desktop package of ``rev`` in ``folder`` (None if git or the revision is missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "hms_desktop"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return folder


def parser_throughput(before_rev: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="hms-bench-") as tmp:
        streams = Path(tmp) / "streams"
        streams.mkdir()
        spec = parser_spec(streams)
        after = run_measure(ROOT, spec)
        old_tree = extract_revision(before_rev, Path(tmp) / "before") if before_rev else None
        if old_tree is None and before_rev:
            print(f"(no 'before' column: revision {before_rev} is not in this clone)", file=sys.stderr)
        before = run_measure(old_tree, spec) if old_tree else {}
    for name, (_expr, line_rate) in PARSERS.items():
        total = sum(spec[f"{name}|bulk"][2])
        bulk_s, count, dropped = after[f"{name}|bulk"]
        live_s, _, _ = after[f"{name}|live"]
        assert dropped == 0, (name, dropped)
        feeds = len(spec[f"{name}|live"][2])
        row: dict[str, object] = {
            "name": name, "mbps": total / bulk_s / 1e6, "readings_per_s": count / bulk_s,
            "live_mbps": total / live_s / 1e6, "live_us_per_feed": 1e6 * live_s / feeds,
            "line_rate_factor": total / bulk_s / line_rate,
        }
        if f"{name}|bulk" in before:
            row["before_mbps"] = total / before[f"{name}|bulk"][0] / 1e6
            row["before_live_mbps"] = total / before[f"{name}|live"][0] / 1e6
        rows.append(row)
        print(f"{name:24s} {row['mbps']:7.2f} MB/s bulk (before {row.get('before_mbps', float('nan')):6.2f})"
              f"  {row['live_mbps']:6.2f} MB/s at line-rate chunks "
              f"(before {row.get('before_live_mbps', float('nan')):6.2f}), "
              f"{row['live_us_per_feed']:6.1f} µs per feed", flush=True)
    return rows


def serve_simulators(protocol: str, count: int) -> int:
    """Child process: run the simulators, print their ports, obey 'spo2 N' and 'quit' on stdin."""
    from hms_desktop.devices.simulator import PtySimulator

    sims = [PtySimulator(protocol) for _ in range(count)]
    for sim in sims:
        sim.start()
    try:
        print(" ".join(sim.port for sim in sims), flush=True)
        for line in sys.stdin:
            words = line.split()
            if words[:1] == ["spo2"]:
                for sim in sims:
                    sim.set_values(spo2=int(words[1]))
                print(f"applied {time.monotonic():.6f}", flush=True)
            elif words[:1] == ["quit"]:
                break
    finally:
        for sim in sims:
            sim.stop()
    return 0


def live_readers(protocol: str) -> dict[str, float]:
    import psutil
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    from hms_desktop.devices.reader import DeviceReader

    app = QCoreApplication.instance() or QCoreApplication([])
    child = subprocess.Popen([sys.executable, __file__, "--serve", protocol, str(DEVICES)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdin is not None
    ports = child.stdout.readline().split()
    received = [0] * len(ports)
    batches = [0] * len(ports)
    latest: list[tuple[float, int | None]] = [(0.0, None)] * len(ports)
    first_seen: dict[tuple[int, int], float] = {}

    def on_batch(i: int, batch: tuple[Reading, ...]) -> None:
        now = time.monotonic()
        received[i] += len(batch)
        batches[i] += 1
        for reading in batch:
            if reading.spo2 is not None:
                first_seen.setdefault((i, reading.spo2), now)
        latest[i] = (now, batch[-1].spo2)

    readers = []
    for i, port in enumerate(ports):
        reader = DeviceReader(port, protocol)
        reader.sig_readings_received.connect(lambda b, i=i: on_batch(i, b))
        readers.append(reader)
        reader.start()

    def pump(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    me = psutil.Process()
    pump(3.0)  # connect and settle
    cpu0, wall0, got0, batch0 = sum(me.cpu_times()[:2]), time.monotonic(), sum(received), sum(batches)
    pump(CPU_WINDOW_S)
    cpu1, wall1 = sum(me.cpu_times()[:2]), time.monotonic()
    got, nbatches = sum(received) - got0, sum(batches) - batch0

    latencies: list[float] = []
    for value in (90, 96, 88, 97, 91, 95):
        first_seen.clear()
        child.stdin.write(f"spo2 {value}\n")
        child.stdin.flush()
        applied = float(child.stdout.readline().split()[1])
        pump(0.6)
        latencies += [first_seen[(i, value)] - applied for i in range(len(ports)) if (i, value) in first_seen]
    for reader in readers:
        reader.stop()
    child.stdin.write("quit\n")
    child.stdin.flush()
    child.wait(timeout=10)
    del app
    wall = wall1 - wall0
    latencies.sort()
    return {
        "cpu_pct": 100 * (cpu1 - cpu0) / wall,
        "readings_per_s": got / wall,
        "batches_per_s_per_device": nbatches / wall / len(ports),
        "latency_p50_ms": 1000 * statistics.median(latencies),
        "latency_p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "latency_max_ms": 1000 * latencies[-1],
        "latency_samples": len(latencies),
        "expected_latency_samples": 6 * len(ports),
    }


def _cell(row: dict[str, object], key: str) -> str:
    value = row.get(key)
    return "—" if value is None else f"{value:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", nargs=2, metavar=("PROTOCOL", "COUNT"))
    parser.add_argument("--before", default=BEFORE_REV,
                        help=f"git revision whose parsers fill the 'before' column (default {BEFORE_REV}; '' for none)")
    parser.add_argument("--parsers-only", action="store_true", help="print parser figures, write nothing")
    args = parser.parse_args()
    if args.serve:
        return serve_simulators(args.serve[0], int(args.serve[1]))
    print("parser throughput (realistic streams; bulk 64 KB chunks and line-rate chunks)")
    load_before = os.getloadavg()[0]
    rows = parser_throughput(args.before)
    load = max(load_before, os.getloadavg()[0])
    print(f"load average (1 min) around the parser run: {load:.1f} on {os.cpu_count()} cores")
    if args.parsers_only:
        return 0
    print(f"{DEVICES} readers on {DEVICES} simulated CMS50 ports at 60 frames/s ...", flush=True)
    live = live_readers("cms50-legacy")
    for key, value in live.items():
        print(f"  {key}: {value:.2f}")
    table = "\n".join(
        f"| {row['name']} | **{_cell(row, 'mbps')}** | {_cell(row, 'before_mbps')} | "
        f"{_cell(row, 'live_mbps')} | {_cell(row, 'before_live_mbps')} | "
        f"{row['live_us_per_feed']:.1f} | {row['readings_per_s']:,.0f} | {row['line_rate_factor']:,.0f}× |"
        for row in rows
    )
    markdown = f"""## Devices

Command: `/work/venv/bin/python bench/devices.py` (the "before" columns: the parsers of
revision `{args.before or '-'}`, run on the same bytes in the same run; see the script's docstring).

### Parser throughput (target ≥ 10 MB/s each, issue 18)
A 10-minute desaturation stream (50 min for the 1-per-second protocols; Masimo lines carry
a new timestamp every second; BLE as one notification per beat / second), encoded
byte-exact and repeated to {STREAM_MB:.0f} MB. *Bulk*: 64 KB chunks (a reader catching up after
a stall, a recording replayed). *Line-rate*: the chunk a reader gets per 1/30 s at the
device's line rate (what a live reader does; its cost per feed is the figure that matters
there). BLE notification parsers: bulk = 1,000 notifications per `feed_notifications`
call (the BLE reader hands over a tick's worth; the old tree has no such call and gets one
per `feed`), line-rate = one notification per call; BerryMed: 20-byte notifications when
live. Sync search is a C-level `re.findall` (numpy for the checksummed Nonin DF2),
verdicts are cached by frame bytes; every frame still goes through the impossible-value
check (docs/devices.md). Figures swing by 2-3x between runs on a loaded machine.
The machine was shared with other jobs while measuring (load average {load:.1f} on
{os.cpu_count()} cores): an idle machine gives higher figures.

| parser | MB/s bulk | before | MB/s line-rate chunks | before | µs per line-rate feed | readings/s (bulk) | × line rate |
|---|---|---|---|---|---|---|---|
{table}

### 16 live readers (target ≤ 15 % of one core)
16 `DeviceReader` threads on 16 ptys fed by 16 simulated CMS50 (legacy, 60 frames/s) in a
separate process; CPU is the reader process alone (reader threads + GUI-thread slots),
measured over {CPU_WINDOW_S:.0f} s.

| figure | value |
|---|---|
| CPU, % of one core | {live['cpu_pct']:.1f} % |
| readings received / s (all devices) | {live['readings_per_s']:.0f} (expected {DEVICES * 60}) |
| batches / s per device | {live['batches_per_s_per_device']:.1f} (cap 30) |
| latency device → GUI slot, median | {live['latency_p50_ms']:.0f} ms |
| latency p95 / max | {live['latency_p95_ms']:.0f} ms / {live['latency_max_ms']:.0f} ms |
| latency samples | {live['latency_samples']:.0f} of {live['expected_latency_samples']:.0f} |

Latency is from the simulator applying a new SpO2 to the first reading carrying it in
the GUI thread: frame scheduling (≤ 17 ms), the reader's 30 Hz batching (≤ 33 ms) and
the queued signal.
"""
    write_section("devices", markdown)
    return 0




if __name__ == "__main__":
    sys.exit(main())
