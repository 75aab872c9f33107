"""The cash drawer's rules: when it opens and who opened it. The pulse itself is an ESC/POS command the receipt
printer passes to the drawer on its DK port (drivers/printer.py, ReceiptPrinter.open_drawer).

    if drawer.opens_after(cfg, journal, sale_id, operator):   # a sale that took cash: the drawer opens
        printer.open_drawer(cfg.printer.drawer_pin)
    drawer.opens_for_refund(cfg, journal, refund_id, operator)   # cash handed back for a refund: it opens too
    drawer.supervisor_open(counter, "sup01", pin, "换零钱", cashier="c01")   # on purpose: PIN and a reason
    drawer.not_opened(journal, actor, why, error)             # the pulse did not go: audited, a message

It opens only when cash goes in or out: a sale paid by WeChat, card or the personal account alone, a reprint, a
quote, leave it shut. A drawer that does not open is a message for the cashier (the key opens it), never a
failure of the sale: the sale is settled and journaled before the pulse is sent. Who opened it, when and why is
the back office's to read (terminal/office/reports.py drawer_openings).
"""
from __future__ import annotations

from decimal import Decimal

from terminal.errors import EcposError
from terminal.money import ZERO, wire, yuan

OPENED = "drawer_opened"
NOT_OPENED = "drawer_not_opened"
SUPERVISORS = ("supervisor", "admin")


class DrawerError(EcposError):
    """The drawer may not be opened as asked (no reason given); the PIN's refusal is an OperatorError."""

    key = "drawer_refused"
    exit_code = 2


def cash_taken(journal, sale_id: int) -> Decimal:
    """The cash a sale put into the drawer: what the patient handed over in cash (the change comes out of it)."""
    rows = journal.query("SELECT amount, received FROM tenders WHERE sale_id=? AND refund_id IS NULL"
                         " AND method='cash'", (sale_id,))
    return sum((yuan(r["received"] or r["amount"]) for r in rows), ZERO)


def opens_after(cfg, journal, sale_id: int, operator: str) -> bool:
    """Whether the drawer opens now that this sale is paid: the printer has one ([printer] cash_drawer) and the
    sale took cash. Audited (drawer_opened, why cash_sale) when it does."""
    if not cfg.printer.cash_drawer:
        return False
    taken = cash_taken(journal, sale_id)
    if taken <= 0:
        return False
    journal.audit(OPENED, operator, why="cash_sale", sale_id=sale_id, cash=wire(taken))
    return True


def opens_for_refund(cfg, journal, refund_id: int, operator: str) -> bool:
    """Whether the drawer opens for a refund: cash is handed back out of it (the refund's cash tender row,
    tender.record_refund). Audited (drawer_opened, why cash_refund) when it does."""
    if not cfg.printer.cash_drawer:
        return False
    rows = journal.query("SELECT amount FROM tenders WHERE refund_id=? AND method='cash'", (refund_id,))
    back = -sum((yuan(r["amount"]) for r in rows), ZERO)
    if back <= 0:
        return False
    journal.audit(OPENED, operator, why="cash_refund", refund_id=refund_id, cash=wire(back))
    return True


def supervisor_open(counter, supervisor: str, pin: str, reason: str, cashier: str = "") -> None:
    """A supervisor opens the drawer outside a sale: their PIN (under the lockout, audited either way) and a
    reason, then audited with who, why and the cashier at the till. Raises DrawerError without a reason and
    OperatorError for a wrong id, role or PIN; nothing is opened then."""
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 40 or not reason.isprintable():
        raise DrawerError("请填写开钱箱的原因（如 换零钱、清点现金，40 字以内）", key="drawer_reason")
    counter.authorize(supervisor, pin, SUPERVISORS, purpose="open_drawer")
    counter.journal.audit(OPENED, supervisor, why=reason, cashier=cashier)


def not_opened(journal, actor: str, why: str, error: str) -> None:
    """The pulse did not reach the drawer (printer off, cable, no drawer): audited beside the opening."""
    journal.audit(NOT_OPENED, actor, why=why, error=error)
