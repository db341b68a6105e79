"""What goes on a patient label or wristband, the stock it is printed on, and its barcode.

Qt-free: the UI paints this (``ui/interop/label_print.py``). Barcodes are computed here as
plain module patterns, so they are drawn as crisp vector bars at any printer resolution
and tests can check them without a printer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import barcode
import segno


class LabelKind(StrEnum):
    LABEL = "label"
    WRISTBAND = "wristband"


class Symbology(StrEnum):
    CODE128 = "Code 128"
    QR = "QR code"


@dataclass(frozen=True, slots=True)
class Stock:
    """A label or wristband size, ``long`` x ``short`` in millimetres (printed landscape)."""

    name: str
    long_mm: float
    short_mm: float
    kind: LabelKind


STOCKS: tuple[Stock, ...] = (
    Stock("Address label 89 × 36 mm (Dymo 99012)", 89, 36, LabelKind.LABEL),
    Stock("Address label 62 × 29 mm (Brother DK-11209)", 62, 29, LabelKind.LABEL),
    Stock("Shipping label 102 × 51 mm (4 × 2 in)", 102, 51, LabelKind.LABEL),
    Stock("Specimen label 57 × 32 mm (2.25 × 1.25 in)", 57, 32, LabelKind.LABEL),
    Stock("Adult wristband 279 × 25 mm (11 × 1 in)", 279, 25, LabelKind.WRISTBAND),
    Stock("Child wristband 178 × 25 mm (7 × 1 in)", 178, 25, LabelKind.WRISTBAND),
    Stock("Infant wristband 152 × 19 mm (6 × 0.75 in)", 152, 19, LabelKind.WRISTBAND),
)


def stocks_for(kind: LabelKind) -> list[Stock]:
    return [s for s in STOCKS if s.kind is kind]


@dataclass(frozen=True, slots=True)
class LabelContent:
    patient_id: str
    name: str  # "LOVELACE, Ada": family name first in capitals, as wards read them
    date_of_birth: str  # "07 Mar 1984"
    sex: str
    allergy: str  # "" on labels; the wristband's allergy flag ("ALLERGIES: ..." / "No known allergies")
    allergy_alert: bool


def label_content(patient_id: str, given: str, family: str, born: date, sex: str,
                  allergy_text: str = "", allergy_alert: bool = False) -> LabelContent:
    return LabelContent(patient_id, f"{family.upper()}, {given}", born.strftime("%d %b %Y"),
                        sex if sex != "unknown" else "", allergy_text, allergy_alert)


QUIET_MODULES = 10  # Code 128 needs a quiet zone of at least 10 module widths each side


def code128_modules(text: str) -> str:
    """The bar pattern ("1" bar, "0" space), start, checksum and stop included."""
    return str(barcode.get("code128", text).build()[0])


def qr_matrix(text: str) -> list[list[bool]]:
    """Dark modules of a QR code (error correction M, so a scuffed band still scans)."""
    code = segno.make_qr(text, error="m")
    return [[bool(cell) for cell in row] for row in code.matrix]
