"""Resolve what the journal left open: requests whose sender died, unknown outcomes (2601 with the original
msgid, never a blind resend), queued refunds (forwarded in order), and sales abandoned half-way.

One sync at a time per data directory (a lock file), so the app's background sync and `ecpos sync`
never send the same reversal or refund twice.
"""
from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterator

from terminal import logs
from terminal.journal import audit
from terminal.sale import flows, refunds, trace_report
from terminal.wire import answers
from terminal.errors import PlatformError, PlatformRefused, PlatformUnknown
from terminal.journal.journal import Journal, now, rows
from terminal.sale.sales import SaleStore
from terminal.sale.records import SyncReport
from terminal.wire.wire import REVERSIBLE, JournaledClient
from terminal.states import RefundState, RequestState, SaleState

SETTLE_INFNOS = flows.SETTLE_INFNOS
BUSY = "another sync is running"
# What a supervisor does about a reversal the platform refused for another reason than not having the original:
# the outcome stays unknown (the platform may hold the settlement), so nobody charges again until it is known.
REVERSE_REFUSED = "冲正被拒绝"  # how the sale's note starts then (the till's screen shows it)
SUPERVISOR_ACTION = ("结果仍未确认，请勿重复结算；请主管联系医保经办机构按报文ID核实：中心已结算则按已结算处理"
                     "（可办理退费），未结算则作废后重新结算")


# Rows with our pid written before this process started are a dead process's: after a restart a service or
# container often gets the same pid again.
STARTED = now()


def alive(pid: int, at: str = "") -> bool:
    """Whether a process that wrote to the journal (at `at`) may still be waiting for an answer."""
    if pid == os.getpid():
        return not at or at >= STARTED
    if os.name != "posix":
        return True  # elsewhere only the age of the request decides (stale())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale(sent_at: str, cfg) -> bool:
    """Older than any sender could still be waiting (connect + read timeout, plus a margin)."""
    limit = cfg.center.connect_timeout + cfg.center.read_timeout + 30
    return datetime.now(timezone.utc) - datetime.fromisoformat(sent_at) > timedelta(seconds=limit)


