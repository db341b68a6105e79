"""Editing the clinic's warning ranges (the editable ``clinical_ranges`` table)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGridLayout, QVBoxLayout, QWidget

from hms_desktop.domain.clinical_ranges import HARD_LIMITS, ClinicalRange, range_errors
from hms_desktop.ui.care.common import (
    MessageLine,
    NumberField,
    describe_error,
    label_for,
    named,
    text_label,
)

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


class RangesDialog(QDialog):
    """One low/high pair per parameter; an empty bound means "no warning on that side"."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "care_ranges_dialog", "Clinical ranges")
        self.setWindowTitle("Clinical ranges (warnings only)")
        self.ctx = ctx
        grid = QGridLayout()
        for col, text in enumerate(("Parameter", "Warn below", "Warn above", "Impossible outside")):
            grid.addWidget(text_label(f"ranges_head_{col}", text), 0, col)
        self.fields: dict[str, tuple[ClinicalRange, NumberField, NumberField]] = {}
        for row, rng in enumerate(ctx.services.observations.ranges(), start=1):
            low = NumberField(f"range_{rng.id}_low", f"{rng.label} low", integer=False,
                              placeholder="no limit")
            high = NumberField(f"range_{rng.id}_high", f"{rng.label} high", integer=False,
                               placeholder="no limit")
            low.setText("" if rng.low is None else f"{rng.low:g}")
            high.setText("" if rng.high is None else f"{rng.high:g}")
            limit = HARD_LIMITS.get(rng.id)
            grid.addWidget(label_for(low, f"{rng.label} ({rng.unit})"), row, 0)
            grid.addWidget(low, row, 1)
            grid.addWidget(high, row, 2)
            grid.addWidget(text_label(f"range_{rng.id}_limits",
                                      f"{limit.low:g}–{limit.high:g}" if limit else ""), row, 3)
            self.fields[rng.id] = (rng, low, high)
        self.message = MessageLine("ranges_message", "Clinical ranges message")
        buttons = named(QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                         | QDialogButtonBox.StandardButton.Cancel),
                        "ranges_buttons", "Save or cancel")
        for role, name in ((QDialogButtonBox.StandardButton.Save, "Save clinical ranges"),
                           (QDialogButtonBox.StandardButton.Cancel, "Cancel clinical ranges")):
            named(buttons.button(role), name.lower().replace(" ", "_"), name)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def edited(self) -> list[ClinicalRange]:
        """The changed ranges; ValueError (naming the field) for a typo or a bad range."""
        changed = []
        errors: list[str] = []
        for rng, low, high in self.fields.values():
            new = rng.model_copy(update={"low": low.value(), "high": high.value()})
            errors += range_errors(new)
            if (new.low, new.high) != (rng.low, rng.high):
                changed.append(new)
        if errors:
            raise ValueError("; ".join(errors))
        return changed

    def save(self) -> None:
        try:
            changed = self.edited()
        except ValueError as exc:
            self.message.show_error(f"Not saved. {describe_error(exc)}")
            return
        if not changed:
            self.accept()
            return
        svc = self.ctx.services.observations

        def write() -> None:
            for rng in changed:
                svc.update_range(rng)

        def failed(exc: BaseException) -> bool:
            self.message.show_error(describe_error(exc))
            return True

        self.ctx.run(write, on_done=lambda _: self.accept(), on_error=failed,
                     what="clinical ranges")
