"""Scripted flows the headless demo, the screenshot tour and the benchmark drive through the real UI:
a sale per profile (scan through the virtual box, bill, pre-settle, confirm, receipt) and a refund."""
from __future__ import annotations

import re
from pathlib import Path

from ui.demo.director import DEMO_PIN, DemoFailed, Director, wait
from terminal.states import BUSY, Stage


def _settled_view(d: Director, v, what: str):
    wait(lambda: v.state not in BUSY, what)
    if v.state != Stage.QUOTED and what.startswith("预结算"):
        raise DemoFailed(f"{what}失败：{v.split.note.text()}")


def identify(d: Director, status: str = "active", **match):
    """Show a code for a roster person and wait for the sale page to identify it (or refuse it)."""
    v = d.sale
    d.show_code(status, **match)
    if d.profile == "kiosk":
        wait(lambda: v.page in ("confirm", "guide", "result") and not v.busy, "识别医保码")
        return v.patient
    wait(lambda: v.state not in (Stage.WAITING, Stage.IDENTIFYING) or v.scan.prompt.property("state") == "error",
         "识别医保码")
    wait(lambda: v.state != Stage.IDENTIFYING, "识别医保码")
    if v.patient is not None:
        p = v.patient
        d.say(f"patient: {p.name_masked} {p.id_masked} {p.insutype_name} area {p.insuplc_admdvs} "
              f"balance {p.balc}" + (f" family of {p.family_of}" if p.family_of else ""))
    else:
        d.say(f"refused: {v.scan.prompt.text()}")
    return v.patient


def counter_sale(d: Director, shots: Path | None = None, prefix: str = "", **match):
    """Pharmacy or clinic: identify, (register), bill, pre-settle, confirm; returns the Settlement."""
    v = d.sale
    if identify(d, **match) is None:
        raise DemoFailed(f"识别失败：{v.scan.prompt.text()}")
    if d.profile == "clinic":
        v.dept.setCurrentIndex(0)
        v.register()
        wait(lambda: v.state not in BUSY, "挂号")
        if v.visit is None:
            raise DemoFailed(f"挂号失败：{v.split.note.text()}")
        d.say(f"registered: {v.visit.dept_name} {v.visit.doctor_name} mdtrt_id {v.visit.mdtrt_id}")
    lines = list(d.ctx.catalogue.values())
    v.add_line(lines[0], 2)
    v.add_line(lines[2])
    d.say("bill: " + ", ".join(f"{line.name} x{qty}" for line, qty in v.bill.rows()))
    v.presettle()
    _settled_view(d, v, "预结算")
    q = v.quote
    d.say(f"quote: total {q.medfee_sumamt} fund {q.fund_pay_sumamt} account {q.acct_pay} "
          f"cash {q.psn_cash_pay}")
    d.shot(shots, f"{prefix}{d.profile}-quote")
    if v.tender_panel.isVisible():  # cash due: the patient hands over notes, the change shows
        got = (q.psn_cash_pay / 50).to_integral_value(rounding="ROUND_CEILING") * 50
        v.tender_panel.received.setText(f"{got:.2f}")
        d.say(f"tender: cash received {got:.2f}, change {v.tender_panel.change.text()}")
        d.shot(shots, f"{prefix}{d.profile}-tender")
    v.confirm()
    wait(lambda: v.state not in BUSY, "结算")
    if v.state != Stage.SETTLED:
        raise DemoFailed(f"结算失败：{v.split.note.text()}")
    s = v.settlement
    d.say(f"settled: setl_id {s.setl_id} total {s.medfee_sumamt} fund {s.fund_pay_sumamt} "
          f"account {s.acct_pay} cash {s.psn_cash_pay}")
    wait(lambda: v.receipt_path is not None, "打印小票")
    d.say(f"receipt: {v.receipt_path}")
    for line in v.receipt_path.read_text(encoding="utf-8").splitlines():
        d.say("  | " + line, "paper")
    d.shot(shots, f"{prefix}{d.profile}-settled")
    return s


