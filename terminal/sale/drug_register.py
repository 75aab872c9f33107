"""含麻黄碱类复方制剂 and other drugs sold only against the buyer's ID (专册登记).

The rule (国家食品药品监督管理局、公安部、卫生部 2012 notice on 含麻黄碱类复方制剂, as reported at
http://chdjx.com/xiaofei/2012/0907/13080.html): a pharmacy checks the buyer's 身份证 and registers it; 除处方药按
处方剂量销售外，一次销售不得超过2个最小包装; the register (专册) holds 药品名称、规格、销售数量、生产企业、生产批号、
购买人姓名、身份证号码. The seed notices (../shared/seeds/) do not speak of it.

Here: the catalogue flags the codes ([catalogue] registered); a bill with such lines needs the buyer
(`Buyer`, the ID number checked by its GB 11643 check digit) and keeps to [pharmacy] registered_limit boxes
(a prescription's lines, rxno given, count as prescribed); the register rows are written with the sale,
before its settlement is sent; the register report lists the sales that happened (or may have: unknown).
The ID number is kept in full, in the journal (owner-only file), because the register exists to be inspected;
screens, receipts, logs and the printed report show it masked; only an export asked for by name carries it.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from terminal.errors import EcposError
from terminal.journal import audit, operators
from terminal.journal.clock import now
from terminal.journal.privacy import restrict
from terminal.masking import mask_id, mask_name
from terminal.sale.catalogue import load_catalogue
from terminal.states import HAPPENED, SaleState

SCHEMA = """
CREATE TABLE IF NOT EXISTS drug_register (  -- 专册登记: one row per registered line of a sale
    sale_id INTEGER NOT NULL,
    line INTEGER NOT NULL,          -- bill line, 1-based
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    qty TEXT NOT NULL,
    manu_lotnum TEXT NOT NULL DEFAULT '',
    buyer_id TEXT NOT NULL,         -- in full: the register is kept for inspection
    buyer_name TEXT NOT NULL,
    operator TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (sale_id, line)
);
"""
# sales the register lists: those that happened, and those whose settlement may have (sync decides)
LISTED = (*HAPPENED, SaleState.UNKNOWN)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


class RegisterError(EcposError):
    """A registered drug cannot be sold as the bill stands: the buyer is missing or wrong, or over the limit."""

    key = "register_invalid"
    exit_code = 2


@dataclass(frozen=True)
class Buyer:
    """Who buys a registered drug: 身份证号码 and 姓名 (in full; `masked` for anything shown)."""

    id_number: str
    name: str

    @property
    def masked(self) -> str:
        return f"{mask_name(self.name)} {mask_id(self.id_number)}"


def buyer(id_number: str, name: str) -> Buyer:
    """The buyer as typed, checked: an 18-character 居民身份证号码 whose last character is its check digit
    (GB 11643-1999, ISO 7064 MOD 11-2), and a name."""
    number = (id_number or "").strip().upper()
    name = (name or "").strip()
    if len(number) != 18 or not number[:17].isdigit():
        raise RegisterError("购药人身份证号码应为 18 位（最后一位可为 X），请核对", key="buyer_id")
    if _CHECK[sum(int(d) * w for d, w in zip(number, _WEIGHTS)) % 11] != number[17]:
        raise RegisterError("购药人身份证号码校验位不符，请核对后重新输入", key="buyer_id")
    if not name or len(name) > 50:
        raise RegisterError("请输入购药人姓名", key="buyer_name")
    return Buyer(number, name)


def registered_lines(cfg, items) -> list[tuple[int, object]]:
    """(line number, item) of the bill's lines the catalogue flags ([catalogue] registered)."""
    codes = set(cfg.catalogue.registered)
    return [(n, i) for n, i in enumerate(items, 1) if i.code in codes]


def check(cfg, items, who: Buyer | None) -> None:
    """Refuse, before anything is sent, a bill of registered drugs over the limit or without its buyer."""
    lines = registered_lines(cfg, items)
    if not lines:
        return
    limit = cfg.pharmacy.registered_limit
    boxes = sum((i.qty for _, i in lines if not i.rxno), Decimal(0))
    if limit and boxes > limit:
        names = "、".join(dict.fromkeys(i.name for _, i in lines))
        raise RegisterError(f"{names} 属含麻黄碱类复方制剂等登记药品，每次限售 {limit} 个最小包装（凭处方除外），"
                            f"本单 {boxes.normalize():f} 个：请减少数量", key="register_limit")
    if who is None:
        raise RegisterError("本单含登记药品（含麻黄碱类复方制剂等）：请登记购药人身份证号码和姓名", key="buyer_required")


def record(journal, cfg, sale_id: int, items, who: Buyer, operator: str) -> int:
    """Write the sale's registered lines to the register (again for the same sale: replaced); audited with
    the buyer masked. Returns how many lines were registered."""
    lines = registered_lines(cfg, items)
    if not lines:
        return 0
    stamp = now()
    with journal.tx() as c:
        c.execute(SCHEMA.strip().rstrip(";"))
        c.execute("DELETE FROM drug_register WHERE sale_id=?", (sale_id,))
        for n, i in lines:
            c.execute("INSERT INTO drug_register(sale_id, line, code, name, qty, manu_lotnum, buyer_id, buyer_name,"
                      " operator, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                      (sale_id, n, i.code, i.name, str(i.qty), i.manu_lotnum, who.id_number, who.name, operator,
                       stamp))
        audit.append(c, "drug_registered", operator, sale_id=sale_id, lines=len(lines), buyer=who.masked)
    return len(lines)


