"""A hostile gateway between the till and the platform: it lets the reference service process a money request
(2102, 2207, 2103, 2208), then answers the till with any HTTP status from 300 to 599, a redirect of each kind,
a reset, a body cut short or nothing at all. Each is an unknown outcome (exit 3, "do not charge again"); after
sync the journal agrees with the service's ledger, and a cashier's retry leaves exactly one live settlement.

Why: a real gateway answers 503 when the upstream was slow although it processed the request, and a 30x sent the
POST elsewhere as a GET; both lost a settled sale or charged twice (issue 20). The rule (PROTOCOL.md §2b, and
the interface specification's answer: infcode 0 success, -1 failure): only the platform's own refusal in a
readable answer means nothing happened.

Every status is swept through the Counter in one process per transaction (the same core the CLI runs; a process
per status would take minutes on two cores); the cases a cashier meets most are run as `ecpos` processes.
"""
from __future__ import annotations

import http.client
import json
import socket
import struct
import subprocess
import sys
import threading
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from terminal.counter import Counter, Item
from terminal.errors import PlatformUnknown

from tests.engine.helpers import PIN, SUPERVISOR_PIN, ROOT, ecpos, ecpos_json, items_file, staff

ITEMS = [Item("XA01", "阿莫西林胶囊", Decimal("2"), Decimal("12.50"))]
STATUSES = range(300, 600)
REDIRECTS = (301, 302, 303, 307, 308)
READ_TIMEOUT = 1.0  # the till's read timeout here: the "timeout" case holds the answer longer


