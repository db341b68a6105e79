"""One serial device read on its own thread: parse, batch, reconnect, keep alive.

The GUI thread never touches the port. The worker wakes once per batching period, reads
what waited, feeds the protocol's parser and hands readings over in batches at most
``MAX_BATCHES_PER_S`` times a second (never one signal per sample). Silence longer than
``no_data_after_s`` (no valid frame, even if bytes arrive: a wrong baud rate looks like this)
is the "no data" technical condition; a port error is "disconnected", after which the worker
reopens the port with backoff until the device is back, without any user action. The port is opened
exclusively (devices/ports.py): one taken by another program is "disconnected" with
``last_error`` "port ... is in use by another program", retried until it is free. Bluetooth SPP
(rfcomm) devices are serial ports and take the same path.
"""

from __future__ import annotations

import logging
import os
import select
import time

import serial
from PySide6.QtCore import QObject

from hms_desktop.devices.batching import BatchGate
from hms_desktop.devices.ports import close_exclusive, open_exclusive
from hms_desktop.devices.protocols import PROTOCOLS, Parser, ProtocolInfo, make_parser
from hms_desktop.devices.worker import DISCONNECTED_READING, STATES, ThreadedReader

__all__ = ["DISCONNECTED_READING", "STATES", "DeviceReader"]

_log = logging.getLogger(__name__)

# Each batch repaints its bed once: 24 a second (~42 ms apart) draws 16 beds with about a fifth
# less of the GUI thread than 30 did (app CPU 24 % against 29–31 % of one core, quiet machine,
# docs/benchmarks.md "Monitor"), and alarm latency p99 stayed ~37 ms against its 60 ms goal.
MAX_BATCHES_PER_S = 24
BACKOFF_S = (0.2, 0.5, 1.0)  # waits between reopen attempts; the last one repeats (USB re-enumerates in ~1 s)
# A stream where most bytes fail to frame is noise (a wrong baud rate, a different device):
# protocols without a checksum then still "find" frames by chance, with made-up numbers.
# Readings from a stretch where more than NOISE_RATIO of the bytes were dropped are
# discarded (and counted), so noise is "no data", never a number on the screen.
NOISE_RATIO = 0.4
NOISE_MEMORY = 0.9  # per read (~30 reads/s): the noise estimate looks back about 0.3 s
READ_MAX = 65536  # bytes taken per read: far more than a batching period brings at any baud rate