def _table(journal) -> bool:
    return bool(journal.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name='drug_register'"))


def entries(journal, cfg, day: str) -> list[dict]:
    """The register for a day (the sale's local day), in sale order: what an inspector reads. Each row has
    the ID in full (`buyer_id`) and masked (`certno`); the spec comes from the catalogue."""
    if not _table(journal):
        return []
    specs = {code: line.spec for code, line in load_catalogue(cfg).items()}
    specs.update({r["code"]: r["spec"] for r in journal.query("SELECT code, spec FROM catalogue")})
    marks = ",".join("?" * len(LISTED))
    rows = journal.query(
        "SELECT r.*, s.status, s.setl_id, s.setl_time, s.created_at AS sold_at FROM drug_register r"
        f" JOIN sales s ON s.id = r.sale_id WHERE s.day=? AND s.status IN ({marks}) ORDER BY r.sale_id, r.line",
        (day, *LISTED))
    return [{"sale_id": r["sale_id"], "time": (r["setl_time"] or r["sold_at"])[:19].replace("T", " "),
             "code": r["code"], "name": r["name"], "spec": specs.get(r["code"], ""), "qty": r["qty"],
             "manu_lotnum": r["manu_lotnum"], "psn_name": mask_name(r["buyer_name"]),
             "certno": mask_id(r["buyer_id"]), "buyer_name": r["buyer_name"], "buyer_id": r["buyer_id"],
             "opter": r["operator"], "status": r["status"], "setl_id": r["setl_id"]} for r in rows]


HEADERS = ("时间", "药品名称", "规格", "数量", "生产批号", "购药人", "身份证号码", "收银员", "状态", "单号")


def to_csv(rows: list[dict]) -> str:
    """The register for the inspector (Excel opens it: UTF-8 with BOM), the ID numbers and names in full."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADERS)
    for r in rows:
        w.writerow((r["time"], r["name"], r["spec"], r["qty"], r["manu_lotnum"], r["buyer_name"], r["buyer_id"],
                    r["opter"], r["status"], r["setl_id"] or f"SALE{r['sale_id']:08d}"))
    return "\ufeff" + out.getvalue()


def buyer_of(journal, sale_id: int) -> Buyer | None:
    """The buyer registered with a sale, or None."""
    if not _table(journal):
        return None
    found = journal.query("SELECT buyer_id, buyer_name FROM drug_register WHERE sale_id=? LIMIT 1", (sale_id,))
    return Buyer(found[0]["buyer_id"], found[0]["buyer_name"]) if found else None


def receipt_notes(journal, sale_id: int) -> tuple[str, ...]:
    """What the receipt says of the registration: the buyer, masked."""
    if not _table(journal):
        return ()
    found = journal.query("SELECT buyer_name, buyer_id FROM drug_register WHERE sale_id=? LIMIT 1", (sale_id,))
    if not found:
        return ()
    return (f"登记药品购药人：{mask_name(found[0]['buyer_name'])}", f"身份证号：{mask_id(found[0]['buyer_id'])}")


def report(journal, cfg, day: str, *, export_to: str = "", supervisor: str = "", pin: str | None = None) -> list[dict]:
    """The register of a day for the faces (`ecpos register`, the app's supervisor screen), masked rows;
    `export_to` also writes the inspector's CSV with the ID numbers in full: a supervisor's PIN first (None:
    ECPOS_SUPERVISOR_PIN or a prompt), the file the owner's only, the export audited."""
    try:
        day = date.fromisoformat(day).isoformat()
    except (TypeError, ValueError):
        raise RegisterError(f"日期格式应为 YYYY-MM-DD：{day!r}", key="report_date") from None
    rows = entries(journal, cfg, day)
    if export_to:
        if not supervisor:
            raise RegisterError("导出完整身份证号码需主管授权：请给出主管工号和密码", key="register_export_supervisor")
        if pin is None:
            pin = operators.pin_from_env_or_prompt("ECPOS_SUPERVISOR_PIN", f"{supervisor} 的密码：")
        operators.verify(journal, supervisor, pin, roles=("supervisor", "admin"), purpose="register_export")
        try:
            Path(export_to).write_text(to_csv(rows), encoding="utf-8")
            restrict(export_to)  # full ID numbers: the owner's only
        except OSError as e:
            raise RegisterError(f"无法写入 {export_to}：{e.strerror or e}；请检查目录是否存在、是否有写权限",
                                key="register_csv_write") from None
        journal.audit("drug_register_exported", supervisor, day=day, rows=len(rows), file=Path(export_to).name)
    return [{k: v for k, v in r.items() if k not in ("buyer_id", "buyer_name")} for r in rows]
