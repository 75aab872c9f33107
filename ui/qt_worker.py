"""One worker thread for all blocking core work (network, journal, devices), results back as signals.

Everything the Counter does runs on this single thread, in submission order: the core's SQLite
connections stay on the thread that opened them and the GUI thread never waits on the network.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot


class QtJob(QObject):
    """One unit of work; `done(result)` or `failed(exception)` arrives on the GUI thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[], Any], name: str = ""):
        super().__init__()
        self.fn = fn
        self.name = name
        self.finished = False

    def execute(self) -> None:
        """Run on the worker thread; never lets an exception escape into Qt."""
        try:
            result = self.fn()
        except BaseException as e:  # noqa: BLE001 - every failure goes to the GUI as a value
            self.finished = True
            self.failed.emit(e)
        else:
            self.finished = True
            self.done.emit(result)


class _Runner(QObject):
    @Slot(object)
    def run(self, job: QtJob) -> None:
        job.execute()


class QtWorker(QObject):
    """A QThread running submitted jobs one at a time."""

    _submit = Signal(object)
    idle = Signal()

    def __init__(self, name: str = "ecpos-worker"):
        super().__init__()
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._runner = _Runner()
        self._runner.moveToThread(self._thread)
        self._submit.connect(self._runner.run)
        self._pending: set[QtJob] = set()
        self._thread.start()

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_fail: Callable[[BaseException], None] | None = None, name: str = "") -> QtJob:
        """Queue fn() for the worker thread; callbacks run on the GUI thread."""
        job = QtJob(fn, name)
        self._pending.add(job)
        if on_done:
            job.done.connect(on_done)
        if on_fail:
            job.failed.connect(on_fail)
        job.done.connect(lambda _r, j=job: self._forget(j))
        job.failed.connect(lambda _e, j=job: self._forget(j))
        self._submit.emit(job)
        return job

    def _forget(self, job: QtJob) -> None:
        self._pending.discard(job)
        if not self._pending:
            self.idle.emit()

    @property
    def busy(self) -> bool:
        """True while any submitted job has not reported back."""
        return bool(self._pending)

    def stop(self, fn: Callable[[], Any] | None = None) -> None:
        """Run a last job (e.g. closing the Counter) on the worker thread, then stop the thread."""
        if fn is not None:
            self._submit.emit(QtJob(fn, "close"))
        self._thread.quit()
        self._thread.wait(10000)
