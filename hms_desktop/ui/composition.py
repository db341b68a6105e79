"""The one place an AppContext is assembled: store + bus + services + writer + context.

The window's session controller, the quick-look runners (``python -m hms_desktop.ui.record``
…) and the UI test fixtures all build their context here, so a new part of the context
(the signed-in user, a read executor) is added once, not in ten copies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import Services, build_services
from hms_desktop.services.timeline import TimelineSource
from hms_desktop.services.writer import BackgroundWriter
from hms_desktop.storage import Store
from hms_desktop.ui.context import AppContext


def record_pages() -> list[tuple[str, Callable[[Any], QWidget]]]:
    """The Record tab's pages: the record's own, then care (observations with NEWS2, chronic
    care, referrals, wearables) and the monitor's recorded vitals, then the Timeline."""
    from hms_desktop.ui.care import CARE_PAGES
    from hms_desktop.ui.monitor import MONITOR_PAGES
    from hms_desktop.ui.record.pages import RECORD_PAGES, TIMELINE_PAGE

    return [*RECORD_PAGES, *CARE_PAGES, *MONITOR_PAGES, TIMELINE_PAGE]


def timeline_sources() -> list[TimelineSource]:
    """What the Timeline shows: the record's sections, then care (observations, chronic care,
    referrals, wearables). A new feature adds its source here, next to its record pages."""
    from hms_desktop.services.chronic import chronic_timeline
    from hms_desktop.services.observations import observations_timeline
    from hms_desktop.services.record import record_timeline
    from hms_desktop.services.referrals import referrals_timeline
    from hms_desktop.services.wearables import wearables_timeline

    return [record_timeline, observations_timeline, chronic_timeline, referrals_timeline, wearables_timeline]


def open_context(
    data_dir: Path,
    *,
    actor: str | None = None,
    store: Store | None = None,
    services: Services | None = None,
    writer: BackgroundWriter | None = None,
    settings: ClinicSettings | None = None,
    parent: QObject | None = None,
) -> AppContext:
    """A context on ``data_dir``; parts already opened elsewhere (a ``Session``'s store and
    services, the controller's writer) are passed in, the rest is built here."""
    if services is not None:
        store = services.store
    if store is None:
        store = Store(data_dir, actor=actor)
    if services is None:
        services = build_services(store, EventBus())
    ctx = AppContext(
        services=services,
        store=store,
        bus=services.bus,
        writer=writer if writer is not None else BackgroundWriter(),
        settings=settings if settings is not None else ClinicSettings(),
        data_dir=data_dir,
        parent=parent,
    )
    ctx.record_pages = record_pages()
    ctx.timeline_sources = timeline_sources()
    return ctx


def close_context(ctx: AppContext) -> None:
    """Stop the station controller (if any) and the readers, finish queued writes, release
    the folder."""
    if ctx.monitor_controller is not None:
        ctx.monitor_controller.stop()
    ctx.queries.shutdown()
    ctx.writer.shutdown()
    ctx.store.close()


@contextmanager
def opened_context(data_dir: Path, *, actor: str | None = None,
                   settings: ClinicSettings | None = None) -> Iterator[AppContext]:
    """``open_context`` for a ``with`` block (quick looks, tests): closed however it ends."""
    ctx = open_context(data_dir, actor=actor, settings=settings)
    try:
        yield ctx
    finally:
        close_context(ctx)
