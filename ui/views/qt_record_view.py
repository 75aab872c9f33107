"""Shows any core record (dataclass) as label/value rows, nested lists and dicts as tables."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from terminal.office.reports import percent
from ui.qt_values import value_text


def record_items(obj) -> list[tuple[str, object]]:
    """(name, value) pairs of a dataclass or dict, in declaration order."""
    if dataclasses.is_dataclass(obj):
        return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]
    if isinstance(obj, dict):
        return list(obj.items())
    return [(k, v) for k, v in vars(obj).items() if not k.startswith("_")]


PERCENT_KEYS = ("ec_rate", "target", "trace_rate")


def text_of(value, key: str = "") -> str:
    """A value as the screen shows it: rates as percentages, Decimals with two places, core words and
    codes in the screen's language."""
    if key in PERCENT_KEYS and value not in (None, ""):
        try:
            return f"{percent(value)}%"
        except ArithmeticError:
            return str(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value.as_tuple().exponent >= -2 else f"{value}"
    if isinstance(value, bool):
        return "✔" if value else "✘"
    return "" if value is None else value_text(key, str(value))


class QtRecordTable(QTableWidget):
    """Two columns (field, value) for a record, or one column per key for a list of records."""

    def __init__(self, labels: dict[str, str] | None = None, parent=None):
        super().__init__(parent)
        self.labels = labels or {}
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.NoEditTriggers)
        self.horizontalHeader().setStretchLastSection(True)

    def show_record(self, obj, skip=()) -> None:
        """One row per scalar field."""
        rows = [(k, v) for k, v in record_items(obj)
                if k not in skip and not isinstance(v, (list, tuple, dict))]
        self.setColumnCount(2)
        self.setHorizontalHeaderLabels([self.tr("项目"), self.tr("数值")])
        self.setRowCount(len(rows))
        for r, (k, v) in enumerate(rows):
            self.setItem(r, 0, QTableWidgetItem(self.labels.get(k, k)))
            self.setItem(r, 1, QTableWidgetItem(text_of(v, k)))
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)

    def show_rows(self, rows) -> None:
        """One row per record, one column per field of the first record."""
        rows = [dict(record_items(r)) if not isinstance(r, dict) else r for r in rows]
        keys = list(rows[0]) if rows else []
        self.setColumnCount(len(keys))
        self.setHorizontalHeaderLabels([self.labels.get(k, k) for k in keys])
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, k in enumerate(keys):
                self.setItem(r, c, QTableWidgetItem(text_of(row.get(k), k)))
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)


def field_labels() -> dict[str, str]:
    """Screen names of the core's field names (translated)."""
    return {"date": QCoreApplication.translate("Fields", "日期"), "day": QCoreApplication.translate("Fields", "日期"), "count": QCoreApplication.translate("Fields", "笔数"), "sales": QCoreApplication.translate("Fields", "结算笔数"),
            "medfee_sumamt": QCoreApplication.translate("Fields", "费用合计"), "fund_pay_sumamt": QCoreApplication.translate("Fields", "统筹基金"), "acct_pay": QCoreApplication.translate("Fields", "个人账户"),
            "psn_cash_pay": QCoreApplication.translate("Fields", "现金"), "ok": QCoreApplication.translate("Fields", "对账结果"), "matched": QCoreApplication.translate("Fields", "一致"), "status": QCoreApplication.translate("Fields", "状态"),
            "refunds": QCoreApplication.translate("Fields", "退费笔数"), "refund_sumamt": QCoreApplication.translate("Fields", "退费金额"), "cert_type": QCoreApplication.translate("Fields", "凭证类型"),
            "mdtrt_cert_type": QCoreApplication.translate("Fields", "凭证类型"), "name": QCoreApplication.translate("Fields", "名称"), "ec_count": QCoreApplication.translate("Fields", "医保码笔数"),
            "total_count": QCoreApplication.translate("Fields", "总笔数"), "ec_rate": QCoreApplication.translate("Fields", "医保码结算率"), "rate": QCoreApplication.translate("Fields", "结算率"),
            "target": QCoreApplication.translate("Fields", "目标"), "frm": QCoreApplication.translate("Fields", "起始"), "to": QCoreApplication.translate("Fields", "截止"), "message": QCoreApplication.translate("Fields", "说明"),
            "stmt_rslt": QCoreApplication.translate("Fields", "对账结果"), "stmt_rslt_dscr": QCoreApplication.translate("Fields", "对账说明"), "platform": QCoreApplication.translate("Fields", "平台"),
            "local": QCoreApplication.translate("Fields", "本地"), "difference": QCoreApplication.translate("Fields", "差额"), "unknown": QCoreApplication.translate("Fields", "待确认"),
            "queued_refunds": QCoreApplication.translate("Fields", "待退费"), "unknown_outcomes": QCoreApplication.translate("Fields", "结果待确认"), "opter": QCoreApplication.translate("Fields", "操作员"),
            "settlements": QCoreApplication.translate("Fields", "结算笔数"), "ec_01": QCoreApplication.translate("Fields", "医保电子凭证(01)"), "idcard_02": QCoreApplication.translate("Fields", "身份证(02)"),
            "sscard_03": QCoreApplication.translate("Fields", "社保卡(03)"), "met": QCoreApplication.translate("Fields", "是否达标"),
            # 药品追溯码 collection (terminal/office/reports.py Stats.trace)
            "boxes": QCoreApplication.translate("Fields", "应扫码药盒"), "boxes_coded": QCoreApplication.translate("Fields", "已扫码药盒"),
            "trace_rate": QCoreApplication.translate("Fields", "追溯码采集率"), "codes_reported": QCoreApplication.translate("Fields", "追溯码已上报"),
            "codes_pending": QCoreApplication.translate("Fields", "追溯码待上报"), "codes_refused": QCoreApplication.translate("Fields", "追溯码被拒")}
