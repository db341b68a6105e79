"""A serial device is never shared: a port already open elsewhere is reported, not read.

Real pseudo-terminals driven by the simulator; the "other program" is a second reader in
this process, or a real second process holding the port (as a second HMS window would).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import serial

from hms_desktop.devices.discovery import autodetect
from hms_desktop.devices.ports import PortInUse, close_exclusive, open_exclusive

HOLD_PORT = """
import sys, serial
port = serial.Serial(sys.argv[1], 19200, exclusive=True)
print("holding", flush=True)
sys.stdin.readline()
port.close()
"""


@pytest.fixture
def other_program():  # type: ignore[no-untyped-def]
    """Starts a real process that holds a port open exclusively until the test ends."""
    procs: list[subprocess.Popen[str]] = []

    def hold(path: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-c", HOLD_PORT, path], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        return proc

    yield hold
    for proc in procs:
        proc.communicate("\n", timeout=10)


@pytest.mark.slow
def test_a_second_reader_on_the_same_port_reports_it_in_use_and_the_first_keeps_streaming(
        make_sim, make_reader, qtbot) -> None:  # type: ignore[no-untyped-def]
    # Nonin DF2 (8N1): Linux refuses to reopen a pty the first reader set to odd parity.
    sim = make_sim("nonin-df2", spo2=96)
    first, first_rec = make_reader(sim.port, "nonin-df2")
    qtbot.waitUntil(lambda: first.state == "streaming", timeout=5000)
    dropped = first.dropped_bytes  # the ACK to the format select, nothing else
    second, second_rec = make_reader(sim.port, "nonin-df2")
    errors: list[str] = []
    second.sig_error_changed.connect(errors.append)
    qtbot.waitUntil(lambda: second.state == "disconnected", timeout=5000)
    assert second.last_error == f"port {sim.port} is in use by another program"
    qtbot.waitUntil(lambda: bool(errors), timeout=2000)
    assert errors[-1] == second.last_error
    assert second.statistics()["last_error"] == second.last_error
    # The first reader is not disturbed: every frame still arrives whole.
    count = len(first_rec.readings)
    qtbot.waitUntil(lambda: len(first_rec.readings) >= count + 75, timeout=3000)
    assert first.state == "streaming" and first.dropped_bytes == dropped and first.bad_frames == 0
    assert first_rec.readings[-1].spo2 == 96
    assert [r for r in second_rec.readings if r.spo2 is not None or r.pleth] == []
    # When the first lets go, the second takes over by itself.
    first.stop()
    qtbot.waitUntil(lambda: second.state == "streaming", timeout=5000)
    # The state is the reader thread's; the cleared error reaches the GUI thread as a signal.
    qtbot.waitUntil(lambda: errors[-1] == "", timeout=2000)


def test_a_port_held_by_another_process_is_reported_never_shared(
        make_sim, make_reader, other_program, qtbot) -> None:  # type: ignore[no-untyped-def]
    sim = make_sim("cms50-legacy")
    other_program(sim.port)
    reader, rec = make_reader(sim.port, "cms50-legacy")
    qtbot.waitUntil(lambda: reader.state == "disconnected", timeout=5000)
    assert reader.last_error == f"port {sim.port} is in use by another program"
    assert reader.connections == 0  # it never read a byte meant for the other program
    with pytest.raises(PortInUse, match="in use by another program"):
        autodetect(sim.port, protocols=("cms50-legacy",), fast_listen_s=0.3)


def test_open_exclusive_twice_in_one_process() -> None:
    import os
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    try:
        port = open_exclusive(path, baudrate=19200, timeout=0)
        with pytest.raises(PortInUse) as raised:
            open_exclusive(path, baudrate=19200, timeout=0)
        assert str(raised.value) == f"port {path} is in use by another program"
        assert isinstance(raised.value, serial.SerialException)  # callers that catch those still do
        close_exclusive(port)
        close_exclusive(open_exclusive(path, baudrate=19200, timeout=0))  # free again
    finally:
        os.close(master)
        os.close(slave)


def test_windows_access_denied_means_in_use_and_linux_eacces_means_permission(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What pyserial raises on each OS, as the user reads it (no Windows machine needed)."""
    import errno

    import hms_desktop.devices.ports as ports

    monkeypatch.setattr(ports.os, "name", "nt")
    taken = serial.SerialException("could not open port 'COM3': PermissionError(13, 'Access is denied.', None, 5)")
    assert str(ports._explained("COM3", taken)) == "port COM3 is in use by another program"
    monkeypatch.setattr(ports.os, "name", "posix")
    denied = serial.SerialException(errno.EACCES, "could not open port /dev/ttyUSB0: [Errno 13] Permission denied")
    message = str(ports._explained("/dev/ttyUSB0", denied))
    assert message.startswith("no permission to open port /dev/ttyUSB0") and "dialout" in message
    locked = serial.SerialException(errno.EWOULDBLOCK, "Could not exclusively lock port /dev/ttyUSB0: [Errno 11]")
    assert isinstance(ports._explained("/dev/ttyUSB0", locked), PortInUse)
    missing = serial.SerialException(errno.ENOENT, "could not open port /dev/ttyUSB9: [Errno 2] No such file")
    assert ports._explained("/dev/ttyUSB9", missing) is missing  # unplugged: said as it is
