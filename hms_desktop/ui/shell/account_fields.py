"""The parts every account form shares (sign-in, first administrator, password change,
emergency access): named fields, the problem line, and a check run on the background writer
whose answer comes back to the GUI thread as a signal."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QLabel, QLineEdit

Submit = Callable[..., "Future[Any]"]


def field(name: str, *, secret: bool = False, text: str = "") -> QLineEdit:
    """A line edit named ``name`` (object name with underscores); a password field never echoes."""
    edit = QLineEdit(text)
    edit.setObjectName(name.replace(" ", "_").replace("-", "_"))
    edit.setAccessibleName(name)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def problem_line(object_name: str, accessible_name: str) -> QLabel:
    """Where a form says what is wrong (a refused password, a missing reason)."""
    label = QLabel("")
    label.setObjectName(object_name)
    label.setAccessibleName(accessible_name)
    label.setWordWrap(True)
    return label


def run_then_report(submit: Submit, fn: Callable[..., Any], *args: Any, to: SignalInstance) -> None:
    """Run ``fn(*args)`` on the writer (argon2id takes ~0.2 s; never on the GUI thread) and
    emit its result or its exception on ``to`` (queued to the GUI thread)."""
    future = submit(fn, *args)
    future.add_done_callback(lambda done: to.emit(
        done.exception() if done.exception() is not None else done.result()))


def refusal_text(outcome: object, failed: str) -> str:
    """An account refusal says itself; anything else is named with ``failed`` first."""
    return str(outcome) if isinstance(outcome, ValueError) else f"{failed}: {type(outcome).__name__}: {outcome}"
