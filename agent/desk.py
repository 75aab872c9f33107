"""The agent's adapter over the core: a pushed bill becomes a sale the sale script (terminal/checkout.py) runs
step by step over the Counter — the agent's own (`ecpos agent`) or the app's (`ecpos app`, ui/qt_agent.py).

It holds no business rule: identify, register (the profile's department and doctor unless the bill names
them), quote, settle, cancel, refund and sync are the script's and the Counter's, one open quote per till
included (Counter.standing); what a sale's state is comes from terminal/states.py desk_state, the journal's
word once the platform has a sale. What lives here is the API's bookkeeping: the caller's bill and
Idempotency-Key (kept by the Counter's `pushed`, terminal/journal/pushed.py), one pushed sale at the scanner
at a time, and events for GET /v1/events.

Modelled on card terminals driven by a POS (Stripe Terminal's server-driven flow, Square's Terminal API):
the caller creates the sale with an idempotency key, the terminal takes the code, the caller confirms; an
answer lost on the way back is looked up with GET, never resent (a repeated confirm answers the sale as it
stands and sends nothing).
"""
from __future__ import annotations

import json
import os
import threading
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Callable

from agent.events import Hub
from terminal import logs
from terminal.errors import EcposError, KeyConflict, PlatformError
from terminal.sale.items import Item
from terminal.money import total as money_total, wire
from terminal.checkout import Checkout, pushed_bill, receipt_text, settlement_sent
from terminal.counter import Counter
from terminal.states import DeskState, RefundState, SaleState, Stage, desk_state

# The caller's states of a sale not closed yet (terminal/states.py desk_state says which a sale is in).
OPEN = (DeskState.WAITING_FOR_CODE, DeskState.QUOTED, DeskState.SETTLING)
# An API line's names for the core's Item fields (the wire's names: 2101 drugdetail / 2204 feedetail).
LINE_FIELDS = {"dr_code": "bilg_dr_codg", "dr_name": "bilg_dr_name", "dept": "bilg_dept_codg"}
LIST_LIMIT = 2000  # sales in one GET /v1/sales answer (a busy counter pushes a few hundred a day)
SPLIT = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "psn_part_amt", "hosp_part_amt", "balc")


class AgentError(Exception):
    """A request the agent cannot do: HTTP status, English key, Chinese message saying what to do."""

    def __init__(self, status: int, key: str, message: str, **extra):
        super().__init__(message)
        self.status, self.key, self.message, self.extra = status, key, message, extra


def state_of(a: dict, s: dict | None, settling: bool = False) -> str:
    """The API state of a sale (agent row `a`, journal sale `s`): terminal/states.py desk_state decides."""
    return desk_state(a["state"], s["status"] if s is not None else None, settling)


