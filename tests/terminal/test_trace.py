"""药品追溯码 at the counter: the classifier, per-line codes, 拆零, product prefixes, drugs without codes,
[trace] required, and the 3505 answer's reading.

Wire facts and where they were checked (public material, 2025 integrations):
- The code is 20 digits; the tracing platform filters out codes that are not 20 digits starting with 8
  ("核查平台优先过滤非8开头的，长度非20位数字的码信息", Alibaba Health 码上放心 API docs, e.g.
  https://developer.alibaba.com/docs/api.htm?apiId=41723, sample 83003850000000131888); an open-source HIS
  trace service checks `^\\d{20}$` before accepting a scan (com.yb.hi TraceCodeService, code corpus).
- The first 7 digits identify the product: a public HIS integration note builds its trace base with
  substr(scancode, 0, 7) as tracemedcode beside the 医保目录编码 (http://uchenu.com/work/追溯码), which also
  says codes go up with 【3505】或【3505A】商品销售 after dispensing and 【3506】销售退货 on a return.
- 3506 selinfo fields (med_list_codg, fixmedins_hilist_id/name, fixmedins_bchno, setl_id, psn_no, rx_flag,
  trdn_flag 0/1, sel_retn_cnt 16,4, sel_retn_time yyyy-MM-dd HH:mm:ss, sel_retn_opter_name, medins_prod_sel_no):
  https://d.pingjiangxian.com/html/3506.html (interface list page); 3505's selinfo adds rtal_docno,
  mdtrt_setl_type (1 医保结算 / 2 自费) and drugtracinfo [{drug_trac_codg}] (an open-source HIS's
  com.openhis.yb.dto Medical3506Param / MedicalTraceNoDto, and a Shenzhen SZSI HIS script sending infno 3505
  with `input = {"selinfo": data}`; both found in the code corpus).
- 3505A sends `selinfoDetail` (a list); the answer is output.result {retRslt, msgRslt}, retRslt "1" accepted,
  judged after infcode 0 ("两级判定 infcode+retRslt", com.yb.hi TraceCodeService.finalizeSalesUpload and its
  MockYbServer); one public integration writes sel_retn_time as yyyy-MM-ddHH:mm:ss (table 206 #35): we follow
  the interface page's yyyy-MM-dd HH:mm:ss.
- drug_trac_info beside 2207's fee lines: {feedetl_sn, drug_trac_codg, trdn_flag, min_prcunt_type}, all
  required (table 90; com.yb.hi buildSettlementNodes sends min_prcunt_type "2" for a whole pack scanned and
  says 拆零 is unconfirmed: our "1" for a 拆零 line is a choice, marked in terminal/sale/trace_report.py).
- The platform's wording for a code sold twice is not public; the simulator's is ours in the platform's
  bracketed-id style. Duplicate uploads are the known failure of check-then-act HIS code (a 2026-08 public
  analysis "追溯码上传重复问题分析" recommends claiming the record before the upload): we claim the msgid first.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from terminal.codes import CodeRejected, classify, trace_code
from terminal.errors import ConfigError
from terminal.sale.items import Item
from terminal.sale.trace import TraceBill, TraceError, TraceRules
from terminal.sale.trace_report import result

AMOX = "XJ01CAA040A001010100007"
HERB = "T0901000100001"  # 中药饮片: national codes start with T
C1, C2, C3 = "83003850000000131001", "83003850000000131002", "83003850000000131003"


def bill(*items, sold=lambda c: None, **rules):
    return TraceBill(items, TraceRules(**rules), sold)


def test_a_20_digit_box_code_is_a_trace_code_never_a_medical_insurance_code():
    assert trace_code(" 83003850000000131888\r\n") == "83003850000000131888"
    wide = "83003850000000131888".translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    assert trace_code(wide) == "83003850000000131888"  # a wedge typing through a full-width IME
    assert trace_code("6901234567892") is None          # EAN-13 on the same box
    assert trace_code("28123456789012345678") is None   # 20 digits from 25-30: an Alipay 付款码
    assert trace_code("62123456789012345678") is None   # 20 digits not from 8: not a box (the platform drops it)
    assert trace_code("8300385000000013188") is None    # 19 digits
    with pytest.raises(CodeRejected) as e:
        classify("83003850000000131888")
    assert e.value.reason == "trace_code" and "追溯码" in e.value.message
    with pytest.raises(CodeRejected) as e:
        classify("28123456789012345678")
    assert e.value.reason == "alipay"


def test_three_boxes_take_three_codes_and_the_screen_counts_what_is_missing():
    b = bill(Item(AMOX, "阿莫西林胶囊", Decimal("3"), Decimal("12.50")))
    assert (b.lines[0].expected, b.missing) == (3, 3)
    b.scan(C1)
    b.scan(C2)
    assert b.lines[0].missing == 1 and b.summary()[0]["trace"] == [C1, C2]
    with pytest.raises(TraceError) as e:
        b.scan(C1)
    assert e.value.key == "trace_twice_on_bill"
    b.scan(C3)
    with pytest.raises(TraceError) as e:
        b.scan("83003850000000131004")
    assert e.value.key == "trace_bill_full"
    b.remove(C2)
    assert b.missing == 1


def test_a_trdn_line_takes_one_code_and_herbal_pieces_or_services_none():
    b = bill(Item(AMOX, "阿莫西林胶囊", Decimal("0.5"), Decimal("12.50")),
             Item(HERB, "当归", Decimal("30"), Decimal("0.40")),
             Item("110200001", "普通挂号费", Decimal("1"), Decimal("12.00")))
    assert [ln.expected for ln in b.lines] == [1, 0, 0] and b.lines[0].trdn_flag == "1"
    with pytest.raises(TraceError) as e:
        b.scan(C1, line=2)
    assert e.value.key == "trace_not_needed"
    b.scan(C1)
    assert b.missing == 0
    b.check()  # nothing missing: settles even when required


def test_required_refuses_a_bill_with_boxes_not_scanned_naming_the_line():
    items = (Item(AMOX, "阿莫西林胶囊", Decimal("2"), Decimal("12.50")),)
    b = bill(*items, required=True)
    b.scan(C1)
    with pytest.raises(TraceError) as e:
        b.check()
    assert e.value.key == "trace_missing" and "第 1 行 阿莫西林胶囊 还差 1 盒" in e.value.message
    bill(*items).check()  # default: goes through, counted against the collection rate


def test_a_code_that_does_not_fit_its_line_is_flagged_and_a_fitting_line_is_preferred():
    para = "XN02BEA010A001010100123"
    rules = {"products": {AMOX: frozenset({"8300385"}), para: frozenset({"8697812"})}}
    b = bill(Item(AMOX, "阿莫西林胶囊", Decimal("1"), Decimal("12.50")),
             Item(para, "对乙酰氨基酚片", Decimal("1"), Decimal("6.80")), **rules)
    assert b.scan("86978120000000000017").index == 2  # its product's line, not the first one open
    b.scan("86978120000000000024", line=1)               # the cashier put it on line 1: kept, flagged
    assert b.lines[0].flagged == {"86978120000000000024"} and b.summary()[0]["flagged"] == ["86978120000000000024"]


def test_a_code_sold_already_is_refused_at_once_with_where():
    b = bill(Item(AMOX, "阿莫西林胶囊", Decimal("1"), Decimal("12.50")),
             sold=lambda c: "已于 2026-11-29 在本机销售（结算 S1）" if c == C1 else None)
    with pytest.raises(TraceError) as e:
        b.scan(C1)
    assert e.value.key == "trace_already_sold" and "S1" in e.value.message and b.missing == 1
    with pytest.raises(TraceError) as e:
        b.scan("6901234567892")
    assert e.value.key == "trace_not_a_code"


def test_rules_from_config_and_a_bad_products_entry(make_cfg):
    cfg = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9", "trace.required": True,
                                "trace.products": [f"{AMOX}:8300385,8300386"]})
    r = TraceRules.from_config(cfg)
    assert r.required and r.report == "3505" and r.products[AMOX] == {"8300385", "8300386"} and r.coded == ("X", "Z")
    bad = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9", "trace.products": [f"{AMOX}:83003"]})
    with pytest.raises(ConfigError):
        TraceRules.from_config(bad)


def test_3505_answer_reading():
    assert result({"result": {"retRslt": "1", "msgRslt": "ok"}}) == (True, "ok")
    assert result({"result": [{"retRslt": 1}]})[0] is True
    assert result({"result": {"retRslt": "0", "msgRslt": "药品追溯码[x]已存在销售记录"}}) == (False, "药品追溯码[x]已存在销售记录")
    assert result({}) == (False, "应答缺少 result 节点")


def test_a_channel_file_fixes_how_its_province_takes_the_codes(make_cfg, monkeypatch):
    from terminal.wire import channels
    cfg = make_cfg("pharmacy", {"center.url": "http://127.0.0.1:9", "trace.report": "3505"})
    assert TraceRules.from_config(cfg).report == "3505"  # national: no trace_report, the [trace] key decides
    ch = channels.Channel(name="testprov", options={"trace_report": "settlement"})
    monkeypatch.setattr(channels, "load", lambda name="national": ch)
    assert TraceRules.from_config(cfg).report == "settlement"
    monkeypatch.setattr(channels, "load", lambda name="national": channels.Channel(name="x", options={"trace_report": "9"}))
    with pytest.raises(ConfigError):
        TraceRules.from_config(cfg)
