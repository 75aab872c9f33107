"""Screen layout and recorded words: the activation guide never squeezes its wrapped lines on the counter's
1280x800 screen (English is longer), kiosk touch targets, and a refund reason recorded in Chinese whatever
the screen's language. Widget-level, no simulator."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from ui import qt_i18n


@pytest.fixture(params=["zh_CN", "en"])
def lang(request, qapp):
    qt_i18n.set_language(request.param)
    yield request.param
    qt_i18n.set_language("zh_CN")


def _styled(qapp, kiosk: bool = False) -> None:
    from ui.qt_style import style_sheet
    pt = 11 + (4 if kiosk else 0)
    qapp.setFont(qt_i18n.cjk_font(pt))
    qapp.setStyleSheet(style_sheet(pt, kiosk))


def _session(cfg):
    """A stand-in session: the sale page follows its status signal (nothing is ever emitted here)."""
    return SimpleNamespace(cfg=cfg, status_changed=SimpleNamespace(connect=lambda slot: None))


def test_counter_activation_guide_lines_are_never_squeezed(lang, qapp, qtbot, tmp_path):
    from terminal.config import load
    from terminal.sale.catalogue import load_catalogue
    from ui.views.qt_pharmacy_view import QtPharmacyView
    _styled(qapp)
    cfg = load(profile="pharmacy", data_dir=tmp_path)
    v = QtPharmacyView(_session(cfg), load_catalogue(cfg))
    qtbot.addWidget(v)
    v.setFixedSize(1264, 640)          # the sale tab of the 1280x800 counter window
    v.show()
    v.scan.set_state("error", "x")
    v.scan.show_guide(SimpleNamespace(code="500170"))
    qtbot.waitUntil(lambda: v.scan.guide.isVisible())
    qtbot.waitUntil(lambda: v.scan.guide.reason.height() >= v.scan.guide.reason.heightForWidth(
        v.scan.guide.reason.width()))
    labels = [w for w in v.scan.guide.findChildren(QLabel) if w.isVisible() and w.wordWrap()]
    assert len(labels) >= 6
    squeezed = [(w.text()[:20], w.height(), w.heightForWidth(w.width())) for w in labels
                if w.height() < w.heightForWidth(w.width())]
    assert not squeezed
    assert v.scan.guide.width() <= v.scan.guide_scroll.viewport().width()   # nothing cut off on the right
    assert v.scan.guide_visible
    v.scan.set_state("ready")
    assert not v.scan.guide_visible


def test_kiosk_buttons_are_touch_sized(lang, qapp, qtbot):
    from ui.views.qt_kiosk_pages import ConfirmPage, GuidePage, ResultPage
    _styled(qapp, kiosk=True)
    for page in (ConfirmPage([("A03", "内科"), ("A04", "外科")]), ResultPage(), GuidePage()):
        qtbot.addWidget(page)
        page.resize(1264, 900)
        page.show()
        qtbot.waitUntil(page.isVisible)
        for b in page.findChildren(QPushButton):
            assert b.height() >= 48 and b.width() >= 48, (b.text(), b.size())


def test_kiosk_activation_guide_is_larger_than_body_text(lang, qapp, qtbot):
    from ui.views.qt_kiosk_pages import GuidePage
    from ui.widgets.qt_activation_guide import QtActivationGuide
    _styled(qapp, kiosk=True)
    page = GuidePage()
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(page.isVisible)
    counter = QtActivationGuide()
    qtbot.addWidget(counter)
    counter.show()
    qtbot.waitUntil(counter.isVisible)
    steps = [w for w in page.guide.findChildren(QLabel) if w.objectName() == "guideSteps"]
    small = [w for w in counter.findChildren(QLabel) if w.objectName() == "guideSteps"]
    assert steps and all(w.font().pointSize() >= small[0].font().pointSize() + 3 for w in steps)


def test_refund_reason_is_recorded_in_chinese(lang, qtbot):
    from ui.widgets.qt_pin_dialog import QtPinDialog
    d = QtPinDialog("t", "p", with_reason=True)
    qtbot.addWidget(d)
    assert d.reason_text() == "患者退药"
    d.reason.setCurrentIndex(2)
    assert d.reason_text() == "重复收费"
    d.reason.setEditText("包装破损")
    assert d.reason_text() == "包装破损"


def test_refund_dialogs_do_not_pile_up(qapp, qtbot):
    from PySide6.QtCore import QCoreApplication, QEvent
    from ui.views.qt_journal_view import QtJournalView
    from ui.widgets.qt_pin_dialog import QtPinDialog
    ctx = SimpleNamespace(cfg=SimpleNamespace(operator=SimpleNamespace(id="0001")))
    j = QtJournalView(ctx)
    qtbot.addWidget(j)
    j._show([{"setl_id": "S1", "status": "settled", "medfee_sumamt": "1.00", "created_at": "2026-11-23T01:00:00"}])
    j.table.selectRow(0)
    for _ in range(5):                      # the cashier opens and cancels the refund dialog five times
        d = j.refund_selected()
        d.reject()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert len(j.findChildren(QtPinDialog)) == 1


def test_an_answer_for_a_page_deleted_meanwhile_is_dropped(qapp, qtbot):
    """A language switch rebuilds the pages while a Counter call may be in flight: its answer must not
    reach the deleted page (RuntimeError in the GUI thread)."""
    import threading

    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent
    from ui.qt_session import QtSession
    from ui.views.qt_stats_view import QtStatsView
    gate = threading.Event()

    class SlowCounter:
        def stats(self, frm, to):
            gate.wait(10)
            return _stats_for_test()

        def close(self):
            pass

    session = QtSession(SimpleNamespace(), counter_factory=lambda cfg: SlowCounter(), poll=False)
    qtbot.waitUntil(lambda: session.counter is not None)
    page = QtStatsView(SimpleNamespace(session=session))
    page.run()
    page.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert not shiboken6.isValid(page)
    with qtbot.waitSignal(session.worker.idle, timeout=5000):
        gate.set()
    session.close()


def _stats_for_test():
    from decimal import Decimal

    from terminal.office.reports import Stats, _row
    t = Decimal("0.9")
    return Stats("2026-11-23", "2026-11-23", t, [], _row("x", "合计", {"01": 1, "02": 0, "03": 0}, t))


def test_clinic_register_box_is_not_squeezed_in_english(qapp, qtbot, tmp_path):
    from decimal import Decimal

    from terminal.config import load
    from terminal.sale.records import Patient
    from terminal.sale.catalogue import load_catalogue
    from ui.views.qt_clinic_view import QtClinicView
    qt_i18n.set_language("en")
    try:
        _styled(qapp)
        cfg = load(profile="clinic", data_dir=tmp_path)
        ctx = SimpleNamespace(cfg=cfg, session=_session(cfg), catalogue=load_catalogue(cfg),
                              printer=None)
        v = QtClinicView(ctx)
        qtbot.addWidget(v)
        v.setFixedSize(1264, 640)
        v.show()
        v.card.show_patient(Patient(None, "P1", "张*", "3201**********1238", "310", "职工基本医疗保险",
                                    "320100", Decimal("1000")))
        v.visit_label.setText("Registered: 内科 · 王医生 · visit 320100202611230000000002")
        lab = v.card.insutype          # the wrapped insurance name gets its two lines
        qtbot.waitUntil(lambda: lab.height() >= lab.heightForWidth(lab.width()), timeout=2000)
        for w in (v.dept, v.doctor, v.b_register, v.b_undo):
            assert w.height() >= w.minimumSizeHint().height(), (w.objectName(), w.height())
        assert not v.dept.geometry().intersects(v.doctor.geometry())
    finally:
        qt_i18n.set_language("zh_CN")


def test_pin_dialog_grows_with_a_long_error(qapp, qtbot):
    from terminal.errors import EcposError
    from ui.widgets.qt_pin_dialog import QtPinDialog
    qt_i18n.set_language("en")
    try:
        _styled(qapp)
        d = QtPinDialog("Refund", "Refund settlement 320100202611230000000001, ¥31.80. A supervisor authorises "
                        "with ID and PIN; while the platform is offline the refund is queued.",
                        "sup01", with_reason=True)
        qtbot.addWidget(d)
        d.show()
        qtbot.waitExposed(d)
        d.reject_pin(EcposError("主管密码错误，退费未受理（再错 4 次将锁定 15 分钟）", key="refund_wrong_pin"))
        qtbot.waitUntil(lambda: d.error.height() >= d.error.heightForWidth(d.error.width()), timeout=2000)
        fields = (d.reason, d.operator, d.pin)
        for w in fields:
            assert w.height() >= w.minimumSizeHint().height()
        assert not d.reason.geometry().intersects(d.operator.geometry())
        assert not d.operator.geometry().intersects(d.pin.geometry())
    finally:
        qt_i18n.set_language("zh_CN")


def test_kiosk_journal_rows_are_touch_sized(qapp, qtbot):
    from ui.views.qt_journal_view import QtJournalView
    ctx = SimpleNamespace(kiosk=True, cfg=SimpleNamespace(operator=SimpleNamespace(id="0001")))
    j = QtJournalView(ctx)
    qtbot.addWidget(j)
    j._show([{"setl_id": "S1", "status": "settled", "created_at": "2026-11-23T01:00:00"}])
    assert j.table.rowHeight(0) >= 48


@pytest.mark.parametrize("typed,sent", [("已退费", "refunded"), ("refunded", "refunded"), ("3201", "3201")])
def test_journal_search_takes_status_words(lang, qtbot, typed, sent):
    from ui import qt_values
    from ui.views.qt_journal_view import QtJournalView
    asked = []

    class Counter:
        def sales(self, search=""):
            asked.append(search)
            return []
    session = SimpleNamespace(run=lambda fn, ok=None, fail=None, name="": ok(fn(Counter())))
    j = QtJournalView(SimpleNamespace(session=session))
    qtbot.addWidget(j)
    if typed == "已退费":
        typed = qt_values.status_text("refunded")      # the word as this language shows it
    j.search.setText(typed)
    j.reload()
    assert asked == [sent]
    assert "姓名" not in j.search.placeholderText() and "name" not in j.search.placeholderText()
