"""Accounts: roles, the permission matrix, the signed-in user and the password rules.

The matrix below is THE table of who may do what; services enforce it
(``services/access_control.py``), the UI reads it to hide or disable what a role cannot do,
and ``docs/security.md`` reproduces it. Change it here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    NURSE = "nurse"
    CLINICIAN = "clinician"
    ADMINISTRATOR = "administrator"
    STATION = "station"  # the nurse-station kiosk: beds and alarms only


class Permission(StrEnum):
    VIEW_DEMOGRAPHICS = "view demographics"
    EDIT_DEMOGRAPHICS = "edit demographics"
    VIEW_SCHEDULE = "view schedule"
    MANAGE_SCHEDULE = "manage schedule"
    VIEW_RECORD = "view record"  # allergies, problems, medications, diagnoses, visits
    READ_CLINICAL_NOTES = "read clinical notes"
    EDIT_RECORD = "edit record"  # medications, diagnoses, notes: the clinician's record
    RECORD_OBSERVATIONS = "record observations"
    REFERRALS = "referrals and letters"
    VIEW_BEDS = "view monitored beds"
    ACKNOWLEDGE_ALARMS = "acknowledge alarms"
    PAUSE_ALARM_AUDIO = "pause alarm audio"
    CONTROL_MONITORING = "start or end monitoring, change alarm limits"
    MANAGE_USERS = "manage users"
    CHANGE_SETTINGS = "change clinic settings"
    MERGE_PATIENTS = "merge patients"
    BACKUP_RESTORE = "backup and restore"
    VIEW_AUDIT_LOG = "view the audit log"


_R, _N, _C, _A, _S = Role.RECEPTIONIST, Role.NURSE, Role.CLINICIAN, Role.ADMINISTRATOR, Role.STATION

#: Who may do what. One row per permission; a test walks every cell.
PERMISSION_MATRIX: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_DEMOGRAPHICS: frozenset({_R, _N, _C, _A}),
    Permission.EDIT_DEMOGRAPHICS: frozenset({_R, _C}),
    Permission.VIEW_SCHEDULE: frozenset({_R, _N, _C}),
    Permission.MANAGE_SCHEDULE: frozenset({_R, _C}),
    Permission.VIEW_RECORD: frozenset({_N, _C}),
    Permission.READ_CLINICAL_NOTES: frozenset({_N, _C}),
    Permission.EDIT_RECORD: frozenset({_C}),
    Permission.RECORD_OBSERVATIONS: frozenset({_N, _C}),
    Permission.REFERRALS: frozenset({_C}),
    Permission.VIEW_BEDS: frozenset({_N, _C, _S}),
    Permission.ACKNOWLEDGE_ALARMS: frozenset({_N, _C, _S}),
    Permission.PAUSE_ALARM_AUDIO: frozenset({_N, _C, _S}),
    Permission.CONTROL_MONITORING: frozenset({_N, _C}),
    Permission.MANAGE_USERS: frozenset({_A}),
    Permission.CHANGE_SETTINGS: frozenset({_A}),
    Permission.MERGE_PATIENTS: frozenset({_A}),
    Permission.BACKUP_RESTORE: frozenset({_A}),
    Permission.VIEW_AUDIT_LOG: frozenset({_A}),
}


def roles_allowed(permission: Permission) -> frozenset[Role]:
    return PERMISSION_MATRIX[permission]


def denial_reason(permission: Permission) -> str:
    """The tooltip / error text: what is needed, in words a user understands."""
    roles = sorted(role.value for role in PERMISSION_MATRIX[permission])
    return f"Needs the {' or '.join(roles)} role ({permission.value})"


@dataclass(frozen=True, slots=True)
class SignedInUser:
    """Who is acting. Travels with the session and every service call."""

    username: str
    display_name: str
    roles: frozenset[Role]
    registration_number: str = ""
    system: bool = False  # the explicit ``system`` actor of ``demo`` and ``check``

    def may(self, permission: Permission) -> bool:
        return self.system or bool(self.roles & PERMISSION_MATRIX[permission])

    @property
    def is_station(self) -> bool:
        return self.roles == frozenset({Role.STATION})


#: The explicit actor of ``demo``, ``check`` and tests that open a folder without signing in.
SYSTEM_USER = SignedInUser("system", "System (demo data, checks)", frozenset(Role), system=True)

#: Nobody is signed in (signed out, or before the first sign-in): may do nothing. The name
#: cannot be a username (parentheses), so it never collides with an account.
SIGNED_OUT = SignedInUser("(signed out)", "Nobody signed in", frozenset())

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
ACTIVE: Literal["active"] = "active"
DISABLED: Literal["disabled"] = "disabled"


class UserAccount(BaseModel):
    """One row of ``users.csv``. The ID is the username. Never holds a password in clear."""

    id: str = ""
    display_name: str = Field(min_length=1, max_length=100)
    roles: list[Role] = Field(min_length=1)
    registration_number: str = Field(default="", max_length=40)
    status: Literal["active", "disabled"] = ACTIVE
    password_hash: str = ""  # argon2id, PHC string ($argon2id$v=19$m=...)
    must_change_password: bool = True
    failed_attempts: int = Field(default=0, ge=0)
    locked_until: datetime | None = None
    created_by: str = ""
    created_at: datetime | None = None

    @field_validator("id")
    @classmethod
    def _username(cls, value: str) -> str:
        if value and not USERNAME.match(value):
            raise ValueError("a username is 2-32 characters: lower-case letters, digits, '.', '_' or '-', "
                             "starting with a letter")
        return value

    def as_signed_in(self) -> SignedInUser:
        return SignedInUser(self.id, self.display_name, frozenset(self.roles), self.registration_number)


# ---- password rules (NIST SP 800-63B Rev. 4, section 3.1.1.2) --------------------------------
#: A password used alone (single-factor) needs at least 15 characters.
SINGLE_FACTOR_MIN_LENGTH = 15
#: An administrator may lower the minimum, never below this (with a warning).
LOWEST_MIN_LENGTH = 8
#: Long passphrases are welcome; the cap only stops absurd inputs (hashing cost).
MAX_LENGTH = 256
_RUN = 6  # a run of this many repeated or consecutive characters is refused


def normalise_password(password: str) -> str:
    """NFKC, so the same passphrase typed on two keyboards hashes the same (800-63B)."""
    return unicodedata.normalize("NFKC", password)


def min_length_warning(min_length: int) -> str:
    """The warning an administrator sees when lowering the minimum, or "" when none is due."""
    if min_length < LOWEST_MIN_LENGTH:
        raise ValueError(f"the minimum password length cannot be below {LOWEST_MIN_LENGTH}")
    if min_length < SINGLE_FACTOR_MIN_LENGTH:
        return (f"A minimum of {min_length} characters is below the {SINGLE_FACTOR_MIN_LENGTH} that "
                "NIST SP 800-63B recommends for a password used alone: guessing gets much easier.")
    return ""


def password_problems(password: str, *, min_length: int = SINGLE_FACTOR_MIN_LENGTH,
                      common: frozenset[str] = frozenset(), context: tuple[str, ...] = ()) -> list[str]:
    """Why ``password`` is refused ([] when accepted). No composition rules, by design:
    length and the blocklist (common passwords, repeated or sequential characters, the
    user's own name and the application's) are what 800-63B asks for."""
    text = normalise_password(password)
    problems: list[str] = []
    if len(text) < min_length:
        problems.append(f"use at least {min_length} characters ({len(text)} given); "
                        "a passphrase of a few words is easy to remember")
    if len(text) > MAX_LENGTH:
        problems.append(f"use at most {MAX_LENGTH} characters")
    folded = text.casefold()
    squeezed = "".join(folded.split())
    if folded in common or squeezed in common:
        problems.append("this is one of the most common passwords: attackers try it first")
    elif _has_run(squeezed):
        problems.append(f"avoid {_RUN} or more repeated or consecutive characters (aaaaaa, 123456, abcdef)")
    rest = squeezed
    for word in ("hmsdesktop", *context):
        word = "".join(word.casefold().split())
        if len(word) >= 3:
            rest = rest.replace(word, "")
    if rest != squeezed and len(rest) < LOWEST_MIN_LENGTH:
        problems.append("do not build the password around your name or the application's name")
    return problems


def _has_run(text: str) -> bool:
    same = up = down = 1
    for before, after in zip(text, text[1:], strict=False):
        step = ord(after) - ord(before)
        same = same + 1 if step == 0 else 1
        up = up + 1 if step == 1 else 1
        down = down + 1 if step == -1 else 1
        if max(same, up, down) >= _RUN and len(text) < 2 * _RUN + 4:
            return True
    return False


class AccessEvent(BaseModel):
    """One line of the access log (``access/YYYY-MM-DD.csv``): who did or tried what, when."""

    at: datetime
    user: str
    action: str  # "opened record", "denied", "signed in", "sign-in failed", "locked out", ...
    patient_id: str = ""
    detail: str = ""
