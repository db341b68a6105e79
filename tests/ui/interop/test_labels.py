"""Printed labels and wristbands: the PDF holds the ID, the barcode decodes to the ID."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from pypdf import PdfReader
from PySide6.QtGui import QImage

from hms_desktop.interop.labels import (
    STOCKS,
    LabelKind,
    Symbology,
    code128_modules,
    label_content,
    stocks_for,
)
from hms_desktop.ui.interop.label_print import render_image, save_pdf

ADA = label_content("PAT000123", "Ada", "Lovelace", date(1984, 3, 7), "female",
                    "ALLERGIES: Penicillin (severe)", True)


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def _decode(image: QImage) -> list[tuple[object, str]]:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(gray.constBits(), dtype=np.uint8).reshape(
        gray.height(), gray.bytesPerLine())[:, : gray.width()].copy()
    return [(r.format, r.text) for r in zxingcpp.read_barcodes(pixels)]


def test_label_pdf_holds_name_dob_and_id(qapp, tmp_path: Path) -> None:
    stock = stocks_for(LabelKind.LABEL)[0]
    path = save_pdf(tmp_path / "label.pdf", ADA, stock, Symbology.CODE128)
    text = _text(path)
    assert "PAT000123" in text and "LOVELACE, Ada" in text and "07 Mar 1984" in text
    page = PdfReader(path).pages[0]
    width_mm = float(page.mediabox.width) / 72 * 25.4
    assert width_mm == pytest.approx(stock.long_mm, abs=1)


def test_wristband_pdf_carries_the_allergy_flag(qapp, tmp_path: Path) -> None:
    band = stocks_for(LabelKind.WRISTBAND)[0]
    text = _text(save_pdf(tmp_path / "band.pdf", ADA, band, Symbology.QR))
    assert "PAT000123" in text and "ALLERGIES: Penicillin (severe)" in text


@pytest.mark.parametrize("stock", STOCKS, ids=lambda s: s.name.split(" (")[0])
@pytest.mark.parametrize("symbology", list(Symbology))
def test_barcode_decodes_to_the_id_on_every_stock(qapp, stock, symbology) -> None:
    found = _decode(render_image(ADA, stock, symbology, dpi=300))
    expected = zxingcpp.BarcodeFormat.Code128 if symbology is Symbology.CODE128 \
        else zxingcpp.BarcodeFormat.QRCode
    assert found == [(expected, "PAT000123")]


def test_code128_pattern_has_start_checksum_and_stop() -> None:
    # ISO/IEC 15417: Start B = 11010010000, Stop = 1100011101011; 11 modules per symbol.
    modules = code128_modules("PAT000123")
    assert modules.startswith("11010010000") and modules.endswith("1100011101011")
    assert (len(modules) - 13) % 11 == 0
