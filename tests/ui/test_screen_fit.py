"""Every profile in both languages fits the screens counters and kiosks have (1366x768, 1024x768): the window
takes the size, the status bar is on screen, and no label, button or field is squeezed below the size its
text needs or pushed outside the window (back-office pages scroll instead)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QLabel, QLineEdit
from pytestqt.exceptions import TimeoutError as WaitTimedOut

SIZES = [(1366, 768), (1024, 768)]


def cut_widgets(window) -> list[str]:
    """Visible text widgets outside the window or smaller than their text needs."""
    bad = []
    inside = QRect(0, 0, window.width(), window.height())
    for w in window.findChildren(QLabel) + window.findChildren(QAbstractButton) + window.findChildren(QLineEdit):
        if not w.isVisibleTo(window) or w.width() == 0:
            continue
        p = w.parentWidget()
        scrolled = False
        while p is not None and p is not window:
            if isinstance(p, QAbstractScrollArea):
                scrolled = True
                break
            p = p.parentWidget()
        if scrolled:
            continue  # a scroll area shows the rest on demand
        rect = QRect(w.mapTo(window, w.rect().topLeft()), w.size())
        need = w.minimumSizeHint()
        if isinstance(w, QLabel) and w.wordWrap():
            need.setWidth(0)
            if w.hasHeightForWidth():
                need.setHeight(w.heightForWidth(w.width()))
        name = f"{type(w).__name__}({getattr(w, 'text', lambda: '')()[:30]!r})"
        if not inside.contains(rect):
            bad.append(f"{name} at {rect.getRect()} outside {inside.getRect()}")
        elif w.width() < need.width() or w.height() < need.height():
            bad.append(f"{name} {w.width()}x{w.height()} < needs {need.width()}x{need.height()}")
    return bad


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("profile", ["pharmacy", "clinic", "kiosk"])
def test_every_screen_fits_1366x768_and_1024x768(terminal, qtbot, profile, lang, tmp_path):
    d = terminal(profile, lang)
    win = d.window
    for width, height in SIZES:
        win.resize(width, height)
        qtbot.waitUntil(lambda: (win.width(), win.height()) == (width, height), timeout=5000)
        pages = ([d.sale.stack.widget(i) for i in range(d.sale.stack.count())] if profile == "kiosk"
                 else list(win.pages))
        for page in pages:
            if profile == "kiosk":
                d.sale.stack.setCurrentWidget(page)
            else:
                win.show_page(page)
            QApplication.processEvents()
            where = f"{profile} {lang} {width}x{height} page {d.sale.names[page] if profile == 'kiosk' else page}"
            assert win.minimumSizeHint().height() <= height and win.minimumSizeHint().width() <= width, where
            status = win.statusBar()
            if status.isVisible():
                assert status.geometry().bottom() < height, where
            try:  # a status that just changed is laid out on the next pass of the event loop
                qtbot.waitUntil(lambda: not cut_widgets(win), timeout=2000)
            except WaitTimedOut:  # pytest-qt's (not an AssertionError): the assert below names what is cut
                pass
            assert cut_widgets(win) == [], where
        if profile == "kiosk":
            d.sale.stack.setCurrentWidget(d.sale.confirm)
        else:
            win.show_page("sale")
        QApplication.processEvents()
        win.grab().save(str(tmp_path / f"{profile}-{lang}-{width}x{height}.png"))  # to look at
