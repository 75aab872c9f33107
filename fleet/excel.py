"""The manager's day as an Excel workbook (openpyxl): one sheet per table of the page, the same columns and
headers, money as numbers with two decimals (so the sheet sums them), everything else as the page shows it.
`ecpos fleet money --xlsx FILE` and the page's 导出 Excel link write the same workbook."""
from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from fleet import money as money_mod
from fleet import reports

MONEY_FORMAT = "#,##0.00"


def _sheet(wb: Workbook, title: str, columns, rows: list[dict], money_keys=()) -> None:
    ws = wb.create_sheet(title)
    ws.append([h for _, h in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([Decimal(r[k]) if k in money_keys and r[k] not in ("", None) else r[k] for k, _ in columns])
        for (k, _), cell in zip(columns, ws[ws.max_row]):
            if k in money_keys:
                cell.number_format = MONEY_FORMAT
    for (_, h), col in zip(columns, ws.columns):
        width = max(len(str(c.value or "")) for c in col)
        ws.column_dimensions[col[0].column_letter].width = min(40, max(8, width * 2))  # CJK is wide
    ws.freeze_panes = "A2"


def workbook(m: money_mod.Money, recs: list[dict]) -> bytes:
    """The day's money, cash, credential types, shifts, refunds and reversals, and its reconciliation."""
    wb = Workbook()
    wb.remove(wb.active)
    keys = set(money_mod.MONEY_KEYS)
    _sheet(wb, "收款汇总", money_mod.MONEY_COLUMNS, m.rows, keys)
    _sheet(wb, "现金核对", money_mod.CASH_COLUMNS, m.rows, keys)
    _sheet(wb, "凭证类型与结算率", money_mod.CERT_COLUMNS, m.rows, keys)
    _sheet(wb, "交班明细", money_mod.SHIFT_COLUMNS, m.shifts, keys)
    _sheet(wb, "退费与冲正", money_mod.REFUND_COLUMNS, m.refunds, {"amount"})
    groups, mismatches = reports.reconcile_rows(recs)
    _sheet(wb, "对账结果", reports.RECONCILE_COLUMNS, groups, {"medfee_sumamt", "fund_pay_sumamt", "acct_pay"})
    _sheet(wb, "对账不符", reports.MISMATCH_COLUMNS, mismatches)
    ws = wb.create_sheet("说明")
    for line in (f"日期 {m.date}；电子凭证结算率目标 {m.json()['target_percent']}",
                 "医保结算笔数：在医保中心结算成功的笔数（后来退费的也计入，退费另列）；自费：未用医保、全额自付。",
                 "应有现金 = 备用金 + 现金收款 − 退还现金（按各班次）；差额 = 清点现金 − 应有现金，仅计已交班的班次。",
                 "清算类别：医保中心与本机构结账的类别（41 定点药店购药，11 门诊）；对账按险种 × 清算类别 × 清算机构进行。"):
        ws.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
