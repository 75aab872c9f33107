"""A bill the HIS pushes to a clinic desk's or a kiosk's app ([agent] enabled_in_app, issue 22): HTTP to the agent
the app started, the bill on the screen as the desk's or the patient's own (not only on the message bar, which a
kiosk's patient never sees), the patient's code at the scan box, the clerk's F12 or the patient's 确认缴费 settling
it — one Counter, one script, one sale in `ecpos journal --json`. Read from the screen, HTTP and the journal."""
from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt

from tests.acceptance.kiosk_clinic import SIZES, Till, quick_clock
from tests.acceptance.test_his_bill import BILL, TOKEN, push  # the same HIS, bill and push as the pharmacy's



def his_till(sim, tmp_path, profile: str, size) -> tuple[Till, httpx.Client]:
    token = tmp_path / "agent.token"
    token.write_text(TOKEN + "\n", encoding="utf-8")
    t = Till(sim, tmp_path / profile, profile, size, {"agent.enabled_in_app": True, "agent.port": 0,
                                                       "agent.token_file": str(token), "agent.code_wait": 0})
    t.wait(lambda: t.ctx.agent.url != "", "the agent listening")  # port 0: ask the app where
    return t, httpx.Client(base_url=t.ctx.agent.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)


@pytest.fixture
def desk(sim, qtbot, tmp_path, monkeypatch):
    quick_clock(monkeypatch)
    t, http = his_till(sim, tmp_path, "clinic", SIZES[0])
    t.sign_in()
    with http:
        yield t, http
    t.close()


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def kiosk(sim, qtbot, tmp_path, request):
    t, http = his_till(sim, tmp_path, "kiosk", request.param)
    with http:
        yield t, http
    t.close()


def state(t: Till, http, sid: str, want: str) -> dict:
    t.wait(lambda: http.get(f"/v1/sales/{sid}").json()["state"] == want, f"the HIS to read {want}")
    return http.get(f"/v1/sales/{sid}").json()


def test_the_his_bill_is_the_desks_bill_and_the_clerks_f12_settles_it(desk, sim):
    t, http = desk
    sid = push(http, "HIS-C001")
    screen = t.see("25.00")                                # the HIS's lines in the desk's cart, not only a message
    assert "阿莫西林胶囊" in screen and "25.00" in screen and "23.60" in screen
    assert "未挂号" in screen                             # no visit yet: the patient has not shown the code
    t.show_code(insutype="310", balc="1000.00")           # the code at the desk's scan box goes to the HIS's sale
    screen = t.see("核对金额后按 Enter 或 F12 确认结算")   # registered and quoted: the visit and the split shown
    assert "已挂号：" in screen and "就诊ID" in screen
    assert state(t, http, sid, "quoted")["split"]["medfee_sumamt"] == "48.60"
    t.idle()
    t.key(Qt.Key_F12)                                     # the clerk's key settles it
    t.see("结算成功")
    done = state(t, http, sid, "settled")                 # the HIS reads what happened at the desk
    t.wait(lambda: t.receipts(), "the receipt")
    assert done["setl_id"] in t.receipts()[-1]
    rows = t.journal()
    assert [(r["status"], r["profile"], r["setl_id"]) for r in rows] == [("settled", "clinic", done["setl_id"])]

    t.key(Qt.Key_F9)                                      # the next patient: a second HIS bill
    second = push(http, "HIS-C002")
    t.see("25.00")
    t.show_code(insutype="310", balc="260.50")
    t.see("核对金额后按 Enter 或 F12 确认结算")
    t.idle()
    t.key(Qt.Key_Escape)                                  # the patient left: the clerk undoes the visit
    t.see("就诊已撤销")
    assert state(t, http, second, "cancelled")["error"] is None
    t.idle()
    assert [r["status"] for r in t.journal()] == ["cancelled", "settled"]
    assert [s["status"] for s in sim.ledger()["settlements"]] == ["settled"]


