"""Keyboard-first counter: the F-keys on the buttons work window-wide; the journal search filters;
sound cues mark success and failure."""
from __future__ import annotations

from PySide6.QtCore import Qt

from ui import qt_sound


def test_function_keys_drive_a_sale_and_cues_sound(terminal, sim, qtbot):
    d = terminal("pharmacy")
    w, v = d.window, d.sale
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    for b in (v.b_presettle, v.b_confirm, v.b_next, v.b_reprint, v.b_cancel):
        assert f"[{b.key}]" in b.text()                   # every action shows its shortcut
    qt_sound.played.clear()
    d.box.scan("https://example.com/pay?x=1")               # not a 医保码: refused, failure cue
    qtbot.waitUntil(lambda: v.scan.prompt.property("state") == "error", timeout=15000)
    assert "医保码" in v.scan.prompt.text()
    assert qt_sound.played[-1] == "fail"
    d.box.scan(sim.code(sim.person("active")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    assert qt_sound.played[-1] == "ok"
    qtbot.keyClick(w, Qt.Key_1, Qt.ControlModifier)       # quick pick 1
    qtbot.keyClick(w, Qt.Key_2, Qt.ControlModifier)       # quick pick 2
    assert len(v.bill.rows()) == 2
    qtbot.keyClick(w, Qt.Key_Delete)                        # removes the selected (last) line
    assert len(v.bill.rows()) == 1
    qtbot.keyClick(w, Qt.Key_F5)
    qtbot.waitUntil(lambda: v.state == "quoted", timeout=15000)
    qtbot.keyClick(w, Qt.Key_F12)
    qtbot.waitUntil(lambda: v.state == "settled", timeout=15000)
    assert qt_sound.played[-1] == "ok"
    qtbot.keyClick(w, Qt.Key_F9)
    assert v.state == "waiting" and v.bill.rows() == []
    qtbot.keyClick(w, Qt.Key_2, Qt.AltModifier)            # Alt+2: the journal tab
    assert w.current_page() is w.pages["journal"]


def test_journal_search_filters(terminal, sim, qtbot):
    from ui.demo import script
    d = terminal("pharmacy")
    s1 = script.counter_sale(d)
    d.sale.next_customer()
    s2 = script.counter_sale(d)
    j = d.window.pages["journal"]
    with qtbot.waitSignal(j.loaded, timeout=10000) as got:
        j.reload()
    assert got.args == [2]
    qtbot.keyClicks(j.search, s1.setl_id)
    with qtbot.waitSignal(j.loaded, timeout=10000) as got:
        qtbot.keyClick(j.search, Qt.Key_Return)
    assert got.args == [1] and j.table.item(0, 1).text() == s1.setl_id != s2.setl_id


def _shortcut_owners(window) -> dict[str, list[str]]:
    """Every window-wide shortcut key of the window's buttons, with the buttons that answer to it."""
    from ui.widgets.qt_buttons import ShortcutButton
    owners: dict[str, list[str]] = {}
    for b in window.findChildren(ShortcutButton):
        for sc in b.shortcuts:
            owners.setdefault(sc.key().toString(), []).append(b.base_text)
    return owners


def test_no_key_answers_to_two_buttons(terminal):
    """Two shortcuts with one key in one window are ambiguous to Qt: the key then does nothing at all (the
    clinic's 挂号/撤销就诊 took F3/F4, which the counter's 医保卡/身份证 and 自费 already had)."""
    for profile in ("pharmacy", "clinic"):
        d = terminal(profile)
        clashes = {k: names for k, names in _shortcut_owners(d.window).items() if len(names) > 1}
        assert clashes == {}, (profile, clashes)


def test_clinic_front_desk_registers_by_key(terminal, sim, qtbot):
    d = terminal("clinic")
    w, v = d.window, d.sale
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    d.box.scan(sim.code(sim.person("active", insutype="390")["psn_no"]))
    qtbot.waitUntil(lambda: v.state == "identified", timeout=15000)
    qtbot.keyClick(w, v.b_register.shortcuts[0].key()[0].key())   # the key shown on 挂号
    qtbot.waitUntil(lambda: v.visit is not None, timeout=15000)
    assert [line.code for line, _ in v.bill.rows()] == ["110200001"]
