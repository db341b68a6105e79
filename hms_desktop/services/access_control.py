"""Who is signed in, what they may do, and the access log.

Every service that guards an entry point holds the one ``AccessControl`` of the session
(``build_services`` hands it over). ``require`` raises ``PermissionError`` — whatever the
caller: a tab, a command, a script — and writes the denial to the access log
(``access/YYYY-MM-DD.csv``, append-only). A service built on its own (a unit test, a tool)
acts as the explicit ``system`` actor, which may do everything and logs nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from hms_desktop.domain.accounts import (
    SYSTEM_USER,
    AccessEvent,
    Permission,
    SignedInUser,
    denial_reason,
)
from hms_desktop.storage import DayLog, ReadOnlyError, Store

log = logging.getLogger(__name__)

OPENED, PRINTED, EXPORTED, DENIED = "opened record", "printed", "exported", "denied"


class AccessControl:
    """The signed-in user of one session and the access log. Thread-safe enough: the user
    is one reference, swapped whole on sign-in."""

    def __init__(self, store: Store | None = None, *, user: SignedInUser = SYSTEM_USER,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._store = store
        self._log: DayLog[AccessEvent] | None = store.day_log("access", AccessEvent) if store else None
        self._now = now
        self._user = SYSTEM_USER
        self.act_as(user)

    @property
    def user(self) -> SignedInUser:
        return self._user

    def act_as(self, user: SignedInUser) -> None:
        """From now on every call is checked against ``user`` and every change is theirs."""
        self._user = user
        if self._store is not None and not user.system:
            self._store.actor = user.username

    def may(self, permission: Permission) -> bool:
        return self._user.may(permission)

    def require(self, permission: Permission, *, what: str = "", patient_id: str = "") -> None:
        """Raise ``PermissionError`` (and log the denial) unless the user holds ``permission``."""
        if self._user.may(permission):
            return
        self.record(DENIED, patient_id=patient_id, detail=f"{permission.value}: {what}".rstrip(": "))
        raise PermissionError(f"{self._user.display_name} ({self._user.username}) may not "
                              f"{what or permission.value}. {denial_reason(permission)}.")

    def record(self, action: str, *, patient_id: str = "", detail: str = "") -> None:
        """Append one line to today's access log. A folder opened read-only cannot keep one:
        that is said in the application log, never raised (reading must not fail for it)."""
        if self._log is None:
            return
        event = AccessEvent(at=self._now(), user=self._user.username, action=action,
                            patient_id=patient_id, detail=detail)
        try:
            self._log.append([event])
        except (ReadOnlyError, OSError) as exc:
            log.warning("access log not written (%s): %s %s %s", exc, event.user, action, patient_id)

    def read_log(self, start: datetime, end: datetime) -> list[AccessEvent]:
        return [] if self._log is None else self._log.read(start, end)


#: The guard of a service built without a session: the explicit system actor, no log.
UNRESTRICTED = AccessControl()


class Guarded(Protocol):
    access: AccessControl


S = TypeVar("S", bound=Guarded)
P = ParamSpec("P")
R = TypeVar("R")


def requires(permission: Permission, what: str = "") -> Callable[
        [Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R]]:
    """Decorate a service method: the session's user must hold ``permission``."""
    def decorate(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
        @functools.wraps(method)
        def checked(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            patient = kwargs.get("patient_id", "")
            self.access.require(permission, what=what or method.__name__.replace("_", " "),
                                patient_id=str(patient) if patient else _patient_of(args))
            return method(self, *args, **kwargs)
        return checked
    return decorate


def _patient_of(args: tuple[Any, ...]) -> str:
    """The patient a call is about, for the log: a ``PAT…`` argument, if any."""
    for value in args:
        if isinstance(value, str) and value.startswith("PAT"):
            return value
        patient_id = getattr(value, "patient_id", None)
        if isinstance(patient_id, str):
            return patient_id
    return ""
