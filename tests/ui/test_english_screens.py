"""English mode shows no Chinese from the core: data words (是/否, 合计, insurance types, relations,
reconciliation results) are translated in the UI, core error messages carry their English key, and each
profile's bill entry says what that bill holds. Widget-level: no simulator, fast."""
from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from terminal.errors import EcposError
from terminal.sale.records import Patient
from terminal.office.reports import Reconciliation, Stats, _row
from ui import qt_i18n

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture
def english(qapp):
    qt_i18n.set_language("en")
    yield
    qt_i18n.set_language("zh_CN")


def _cells(table) -> list[str]:
    return [table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())
            if table.item(r, c) is not None]


def _stats() -> Stats:
    target = Decimal("0.90")
    return Stats("2026-11-10", "2026-11-23", target,
                 [_row("2026-11-23", "0001", {"01": 1, "02": 0, "03": 0}, target)],
                 _row("2026-11-10~2026-11-23", "合计", {"01": 1, "02": 1, "03": 0}, target))


def test_stats_table_in_english_has_no_core_chinese(english, qtbot):
    from ui.views.qt_stats_view import QtStatsView
    page = QtStatsView(SimpleNamespace())
    qtbot.addWidget(page)
    page._show(_stats())
    cells = _cells(page.table)
    assert not [c for c in cells if CJK.search(c)], cells
    assert "Yes" in cells and "No" in cells and "Total" in cells


def test_day_close_tables_in_english_have_no_core_chinese(english, qtbot):
    from ui.views.qt_day_close_view import QtDayCloseView
    page = QtDayCloseView(SimpleNamespace())
    qtbot.addWidget(page)
    rec = Reconciliation("2026-11-23", groups=[{
        "insutype": "310", "clr_type": "11", "setl_optins": "320100", "fixmedins_setl_cnt": "2",
        "medfee_sumamt": "0.00", "fund_pay_sumamt": "0.00", "acct_pay": "0.00", "stmt_rslt": "0",
        "stmt_rslt_dscr": "对账一致"}],
        mismatches=[{"setl_id": "S1", "journal_status": "refunded", "platform_status": "settled",
                     "detail": "x"}])
    page._show((rec, _stats()))
    cells = _cells(page.by_type) + _cells(page.groups) + _cells(page.mismatches)
    assert not [c for c in cells if CJK.search(c)], cells
    assert any(c.startswith("Employee basic medical insurance") for c in _cells(page.groups))
    assert "Refunded" in _cells(page.mismatches)


def test_chinese_mode_keeps_the_core_words(qapp, qtbot):
    from ui.views.qt_stats_view import QtStatsView
    qt_i18n.set_language("zh_CN")
    page = QtStatsView(SimpleNamespace())
    qtbot.addWidget(page)
    page._show(_stats())
    cells = _cells(page.table)
    assert "是" in cells and "合计" in cells


def test_patient_card_translates_insurance_type_and_relation(english, qtbot):
    from ui.widgets.qt_patient_card import QtPatientCard
    card = QtPatientCard()
    qtbot.addWidget(card)
    card.show_patient(Patient(None, "P1", "刘**", "3201**********0610", "390", "城乡居民基本医疗保险",
                              "320100", Decimal("0"), family_of="刘*", family_relation="子女"))
    assert card.insutype.text() == "Urban and rural resident basic medical insurance (390)"
    assert "child" in card.family.text() and "子女" not in card.family.text()


def test_core_error_shows_its_english_key_in_english_mode(english):
    from ui.qt_session import error_text
    e = EcposError("主管密码错误，退费未受理", key="supervisor_pin_wrong")
    assert "supervisor_pin_wrong" in error_text(e)


def test_core_error_has_no_key_in_chinese_mode(qapp):
    from ui.qt_session import error_text
    qt_i18n.set_language("zh_CN")
    assert error_text(EcposError("主管密码错误", key="supervisor_pin_wrong")) == "主管密码错误"


def _ctx(tmp_path, profile: str):
    from terminal.config import load
    from terminal.sale.catalogue import load_catalogue
    cfg = load(profile=profile, data_dir=tmp_path)
    session = SimpleNamespace(cfg=cfg, status_changed=SimpleNamespace(connect=lambda slot: None))
    return SimpleNamespace(cfg=cfg, session=session, catalogue=load_catalogue(cfg), printer=None)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_clinic_entry_field_names_services_and_drugs(qapp, qtbot, tmp_path, lang):
    from ui.views.qt_clinic_view import QtClinicView
    from ui.views.qt_pharmacy_view import QtPharmacyView
    qt_i18n.set_language(lang)
    try:
        ctx = _ctx(tmp_path, "clinic")
        clinic = QtClinicView(ctx)
        qtbot.addWidget(clinic)
        pharmacy = QtPharmacyView(ctx.session, ctx.catalogue)
        qtbot.addWidget(pharmacy)
        clinic_hint = clinic.item_code.placeholderText()
        drug_hint = pharmacy.item_code.placeholderText()
        assert clinic_hint != drug_hint
        if lang == "zh_CN":
            assert "药品编码" in drug_hint and "药品编码" not in clinic_hint and "项目" in clinic_hint
        else:
            assert "drug" in drug_hint.lower() or "medicine" in drug_hint.lower()
            assert "service" in clinic_hint.lower() and not CJK.search(clinic_hint)
    finally:
        qt_i18n.set_language("zh_CN")


def test_long_insurance_name_does_not_widen_the_patient_card(english, qtbot):
    from ui.widgets.qt_patient_card import QtPatientCard
    card = QtPatientCard()
    qtbot.addWidget(card)
    card.show_patient(Patient(None, "P1", "刘**", "3201**********0610", "390", "城乡居民基本医疗保险",
                              "320100", Decimal("0")))
    # the counter's left column is a quarter of the window: a long name wraps instead of squeezing the bill
    text_width = card.insutype.fontMetrics().horizontalAdvance(card.insutype.text())
    assert card.insutype.minimumSizeHint().width() < text_width / 2


def test_stats_headline_follows_the_cores_verdict(qapp, qtbot):
    from ui.views.qt_stats_view import QtStatsView
    qt_i18n.set_language("zh_CN")
    page = QtStatsView(SimpleNamespace())
    qtbot.addWidget(page)
    target = Decimal("0.66665")             # 2/3 meets it exactly; the shown rate 0.6666 is rounded down
    page._show(Stats("2026-11-23", "2026-11-23", target, [],
                     _row("2026-11-23~2026-11-23", "合计", {"01": 2, "02": 1, "03": 0}, target)))
    assert page.stats.total["met"] == "是"
    assert page.headline.text().endswith("达标") and not page.headline.text().endswith("未达标")


def test_english_translations_use_ascii_punctuation():
    """A CJK UI font draws curly quotes and full-width marks as wide CJK glyphs ("member’ s")."""
    import xml.etree.ElementTree as ET
    from pathlib import Path
    ts = Path(qt_i18n.DIR / "ecpos_en.ts")
    bad = [t.text for t in ET.parse(ts).iter("translation")
           if t.text and re.search("[’‘“”：（）；，。、]", t.text)]
    assert not bad
