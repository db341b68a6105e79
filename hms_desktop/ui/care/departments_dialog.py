"""Editing the department list: add, rename, retire or restore (never delete: old
referrals still name a department)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hms_desktop.domain.referrals import Department
from hms_desktop.services import topics
from hms_desktop.ui.care.common import MessageLine, RowsModel, describe_error, make_table, named

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext


class DepartmentsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "care_departments_dialog", "Departments")
        self.setWindowTitle("Referral departments")
        self.ctx = ctx
        self.model = RowsModel(("Department", "In use"), self)
        self.table = make_table("departments_table", "Departments table", self.model, stretch=True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        self.name = named(QLineEdit(), "department_name", "Department name")
        self.add = named(QPushButton("&Add"), "department_add", "Add department")
        self.rename = named(QPushButton("&Rename"), "department_rename", "Rename department")
        self.toggle = named(QPushButton("Re&tire"), "department_toggle", "Retire or restore department")
        self.message = MessageLine("departments_message", "Departments message")
        self.add.clicked.connect(lambda: self._write("add"))
        self.rename.clicked.connect(lambda: self._write("rename"))
        self.toggle.clicked.connect(lambda: self._write("toggle"))
        row = QHBoxLayout()
        for w in (self.name, self.add, self.rename, self.toggle):
            row.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.departments: list[Department] = []
        ctx.changes.sig_changed.connect(self._on_change)
        self.load()

    def _on_change(self, change: Any) -> None:
        if change.table == topics.DEPARTMENTS:
            self.load()

    def load(self) -> None:
        """Reload, keeping the selected department selected (so rename-then-retire works)."""
        keep = self.selected()
        self.departments = self.ctx.services.referrals.departments(include_inactive=True)
        self.model.set_rows([[d.name, "yes" if d.active else "retired"] for d in self.departments],
                            [d.id for d in self.departments],
                            {i for i, d in enumerate(self.departments) if not d.active})
        if keep is not None:
            self.table.selectRow(self.model.row_of(keep.id))
        self._selected()

    def selected(self) -> Department | None:
        rows = self.table.selectionModel().selectedRows()
        return self.departments[rows[0].row()] if rows else None

    def _selected(self) -> None:
        dep = self.selected()
        self.rename.setEnabled(dep is not None)
        self.toggle.setEnabled(dep is not None)
        self.toggle.setText("Re&store" if dep is not None and not dep.active else "Re&tire")
        if dep is not None:
            self.name.setText(dep.name)

    def _write(self, action: str) -> None:
        svc = self.ctx.services.referrals
        dep = self.selected()
        name = self.name.text()
        if action == "add":
            call: tuple[Any, ...] = (svc.add_department, name)
        elif dep is None:
            return
        elif action == "rename":
            call = (svc.rename_department, dep.id, name)
        else:
            call = (svc.set_department_active, dep.id, not dep.active)

        def failed(exc: BaseException) -> bool:
            self.message.show_error(describe_error(exc))
            return True

        def done(saved: Department) -> None:
            self.message.show_ok(f"Saved '{saved.name}'.")
            self.load()

        self.ctx.run(*call, on_done=done, on_error=failed, what="department")
