"""Change notifications: after every successful write a service says what changed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Change:
    """What changed. Every interested view refreshes from it, the view that saved included:
    the bus alone refreshes views, so nobody needs to know who asked."""

    table: str
    ids: tuple[str, ...]
    op: str  # "insert", "update", "merge", "append" ...


Subscriber = Callable[[Change], None]


class EventBus:
    """Synchronous publish/subscribe; subscribers run on the publishing thread.

    The UI subscribes through ``AppContext.changes``, which re-emits on the GUI thread.
    A failing subscriber is logged and never stops the others (a write has already happened).
    """

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, change: Change) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(change)
            except Exception:  # noqa: BLE001 - one broken listener must not hide a saved change
                log.exception("change subscriber failed for %s", change)
