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
EMERGENCY, EMERGENCY_READ = "emergency access", "read under emergency access"
#: What breaking the glass opens: reading one patient's record, never changing it.
EMERGENCY_PERMISSIONS = frozenset({Permission.VIEW_RECORD, Permission.READ_CLINICAL_NOTES})
MIN_REASON = 10


class AccessControl:
    """The signed-in user of one session and the access log. Thread-safe enough: the user
    is one reference, swapped whole on sign-in."""

    def __init__(self, store: Store | None = None, *, user: SignedInUser = SYSTEM_USER,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._store = store
        self._log: DayLog[AccessEvent] | None = store.day_log("access", AccessEvent) if store else None
        self._now = now
        self._user = SYSTEM_USER
        self._emergency: set[str] = set()  # patients opened by breaking the glass, this sign-in
        self.act_as(user)

    @property
    def user(self) -> SignedInUser:
        return self._user

    def act_as(self, user: SignedInUser) -> None:
        """From now on every call is checked against ``user`` and every change is theirs."""
        self._user = user
        self._emergency = set()  # emergency access ends with the sign-in that gave it
        if self._store is not None and not user.system:
            self._store.actor = user.username

    def may(self, permission: Permission) -> bool:
        return self._user.may(permission)

    def require(self, permission: Permission, *, what: str = "", patient_id: str = "") -> None:
        """Raise ``PermissionError`` (and log the denial) unless the user holds ``permission``."""
        if self._user.may(permission):
            return
        if patient_id and patient_id in self._emergency and permission in EMERGENCY_PERMISSIONS:
            self.record(EMERGENCY_READ, patient_id=patient_id, detail=what or permission.value)
            return
        self.record(DENIED, patient_id=patient_id, detail=f"{permission.value}: {what}".rstrip(": "))
        raise PermissionError(f"{self._user.display_name} ({self._user.username}) may not "
                              f"{what or permission.value}. {denial_reason(permission)}.")

    def break_glass(self, patient_id: str, reason: str) -> None:
        """Emergency access: a user without the permission may read this patient's record
        after giving a reason. Allowed, flagged in the access log (every later read too) and
        listed for administrators (``emergency_accesses``). A kiosk account cannot."""
        if self._user.is_station:
            raise PermissionError("a nurse-station account cannot use emergency access; sign in as yourself")
        if len(reason.strip()) < MIN_REASON:
            raise ValueError(f"say why you need emergency access (at least {MIN_REASON} characters)")
        if not patient_id:
            raise ValueError("emergency access is to one patient's record")
        self.record(EMERGENCY, patient_id=patient_id, detail=reason.strip())
        self._emergency.add(patient_id)

    def has_emergency_access(self, patient_id: str) -> bool:
        """This sign-in broke the glass for ``patient_id`` (the Record tab opens for it)."""
        return bool(patient_id) and patient_id in self._emergency

    def emergency_accesses(self, start: datetime, end: datetime) -> list[AccessEvent]:
        """Every use of emergency access in the period, for administrators."""
        self.require(Permission.VIEW_AUDIT_LOG, what="see emergency accesses")
        return [e for e in self.read_log(start, end) if e.action == EMERGENCY]

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