class Gateway:
    """A real HTTP/1.1 proxy on loopback in front of the reference service. Requests pass through (kept-alive
    connections towards the till, as a gateway keeps them); arm(infno, how) makes the next request of that
    transaction go to the service and be processed, and then answers the till `how`: an HTTP status (int), or
    "reset", "truncate", "timeout"."""

    def __init__(self, upstream: str):
        u = urlsplit(upstream)
        self.upstream = (u.hostname, u.port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.plan: dict[str, list] = {}
        self.seen: list[tuple[str, str, str]] = []  # (method, infno, how) of every request that came
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, infno: str, how) -> None:
        with self.lock:
            self.plan.setdefault(infno, []).append(how)

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        rfile = conn.makefile("rb")
        try:
            while self._one(conn, rfile):
                pass
        except OSError:
            pass
        finally:
            conn.close()

    def _one(self, conn: socket.socket, rfile) -> bool:
        line = rfile.readline()
        if not line.strip():
            return False
        method, path, _ = line.decode("latin-1").split(" ", 2)
        headers = {}
        while (h := rfile.readline().decode("latin-1")).strip():
            k, _, v = h.partition(":")
            headers[k.strip()] = v.strip()
        size = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
        body = rfile.read(size) if size else b""
        try:
            infno = str(json.loads(body).get("infno", ""))
        except ValueError:
            infno = ""
        with self.lock:
            how = self.plan[infno].pop(0) if self.plan.get(infno) else None
            self.seen.append((method, infno, str(how or "")))
        up = http.client.HTTPConnection(*self.upstream, timeout=30)
        skip = {"host", "connection", "content-length", "keep-alive"}
        up.request(method, path, body, {k: v for k, v in headers.items() if k.lower() not in skip})
        resp = up.getresponse()
        data, status, ctype = resp.read(), resp.status, resp.getheader("Content-Type", "application/json")
        up.close()  # processed and committed by the service: now the gateway decides what the till gets
        if how is None:
            conn.sendall(_response(status, data, ctype, keep=True))
            return True
        if how == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif how == "truncate":
            head = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(data)}\r\n\r\n"
            conn.sendall(head.encode() + data[: len(data) // 2])
        elif how == "timeout":
            time.sleep(READ_TIMEOUT * 2.5)
        else:
            extra = {"Location": path} if how in REDIRECTS else {}
            page = b"" if how == 304 else f"<html><body>{how} from the gateway</body></html>".encode()
            conn.sendall(_response(how, page, "text/html", keep=False, **extra))
        return False


def _response(status: int, body: bytes, ctype: str, keep: bool, **headers) -> bytes:
    lines = [f"HTTP/1.1 {status} {http.client.responses.get(status, 'Gateway')}", f"Content-Type: {ctype}",
             f"Content-Length: {len(body)}", f"Connection: {'keep-alive' if keep else 'close'}",
             *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.fixture
def gateway(sim):
    g = Gateway(sim.url)
    yield g
    g.close()


def _cfg(make_cfg, gateway, profile: str):
    cfg = make_cfg(profile, {"credential.adapter": "http", "center.url": gateway.url,
                             "center.read_timeout": READ_TIMEOUT})
    staff(cfg)
    return cfg


def _ledger(sim) -> dict:
    """The service's ledger, as `ecpos sim ledger` prints it."""
    r = subprocess.run([sys.executable, "-m", "ecpos", "sim", "ledger", "--db", str(sim.db), "--json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _agree(journal: list[dict], ledger: dict) -> None:
    """Every journaled settlement is in the state the service has it in; no live settlement the journal lacks."""
    platform = {s["msgid"]: s["status"] for s in ledger["settlements"]}
    settled_here = set()
    for sale in journal:
        if not sale.get("msgid") or sale["status"] in ("failed", "cancelled"):
            assert platform.get(sale.get("msgid"), "reversed") == "reversed", sale
            continue
        expected = {"settled": "settled", "refund_queued": "settled", "refunded": "refunded"}.get(sale["status"],
                                                                                               "reversed")
        assert platform.get(sale["msgid"]) == expected, (sale, platform.get(sale["msgid"]))
        if expected != "reversed":
            settled_here.add(sale["msgid"])
    live = {m for m, st in platform.items() if st in ("settled", "refunded")}
    assert live == settled_here


def _hostile_cases() -> list:
    return [*STATUSES, "reset", "truncate", "timeout"]


# --- every status, redirect, reset, truncation and timeout, swept in one process per transaction -------------

def _sale(c: Counter, patient, clinic: bool):
    """A quote for the patient identified once (the sweep's cost is the settlements, not the scans)."""
    return c.presettle(c.register(patient, "A03", "D001") if clinic else patient, ITEMS)


@pytest.mark.parametrize("profile, infno", [("pharmacy", "2102"), ("clinic", "2207")])
def test_every_hostile_answer_to_a_processed_settlement_is_unknown_and_sync_agrees(sim, gateway, make_cfg,
                                                                                   profile, infno):
    cfg = _cfg(make_cfg, gateway, profile)
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        patient = c.identify(sim.code(person["psn_no"]))
        for how in _hostile_cases():
            quote = _sale(c, patient, profile == "clinic")
            gateway.arm(infno, how)
            with pytest.raises(PlatformUnknown) as e:  # never failed or refused: the platform settled it
                c.settle(quote)
            assert "请勿重复结算" in e.value.message, how
            assert c.sale(quote.sale_id).status == "unknown", how
            report = c.sync()
            assert c.sale(quote.sale_id).status == "reversed", (how, report)
        assert [m for m, _, how in gateway.seen if how] == ["POST"] * len(_hostile_cases())  # no redirect followed
        journal = [vars(s) for s in c.sales()]
    _agree(journal, _ledger(sim))
    assert {s["status"] for s in _ledger(sim)["settlements"]} == {"reversed"}


@pytest.mark.parametrize("profile, infno", [("pharmacy", "2103"), ("clinic", "2208")])
def test_every_hostile_answer_to_a_processed_refund_is_unknown_and_sync_refunds_once(sim, gateway, make_cfg,
                                                                                     profile, infno):
    cfg = _cfg(make_cfg, gateway, profile)
    person = sim.person("active", insutype="390")
    with Counter(cfg) as c:
        patient = c.identify(sim.code(person["psn_no"]))
        for how in _hostile_cases():
            s = c.settle(_sale(c, patient, profile == "clinic"))
            gateway.arm(infno, how)
            ticket = c.queue_refund(s.setl_id, "顾客退药", "c1", "s1", SUPERVISOR_PIN)
            # Never "failed": the platform refunded it. Its reversal and resend may already have run in the same
            # call (then refunded), else sync does them; either way it is refunded exactly once (below).
            assert ticket.status in ("queued", "refunded"), how
            c.sync()
            assert c.sale(s.sale_id).status == "refunded", how
        journal = [vars(x) for x in c.sales()]
    ledger = _ledger(sim)
    _agree(journal, ledger)
    live = [r for r in ledger["refunds"] if r["status"] != "reversed"]
    assert sorted(r["osetl_id"] for r in live) == sorted(x["setl_id"] for x in journal)  # each refunded once


# --- what a cashier meets, with `ecpos` processes --------------------------------------------------------

@pytest.mark.parametrize("profile, infno, how", [
    ("pharmacy", "2102", 503), ("pharmacy", "2102", 302), ("pharmacy", "2102", 404), ("pharmacy", "2102", "reset"),
    ("pharmacy", "2102", "truncate"), ("pharmacy", "2102", "timeout"), ("clinic", "2207", 503),
    ("clinic", "2207", 307),
])
def test_cli_settle_behind_a_hostile_gateway_is_unknown_then_resolved_and_a_retry_charges_once(
        sim, gateway, make_cfg, tmp_path, profile, infno, how):
    cfg = _cfg(make_cfg, gateway, profile)
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    gateway.arm(infno, how)
    out = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items), expect=3)
    assert out["status"] == "unknown" and "请勿重复结算" in out["message"] and out["infno"] == infno
    [settled] = _ledger(sim)["settlements"]
    assert settled["status"] == "settled"  # the platform has it: "failed" here was the lost sale
    report = ecpos_json(cfg, "sync")
    assert [r["rslt"] for r in report["reversed"]] == ["reversed"] and report["unknown_outcomes"] == 0
    _agree(ecpos_json(cfg, "journal"), _ledger(sim))
    again = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items))  # the retry
    assert again["status"] == "settled"
    ledger = _ledger(sim)
    assert [s["setl_id"] for s in ledger["settlements"] if s["status"] == "settled"] == [again["setl_id"]]
    _agree(ecpos_json(cfg, "journal"), ledger)


@pytest.mark.parametrize("profile, infno, how", [("pharmacy", "2103", 503), ("clinic", "2208", 302),
                                                 ("pharmacy", "2103", "reset")])
def test_cli_refund_behind_a_hostile_gateway_is_kept_and_sync_refunds_once(sim, gateway, make_cfg, tmp_path,
                                                                           profile, infno, how):
    cfg = _cfg(make_cfg, gateway, profile)
    person = sim.person("active", insutype="310")
    items = items_file(tmp_path, ("XA01", "阿莫西林胶囊", "1", "9.90"))
    sale = ecpos_json(cfg, "settle", "--qr", sim.code(person["psn_no"]), "--items", str(items))
    gateway.arm(infno, how)
    r = ecpos(cfg, "refund", sale["setl_id"], "--reason", "顾客退药", "--cashier", "c1", "--supervisor", "s1",
              env={"ECPOS_PIN": PIN, "ECPOS_SUPERVISOR_PIN": SUPERVISOR_PIN})
    # Never "refused" or a failure: the refund is kept (exit 3) or, its outcome resolved in the same command by a
    # 2601 and a resend, refunded (exit 0).
    assert r.returncode in (0, 3), r.stdout + r.stderr
    ecpos_json(cfg, "sync")
    [row] = ecpos_json(cfg, "journal")
    assert row["status"] == "refunded"
    ledger = _ledger(sim)
    assert [x["osetl_id"] for x in ledger["refunds"] if x["status"] != "reversed"] == [sale["setl_id"]]
    _agree([row], ledger)