@contextmanager
def exclusive(path) -> Iterator[bool]:
    """Hold the data directory's sync lock; yields False when another sync holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            if os.name == "posix":
                import fcntl  # why: platform-only (POSIX)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:  # pragma: no cover - Windows
                import msvcrt  # why: platform-only (Windows)
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def recover(store: SaleStore, cfg) -> list[dict]:
    """Turn requests left 'sending' by a dead process into unknown (reversible) or lost (queries); returns
    the pending sales a dead process left behind (for the flows to undo)."""
    with store.tx() as c:
        for r in rows(c, "SELECT * FROM requests WHERE state='sending'"):
            if alive(r["pid"], r["sent_at"]) and not stale(r["sent_at"], cfg):
                continue
            if r["infno"] not in REVERSIBLE:
                c.execute("UPDATE requests SET state='lost', answered_at=? WHERE msgid=?", (now(), r["msgid"]))
                continue
            c.execute("UPDATE requests SET state='unknown', answered_at=?, err='sender died' WHERE msgid=?",
                      (now(), r["msgid"]))
            if r["refund_id"]:
                store.refund_move(c, r["refund_id"], RefundState.UNKNOWN)
            elif r["sale_id"] and r["infno"] in SETTLE_INFNOS:
                store.move(c, r["sale_id"], SaleState.UNKNOWN, msgid=r["msgid"], note="结算时程序中断，结果未知，待冲正")
            store.outbox_add(c, "reverse", r["msgid"])
            audit.append(c, "unknown_after_crash", "", msgid=r["msgid"], infno=r["infno"], pid=r["pid"])
        # A live process may keep a quote open while the cashier decides; only a dead one abandons it
        # (or one that has not moved for half a day, where liveness cannot be checked).
        old = (datetime.now(timezone.utc) - timedelta(hours=12)).isoformat()
        abandoned = [s for s in rows(c, "SELECT * FROM sales WHERE status=?", (SaleState.PENDING,))
                     if not alive(s["pid"], s["created_at"]) or s["status_at"] < old]
    return abandoned


def never_seen(client: JournaledClient, err_msg: str) -> bool:
    """Whether a refused 2601 says the platform never had the original (so nothing happened): the channel's
    words for it (config/channels/*.toml reversal_not_found), matched as substrings."""
    return any(w and w in (err_msg or "") for w in client.channel.option("reversal_not_found", []) or [])


def reverse(client: JournaledClient, store: SaleStore, omsgid: str, report: SyncReport,
            release=lambda sale: None) -> None:
    """2601 for a request whose outcome is unknown; then the sale is reversed, or the refund queued again.
    A refusal saying the platform never had the original ends it the same way (rslt not_found); any other
    refusal leaves it unknown, says so on the sale with what a supervisor does, and raises it."""
    journal = store.journal
    req = journal.request(omsgid)
    sale = journal.sale(req["sale_id"]) if req and req["sale_id"] else None
    if req is None or sale is None:
        with store.tx() as c:
            store.outbox_done(c, "reverse", omsgid)
        return
    # Reuse the msgid of an earlier 2601 for this request whose answer was lost: msgid is idempotent.
    prior = journal.query("SELECT msgid FROM requests WHERE infno='2601' AND state IN ('unknown','sending',"
                          "'unreachable','lost') AND json_extract(request, '$.input.data.omsgid')=?"
                          " ORDER BY sent_at DESC LIMIT 1", (omsgid,))
    inp = {"data": {"psn_no": sale["psn_no"], "omsgid": omsgid, "oinfno": req["infno"]}}
    # The 2601 is made by whoever made the request it reverses (their opter, their own 9001), not whoever the
    # client acts for when sync runs: the platform audits both under one operator. Our choice: no public
    # integration seen sends a 2601 later from another process.
    sent = json.loads(req["request"] or "{}")
    with client.acting_for(sent.get("opter") or client.opter, sent.get("opter_name") or client.opter_name):
        outcome = client.send_open("2601", inp, msgid=prior[0]["msgid"] if prior else None,
                                   insuplc_admdvs=sale["insuplc_admdvs"], sale_id=sale["id"],
                                   read=answers.reversed_)
    # Refused because the platform never had the original: nothing happened there, the 2601 stays journaled
    # as refused (with its words) and the request is resolved like a reversal that found nothing.
    gone = outcome.state == RequestState.REFUSED and never_seen(client, outcome.err_msg)
    rslt = "not_found" if gone else outcome.value
    with store.tx() as c:
        recorded = client.record(c, outcome)
        if recorded and outcome.state == RequestState.REFUSED and not gone:
            note = f"{REVERSE_REFUSED}：{outcome.err_msg}；{SUPERVISOR_ACTION}"
            if not req["refund_id"] and sale["status"] == SaleState.UNKNOWN and sale["note"] != note:
                store.move(c, sale["id"], SaleState.UNKNOWN, note=note)
                audit.append(c, "reverse_refused", "", sale_id=sale["id"], msgid=omsgid, err_msg=outcome.err_msg)
        if recorded and (outcome.state == RequestState.OK or gone):
            c.execute("UPDATE requests SET state='resolved' WHERE msgid=?", (omsgid,))
            store.outbox_done(c, "reverse", omsgid)
            if req["refund_id"]:
                # The refund attempt is undone (or never happened): queue it again for a new msgid.
                store.refund_move(c, req["refund_id"], RefundState.QUEUED, msgid="")
                audit.append(c, "refund_attempt_reversed", "", refund_id=req["refund_id"], msgid=omsgid, rslt=rslt)
            else:
                store.move(c, sale["id"], SaleState.REVERSED, note=f"结算结果未知，已冲正（{rslt}），请重新结算")
                audit.append(c, "sale_reversed", "", sale_id=sale["id"], msgid=omsgid, rslt=rslt)
                if flows.for_profile(sale["profile"]).registers:  # the visit goes too, even after a crash
                    store.outbox_add(c, "release", str(sale["id"]))
    client.committed(outcome)
    if not (gone and recorded):
        outcome.result()
    entry = {"sale_id": sale["id"], "msgid": omsgid, "oinfno": req["infno"], "rslt": rslt}
    if req["refund_id"]:
        entry["refund_id"] = req["refund_id"]
    report.reversed.append(entry)
    logs.event(SaleState.REVERSED, **entry)
    if not req["refund_id"] and flows.for_profile(sale["profile"]).registers:
        release_visit(store, sale["id"], release)


def release_visit(store: SaleStore, sale_id: int, release) -> None:
    """Undo a reversed clinic sale's visit (2205/2202); its outbox entry stays until the platform has
    answered, so an outage or a crash here is retried by the next sync."""
    try:
        release(store.journal.sale(sale_id))
    except PlatformRefused as e:
        logs.event("visit_release_refused", sale_id=sale_id, err_msg=e.err_msg)
    with store.tx() as c:
        store.outbox_done(c, "release", str(sale_id))


def run(client: JournaledClient, store: SaleStore, cfg, undo_sale) -> SyncReport:
    """One pass over the outbox in order; stops at the first unreachable/unknown answer (order is kept)."""
    report = SyncReport()
    journal = store.journal
    with exclusive(cfg.data_dir / "sync.lock") as mine:
        if not mine:
            report.error = BUSY
            return _counts(journal, report)
        try:
            for sale in recover(store, cfg):
                _abandon(store, sale, undo_sale, report)
            for _ in range(4):  # a refund attempt lost and reversed in one round is forwarded in the next
                if not _round(client, store, report, undo_sale):
                    break
            refused = {f["msgid"] for f in report.failed if f["kind"] == "reverse"}
            if any(i["ref"] not in refused for i in store.outbox() if i["kind"] in ("reverse", "release")):
                # a 2601 (or a visit's release) went unanswered: sync says it is not done, never "ok"
                report.error = report.error or "platform_unknown: a reversal went unanswered; the next sync resends it"
            report.trace = trace_report.forward(client, journal, cfg)  # after refunds: 3506 follows them
        except PlatformError as e:
            report.online = isinstance(e, PlatformRefused)  # a 503 or a lost answer: not serving
            report.error = f"{e.key}: {e.detail or e.message}"
            logs.event("sync_stopped", error=e.key, infno=e.infno, msgid=e.msgid)
    return _counts(journal, report)


def _abandon(store: SaleStore, sale: dict, undo_sale, report: SyncReport) -> None:
    """Close one sale a dead process left half-way. A refusal to undo it (the platform no longer has the
    visit, or will not cancel it) closes it as failed with the platform's words, so it cannot hold back the
    refunds behind it; a lost answer leaves it for the next sync."""
    try:
        undo_sale(sale, False)
    except PlatformRefused as e:
        with store.tx() as c:
            store.move(c, sale["id"], SaleState.FAILED, note=f"abandoned; undo refused: {e.err_msg}")
            audit.append(c, "sale_abandon_refused", "", sale_id=sale["id"], infno=e.infno, err_msg=e.err_msg)
        report.failed.append({"kind": "abandon", "sale_id": sale["id"], "infno": e.infno, "err_msg": e.err_msg})
        return
    except PlatformUnknown as e:
        logs.event("abandon_unknown", sale_id=sale["id"], infno=e.infno, msgid=e.msgid)
        return
    report.abandoned.append({"sale_id": sale["id"], "profile": sale["profile"]})


def _round(client, store: SaleStore, report: SyncReport, undo_sale) -> bool:
    """Work through the outbox once; True when something changed. Refunds leave in the order they were
    queued: while an earlier refund's outcome is open (its answer lost, its reversal pending) the later ones
    wait for the next round, unless the platform refused that reversal (reported; the queue moves on)."""
    changed = False
    blocked = False
    refused = {f["msgid"] for f in report.failed if f["kind"] == "reverse"}
    journal = store.journal
    for item in store.outbox():
        if item["kind"] == "reverse":
            try:
                reverse(client, store, item["ref"], report, lambda sale: undo_sale(sale, True))
            except PlatformUnknown:
                pass  # the 2601's answer was lost: the next round resends it with the same msgid
            except PlatformRefused as e:
                # Kept in the outbox (the outcome is still unknown) and reported; later work still goes.
                if item["ref"] not in refused:
                    req = journal.request(item["ref"]) or {}
                    report.failed.append({"kind": "reverse", "msgid": item["ref"], "err_msg": e.err_msg,
                                          "sale_id": req.get("sale_id"), "refund_id": req.get("refund_id"),
                                          "action": SUPERVISOR_ACTION})
                    refused.add(item["ref"])
                    changed = True
                continue
            changed = True
        elif item["kind"] == "release":
            try:
                release_visit(store, int(item["ref"]), lambda sale: undo_sale(sale, True))
            except PlatformUnknown:
                pass  # tried again next round
            changed = True
        elif item["kind"] == "refund":
            rid = int(item["ref"])
            if blocked:
                continue
            try:
                status = refunds.forward(client, store, rid)
            except PlatformUnknown:
                changed = blocked = True  # its 2601 is now in the outbox; the next round reverses and resends
                continue
            row = journal.refund(rid)
            if status == RefundState.REFUNDED:
                report.refunded.append({"refund_id": rid, "setl_id": row["setl_id"]})
                changed = True
            elif status == RefundState.FAILED:
                report.failed.append({"kind": "refund", "refund_id": rid, "setl_id": row["setl_id"],
                                      "err_msg": row["err"]})
                changed = True
            elif row["msgid"] not in refused:
                blocked = True  # unknown (its reversal is in the outbox) or being sent by another process
    return changed


def _counts(journal: Journal, report: SyncReport) -> SyncReport:
    report.queued_refunds = len(refunds.open_refunds(journal))
    report.unknown_outcomes = journal.sales_in(SaleState.UNKNOWN)
    return report

