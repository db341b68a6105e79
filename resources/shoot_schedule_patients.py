"""Saves PNGs of the Schedule and Patients views on an existing data folder, to look at.

    xvfb-run -a -s "-screen 0 1400x900x24" python resources/shoot_schedule_patients.py DATA_DIR OUT_DIR
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hms_desktop.ui.main_window import MainWindow  # noqa: E402
from hms_desktop.ui.shell.session_controller import SessionController  # noqa: E402


def main() -> int:
    app = QApplication([sys.argv[0]])
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        controller = SessionController(data, demo_if_empty=False)
        window = MainWindow(controller,
                            qsettings=QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat),
                            relaunch=lambda _f: None)
        window.resize(1400, 880)
        window.show()
        steps: list = []

        def save(name: str, widget: QWidget | None = None) -> None:
            (widget or window).grab().save(str(out / f"{name}.png"))
            print("saved", name)

        def schedule() -> QWidget:
            return window.findChild(QWidget, "schedule_tab")

        def patients() -> QWidget:
            return window.findChild(QWidget, "patients_tab")

        def mode(m: str) -> None:
            schedule().set_mode(m)

        def dialog(opener, name: str) -> None:
            d = opener()
            QTimer.singleShot(600, lambda: (save(name, d), d.reject() if isinstance(d, QDialog) else d.close()))

        def fill_form() -> None:
            """Type an existing patient's name and birth date so the duplicate panel shows."""
            from PySide6.QtWidgets import QLineEdit
            dialog = patients().dialog
            first = patients().model.index(0, 0)
            row = [patients().model.data(first.siblingAtColumn(c)) for c in range(4)]
            for widget in dialog.findChildren(QLineEdit):
                value = {"Given name": row[2], "Family name": row[1], "Date of birth": row[3]}.get(
                    widget.accessibleName())
                if value:
                    widget.setText(str(value))

        steps += [lambda: window.show_tab("Schedule"), lambda: None, lambda: None,
                  lambda: (mode("day"), None), lambda: save("sched_day"),
                  lambda: mode("week"), lambda: save("sched_week"),
                  lambda: mode("month"), lambda: save("sched_month"),
                  lambda: mode("day"),
                  lambda: dialog(lambda: schedule().open_booking(), "sched_booking"), lambda: None,
                  lambda: dialog(lambda: schedule().open_providers(), "sched_providers"), lambda: None,
                  lambda: window.show_tab("Patients"), lambda: None, lambda: save("patients_list"),
                  lambda: patients().new_patient(), fill_form, lambda: None,
                  lambda: save("patients_form", patients().dialog), lambda: patients().dialog.reject(),
                  lambda: app.quit()]
        it = iter(steps)

        def step() -> None:
            try:
                next(it)()
            except StopIteration:
                return
            QTimer.singleShot(1500, step)

        controller.sig_context_ready.connect(lambda _ctx: QTimer.singleShot(3000, step))
        controller.start()
        rc = int(app.exec())
        window.close()
        return rc


if __name__ == "__main__":
    sys.exit(main())
