"""Care pages of the Record tab (observations, chronic care, referrals, wearables).

``CARE_PAGES`` has the shape of ``ui/record/pages.py::RECORD_PAGES``; the composition root
appends it there. The clinic-wide lists (all referrals, overdue chronic readings) open
from buttons on these pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from hms_desktop.ui.care.chronic_page import create_chronic_page
from hms_desktop.ui.care.observations_page import create_observations_page
from hms_desktop.ui.care.referrals_page import create_referrals_page
from hms_desktop.ui.care.wearables_page import create_wearables_page

CARE_PAGES: list[tuple[str, Callable[[Any], QWidget]]] = [
    ("Observations", create_observations_page),
    ("Chronic care", create_chronic_page),
    ("Referrals", create_referrals_page),
    ("Wearables", create_wearables_page),
]

__all__ = ["CARE_PAGES", "create_chronic_page", "create_observations_page", "create_referrals_page",
           "create_wearables_page"]