class DeviceReader(ThreadedReader):
    """Reads one port with one protocol until ``stop()``; create it and its receivers on the GUI thread."""

    def __init__(
        self,
        port: str,
        protocol: str,
        *,
        no_data_after_s: float = 3.0,
        keepalive_s: float | None = None,
        parent: QObject | None = None,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol '{protocol}' (known: {', '.join(PROTOCOLS)})")
        super().__init__(f"device_reader:{port}", parent)
        self.port = port
        self.protocol = protocol
        self.info: ProtocolInfo = PROTOCOLS[protocol]
        self.no_data_after_s = no_data_after_s
        self.keepalive_s = self.info.keepalive_s if keepalive_s is None else keepalive_s
        self.discarded_readings = 0  # parsed from a stretch of noise, not shown
        self.wakeups = 0  # times the thread woke to read: about MAX_BATCHES_PER_S a second, never more
        self.connections = 0

    def _run(self) -> None:
        attempt = 0
        self._set_state("connecting")
        while not self._stop.is_set():
            try:
                port = self._open()
            except Exception as exc:  # whatever it is, say so and retry: never end silently
                self._lost(str(exc) if isinstance(exc, serial.SerialException | OSError | ValueError)
                           else f"reader error: {exc!r}")
                self._stop.wait(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
                attempt += 1
                continue
            self.connections += 1
            self._set_state("connecting")
            try:
                if self._stream(port, make_parser(self.protocol)):
                    attempt = 0  # it streamed: the next outage starts the backoff afresh
            except (serial.SerialException, OSError) as exc:
                self._lost(str(exc))
            except Exception as exc:  # a bug here must be a technical alarm, not silence
                _log.exception("reader on %s failed", self.port)
                self._lost(f"reader error: {exc!r}")
                self._stop.wait(BACKOFF_S[-1])
            finally:
                close_exclusive(port)
        self._set_state("stopped")

    def _open(self) -> serial.Serial:
        info = self.info
        port = open_exclusive(self.port, baudrate=info.baudrate, parity=info.parity,
                              bytesize=info.bytesize, stopbits=info.stopbits, timeout=0,
                              write_timeout=1.0)
        try:
            port.reset_input_buffer()  # stale bytes from before we opened are not "live"
            if info.start_command:
                port.write(info.start_command)
        except (serial.SerialException, OSError):
            close_exclusive(port)
            raise
        return port

    def _stream(self, port: serial.Serial, parser: Parser) -> bool:
        """Reads until stop or a port error; True if any reading arrived.

        One wake-up per batch: the thread sleeps out the batching period (frames accumulate
        in the port instead of waking it per frame), then takes everything that waited and
        sends it at once, so a batch carries the newest frame. Waking on the first byte and
        again when the batch was due cost 16 readers ~960 wake-ups a second, each with the
        GIL to win, for the same data (docs/benchmarks.md, monitor CPU).
        """
        info = self.info
        last_keepalive = time.monotonic()
        gate = BatchGate(self.no_data_after_s, last_keepalive, max_per_s=MAX_BATCHES_PER_S)
        intake = _Intake(self, parser, gate)
        fd = _fileno(port)
        while not self._stop.is_set():
            self.wakeups += 1
            # 0 only when nothing waits to go out (a due batch went out last time round): the
            # next look is then a period away. Waiting 0 spun a 1 Hz device's or a silent
            # port's reader between readings, at half a core each.
            self._stop.wait(gate.until_due(time.monotonic()) or gate.period_s)
            if fd is None:
                intake.read(port)
            else:
                intake.read_fd(fd)
            now = time.monotonic()
            batch = gate.take(now)
            if batch:
                self._emit_readings(batch)
            if gate.silent(now):
                self._no_data()
            if info.keepalive_command and now - last_keepalive >= self.keepalive_s:
                # In "no data" a V7 device may have stopped: ask it to start again.
                command = info.start_command if self.state == "no_data" else info.keepalive_command
                port.write(command)
                last_keepalive = now
        return intake.got_any


class _Intake:
    """One connection's reading side: read, parse, count what was dropped, judge noise, and
    hand valid readings to the batch gate."""

    def __init__(self, reader: DeviceReader, parser: Parser, gate: BatchGate) -> None:
        self.reader, self.parser, self.gate = reader, parser, gate
        self.got_any = False
        self.dropped_before, self.bad_before = reader.dropped_bytes, reader.bad_frames
        self.window_bytes = self.window_dropped = 0.0

    def read(self, port: serial.Serial) -> None:
        """What waits in a port without a file descriptor (pyserial's own reading)."""
        chunk = port.read(port.in_waiting or 1)
        if chunk:
            self.take(chunk)

    def read_fd(self, fd: int) -> None:
        """What waits in the port's (non-blocking) descriptor, mostly in one system call.

        pyserial's ``read`` costs a ``select``, an ``ioctl`` and Python timeout objects per
        call. An empty read means "nothing yet", unless the port is also readable: a hung-up
        port is readable with nothing to read (pyserial's test, too), and the reader reconnects.
        """
        chunk = _read_now(fd)
        if not chunk:
            if not select.select([fd], [], [], 0)[0]:
                return  # nothing arrived this period: silence is judged by the gate
            chunk = _read_now(fd)  # readable: data that arrived meanwhile, or a hang-up
            if not chunk:
                raise serial.SerialException("device reports readiness to read but returned no data "
                                             "(device disconnected or multiple access on port?)")
        self.take(chunk)

    def take(self, chunk: bytes) -> None:
        """Parse one chunk, count what was dropped, judge noise, hand readings to the gate."""
        reader, parser = self.reader, self.parser
        dropped = parser.dropped_bytes
        try:
            readings = parser.feed(chunk)
        except Exception as exc:  # noqa: BLE001 - a parser bug must not silence the bed
            reader._report_problem(f"parser {reader.protocol} failed: {type(exc).__name__}: {exc}")
            readings = []
        reader.dropped_bytes = self.dropped_before + parser.dropped_bytes
        if parser.bad_frames != reader.bad_frames - self.bad_before:
            reader.bad_frames = self.bad_before + parser.bad_frames
            reader.last_bad_frame = parser.rejected[-1]
        self.window_bytes = self.window_bytes * NOISE_MEMORY + len(chunk)
        self.window_dropped = self.window_dropped * NOISE_MEMORY + parser.dropped_bytes - dropped
        # No minimum sample: right after connecting, a torn first frame may cost a
        # reading, but noise never gets through before the estimate has warmed up.
        if readings and self.window_dropped > NOISE_RATIO * self.window_bytes:
            reader.discarded_readings += len(readings)
            readings = []
        if readings:
            self.gate.add(readings, time.monotonic())
            self.got_any = True
            reader._set_state("streaming")


def _read_now(fd: int) -> bytes:
    """What the descriptor holds now (b"" if nothing); a port error raises."""
    try:
        return os.read(fd, READ_MAX)
    except BlockingIOError:
        return b""
    except OSError as exc:
        raise serial.SerialException(f"read failed: {exc}") from exc


def _fileno(port: serial.Serial) -> int | None:
    if os.name != "posix":
        return None
    try:
        return int(port.fileno())
    except (AttributeError, serial.SerialException, OSError):
        return None