class Desk:
    """One counter behind the API. Steps run one at a time (one scanner, one platform session)."""

    def __init__(self, cfg, hub: Hub | None = None, counter=None):
        """counter: the app's own Counter when the agent runs inside it (ui/qt_agent.py), which the desk then
        never closes; else a Counter of its own on the configured journal."""
        self.cfg = cfg
        self.hub = hub or Hub()
        self._own = counter is None
        self.counter = counter or Counter(cfg)
        self.store = self.counter.pushed
        self._lock = threading.RLock()
        self._by_sale: dict[int, str] = {}    # journal sale id -> agent sale id, for the core's events
        self._scripts: dict[str, Checkout] = {}  # the quoted sales' scripts, between the code and the confirm
        self._settling: set[str] = set()      # sales whose settlement this process is sending now
        self._waiting: set[str] = set()       # sales waiting for a code (read by the app without I/O)
        self._quoting = threading.local()     # .active while this thread quotes a sale (its events are ours)
        self.scanner = None                   # drivers ScannerStatus, when a scanner is attached
        self._seen_states: dict[str, str] = {}
        self._last_online: bool | None = None
        self._recover()
        self.counter.subscribe(self._on_sale)

    # --- sales -------------------------------------------------------------------------------------
    def create(self, key: str, bill: dict) -> tuple[dict, bool]:
        """A new sale for a pushed bill (or the one this key made before); runs the code step at once when
        the bill carries the code. Returns (view, created)."""
        qr = bill.pop("qr", None)
        profile = bill.get("profile") or self.cfg.profile
        if profile != self.cfg.profile:
            raise AgentError(422, "profile_mismatch", f"本终端运行 {self.cfg.profile} 业务，不能结算 {profile} "
                             f"的账单；请发往对应终端，或省略 profile", field="profile")
        items = self.items(bill)  # the core's checks, before anything is stored
        total = wire(money_total(i.amount for i in items))
        with self._lock:
            try:
                earlier = self.store.keyed("sales", key, bill)
            except KeyConflict as e:
                raise AgentError(409, "idempotency_conflict", "同一个 Idempotency-Key 已用于另一笔不同的账单；"
                                 "新账单请使用新的 Idempotency-Key", sale_id=e.ref) from None
            if earlier is not None:
                return self.view(earlier), False
            busy = self._busy()
            if busy:
                raise AgentError(409, "terminal_busy", "终端正在处理另一笔结算：请先确认或取消它，再推送新账单",
                                 sale_id=busy[0])
            sid, created = self.store.create_sale(key, bill["external_id"], profile, bill)
            if not created:
                return self.view(sid), False
            logs.event("agent_sale_created", sale_id=sid, external_id=bill["external_id"])
            if qr:  # the caller is answered after the quote: the waiting state is only announced
                self._announce(sid, DeskState.WAITING_FOR_CODE, bill["external_id"], medfee_sumamt=total)
                return self.code(sid, qr, items), True
            return self._publish(sid, medfee_sumamt=total), True

    def items(self, bill: dict) -> list[Item]:
        """The bill's lines as the core's Items, checked by the core (places, positive amounts, a line's own
        prescriber and department) before anything is sent."""
        lines = [{LINE_FIELDS.get(k, k): v for k, v in line.items() if v is not None} for line in bill["items"]]
        try:
            return pushed_bill(self.counter, lines)
        except EcposError as e:
            raise AgentError(422, e.key, e.message, field="items") from None

    def code(self, sid: str, qr: str, items: list[Item] | None = None) -> dict:
        """A code for a sale waiting for one: identify, (register,) quote. A refused code leaves the sale
        waiting with the error, so the patient can show the code again. items: the bill's lines already
        checked (create with the code)."""
        with self._lock:
            a, s = self._get(sid)
            if state_of(a, s) != DeskState.WAITING_FOR_CODE:
                raise AgentError(409, "sale_not_waiting", f"这笔结算当前状态为 {state_of(a, s)}，不再等待扫码",
                                 sale_id=sid)
            self.hub.publish("sale.code_read", sale_id=sid)
            bill = json.loads(a["bill"])
            sale = Checkout(self.counter)
            self._quoting.active = True
            try:
                sale.identify(qr)
                sale.register(bill.get("dept") or "", bill.get("doctor") or "")  # clinic / kiosk: the visit
                sale.bill(items or self.items(bill), trace=False)
                quote = sale.quote()
            except EcposError as e:
                if sale.visit is not None:                # registered, not quoted: undo the visit
                    self._quietly(sale.cancel)
                self.store.update(sid, error_key=e.key, error_message=e.message)
                return self._publish(sid, force=True, error=e.key)
            finally:
                self._quoting.active = False
            self._by_sale[quote.sale_id] = sid
            self._scripts[sid] = sale  # its confirm and cancel step the same script (the app's cart renders it)
            p = quote.patient
            self.store.update(sid, state=DeskState.QUOTED, sale_id=quote.sale_id, error_key="", error_message="",
                              quote={"split": {k: wire(getattr(quote, k)) for k in SPLIT},
                                     "patient": {"psn_no": p.psn_no, "name": p.name_masked, "certno": p.id_masked,
                                                 "insutype": p.insutype, "insutype_name": p.insutype_name,
                                                 "family_of": p.family_of}})
            return self._publish(sid)

    def scanned(self, text: str) -> None:
        """A code from the agent's own scanner: it goes to the one sale waiting for a code, if any."""
        waiting = [r["id"] for r in self.store.open_sales() if r["state"] == DeskState.WAITING_FOR_CODE]
        if not waiting:
            self.hub.publish("device.scan_ignored", reason="no sale is waiting for a code")
            return
        try:
            self.code(waiting[0], text)
        except AgentError:
            pass  # the sale moved on meanwhile

    def confirm(self, sid: str) -> dict:
        """Settle a quoted sale. Asked again (a lost answer), it answers the sale as it stands: nothing is
        sent twice."""
        with self._lock:
            a, s = self._get(sid)
            state = state_of(a, s, self._settling_now(sid))  # settling at the cashier's Enter: answered as it stands
            if state == DeskState.WAITING_FOR_CODE:
                raise AgentError(409, "sale_not_quoted", "还未取得预结算结果：请先扫码（或提交 code）", sale_id=sid)
            if state == DeskState.CANCELLED:
                raise AgentError(409, "sale_cancelled", "这笔结算已取消，不能再确认；请重新推送账单", sale_id=sid)
            if state != DeskState.QUOTED:
                return self.view(sid)
            if "confirm" not in self.counter.allowed(a["sale_id"]):  # the core's word on what may follow
                raise AgentError(409, "quote_lost", "预结算结果已失效（终端程序重启过）：请取消后重新推送账单",
                                 sale_id=sid)
            # Nothing is written here on the way: the journal records the settlement before it is sent,
            # and a restart reads unknown from that (_recover).
            self._settling.add(sid)
            quoted = json.loads(a["quote"] or "{}").get("split") or {}
            self._announce(sid, DeskState.SETTLING, a["external_id"],
                           **{k: quoted[k] for k in ("medfee_sumamt", "psn_cash_pay") if k in quoted})
            try:
                self._script(sid, a).confirm()
            except EcposError as e:
                self._settling.discard(sid)
                self.store.update(sid, state=DeskState.UNKNOWN if e.key == "platform_unknown" else DeskState.FAILED,
                                  error_key=e.key, error_message=e.message)
                return self._publish(sid, error=e.key)
            except BaseException:
                self._settling.discard(sid)
                raise
            self._settling.discard(sid)
            return self._publish(sid)  # settled: the journal says so; watch() closes the agent row later

    def cancel(self, sid: str) -> dict:
        """Give up a sale not settled: waiting for its code, or one the core still lets this counter cancel
        (quoted; a clinic visit whose settlement failed)."""
        with self._lock:
            a, s = self._get(sid)
            state = state_of(a, s)
            if state == DeskState.CANCELLED:
                return self.view(sid)
            can = state == DeskState.WAITING_FOR_CODE or (
                a["sale_id"] is not None and "cancel" in self.counter.allowed(a["sale_id"]))
            if not can:
                raise AgentError(409, "sale_not_cancellable", f"这笔结算当前状态为 {state}，不能取消"
                                 + ("；已结算的请用退费" if state == DeskState.SETTLED else ""), sale_id=sid)
            if state != DeskState.WAITING_FOR_CODE:
                try:
                    self._script(sid, a).cancel()
                except EcposError as e:
                    raise AgentError(502 if isinstance(e, PlatformError) else 409, e.key, e.message,
                                     sale_id=sid) from None
            self.store.update(sid, state=DeskState.CANCELLED, error_key="", error_message="")  # asked for: no error
            return self._publish(sid)

    # --- what the caller reads ---------------------------------------------------------------------
    def sales_on(self, day: date, external_id: str | None = None, limit: int = LIST_LIMIT) -> dict:
        """GET /v1/sales: the sales pushed on a local day, oldest first (one bill's when external_id is given),
        each as GET /v1/sales/{id} shows it but without the receipt text; `more` when they were more than limit."""
        try:
            since, until = (datetime.combine(d, time.min).astimezone().astimezone(timezone.utc)
                            .isoformat(timespec="microseconds") for d in (day, day + timedelta(days=1)))
        except (OverflowError, ValueError, OSError):  # 0001-01-01, 9999-12-31: no sale was pushed on such a day
            return {"day": day.isoformat(), "sales": [], "more": False}
        ids = self.store.pushed_between(since, until, external_id, limit + 1)
        return {"day": day.isoformat(), "sales": [self.view(sid, with_receipt=False) for sid in ids[:limit]],
                "more": len(ids) > limit}

    def view(self, sid: str, with_receipt: bool = True) -> dict:
        """The sale as GET /v1/sales/{id} shows it."""
        a, s = self._get(sid)
        state = state_of(a, s, self._settling_now(sid))
        quote = json.loads(a["quote"] or "{}")
        split = dict(quote.get("split") or {})
        out = {"sale_id": a["id"], "external_id": a["external_id"], "profile": a["profile"], "state": str(state),
               "created_at": a["created_at"], "patient": quote.get("patient"), "split": split or None,
               "setl_id": None, "mdtrt_id": None, "setl_time": None, "journal_status": None,
               "receipt": None, "error": None, "next": self._next(a, state)}
        if s is not None:
            out["journal_status"] = s["status"]
            out["mdtrt_id"] = s["mdtrt_id"] or None
            if state == DeskState.SETTLED:
                split.update({k: s[k] for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")})
                out.update(split=split, setl_id=s["setl_id"], setl_time=s["setl_time"] or None)
                if with_receipt:
                    out["receipt"] = receipt_text(self.cfg, self.counter.journal, s["id"])
            if s["status"] == SaleState.REVERSED:
                out["error"] = {"key": "settlement_reversed", "message": s["note"] or "结算结果未知，已冲正，请重新结算"}
            elif state == DeskState.UNKNOWN:
                out["error"] = {"key": "platform_unknown", "message": "医保平台未返回结算结果，结果待确认；系统将自动冲正，"
                                "请勿重复结算，稍后查询这笔结算"}
        if out["error"] is None and a["error_key"] and state != DeskState.SETTLED:
            out["error"] = {"key": a["error_key"], "message": a["error_message"]}
        return out

    def _get(self, sid: str) -> tuple[dict, dict | None]:
        got = self.store.get(sid)
        if got is None:
            raise AgentError(404, "sale_not_found", f"没有这笔结算：{sid}；请核对 sale_id", sale_id=sid)
        return got

    # --- refunds, status, background -----------------------------------------------------------------
    def refund(self, key: str | None, body: dict) -> tuple[dict, bool]:
        """Queue an offline refund through the core (its guards: supervisor PIN, settled, whole amount)."""
        public = {k: v for k, v in body.items() if k != "pin"}
        with self._lock:
            if key:
                try:
                    earlier = self.store.keyed("refunds", key, public)
                except KeyConflict as e:
                    raise AgentError(409, "idempotency_conflict", "同一个 Idempotency-Key 已用于另一笔不同的退费；"
                                     "新退费请使用新的 Idempotency-Key", refund_id=e.ref) from None
                if earlier is not None:
                    return self.refund_view(int(earlier)), False
            amount = Decimal(body["amount"]) if body.get("amount") else None
            try:
                t = self.counter.queue_refund(body["setl_id"], body["reason"], body["cashier"],
                                              body["supervisor"], body["pin"], amount)
            except EcposError as e:
                status = 403 if e.key in ("refund_no_supervisor", "refund_no_pin", "refund_wrong_pin",
                                          "refund_pin_locked") else 422
                raise AgentError(status, e.key, e.message, setl_id=body["setl_id"]) from None
            if key:
                self.store.remember_key("refunds", key, public, str(t.refund_id))
        self.hub.publish("refund." + t.status, refund_id=t.refund_id, setl_id=t.setl_id)
        view = self.refund_view(t.refund_id)
        view["message"] = t.message or view["message"]
        return view, True

    def refund_view(self, refund_id: int) -> dict:
        """A refund as the journal has it: queued, refunded or failed."""
        r = self.counter.journal.refund(refund_id)
        if r is None:
            raise AgentError(404, "refund_not_found", f"没有这笔退费：{refund_id}；请核对 refund_id",
                             refund_id=refund_id)
        status = RefundState(r["status"])
        status = RefundState.QUEUED if status == RefundState.UNKNOWN else status
        queued = status == RefundState.QUEUED
        message = r["err"] or ("退费已保存在队列中，医保平台可用时自动上传，无需重新提交" if queued else "")
        return {"refund_id": r["id"], "setl_id": r["setl_id"], "amount": wire(Decimal(r["amount"])),
                "status": status, "msgid": r["msgid"] or None, "message": message}

    def status(self) -> dict:
        """GET /v1/status: platform, queue, scanner and the sale at the scanner (journal only, no network)."""
        st = self.counter.status()
        busy = self._busy()
        sc = self.scanner
        return {"profile": st.profile, "online": st.online, "signed_in": st.signed_in,
                "queued_refunds": st.queued_refunds, "unknown_outcomes": st.unknown_outcomes,
                "open_sale": busy[0] if busy else None,
                "scanner": {"state": sc.state, "reason": sc.reason} if sc else {"state": "none", "reason": ""}}

    def scanner_changed(self, status) -> None:
        """A drivers ScannerStatus from the scan source's thread."""
        self.scanner = status
        self.hub.publish("device.status", state=status.state, reason=status.reason)

    def sync(self) -> None:
        """The core's sync (2601 for unknown outcomes, queued refunds), then tell streams what changed."""
        report = self.counter.sync()
        if not self.counter.status().online:
            # after a failed exchange only a real one says the platform serves again (a sync with nothing
            # to send heard nothing): Counter.recheck, once a round
            self.counter.recheck()
        for r in report.refunded:
            self.hub.publish("refund.refunded", refund_id=r["refund_id"], setl_id=r["setl_id"])
        self.watch()

    def watch(self) -> None:
        """Publish sales whose state changed outside a request (sync resolved them) and platform status."""
        online = self.counter.status().online
        if online != self._last_online:
            self._last_online = online
            self.hub.publish("platform.status", online=online)
        with self._lock:  # not while a step of this process is writing the same sale
            self._follow_journal()

    def _follow_journal(self) -> None:
        for r in self.store.moved_sales():
            if r["id"] in self._settling:
                continue
            state = state_of(r, {"status": r["j_status"]})
            before = self._seen_states.get(r["id"])
            self._publish(r["id"])
            if before == DeskState.UNKNOWN and state != DeskState.UNKNOWN:
                self.hub.publish("sale.resolved", sale_id=r["id"], state=state)
            self.store.update(r["id"], state=state)  # the agent's row follows the journal: off the open list

    def expire_waiting(self, now: datetime | None = None) -> list[str]:
        """Cancel sales that waited longer than [agent] code_wait seconds for a code (0: never), as a card
        terminal times out, so a bill nobody scans does not hold the terminal. Nothing was sent to the platform
        for such a sale. A code being read holds the lock: by the time this looks, that sale is quoted (or
        waiting again with a fresh refusal), so it is never cancelled under the reader."""
        limit = self.cfg.agent.code_wait
        if limit <= 0 or not self._waiting:  # every second: no journal read while nothing waits
            return []
        now = now or datetime.now(timezone.utc)
        gone = []
        with self._lock:
            for r in self.store.open_sales():
                # waiting since pushed, or since its last code was refused (someone is at the counter)
                since = datetime.fromisoformat(r["updated_at"])
                if r["state"] != DeskState.WAITING_FOR_CODE or (now - since).total_seconds() <= limit:
                    continue
                self.store.update(r["id"], state=DeskState.CANCELLED, error_key="code_timeout",
                                  error_message=f"等待扫码超过 {limit:g} 秒，已自动取消（未向医保平台发送结算）："
                                                f"请重新推送账单")
                logs.event("agent_code_timeout", sale_id=r["id"], code_wait=limit)
                self._publish(r["id"])
                gone.append(r["id"])
        return gone

    def close(self) -> None:
        """Close the counter (and its journal) when it is the desk's own."""
        if self._own:
            self.counter.close()

    # --- for the app the agent runs in (ui/qt_agent.py): what its cart shows of a pushed bill -------
    def bill_of(self, sid: str) -> list[Item]:
        """A pushed bill's lines, as the core checked them (read from the journal: call it off the GUI)."""
        a, _ = self._get(sid)
        return self.items(json.loads(a["bill"]))

    def script_of(self, sid: str) -> Checkout | None:
        """The sale script (terminal/checkout.py) of a pushed bill its code step quoted in this process: the
        app's cart renders it and may step it (the cashier's Enter / F12), as the HIS's confirm does."""
        return self._scripts.get(sid)

    def _settling_now(self, sid: str) -> bool:
        """This process is sending its settlement: the agent's confirm, or the app's cashier stepping its script."""
        script = self._scripts.get(sid)
        return sid in self._settling or (script is not None and script.stage == Stage.SETTLING)

    def _script(self, sid: str, a: dict) -> Checkout:
        return self._scripts.get(sid) or Checkout.of(self.counter, a["sale_id"])

    # --- inside ------------------------------------------------------------------------------------
    def _next(self, a: dict, state: str) -> list[str]:
        """What the caller may ask next: the core's allowed steps of the sale (terminal.counter.allowed),
        named as the API's routes; a sale still waiting for its code takes a code or a cancel."""
        if state == DeskState.WAITING_FOR_CODE:
            return ["code", "cancel"]
        if a["sale_id"] is None or state == DeskState.SETTLING:
            return []
        steps = self.counter.allowed(a["sale_id"])
        return [step for step in ("confirm", "cancel", "refund") if step in steps]

    def _busy(self) -> list[str]:
        """Sales at the scanner or the platform now (one at a time: the terminal has one scanner)."""
        return [r["id"] for r in self.store.open_sales()
                if state_of(r, {"status": r["j_status"]} if r["j_status"] else None, r["id"] in self._settling)
                in OPEN]

    @property
    def waiting(self) -> bool:
        """Whether a sale waits for a code (no I/O: the app asks this on its GUI thread for every scan)."""
        return bool(self._waiting)

    def _on_sale(self, sale) -> None:
        """The core's event after a committed change of a sale (any thread): tell the streams when the
        caller's state moved (sync resolving an unknown outcome of this process at once)."""
        sid = self._by_sale.get(sale.id)
        if sid is None and getattr(self._quoting, "active", False):
            return  # the sale code() is quoting: not linked to the caller's sale yet; code() publishes it
        if sid is None:
            sid = self.store.by_sale(sale.id)
            if sid is None:
                return  # not a sale the agent was asked for
            self._by_sale[sale.id] = sid
        if sid in self._settling:
            return  # this process's confirm is stepping it: the caller's state stays settling till confirm ends
        before = self._seen_states.get(sid)
        self._publish(sid)
        if before == DeskState.UNKNOWN and self._seen_states.get(sid) != DeskState.UNKNOWN:
            self.hub.publish("sale.resolved", sale_id=sid, state=self._seen_states[sid])

    def _publish(self, sid: str, force: bool = False, **extra) -> dict:
        """A sale.<state> event when the caller's state moved (force: the same state with news, an error).
        Returns the view it read, so a step answers with it rather than reading the journal again."""
        v = self.view(sid)
        if v["state"] not in OPEN:
            self._scripts.pop(sid, None)  # settled, let go or unknown: its script's part is done
        if v["split"]:
            extra = {"medfee_sumamt": v["split"]["medfee_sumamt"], "psn_cash_pay": v["split"]["psn_cash_pay"],
                     **extra}
        if v["error"]:
            extra = {"error": v["error"]["key"], "message": v["error"]["message"], **extra}
        self._announce(sid, v["state"], v["external_id"], force, **extra)
        return v

    def _announce(self, sid: str, state: str, external_id: str, force: bool = False, **extra) -> None:
        """The event of a state a step knows without reading the journal (waiting for the code it is about
        to read, settling): a view is read only for what the caller is answered with (bench/agent.py)."""
        if not force and self._seen_states.get(sid) == state:
            return
        self._seen_states[sid] = state
        (self._waiting.add if state == DeskState.WAITING_FOR_CODE else self._waiting.discard)(sid)
        self.hub.publish("sale." + state, sale_id=sid, state=state, external_id=external_id, **extra)

    def _recover(self) -> None:
        """Sales an earlier agent process left open. One whose settlement the journal shows sent is unknown
        until sync resolves it; otherwise its quote lived only in that process's memory: it failed (nothing
        was paid), and sync closes its journal sale."""
        for r in self.store.open_sales():
            if r["pid"] == os.getpid():
                continue
            sent = r["sale_id"] and settlement_sent(self.counter, r["sale_id"])
            if sent or r["state"] == DeskState.SETTLING:
                self.store.update(r["id"], state=DeskState.UNKNOWN, pid=os.getpid())
            elif r["state"] in (DeskState.WAITING_FOR_CODE, DeskState.QUOTED):
                self.store.update(r["id"], state=DeskState.FAILED, pid=os.getpid(), error_key="agent_restarted",
                                  error_message="终端程序重启，这笔结算未完成（未扣费）：请重新推送账单")
            self._seen_states[r["id"]] = state_of(*self.store.get(r["id"]))

    @staticmethod
    def _quietly(fn: Callable[[], object]) -> None:
        try:
            fn()
        except EcposError as e:
            logs.event("agent_undo_failed", error=e.key)
