"""Opening a data folder: the slow part of start-up, as a plain function with progress.

The GUI runs ``open_session`` on the background writer and shows the progress; tests and
the command line call it directly. Nothing here knows about Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hms_desktop.domain.accounts import SYSTEM_USER, SignedInUser
from hms_desktop.domain.clinic_settings import ClinicSettings
from hms_desktop.services import demo
from hms_desktop.services.access_control import AccessControl
from hms_desktop.services.accounts import DEMO_ACCOUNTS
from hms_desktop.services.backup.upgrade import open_store
from hms_desktop.services.bus import EventBus
from hms_desktop.services.container import build_services
from hms_desktop.services.demo.marker import demo_was_removed, write_marker
from hms_desktop.services.gc_pause import cyclic_gc_paused
from hms_desktop.services.settings_file import SettingsError, load_settings
from hms_desktop.services.shared_changes import relay_changes
from hms_desktop.storage.patients import PATIENTS, RECENT_PATIENTS
from hms_desktop.storage.registry import all_tables
from hms_desktop.storage.schema import TableSpec

ProgressFn = Callable[[str, float], None]
log = logging.getLogger(__name__)

# The progress bar: loading the tables is the first 60 % when demo data follows (95 %
# otherwise), demo data runs up to 95 %, and the last 5 % is warming up the indexes.
_LOAD_SHARE_WITH_DEMO = 0.6
_WARM_UP_AT = 0.95
#: What the Patients tab needs (with its search index): loaded before the window is usable
#: when the rest is deferred (``open_session(defer_tables=True)``, then ``load_deferred``).
FIRST_TABLES = (PATIENTS.name, RECENT_PATIENTS.name)
#: With tables deferred the bar reaches this when the Patients tab is usable; the deferred
#: tables fill the rest (``load_deferred``), so it only ever moves forward.
_PATIENTS_READY_AT = 0.5


@dataclass
class Session:
    """An open data folder with its services; close it with ``close_session``."""

    data_dir: Path
    store: Any
    bus: EventBus
    services: Any
    settings: ClinicSettings
    settings_problem: str = ""
    demo_patients: int = 0
    table_counts: dict[str, int] = field(default_factory=dict)
    #: Tables not loaded yet (``load_deferred`` loads them; any use loads one on demand)
    deferred: list[TableSpec] = field(default_factory=list)

    @property
    def read_only(self) -> bool:
        return bool(self.store.read_only)

    @property
    def user(self) -> SignedInUser:
        """Who is signed in (``system`` until someone signs in): every service checks this user."""
        return self.access.user

    @property
    def access(self) -> AccessControl:
        return self.services.access  # type: ignore[no-any-return]

    def sign_in(self, user: SignedInUser) -> None:
        """Every later call is checked against ``user`` and every change is recorded as theirs."""
        self.access.act_as(user)


def open_session(
    data_dir: Path,
    *,
    demo_if_empty: bool = False,
    demo_patients: int = 500,
    demo_seed: int | None = None,
    progress: ProgressFn | None = None,
    database: str | None = None,
    user: SignedInUser = SYSTEM_USER,
    defer_tables: bool = False,
) -> Session:
    """Open the folder, load every known table, and fill an empty folder with demo data.

    Demo data is only generated when every table is empty and this instance can write,
    so it can never mix into a clinic's real records. A damaged settings file does not stop
    start-up: defaults are used and ``settings_problem`` says why, for the window to show.

    With ``defer_tables`` only what the Patients tab needs is loaded (``FIRST_TABLES`` and
    the search index); the caller runs ``load_deferred`` next, on the writer, while the
    window is already usable. Deferring delays no check: every table's files were compared
    with the manifest (by ``stat``) when the store opened, and a table that was never loaded
    is never checkpointed. A service loads a deferred table on first use, so nothing ever
    reads or writes a table whose rows are not in memory.
    """
    report = progress or (lambda _step, _fraction: None)
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    report(f"Opening {database or data_dir}", 0.0)
    # read-only for a newer folder; backed up before migrating. On a server (--database),
    # data_dir keeps only this workstation's files (settings, logs).
    store = open_database(database, data_dir) if database else open_store(data_dir)
    try:
        with cyclic_gc_paused():
            return _load(store, data_dir, demo_if_empty=demo_if_empty, demo_patients=demo_patients,
                         demo_seed=demo_seed, report=report, user=user, defer=defer_tables)
    except BaseException:
        store.close()
        raise


def _load(store: Any, data_dir: Path, *, demo_if_empty: bool, demo_patients: int,
          demo_seed: int | None, report: ProgressFn, user: SignedInUser, defer: bool) -> Session:
    """Load the known tables (or the first ones), build the services, and generate demo data
    if asked."""
    specs = all_tables()
    first = [spec for spec in specs if spec.name in FIRST_TABLES] if defer else specs
    empty = True
    counts: dict[str, int] = {}
    load_share = _LOAD_SHARE_WITH_DEMO if demo_if_empty else _WARM_UP_AT
    first_share = _PATIENTS_READY_AT * 0.8 if defer else load_share
    for index, spec in enumerate(first):
        report(f"Loading {spec.name}", first_share * index / len(first))
        counts[spec.name] = len(store.table(spec))
        empty = empty and counts[spec.name] == 0
    if defer and empty:
        # No patients: a new or nearly empty folder, nothing worth deferring; demo data is
        # only generated when every table is empty, which needs every table loaded.
        for index, spec in enumerate(specs):
            if spec.name not in counts:
                report(f"Loading {spec.name}", first_share + (load_share - first_share) * index / len(specs))
                counts[spec.name] = len(store.table(spec))
            empty = empty and counts[spec.name] == 0
    bus = EventBus()
    services = build_services(store, bus, access=AccessControl(store))
    relay_changes(store, services, bus)
    try:
        settings, problem = load_settings(data_dir), ""
    except SettingsError as exc:
        settings, problem = ClinicSettings(), f"{exc} — using default settings"
    apply_settings(services, settings)
    session = Session(data_dir, store, bus, services, settings, problem, table_counts=counts,
                      deferred=[spec for spec in specs if spec.name not in counts])
    if demo_if_empty and empty and demo.GENERATORS and not store.read_only and not demo_was_removed(data_dir):
        def demo_progress(step: str, fraction: float) -> None:
            report(f"Demo data — {step}", load_share + (_WARM_UP_AT - load_share) * fraction)

        seed = {} if demo_seed is None else {"seed": demo_seed}
        store.actor = SYSTEM_USER.username  # demo rows are the system actor's, not the OS user's
        demo.generate_all(services, patients=demo_patients, progress=demo_progress, **seed)
        services.accounts.create_demo_accounts(DEMO_ACCOUNTS)
        session.demo_patients = demo_patients
        session.table_counts = {spec.name: len(store.table(spec)) for spec in specs}
        store.checkpoint()  # the marker's counts must describe rows already on disk
        write_marker(data_dir, session.table_counts)
    if session.deferred:
        report("Preparing patient search", first_share)
        _ = services.patients.index  # the Patients tab's own need; the rest in load_deferred
    else:
        report("Preparing patient search", _WARM_UP_AT)
        warm_up(services)
    session.sign_in(user)  # after demo data, which the explicit ``system`` actor writes
    report(*(("Patients ready", _PATIENTS_READY_AT) if session.deferred else ("Ready", 1.0)))
    return session


def load_deferred(session: Session, progress: ProgressFn | None = None) -> None:
    """Load the tables ``open_session(defer_tables=True)`` left, then build the other
    services' indexes; run it on the writer once the window is usable (a table a tab needs
    sooner is loaded on demand, so nothing waits on this for correctness)."""
    def report(step: str, fraction: float) -> None:  # on from where open_session stopped
        if progress is not None:
            progress(step, _PATIENTS_READY_AT + (1.0 - _PATIENTS_READY_AT) * fraction)

    specs = list(session.deferred)
    with cyclic_gc_paused():
        for index, spec in enumerate(specs):
            report(f"Loading {spec.name}", _WARM_UP_AT * index / max(len(specs), 1))
            session.table_counts[spec.name] = len(session.store.table(spec))
        report("Preparing the schedule and records", _WARM_UP_AT)
        warm_up(session.services)
    session.deferred = []
    report("Ready", 1.0)


def open_database(database: str, data_dir: Path) -> Any:
    """The clinic's PostgreSQL server (docs/postgresql.md); the address is checked first."""
    from hms_desktop.storage.postgres import open_pg_store
    from hms_desktop.storage.postgres.conninfo import check_database_url

    check_database_url(database)
    # "server unavailable, retrying" goes to the log; a save that still fails reaches the
    # user through ctx.run's error message ("…; nothing was saved").
    return open_pg_store(database, data_dir=data_dir, on_status=log.warning)


def warm_up(services: Any) -> None:
    """Build the services' lazy in-memory indexes here, on the writer, not in a tab.

    The first tab to show a patient name would otherwise build the patient search index
    on the GUI thread: about 3 s frozen at 100,000 patients (bench/startup.py). A service
    may define ``warm_up()``; the patient service's index is a lazy property.
    """
    for name in getattr(services, "__dataclass_fields__", {}):
        service = getattr(services, name)
        warm = getattr(service, "warm_up", None)
        if callable(warm):
            warm()
    patients = getattr(services, "patients", None)
    if patients is not None and hasattr(type(patients), "index"):
        _ = patients.index


def apply_settings(services: Any, settings: ClinicSettings) -> None:
    """Hand the clinic settings to the services that use one (e.g. the phone region)."""
    for name in getattr(services, "__dataclass_fields__", {}):
        service = getattr(services, name)
        if hasattr(service, "phone_region"):
            service.phone_region = settings.phone_region


def close_session(session: Session) -> None:
    """Checkpoint every table and release the folder lock."""
    session.store.close()
