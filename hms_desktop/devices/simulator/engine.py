"""The simulated device: frames at the device's real rate, commands answered like the device.

One thread per simulator. Each tick it sends every frame that is due (so a late tick
sends two frames, as a real UART would have by then), reads what the host sent (V7
start/stop/keep-alive, Nonin format select) and applies the scenario's condition.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import replace
from datetime import datetime

from hms_desktop.devices.protocols import PROTOCOLS, ProtocolInfo, cms50_v7, make_encoder, nonin
from hms_desktop.devices.simulator.links import PtyLink, SerialLink
from hms_desktop.devices.simulator.scenarios import Scenario, SimState, resolve
from hms_desktop.devices.simulator.signals import make_source
from hms_desktop.domain.readings import DeviceFlag, Reading

TICK_S = 1 / 60
MAX_CATCH_UP_S = 1.0  # after a stall, send at most this much backlog, like a UART FIFO would


def misclocked(data: bytes, factor: int = 6) -> bytes:
    """What a UART at ``factor`` times the sender's baud rate receives (e.g. 115200 for 19200).

    Each sent bit lasts ``factor`` receiver bit-times; the receiver starts a byte on every
    low level it sees, so one sent byte becomes several bytes of 00/80/E0/F8-like noise.
    """
    level: list[int] = []
    for value in data:
        parity = 1 - (bin(value).count("1") & 1)
        for bit in (0, *((value >> i) & 1 for i in range(8)), parity, 1):
            level += [bit] * factor
    out = bytearray()
    i, end = 0, len(level) - 9
    while i < end:
        if level[i] == 0:
            out.append(sum(level[i + 1 + j] << j for j in range(8)))
            i += 10
        else:
            i += 1
    return bytes(out)


class Simulator:
    """A device on a link. Use ``PtySimulator`` for a pseudo-terminal."""

    def __init__(
        self,
        link: PtyLink | SerialLink,
        protocol: str,
        *,
        spo2: int = 97,
        pr: int = 72,
        scenario: str = "steady",
        source: str = "synthetic",
        keepalive_timeout_s: float = cms50_v7.KEEPALIVE_DEADLINE_S,
        seed: int | None = None,
        record: int = 20_000,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol '{protocol}' (known: {', '.join(PROTOCOLS)})")
        self.info: ProtocolInfo = PROTOCOLS[protocol]
        self.protocol = protocol
        self._link = link
        self._encoder = make_encoder(protocol)
        self._source = make_source(source)
        self._base = (spo2, pr)
        self._scenario: Scenario = resolve(scenario, spo2, pr)
        self._keepalive_timeout_s = keepalive_timeout_s
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._ticked = threading.Condition(self._lock)  # wakes ``wait_ticks`` after each tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._forced_unplug = False
        self._command_tail = b""
        self._t0 = 0.0
        self._scenario_t0 = 0.0
        self._frame = 0
        self._last_keepalive = 0.0
        self._steps = 0.0
        # V7 devices stream only after the start command; the others stream from power-on.
        self.streaming = protocol != "cms50-v7"
        self.ticks = 0  # device-thread ticks run so far
        self.frames_sent = 0
        self.bytes_sent = 0
        self.sent: deque[Reading] = deque(maxlen=record)  # every reading sent intact
        self.commands: deque[int] = deque(maxlen=100)  # V7 command codes received

    # -- control ---------------------------------------------------------------------------
    @property
    def port(self) -> str:
        return self._link.port

    def start(self) -> None:
        if self._thread is not None:
            return
        self._t0 = self._scenario_t0 = time.monotonic()
        self._last_keepalive = self._t0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"simulator-{self.protocol}")
        self._thread.start()

    def stop(self) -> None:
        """Stops the thread and closes the link; returns once both are done."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._link.close()

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_scenario(self, scenario: str, *, from_s: float = 0.0) -> None:
        """Switch at run time; the new scenario starts ``from_s`` seconds into its timeline."""
        new = resolve(scenario, *self._base)
        with self._lock:
            self._scenario = new
            self._scenario_t0 = time.monotonic() - from_s

    def set_values(self, *, spo2: int | None = None, pr: int | None = None) -> None:
        """New baseline for the steady scenario (e.g. from the demo device's controls)."""
        self._base = (spo2 if spo2 is not None else self._base[0], pr if pr is not None else self._base[1])
        self.set_scenario("steady")

    def unplug(self) -> None:
        with self._lock:
            self._forced_unplug = True
            self._link.unplug()

    def replug(self) -> None:
        with self._lock:
            self._forced_unplug = False
            self._replugged()

    @property
    def scenario(self) -> str:
        return self._scenario.name

    def wait_ticks(self, count: int, timeout_s: float = 5.0) -> bool:
        """Block until the device thread has run ``count`` more ticks; False if it did not
        within ``timeout_s`` or the simulator stopped. Lets a test say "nothing was sent
        during these ticks" by counting what the device did, not by sleeping."""
        with self._ticked:
            target = self.ticks + count
            self._ticked.wait_for(lambda: self.ticks >= target or self._stop.is_set(), timeout_s)
            return self.ticks >= target

    # -- thread ----------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.wait(TICK_S):
            with self._ticked:
                self._step(time.monotonic())
                self.ticks += 1
                self._ticked.notify_all()

    def _step(self, now: float) -> None:
        state = self._scenario.state_at(now - self._scenario_t0)
        self._apply_plug(state)
        if self._link.plugged:
            self._answer(self._link.read(), now)
        if self.streaming and self.protocol == "cms50-v7" and now - self._last_keepalive > self._keepalive_timeout_s:
            self.streaming = False  # what the real device does without keep-alives
        rate = self.info.frame_rate_hz
        due = int((now - self._t0) * rate) + 1
        self._frame = max(self._frame, due - int(MAX_CATCH_UP_S * rate))
        out = bytearray()
        sending = self._link.plugged and self.streaming
        while self._frame < due:
            t = self._frame / rate
            self._frame += 1
            frame_state = self._scenario.state_at(max(0.0, t - (self._scenario_t0 - self._t0)))
            reading = self._reading(t, frame_state)
            if not sending:
                continue
            data = self._encode(reading)
            if frame_state.condition == "wrong_baud":
                data = misclocked(data)
            else:
                if frame_state.condition == "garbage" and self._rng.random() < 0.15:
                    out += self._rng.randbytes(self._rng.randint(1, 6))
                self.sent.append(reading)
            out += data
            self.frames_sent += 1
        if out:
            self._link.write(bytes(out))
            self.bytes_sent += len(out)

    def _apply_plug(self, state: SimState) -> None:
        if self._forced_unplug:
            return
        if state.condition == "unplugged":
            self._link.unplug()
        elif not self._link.plugged:
            self._replugged()

    def _replugged(self) -> None:
        self._link.plug()
        self._command_tail = b""
        if self.protocol == "cms50-v7":
            self.streaming = False  # powered up again: waits for the start command

    def _answer(self, data: bytes, now: float) -> None:
        if not data:
            return
        data = self._command_tail + data
        self._command_tail = data[-8:]  # a command split across reads; too short to repeat one
        if self.protocol == "cms50-v7":
            for cmd in cms50_v7.find_commands(data):
                self.commands.append(cmd)
                if cmd == cms50_v7.CMD_START:
                    self.streaming = True
                    self._last_keepalive = now
                elif cmd == cms50_v7.CMD_KEEPALIVE:
                    self._last_keepalive = now
                elif cmd == cms50_v7.CMD_STOP:
                    self.streaming = False
        elif self.protocol.startswith("nonin"):
            wanted = 2 if self.protocol == "nonin-df2" else 8
            for fmt in nonin.find_format_selects(data):
                self._link.write(nonin.ACK if fmt == wanted else nonin.NAK)
            if nonin.find_format_selects(data):
                self._command_tail = b""  # answered: do not answer it again with the next read

    def _reading(self, t: float, state: SimState) -> Reading:
        value, beat = self._source.sample(t, state.pr)
        recorded = self._source.pulse_rate(t)  # a recording's own rate, not the --pr baseline
        if recorded is not None:
            state = replace(state, pr=recorded)
        if state.condition in ("finger_out", "sensor_off"):
            flag = DeviceFlag.FINGER_OUT if state.condition == "finger_out" else DeviceFlag.SENSOR_OFF
            return Reading(pleth=(0.0,) if self.info.has_pleth else (), signal_strength=0,
                           flags=frozenset({flag}))
        if self.protocol == "text":
            self._steps += 1.7 / self.info.frame_rate_hz
            return Reading(heart_rate=state.pr, spo2=state.spo2, steps=int(self._steps),
                           temperature_c=36.8)
        pi = 2.4 if self.protocol in ("cms50-v7", "masimo") else None
        return Reading(spo2=state.spo2, pulse_rate=state.pr, perfusion_index=pi,
                       pleth=(value,) if self.info.has_pleth else (), beat=beat and self.info.has_pleth,
                       signal_strength=8 if self.protocol.startswith("cms50") else None)

    def _encode(self, reading: Reading) -> bytes:
        if self.protocol == "masimo":
            return self._encoder.encode(reading, at=datetime.now())  # type: ignore[call-arg]
        return self._encoder.encode(reading)


