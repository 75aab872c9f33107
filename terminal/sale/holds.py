"""挂单 / 取单: a bill parked before it is settled (its lines with their scanned 追溯码, and who the patient
was), so the cashier can serve the next customer, then recalled onto the counter again.

Held bills are journal rows (`held_bills`): they survive a restart, and every open one expires at the shift's
close (the handover says how many). Only a bill whose settlement was never sent can be held; a quoted sale is
cancelled first (terminal/checkout.py: Checkout.hold), and recalling quotes it afresh.

The patient is kept masked, for the list (张* ·3201…); their credential (the 医保码's ecToken, or the card
number) is never journaled: this process keeps it in memory for a recall, and after a restart the patient
shows their code again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from terminal.errors import EcposError
from terminal.journal import audit
from terminal.journal.clock import now
from terminal.sale.items import OPTIONAL, Item
from terminal.money import ZERO, total
from terminal.sale.tender import open_shift_id


class HoldError(EcposError):
    """Nothing to hold, or no such held bill to recall."""

    key = "hold_invalid"
    exit_code = 2


@dataclass(frozen=True)
class HeldBill:
    """One parked bill as the list shows it."""

    id: int
    items: tuple[Item, ...]
    name_masked: str
    psn_no: str
    operator: str
    created_at: str
    status: str

    @property
    def amount(self) -> Decimal:
        return total(i.amount for i in self.items) if self.items else ZERO

    @property
    def boxes(self) -> int:
        """追溯码 scanned onto it."""
        return sum(len(i.trace) for i in self.items)

    def to_json(self) -> dict:
        return {"hold_id": self.id, "name_masked": self.name_masked, "amount": f"{self.amount:.2f}",
                "lines": len(self.items), "trace_codes": self.boxes, "operator": self.operator,
                "created_at": self.created_at, "status": self.status,
                "items": [item_json(i) for i in self.items]}


def item_json(i: Item) -> dict:
    """A line as an items file has it (its own wire fields and lot when it has them): `ecpos settle --items`."""
    return {"code": i.code, "name": i.name, "qty": str(i.qty), "price": str(i.price), "trace": list(i.trace),
            **{k: getattr(i, k) for k in OPTIONAL if k != "trace" and getattr(i, k)}}


def _held(row: dict) -> HeldBill:
    items = tuple(Item(d["code"], d["name"], Decimal(d["qty"]), Decimal(d["price"]), trace=tuple(d["trace"]),
                       **{k: d[k] for k in OPTIONAL if k != "trace" and k in d})
                  for d in json.loads(row["items"]))
    return HeldBill(row["id"], items, row["name_masked"], row["psn_no"], row["operator"], row["created_at"],
                    row["status"])


def hold(journal, items: list[Item], operator: str, patient=None) -> int:
    """Park a bill (each line's 追溯码 in Item.trace); returns its number. Audited."""
    if not items:
        raise HoldError("清单为空，无需挂单", key="hold_empty")
    with journal.tx() as c:
        cur = c.execute("INSERT INTO held_bills(operator, shift_id, items, psn_no, name_masked, status, created_at)"
                        " VALUES (?,?,?,?,?, 'held', ?)",
                        (operator, open_shift_id(c), json.dumps([item_json(i) for i in items], ensure_ascii=False),
                         getattr(patient, "psn_no", ""), getattr(patient, "name_masked", ""), now()))
        audit.append(c, "bill_held", operator, hold_id=cur.lastrowid, lines=len(items))
        return int(cur.lastrowid)


def held(journal) -> list[HeldBill]:
    """The bills waiting, oldest first."""
    return [_held(r) for r in journal.query("SELECT * FROM held_bills WHERE status='held' ORDER BY id")]


def recall(journal, hold_id: int, operator: str) -> HeldBill:
    """Take a held bill back (once: a second recall, or one that expired at a shift's close, is refused)."""
    with journal.tx() as c:
        row = c.execute("SELECT status FROM held_bills WHERE id=?", (hold_id,)).fetchone()
        if row is None:
            raise HoldError(f"没有挂单 #{hold_id}", key="hold_missing")
        if row[0] != "held":
            why = "已随交班作废" if row[0] == "expired" else "已被取回"
            raise HoldError(f"挂单 #{hold_id} {why}", key=f"hold_{row[0]}")
        c.execute("UPDATE held_bills SET status='recalled', done_at=?, done_by=? WHERE id=?",
                  (now(), operator, hold_id))
        audit.append(c, "bill_recalled", operator, hold_id=hold_id)
    return _held(journal.query("SELECT * FROM held_bills WHERE id=?", (hold_id,))[0])


def expire(c, operator: str) -> int:
    """Inside the shift's closing transaction: every bill still held expires; how many did. Audited."""
    ids = [r[0] for r in c.execute("SELECT id FROM held_bills WHERE status='held'")]
    if ids:
        c.execute("UPDATE held_bills SET status='expired', done_at=?, done_by=? WHERE status='held'",
                  (now(), operator))
        audit.append(c, "held_bills_expired", operator, holds=ids)
    return len(ids)


def expired_words(n: int) -> str:
    """What the handover says about held bills that expired with it ("" when none did)."""
    return f"{n} 张挂单未取回，已随交班作废" if n else ""
