"""Keeping the machine awake while beds are monitored: each OS branch (issue 11 item 6)."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from hms_desktop.ui.shell import keep_awake
from hms_desktop.ui.shell.keep_awake import KeepAwake


class FakePopen:
    started: list[list[str]] = []

    def __init__(self, command: list[str], **_kw: Any) -> None:
        self.command = command
        self.terminated = False
        FakePopen.started.append(command)

    def terminate(self) -> None:
        self.terminated = True

    def wait(self, timeout: float | None = None) -> int:
        return 0


@pytest.fixture(autouse=True)
def fake_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    FakePopen.started = []
    monkeypatch.setattr(subprocess, "Popen", FakePopen)


def test_linux_inhibits_suspend_with_systemd_inhibit_and_releases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(keep_awake, "_dbus_screensaver", lambda reason: None)  # no session bus here
    monkeypatch.setattr(keep_awake.shutil, "which", lambda name: f"/usr/bin/{name}")
    awake = KeepAwake()
    assert awake.hold("2 beds monitored") == ["suspend (systemd-inhibit)"]
    command = FakePopen.started[0]
    assert command[0] == "/usr/bin/systemd-inhibit" and "--what=idle:sleep" in command
    assert "--why=2 beds monitored" in command
    awake.hold("again")  # idempotent
    assert len(FakePopen.started) == 1
    awake.release()
    assert not awake.holding and awake.held == []


def test_linux_uses_the_screensaver_over_dbus_when_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    calls: list[str] = []

    def screensaver(reason: str) -> Any:
        calls.append(f"inhibit {reason}")
        return lambda: calls.append("uninhibit")

    monkeypatch.setattr(keep_awake, "_dbus_screensaver", screensaver)
    monkeypatch.setattr(keep_awake.shutil, "which", lambda name: None)
    awake = KeepAwake()
    assert awake.hold("monitoring") == ["screen saver (D-Bus)"]
    awake.release()
    assert calls == ["inhibit monitoring", "uninhibit"]


def test_windows_sets_and_clears_the_thread_execution_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    states: list[int] = []
    kernel32 = SimpleNamespace(SetThreadExecutionState=lambda flags: states.append(flags) or 1)
    monkeypatch.setattr(keep_awake.ctypes, "windll", SimpleNamespace(kernel32=kernel32), raising=False)
    awake = KeepAwake()
    assert awake.hold("monitoring") == ["sleep and display (SetThreadExecutionState)"]
    awake.release()
    assert states == [0x80000003, 0x80000000]


def test_macos_runs_caffeinate_tied_to_our_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(keep_awake.shutil, "which", lambda name: "/usr/bin/caffeinate")
    awake = KeepAwake()
    assert awake.hold("monitoring") == ["sleep and display (caffeinate)"]
    command = FakePopen.started[0]
    assert command[:5] == ["/usr/bin/caffeinate", "-d", "-i", "-s", "-w"]
    awake.release()


def test_nothing_available_is_logged_not_raised(monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(keep_awake, "_dbus_screensaver", lambda reason: (_ for _ in ()).throw(OSError("no bus")))
    monkeypatch.setattr(keep_awake.shutil, "which", lambda name: None)
    awake = KeepAwake()
    assert awake.hold("monitoring") == []
    assert "could not keep this machine awake" in caplog.text
