"""A bill the HIS pushes to the till's app ([agent] enabled_in_app, issue 22): HTTP to the agent the app started,
the bill in the cashier's cart, the patient's code at the scan box, the cashier's keys or the HIS's confirm
settling it — one Counter, one script, one sale in `ecpos journal --json`. And the till's rule of one open
quote: the HIS's code is refused while the cashier's own quote stands, and the cashier's sale goes on
untouched. Checked only against the screen, HTTP answers and the journal as a process."""
from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt

from tests.acceptance.test_cashier_shift import sign_in_and_open_shift

TOKEN = "his-token-0123456789abcdef"
BILL = [{"code": "XJ01CAA040A001010100007", "name": "阿莫西林胶囊", "qty": "2", "price": "12.50"},
        {"code": "XA02BCA018A001010101234", "name": "奥美拉唑肠溶胶囊", "qty": "1", "price": "23.60"}]


@pytest.fixture
def screen():
    return (1366, 768)  # the cart's layout is test_cashier_shift's; one size is enough here


@pytest.fixture
def his_till(till, tmp_path):
    """A till whose app serves the HIS's API (port 0), the HIS's token in the file the IT admin set."""
    token = tmp_path / "agent.token"
    token.write_text(TOKEN + "\n", encoding="utf-8")
    t = till({"agent.enabled_in_app": True, "agent.port": 0, "agent.token_file": str(token), "agent.code_wait": 0})
    sign_in_and_open_shift(t)
    t.qtbot.waitUntil(lambda: t.ctx.agent.url != "", timeout=20000)  # where the app listens (port 0: ask it)
    with httpx.Client(base_url=t.ctx.agent.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as http:
        yield t, http


def push(http, external_id: str) -> str:
    r = http.post("/v1/sales", headers={"Idempotency-Key": external_id}, json={"external_id": external_id,
                                                                                "items": BILL})
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "waiting_for_code"
    return r.json()["sale_id"]


def cart(t, rows: int) -> list[dict]:
    """The cart's rows once it holds `rows` (the drugs' names are on the quick-pick buttons too)."""
    t.qtbot.waitUntil(lambda: len(t.bill()) == rows, timeout=20000)
    return t.bill()


def state(t, http, sid: str, want: str) -> dict:
    t.qtbot.waitUntil(lambda: http.get(f"/v1/sales/{sid}").json()["state"] == want, timeout=30000)
    return http.get(f"/v1/sales/{sid}").json()


def test_the_his_bill_is_in_the_cart_and_the_cashiers_enter_settles_it(his_till):
    t, http = his_till
    sid = push(http, "HIS-0001")
    t.sees("HIS 推送账单 HIS-0001", "合计 48.60 元")
    assert [(r["名称"], r["数量"], r["金额"]) for r in cart(t, 2)] == [
        ("阿莫西林胶囊", "2", "25.00"), ("奥美拉唑肠溶胶囊", "1", "23.60")]  # the HIS's lines, in the cart
    t.type("lltd")                                   # the cashier cannot change the HIS's bill here
    t.enter()
    t.sees("HIS 推送的账单不能在收银台修改")
    assert len(t.bill()) == 2

    t.sees("追溯码：还需逐盒扫描 3 盒")
    t.scan("83003850000000131881")                   # a drug box's 追溯码 goes on the cart, not to the HIS's sale
    t.sees("追溯码：还需逐盒扫描 2 盒")
    assert http.get(f"/v1/sales/{sid}").json()["error"] is None
    t.show_phone(insutype="310")                     # the patient's code at the app's own scan box
    t.sees("核对金额后按 Enter 或 F12 确认结算", "张*")  # quoted: the split and the patient, as a walk-in's
    assert state(t, http, sid, "quoted")["split"]["medfee_sumamt"] == "48.60"
    t.enter()                                        # the cashier's key settles it
    t.sees("结算成功")
    done = state(t, http, sid, "settled")            # the HIS reads what happened at the till
    rows = t.journal()
    assert [(r["status"], r["setl_id"]) for r in rows] == [("settled", done["setl_id"])]  # one sale
    assert [s["setl_id"] for s in t.sim.ledger()["settlements"]] == [done["setl_id"]]
    assert http.post(f"/v1/sales/{sid}/confirm").json()["setl_id"] == done["setl_id"]  # asked again: nothing sent
    assert len(t.sim.ledger()["settlements"]) == 1


def test_the_his_confirms_and_the_cashiers_esc_cancels(his_till):
    t, http = his_till
    sid = push(http, "HIS-0002")
    t.sees("HIS 推送账单 HIS-0002")
    cart(t, 2)
    t.show_phone(insutype="310")
    t.sees("核对金额后按 Enter 或 F12 确认结算")
    done = http.post(f"/v1/sales/{sid}/confirm").json()
    assert done["state"] == "settled", done
    t.sees("结算成功")                                 # the cart follows the HIS's confirm
    assert "小票" in t.sees("小票已打印")              # and the patient's receipt is printed at the till

    t.key(Qt.Key_F9)
    t.qtbot.waitUntil(lambda: t.bill() == [], timeout=5000)  # the next customer: an empty cart
    second = push(http, "HIS-0003")
    t.sees("HIS 推送账单 HIS-0003")
    cart(t, 2)
    t.key(Qt.Key_Escape)                              # the patient left: the cashier lets the bill go
    assert state(t, http, second, "cancelled")["error"] is None
    assert t.bill() == []
    rows = t.journal()
    assert [r["status"] for r in rows] == ["settled"]  # the cancelled bill never reached the platform


def test_one_open_quote_per_till_the_his_code_waits_for_the_cashiers_sale(his_till):
    t, http = his_till
    t.show_phone(psn_no="3201000000000003")          # the cashier's own walk-in, cash due
    t.sees("已识别参保人 王*")
    t.type("ffgc")
    t.enter()
    t.key(Qt.Key_F5)
    t.sees("收款后按 Enter 或 F12 确认结算")

    sid = push(http, "HIS-0004")                       # meanwhile the HIS pushes a bill: the cart stays the cashier's
    t.sees("HIS 推送账单 HIS-0004")
    assert [r["名称"][:5] for r in t.bill()] == ["复方甘草片"]
    p = t.sim.person("active", insutype="310")
    r = http.post(f"/v1/sales/{sid}/code", json={"qr": t.sim.code(p["psn_no"])})
    assert r.status_code == 200 and r.json()["state"] == "waiting_for_code", r.text
    assert r.json()["error"]["key"] == "quote_open"   # the till's one quote stands: refused, nothing sent
    t.sees("本机还有一笔预结算未完成")
    assert http.get("/v1/status").json()["open_sale"] == sid

    t.type("50")                                     # the cashier's sale goes on untouched
    t.enter()
    t.sees("结算成功", "找零 ¥")
    t.key(Qt.Key_F9)                                 # the next customer: the HIS's bill comes into the cart
    assert [r["名称"] for r in cart(t, 2)] == ["阿莫西林胶囊", "奥美拉唑肠溶胶囊"]
    r = http.post(f"/v1/sales/{sid}/code", json={"qr": t.sim.code(p["psn_no"])})
    assert r.json()["state"] == "quoted", r.text
    t.sees("核对金额后按 Enter 或 F12 确认结算")
    t.key(Qt.Key_F12)
    t.sees("结算成功")
    done = state(t, http, sid, "settled")
    rows = t.journal()
    assert sorted(r["status"] for r in rows) == ["settled", "settled"]  # the walk-in's and the HIS's: neither cancelled
    assert done["setl_id"] in {r["setl_id"] for r in rows}


def test_the_his_confirm_while_the_cashiers_enter_settles_it_is_answered_settling(his_till):
    t, http = his_till
    sid = push(http, "HIS-0005")
    cart(t, 2)
    t.show_phone(insutype="310")
    t.sees("核对金额后按 Enter 或 F12 确认结算")
    t.sim.faults("2102:delay:3000")                  # a slow platform: the cashier's settlement takes a while
    t.enter()
    t.sees("正在结算")
    r = http.post(f"/v1/sales/{sid}/confirm")         # the HIS confirms meanwhile: nothing sent twice
    assert r.status_code == 200 and r.json()["state"] in ("settling", "settled"), r.text
    t.sees("结算成功")
    done = state(t, http, sid, "settled")
    assert [s["setl_id"] for s in t.sim.ledger()["settlements"]] == [done["setl_id"]]
    assert [r["status"] for r in t.journal()] == ["settled"]


def test_the_his_reads_the_receipt_the_till_printed(his_till):
    # one receipt rule: GET /v1/sales/{id} answers the patient's receipt with the cashier's tender on it
    t, http = his_till
    sid = push(http, "HIS-0005")
    cart(t, 2)
    t.show_phone(psn_no="3201000000000003")          # 王芳: no personal account, the cash part is due
    t.sees("王*")
    t.key(Qt.Key_F5)
    t.sees("收款后按 Enter 或 F12 确认结算")
    t.type("100")                                    # the note the patient hands over
    t.enter()
    t.sees("结算成功", "找零 ¥")
    done = state(t, http, sid, "settled")
    printed = t.receipt(1)
    assert "实收：100.00" in printed and done["receipt"] in printed