class PtySimulator(Simulator):
    """A simulated device behind a pseudo-terminal; ``.port`` is a stable path to open."""

    def __init__(self, protocol: str, *, spo2: int = 97, pr: int = 72, scenario: str = "steady",
                 source: str = "synthetic", **options: object) -> None:
        link = PtyLink()
        try:
            super().__init__(link, protocol, spo2=spo2, pr=pr, scenario=scenario, source=source,
                             **options)  # type: ignore[arg-type]
        except Exception:
            link.close()
            raise

    @property
    def slave_path(self) -> str:
        """The current /dev/pts/N behind ``port`` (changes on every replug)."""
        return self._link.slave_path  # type: ignore[union-attr]


def port_simulator(path: str, protocol: str, **options: object) -> Simulator:
    """A simulator writing to an existing serial port at the protocol's line settings."""
    info = PROTOCOLS[protocol]
    link = SerialLink(path, info.baudrate, info.parity)
    try:
        return Simulator(link, protocol, **options)  # type: ignore[arg-type]
    except Exception:
        link.close()
        raise


def start_demo_device(protocol: str = "cms50-legacy", **options: object) -> PtySimulator:
    """A running simulated oximeter for when no device is attached; call ``stop()`` on exit."""
    sim = PtySimulator(protocol, **options)  # type: ignore[arg-type]
    sim.start()
    return sim

