"""Plain helpers for the kiosk and clinic pages (no Qt): the registration-fee line from [clinic] and the
kiosk admin's PIN check against the journal's operators (role admin, salted hash, audited)."""
from __future__ import annotations

from decimal import Decimal

from terminal.errors import EcposError
from terminal.items import Item
from terminal.operators import pin_matches
from ui.catalogue import BillLine

# 国家医疗服务项目 普通门诊诊查费; the fee itself comes from [clinic] registration_fee.
REGISTRATION_CODE = "110200001"


def registration_line(cfg) -> BillLine:
    """The registration fee as a bill line."""
    return BillLine(REGISTRATION_CODE, "普通挂号费", Decimal(cfg.clinic.registration_fee), "")


def registration_items(cfg) -> list[Item]:
    """The kiosk's bill: the registration fee, once."""
    line = registration_line(cfg)
    return [Item(line.code, line.name, Decimal(1), line.price)]


def check_admin(journal, op_id: str, pin: str) -> bool:
    """True when op_id is an admin (or supervisor) whose PIN matches; raises EcposError otherwise."""
    rows = journal.query("SELECT * FROM operators WHERE id=?", (op_id,))
    ok = bool(rows) and rows[0]["role"] in ("admin", "supervisor") and bool(pin) and \
        pin_matches(pin, rows[0]["salt"], rows[0]["pin_hash"], rows[0]["params"])
    journal.audit("kiosk_admin_unlock" if ok else "kiosk_admin_refused", op_id)
    if not ok:
        raise EcposError("管理员工号或密码错误，请重新输入", key="kiosk_admin_refused")
    return True
