"""One worker thread for all blocking core work (network, journal, devices), results back as signals.

Everything the Counter does runs on this single thread, in submission order: the core's SQLite
connections stay on the thread that opened them and the GUI thread never waits on the network.
Jobs are plain callables keyed by a number; no per-job QObject is created or destroyed across threads.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot

from terminal.logs import event


def _alive(callback) -> bool:
    """False for a method of a widget deleted meanwhile (pages are rebuilt on a language switch while
    a job may be in flight): its answer is dropped instead of raising on the GUI thread."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class _Runner(QObject):
    """Lives on the worker thread; runs one job and reports it by id."""

    done = Signal(int, object)
    failed = Signal(int, object)

    @Slot(int, object)
    def run(self, jid: int, fn) -> None:
        try:
            result = fn()
        except BaseException as e:  # noqa: BLE001 - every failure goes to the GUI as a value
            self.failed.emit(jid, e)
        else:
            self.done.emit(jid, result)


class QtWorker(QObject):
    """A QThread running submitted jobs one at a time; callbacks run on the GUI thread."""

    _submit = Signal(int, object)
    idle = Signal()

    def __init__(self, name: str = "ecpos-worker"):
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._runner = _Runner()
        self._runner.moveToThread(self._thread)
        self._submit.connect(self._runner.run)
        self._runner.done.connect(self._done)
        self._runner.failed.connect(self._failed)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple] = {}
        self._thread.start()

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_fail: Callable[[BaseException], None] | None = None, name: str = "") -> int:
        """Queue fn() for the worker thread; on_done(result) / on_fail(exception) on the GUI thread."""
        jid = next(self._ids)
        self._pending[jid] = (on_done, on_fail, name)
        self._submit.emit(jid, fn)
        return jid

    def _done(self, jid: int, result) -> None:
        on_done, _, _ = self._pending.pop(jid, (None, None, ""))
        try:
            if on_done and _alive(on_done):
                on_done(result)
        finally:
            self._maybe_idle()

    def _failed(self, jid: int, error) -> None:
        _, on_fail, name = self._pending.pop(jid, (None, None, ""))
        try:
            if on_fail and _alive(on_fail):
                on_fail(error)
            else:   # nobody left to show it: the log has it
                event("worker_job_failed", job=name, error=type(error).__name__)
        finally:
            self._maybe_idle()

    def _maybe_idle(self) -> None:
        if not self._pending:
            self.idle.emit()

    @property
    def busy(self) -> bool:
        """True while any submitted job has not reported back."""
        return bool(self._pending)

    def stop(self, fn: Callable[[], Any] | None = None) -> None:
        """Run a last job (e.g. closing the Counter) on the worker thread, then stop the thread."""
        if not self._thread.isRunning():
            return
        if fn is not None:
            self._submit.emit(0, fn)
        self._thread.quit()
        self._thread.wait(10000)
        self._pending.clear()
