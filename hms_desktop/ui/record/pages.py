"""The Record tab's pages, in the order they are listed.

The record's own pages; the composition root (``ui/composition.py: record_pages``) puts the
other features' pages (care, monitor) between them and the Timeline, so ``ui.record`` never
imports those features. A factory takes the AppContext and returns a widget that follows
``ctx.current_patient`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from hms_desktop.domain.record import SECTIONS, Section
from hms_desktop.ui.record.medications_page import MedicationsPage
from hms_desktop.ui.record.notes_page import NotesPage
from hms_desktop.ui.record.section_page import SectionPage
from hms_desktop.ui.record.timeline_page import TimelinePage
from hms_desktop.ui.record.visits_page import VisitsPage

if TYPE_CHECKING:
    from hms_desktop.ui.context import AppContext

VISIT_LOG = SECTIONS[Section.VISITS].title
TIMELINE = "Timeline"


def _section(section: Section) -> Callable[[Any], QWidget]:
    def create(ctx: AppContext) -> QWidget:
        return SectionPage(ctx, section)

    create.__name__ = f"create_{section.value}_page"
    return create


PageFactory = Callable[[Any], QWidget]

RECORD_PAGES: list[tuple[str, PageFactory]] = [
    (SECTIONS[Section.ALLERGIES].title, _section(Section.ALLERGIES)),
    (SECTIONS[Section.PROBLEMS].title, _section(Section.PROBLEMS)),
    (SECTIONS[Section.MEDICATIONS].title, MedicationsPage),
    (SECTIONS[Section.DIAGNOSES].title, _section(Section.DIAGNOSES)),
    (SECTIONS[Section.SURGERIES].title, _section(Section.SURGERIES)),
    (SECTIONS[Section.NOTES].title, NotesPage),
    (VISIT_LOG, VisitsPage),
]
TIMELINE_PAGE: tuple[str, PageFactory] = (TIMELINE, TimelinePage)  # always listed last
