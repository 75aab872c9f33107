"""Where the customer display goes: the screen that is not the cashier's, when the machine has one."""
from __future__ import annotations

from ui.qt_counter_devices import facing_screen


def test_the_customer_window_takes_the_other_screen_or_none(qapp):
    from PySide6.QtGui import QGuiApplication
    screens = QGuiApplication.screens()
    assert facing_screen(screens[:1], screens[0]) is None        # one screen: a window beside the cashier's
    cashier, patient = object(), object()
    assert facing_screen([cashier, patient], cashier) is patient
    assert facing_screen([patient, cashier], cashier) is patient  # whichever order the system lists them in
