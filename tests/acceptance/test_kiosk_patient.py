"""A kiosk patient, as patients use it: a code held to the scan box, a finger on the screen; read from the
screen, the receipt and `ecpos journal --json` (issue 21), at 1366×768 and 1024×768."""
from __future__ import annotations

import json

import pytest

from tests.acceptance.kiosk_clinic import SIZES, Till, quick_clock
from ui.demo.director import spin

INVITE = "将二维码对准下方扫码口"


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def kiosk(sim, qtbot, tmp_path, request):
    made = []

    def make(**overrides):
        t = Till(sim, tmp_path / f"kiosk{len(made)}", "kiosk", request.param, overrides)
        made.append(t)
        return t
    yield make
    for t in made:
        t.close()


def register_and_quote(k: Till) -> str:
    k.see("请选择就诊科室")
    k.touch("内科")
    return k.see("确认缴费")


def test_insured_patient_pays_and_takes_the_receipt(kiosk, sim):
    k = kiosk()
    k.see(INVITE)
    k.show_code(insutype="310", balc="1000.00")      # 张伟: his account covers what the fund does not
    register_and_quote(k)
    k.touch("确认缴费")
    screen = k.see("缴费成功")
    k.wait(lambda: k.receipts(), "the receipt")
    k.see("请取走小票")
    assert "未收" not in k.receipts()[-1]
    k.touch("完成")
    k.see(INVITE)
    row = k.journal()[0]
    assert row["status"] == "settled" and row["note"] == ""
    assert row["setl_id"] in screen


def test_zero_balance_the_cash_part_goes_to_the_window(kiosk, sim):
    """Issue 21 item 4: 王芳 has 0 in her account, so ¥X is hers to pay in cash, which a kiosk cannot take."""
    k = kiosk()
    k.show_code(insutype="310", balc="0.00")
    confirm = register_and_quote(k)
    assert "人工窗口" in confirm                    # told before paying that the cash is paid at the window
    k.touch("确认缴费")
    screen = k.see("人工窗口")
    row = k.journal()[0]
    cash = row["psn_cash_pay"]
    assert float(cash) > 0
    assert "缴费成功" not in screen
    assert f"{float(cash):.2f}" in screen and row["setl_id"] in screen   # the amount and the slip's number
    assert row["status"] == "settled" and row["note"] == "cash_due_at_window"   # open for the counter
    k.wait(lambda: k.receipts(), "the slip")
    slip = k.receipts()[-1]
    assert "待缴现金" in slip and f"{float(cash):.2f}" in slip
    # staff see it owed in the admin mode's journal
    k.touch("管理")
    for digit in k.admin_pin():
        k.touch_exact(digit)
    k.touch("确定")
    k.see("医保平台：")
    k.touch("流水与退费")
    k.see("已结算（现金待收）")
    # at the window: the clerk collects it by the slip's 流水号 (ecpos collect), and the sale is paid
    got = k.ecpos("collect", row["setl_id"], "--cash-received", "20", "--json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["change"] == f"{20 - float(cash):.2f}"
    assert k.journal()[0]["note"] == ""
    again = k.ecpos("collect", row["setl_id"], "--cash-received", "20")
    assert again.returncode == 2 and "没有待收的现金" in again.stderr


def test_uninsured_patient_gets_a_self_pay_button_that_works(kiosk, sim):
    """Issue 21 item 7: told 可选择自费, the patient finds a button for it."""
    k = kiosk()
    k.show_code("no_insurance")
    k.see("可选择自费")
    k.touch("自费挂号")
    screen = k.see("人工窗口")
    assert "自费" in screen and "12.00" in screen
    k.wait(lambda: k.receipts(), "the self-pay slip")
    assert "自费" in k.receipts()[-1]
    assert sim.ledger()["settlements"] == []


def test_dead_printer_is_said_not_hidden(kiosk, sim):
    """Issue 21 item 4: with no printer the kiosk must not say 请取走小票; the log has an English key."""
    k = kiosk(**{"printer.kind": "serial", "printer.target": "/dev/ecpos-no-such-printer"})
    k.show_code(insutype="310", balc="1000.00")
    register_and_quote(k)
    k.touch("确认缴费")
    k.see("缴费成功")
    screen = k.see("小票打印失败")
    assert "请取走小票" not in screen and "人工窗口" in screen
    log = (k.cfg.data_dir / "ecpos.log").read_text(encoding="utf-8")
    assert "kiosk_receipt_failed" in log
    assert k.journal()[0]["status"] == "settled"


def test_platform_down_the_kiosk_says_so(monkeypatch, kiosk, sim):
    """Issue 21 item 6: every request gets 503 while the probe GET still answers."""
    quick_clock(monkeypatch)
    k = kiosk()
    k.see(INVITE)
    sim.faults("*:down")
    k.show_code(insutype="310", balc="1000.00")
    k.see("暂时无法办理")
    k.touch("返回首页")
    k.see("暂停服务")
    # heartbeats later the probe GET has answered each time: still paused, nobody invited to scan
    k.idle()
    spin(2500)
    assert INVITE not in k.screen() and "暂停服务" in k.screen()
    sim.clear_faults()
    k.see(INVITE, timeout=15)                         # back by itself once a real exchange succeeds


def test_admin_mode_locks_again_by_itself(kiosk, sim):
    """Issue 21 item 7: the admin PIN opens the back office; left alone, the kiosk locks again."""
    k = kiosk(**{"kiosk.admin_lock_s": 2})
    k.touch("管理")
    k.see("请输入管理员密码")
    for digit in k.admin_pin():
        k.touch_exact(digit)
    k.touch("确定")
    k.see("医保平台：")                               # the status bar is the admin's
    k.see(INVITE, timeout=10)
    assert "医保平台：" not in k.screen() and not k.ctx.unlocked


def test_walks_away_mid_visit(kiosk, sim):
    """A registered, unpaid visit is undone when nobody touches the screen; a countdown warns first
    (issue 21 item 7)."""
    k = kiosk(**{"kiosk.idle_timeout_s": 3})
    k.show_code(insutype="310", balc="1000.00")
    register_and_quote(k)
    k.see("秒后返回首页", timeout=3)
    k.see(INVITE, timeout=10)
    k.idle()
    k.wait(lambda: k.journal()[0]["status"] == "cancelled", "the visit undone", timeout=10)
    assert sim.ledger()["settlements"] == []
