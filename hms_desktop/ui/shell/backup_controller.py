"""Runs backups for the window: on demand, daily and at close, without freezing anything.

The snapshot is taken on the single background writer (no write interleaves; see
``services/backup/service.py``); compressing, checksumming and encrypting run on a backup
thread of their own, so the writer is held only for the listing and the window never.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from hms_desktop.services.backup import (
    BackupError,
    BackupPlan,
    backup_due,
    backup_status,
    load_plan,
    record_outcome,
    save_plan,
    snapshot_store,
    write_to_plan,
)
from hms_desktop.services.backup.server import server_address
from hms_desktop.ui.context import AppContext

log = logging.getLogger(__name__)
CHECK_EVERY_MS = 10 * 60 * 1000  # the daily backup is due at most this late; the status refreshes too
# The first due check waits until start-up (tabs, indexes, devices) has had the CPU.
FIRST_CHECK_MS = 60 * 1000


class BackupController(QObject):
    """Owns the backup thread and the cached plan of the open data folder."""

    sig_plan_changed = Signal(object)
    """The plan (folder, key, last backup time) changed: carries the BackupPlan."""
    sig_backup_finished = Signal(bool, str)
    """A backup ended: (succeeded, message for the user)."""
    sig_progress_reported = Signal(str, float)
    """Backup progress (step, fraction), from the backup thread (queued)."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan = BackupPlan()
        self.plan_problem = ""
        self.running = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hms-backup")
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(self.tick)
        ctx.sig_closing.connect(self._at_close)
        self._load_plan()

    # -- plan -----------------------------------------------------------------------------
    def _load_plan(self) -> None:
        def loaded(plan: BackupPlan | None) -> None:
            self._set_plan(plan or BackupPlan())
            self._timer.start()
            QTimer.singleShot(FIRST_CHECK_MS, self, self.tick)

        def failed(exc: BaseException) -> bool:
            self.plan_problem = str(exc)
            loaded(None)
            return True

        self.ctx.run(load_plan, self.ctx.data_dir, on_done=loaded, on_error=failed,
                     what="reading the backup settings")

    def refresh_plan(self, plan: BackupPlan) -> None:
        """A plan saved elsewhere (e.g. a restore test recorded) is now the current one."""
        self._set_plan(plan)

    def _set_plan(self, plan: BackupPlan) -> None:
        self.plan = plan
        self.sig_plan_changed.emit(plan)

    def save_plan(self, plan: BackupPlan, on_done: Callable[[], None] | None = None) -> None:
        def saved(_: object) -> None:
            self._set_plan(plan)
            if on_done is not None:
                on_done()

        self.ctx.run(self.ctx.services.folder.back_up, save_plan, self.ctx.data_dir, plan, on_done=saved, what="the backup settings")

    def status(self, now: datetime | None = None) -> tuple[str, bool]:
        if self.plan_problem:
            return f"⚠ Backup settings problem: {self.plan_problem}", True
        return backup_status(self.plan, now)

    @property
    def available(self) -> bool:
        return not self.ctx.read_only and not self._closed

    # -- running ----------------------------------------------------------------------------
    def tick(self) -> None:
        """Daily backup when due; the status line is refreshed by the listeners of the plan."""
        self.sig_plan_changed.emit(self.plan)
        if self.available and not self.running and backup_due(self.plan, datetime.now(UTC)):
            self.back_up_now()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run slow backup work (key derivation, restore) on the backup thread."""
        return self._executor.submit(fn, *args)

    def back_up_now(self) -> bool:
        """Start a backup to the plan's folder; False when one is running or it cannot start."""
        if self.running or not self.available or not self.plan.configured:
            return False
        self.running = True
        plan = self.plan
        # A folder's snapshot must be taken on the writer (no write may interleave); a server
        # clinic is exported in one REPEATABLE READ transaction of its own, so it runs on the
        # backup thread and saves never wait for it (seconds at 100,000 patients).
        runner = self._executor if server_address(self.ctx.store) is not None else self.ctx.writer
        snapshot_future = runner.submit(snapshot_store, self.ctx.store)
        snapshot_future.add_done_callback(lambda f: self._continue(f, plan))
        return True

    def _continue(self, snapshot_future: Future[Any], plan: BackupPlan) -> None:
        """On the writer thread: hand the snapshot to the backup thread at once (``_finish``
        waits for the writer, so it must never run here)."""
        try:
            snapshot, counts = snapshot_future.result()
        except Exception as exc:
            with contextlib.suppress(RuntimeError):  # closing: nobody is left to tell
                self._executor.submit(self._finish, None, f"the data folder could not be read: {exc}")
            return
        try:
            self._executor.submit(self._write, snapshot, counts, plan)
        except RuntimeError:  # the window closed while the snapshot was queued
            snapshot.close()

    def _write(self, snapshot: Any, counts: dict[str, int], plan: BackupPlan) -> None:
        try:
            with snapshot:
                result = write_to_plan(snapshot, plan, counts,
                                       progress=self.sig_progress_reported.emit)
        except (BackupError, OSError) as exc:
            self._finish(None, str(exc))
            return
        except Exception as exc:  # report it, never lose the thread silently
            log.exception("backup failed")
            self._finish(None, f"{type(exc).__name__}: {exc}")
            return
        self._finish(result, "")

    def _finish(self, result: Any, error: str) -> None:
        message = (f"Backed up to {result.path} ({result.size:,} bytes)" if result is not None
                   else f"Backup failed: {error}")
        try:
            plan = self.ctx.writer.submit(record_outcome, self.ctx.data_dir, result, error).result()
        except Exception as exc:  # the writer is gone (closing) or the folder is not writable
            log.warning("backup outcome not recorded: %s", exc)
            plan = None
        self.ctx.run(lambda: plan, on_done=lambda p: self._finished(p, result is not None, message),
                     what="recording the backup")

    def _finished(self, plan: BackupPlan | None, ok: bool, message: str) -> None:
        self.running = False
        if plan is not None:
            self._set_plan(plan)
        log.info("%s", message)
        self.sig_backup_finished.emit(ok, message)

    def _at_close(self) -> None:
        """At close, while the writer still runs: one last backup if the plan asks for it."""
        self._timer.stop()
        plan = self.plan
        if self.available and plan.configured and plan.at_close and not self.running:
            try:
                snapshot, counts = self.ctx.writer.submit(snapshot_store, self.ctx.store).result()
                with snapshot:
                    result = write_to_plan(snapshot, plan, counts)
                self.ctx.writer.submit(record_outcome, self.ctx.data_dir, result).result()
                log.info("backed up at close to %s", result.path)
            except Exception as exc:
                log.warning("the backup at close failed: %s", exc)
                try:
                    self.ctx.writer.submit(record_outcome, self.ctx.data_dir, None, str(exc)).result()
                except Exception:
                    log.warning("could not record the failed backup")
        self.shutdown()

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        self._executor.shutdown(wait=True)
