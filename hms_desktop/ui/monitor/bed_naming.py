"""One rule for naming beds, used by "Add bed", ``--monitor`` and the Start dialog.

A bed given by number — ``1``, ``Bed 1``, ``bed1``, ``BED01`` — is the ward's numbered bed:
id ``BED01``, shown as "Bed 1" (the demo ward's beds are made the same way). Any other
name ("Side room", "ICU-A") is kept as typed and gets an id from its letters and digits.
A bed is found by number, id or name, case-insensitively, so ``--monitor 1=…`` and "Bed 1"
are the same bed (issue 11 item 15). Pure: no Qt, no storage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hms_desktop.domain.monitoring import Bed

_NUMBERED = re.compile(r"(?:bed)?\s*0*(\d{1,2})", re.IGNORECASE)
NAME_MAX = 40
ID_MAX = 16
POSITION_MAX = 99


class BedNameError(ValueError):
    """A bed name that cannot be used, said in a plain sentence."""


def bed_number(text: str) -> int | None:
    """9 for "9", "Bed 9", "bed09", "BED09"; None for a name that is not a number."""
    match = _NUMBERED.fullmatch(text.strip())
    if match is None:
        return None
    number = int(match.group(1))
    return number if number > 0 else None


def numbered_id(number: int) -> str:
    return f"BED{number:02d}"


def find_bed(text: str, beds: Iterable[Bed]) -> Bed | None:
    """The bed ``text`` names: by number, by id or by name (case-insensitive)."""
    wanted = text.strip()
    number = bed_number(wanted)
    for bed in beds:
        if number is not None and (bed.id == numbered_id(number) or bed_number(bed.name) == number):
            return bed
        if bed.id == wanted.upper() or bed.name.casefold() == wanted.casefold():
            return bed
    return None


def new_bed(text: str, beds: Iterable[Bed]) -> Bed:
    """A new bed named by ``text``; refuses, in words, an empty, too long or existing name."""
    existing = list(beds)
    wanted = " ".join(text.split())
    if not wanted:
        raise BedNameError("Give the bed a name or a number, e.g. Bed 9")
    if len(wanted) > NAME_MAX:
        raise BedNameError(f"The bed name is too long ({len(wanted)} characters; at most {NAME_MAX})")
    same = find_bed(wanted, existing)
    if same is not None:
        raise BedNameError(f"There is already a bed called {same.name}")
    position = min(max((b.position for b in existing), default=-1) + 1, POSITION_MAX)
    number = bed_number(wanted)
    if number is not None:
        return Bed(id=numbered_id(number), name=f"Bed {number}", position=position)
    return Bed(id=_free_id(wanted, {b.id for b in existing}), name=wanted, position=position)


def _free_id(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9]", "", name).upper()[:ID_MAX] or "BED"
    candidate, n = base, 2
    while candidate in taken:
        suffix = str(n)
        candidate = base[:ID_MAX - len(suffix)] + suffix
        n += 1
    return candidate