def test_the_his_bill_is_the_patients_bill_at_the_kiosk(kiosk, sim):
    t, http = kiosk
    t.see("将二维码对准下方扫码口")
    sid = push(http, "HIS-K001")
    screen = t.see("您有一笔待缴费用")                     # the patient sees the bill, not the welcome
    assert "阿莫西林胶囊 ×2  ¥25.00" in screen and "奥美拉唑肠溶胶囊 ×1  ¥23.60" in screen
    assert "合计 ¥48.60" in screen
    assert not t.widget_showing("确认缴费").isEnabled()   # nothing to pay before the code
    t.show_code("no_insurance")                           # a code the platform refuses: said on the bill's page
    screen = t.see("可重新出示医保码")
    assert "您有一笔待缴费用" in screen and "阿莫西林胶囊 ×2  ¥25.00" in screen
    assert http.get(f"/v1/sales/{sid}").json()["state"] == "waiting_for_code"
    t.show_code(insutype="310", balc="1000.00")
    screen = t.see("请核对金额后点击")                     # quoted: the patient, the visit and the amounts
    assert "您好，" in screen and "阿莫西林胶囊 ×2  ¥25.00" in screen and "¥48.60" in screen
    assert state(t, http, sid, "quoted")["split"]["medfee_sumamt"] == "48.60"
    t.touch("确认缴费")
    t.see("缴费成功")
    done = state(t, http, sid, "settled")
    t.wait(lambda: t.receipts(), "the receipt")
    assert done["setl_id"] in t.receipts()[-1]
    assert [(r["status"], r["profile"]) for r in t.journal()] == [("settled", "kiosk")]

    t.touch("完成")                                       # the next HIS bill comes once the kiosk is free
    second = push(http, "HIS-K002")
    t.see("您有一笔待缴费用")
    t.touch("返回首页")                                   # the patient walks away from it: the HIS reads it let go
    t.see("将二维码对准下方扫码口")
    assert state(t, http, second, "cancelled")["error"] is None
    assert [r["status"] for r in t.journal()] == ["settled"]  # the let-go bill never reached the platform


def test_a_his_bill_waits_while_a_patient_is_served_at_the_kiosk(kiosk, sim):
    t, http = kiosk
    t.show_code(insutype="310", balc="1000.00")           # a walk-in registering at the kiosk
    t.see("请选择就诊科室")
    sid = push(http, "HIS-K003")                          # meanwhile the HIS pushes a bill: the patient's screen stays
    t.touch("内科")
    screen = t.see("请核对金额后点击")
    assert "您有一笔待缴费用" not in screen and "阿莫西林胶囊" not in screen
    t.touch("确认缴费")
    t.see("缴费成功")
    assert "您有一笔待缴费用" not in t.screen()            # the result stays the walk-in's to read
    t.touch("完成")                                       # the kiosk is free: the HIS's bill comes on screen
    screen = t.see("您有一笔待缴费用")
    assert "合计 ¥48.60" in screen
    assert http.get(f"/v1/sales/{sid}").json()["state"] == "waiting_for_code"


def test_a_his_bill_the_platform_refuses_leaves_its_failure_on_the_kiosk(kiosk, sim):
    t, http = kiosk
    sid = push(http, "HIS-K004")
    t.see("您有一笔待缴费用")
    t.show_code(insutype="310", balc="1000.00")
    t.see("请核对金额后点击")
    t.sim.faults("2207:error:系统维护")                   # the platform refuses the settlement: nothing was paid
    t.touch("确认缴费")
    t.see("未能完成")
    state(t, http, sid, "failed")                         # the HIS reads it failed ...
    t.idle()
    assert "未能完成" in t.screen()                       # ... and the patient still reads what happened
    t.sim.faults("")
    t.touch("返回首页")
    t.see("将二维码对准下方扫码口")
    assert sim.ledger()["settlements"] == []


def test_the_his_cancels_its_quoted_bill_and_the_desk_is_free(desk, sim):
    t, http = desk
    sid = push(http, "HIS-C003")
    t.see("25.00")
    t.show_code(insutype="310", balc="1000.00")
    t.see("核对金额后按 Enter 或 F12 确认结算")
    t.idle()
    r = http.post(f"/v1/sales/{sid}/cancel")              # the HIS lets its quoted bill go: the visit is undone
    assert r.status_code == 200 and r.json()["state"] == "cancelled", r.text
    t.see("就诊已撤销")                                   # the desk says so, as for the clerk's own Esc
    t.wait(lambda: "25.00" not in t.screen() and "已挂号：" not in t.screen(), "the desk's cart emptied")
    t.idle()
    assert [r["status"] for r in t.journal()] == ["cancelled"]
    assert sim.ledger()["settlements"] == []
