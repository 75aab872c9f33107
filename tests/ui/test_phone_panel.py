"""The demo's phone: picking another person shows that person's fresh code (not the last one's), and the
fault menu sets the simulator's faults so the app's recovery paths can be seen."""
from __future__ import annotations

from ui.demo.qt_phone_panel import QtPhonePanel
from ui.demo.vpty import VirtualScanBox


def test_person_change_refreshes_the_code_and_faults_reach_the_service(sim, qtbot):
    box = VirtualScanBox()
    panel = QtPhonePanel(sim, box)
    qtbot.addWidget(panel)
    try:
        qtbot.waitUntil(lambda: panel.person.count() > 1 and bool(panel.code), timeout=15000)
        first, first_code = panel.code_psn, panel.code
        assert first == panel.person.currentData()["psn_no"]
        panel.person.setCurrentIndex(1)
        second = panel.person.currentData()["psn_no"]
        qtbot.waitUntil(lambda: panel.code_psn == second and bool(panel.code), timeout=15000)
        assert second != first and panel.code != first_code and not panel.qr.pixmap().isNull()

        labels = [panel.fault.itemText(i) for i in range(panel.fault.count())]
        panel.fault.setCurrentIndex(next(i for i, t in enumerate(labels) if "中断" in t))
        qtbot.waitUntil(lambda: [f["kind"] for f in sim.faults("")] == ["down"], timeout=10000)
        panel.fault.setCurrentIndex(next(i for i, t in enumerate(labels) if "丢失" in t))
        qtbot.waitUntil(lambda: sorted((f["target"], f["kind"], f["left"]) for f in sim.faults(""))
                        == [("2102", "drop", 1), ("2207", "drop", 1)], timeout=10000)
        panel.fault.setCurrentIndex(0)
        qtbot.waitUntil(lambda: sim.faults("") == [], timeout=10000)
    finally:
        panel.close_worker()
        box.close()


def test_the_phone_keeps_its_code_fresh_and_opens_on_the_screen(sim, qtbot):
    """Issue 21 item 7: the demo's code expired on the phone (the service's codes live 60 s) and the phone
    opened mostly off a 1366 px screen; it also says the demo's PINs."""
    from PySide6.QtCore import QRect, QSize
    from ui.demo.qt_phone_panel import beside
    box = VirtualScanBox()
    panel = QtPhonePanel(sim, box, refresh_s=0.3, accounts="演示账号：收银员 0001 密码 2468")
    qtbot.addWidget(panel)
    try:
        qtbot.waitUntil(lambda: bool(panel.code), timeout=15000)
        first = panel.code
        qtbot.waitUntil(lambda: bool(panel.code) and panel.code != first, timeout=15000)  # nobody clicked
        assert any("密码 2468" in w.text() for w in panel.findChildren(type(panel.digits)))
    finally:
        panel.close_worker()
        box.close()
    room, size = QRect(0, 0, 1366, 728), QSize(320, 600)
    at = beside(QRect(0, 0, 1280, 728), room, size)       # the app's window as the demo opens it
    assert room.contains(QRect(at, size))
    assert beside(QRect(0, 0, 900, 700), QRect(0, 0, 1920, 1040), size).x() == 911   # room beside it: 12 px right of its last column (899)