def kiosk_sale(d: Director, shots: Path | None = None, prefix: str = "", **match):
    """Kiosk: scan, touch a department, pay; returns the Settlement."""
    v = d.sale
    d.shot(shots, f"{prefix}kiosk-welcome")
    if identify(d, **match) is None:
        raise DemoFailed("自助机识别失败")
    v.register(v.departments[0][0])
    wait(lambda: not v.busy and v.page in ("confirm", "result"), "自助挂号")
    if v.quote is None:
        raise DemoFailed(f"自助挂号失败：{v.result.text.text()}")
    d.say(f"kiosk quote: total {v.quote.medfee_sumamt} cash {v.quote.psn_cash_pay}")
    d.shot(shots, f"{prefix}kiosk-confirm")
    v.pay()
    wait(lambda: not v.busy and v.page == "result", "自助缴费")
    if v.settlement is None:
        raise DemoFailed(f"自助缴费失败：{v.result.text.text()}")
    d.say(f"kiosk settled: setl_id {v.settlement.setl_id}")
    d.shot(shots, f"{prefix}kiosk-paid")
    return v.settlement


def unlock_kiosk(d: Director) -> None:
    """Kiosk admin PIN: the back-office pages become reachable."""
    dlg = d.sale.ask_admin()
    dlg.fill_and_submit(d.cfg.kiosk.admin_id, DEMO_PIN["admin"])
    wait(lambda: d.ctx.unlocked, "管理员解锁")
    d.say("kiosk admin unlocked")


def refund(d: Director, setl_id: str, shots: Path | None = None, prefix: str = "") -> object:
    """Journal page → select the sale → refund dialog → a wrong PIN (refused) → the right PIN."""
    if d.profile == "kiosk" and not d.ctx.unlocked:
        unlock_kiosk(d)
    d.window.show_page("journal")
    j = d.window.pages["journal"]
    loaded = []
    j.loaded.connect(loaded.append)
    j.reload()
    wait(lambda: loaded, "读取流水")
    if not j.select_setl(setl_id):
        raise DemoFailed(f"流水中找不到 {setl_id}")
    dlg = j.refund_selected()
    dlg.fill_and_submit("sup01", "0000")
    wait(lambda: dlg.buttons.isEnabled() or dlg.result_value is not None, "错误密码被拒")
    d.say(f"refund with a wrong PIN: {dlg.error.text()}")
    d.shot(shots, f"{prefix}{d.profile}-refund-pin")
    before = len(loaded)
    dlg.fill_and_submit("sup01", DEMO_PIN["supervisor"])
    wait(lambda: dlg.result_value is not None or (dlg.buttons.isEnabled() and dlg.attempts >= 2), "退费")
    ticket = dlg.result_value
    if ticket is None:
        raise DemoFailed(f"退费失败：{dlg.error.text()}")
    d.say(f"refund {ticket.status}: setl_id {ticket.setl_id} amount {ticket.amount}")
    wait(lambda: len(loaded) > before, "刷新流水")
    d.shot(shots, f"{prefix}{d.profile}-journal")
    return ticket


def shift(d: Director, amount: str | None, shots: Path | None = None, name: str = "") -> object:
    """Ctrl+J: open the shift with a float, or close it with the counted cash (None: the drawer holds what
    the report expects; the slip prints, the till locks); returns the shift id or the ShiftReport."""
    w = d.window
    w.shift()
    dlg = wait(lambda: w.shift_dialog, "交班窗口")
    if amount is None:
        found = re.search(r"应有现金 ([\d.]+)", dlg.report.toPlainText())
        amount = found.group(1) if found else "0"
    dlg.amount.setText(amount)
    if name:
        d.shot(shots, name)
    dlg.fill_and_submit(amount)
    wait(lambda: w.shift_dialog is None or dlg.buttons.isEnabled(), "交班")  # done, or refused (buttons back)
    if dlg.result_value is None:
        raise DemoFailed(f"交班失败：{dlg.error.text()}")
    d.say(f"shift {'closed' if dlg.closing else 'opened'}: {w.message_bar.text()}")
    return dlg.result_value


def sign_in(d: Director, shots: Path | None = None, name: str = "") -> None:
    """The lock page: the cashier's ID and PIN."""
    d.ctx.lock()
    page = d.window.lock_page
    page.operator.setText(d.cfg.operator.id)
    if name:
        d.shot(shots, name)
    page.fill_and_submit(d.cfg.operator.id, DEMO_PIN["cashier"])
    wait(lambda: d.ctx.till_open, "收银员登录")
    d.say(f"signed in: {d.window.operator_label.text()}")


def sale(d: Director, shots: Path | None = None, prefix: str = "", **match):
    """The profile's sale."""
    if d.profile == "kiosk":
        return kiosk_sale(d, shots, prefix, **match)
    return counter_sale(d, shots, prefix, **match)
