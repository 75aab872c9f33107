"""The journal: one SQLite file (WAL, synchronous=FULL, mode 0600) holding every platform request (written
with its msgid before it is sent, its answer after), sales, refunds, the outbox, operators, the audit chain.

Personal data is masked on the way in (terminal/journal/redact.py); the QR code itself is never stored.
"""
from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from terminal import logs
from terminal.journal import audit, chain, journal_guard, operators, privacy, redact, replication
from terminal.journal.clock import now  # noqa: F401  (journal.now: the journal's clock, used by its writers)
from terminal.errors import EcposError
from terminal.journal.tillkeys import TillKeys, default_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    msgid TEXT PRIMARY KEY,
    infno TEXT NOT NULL,
    sale_id INTEGER,
    refund_id INTEGER,
    pid INTEGER NOT NULL,
    sent_at TEXT NOT NULL,
    request TEXT NOT NULL,
    state TEXT NOT NULL,            -- sending | ok | refused | unreachable | unknown | resolved
    answered_at TEXT,
    answer TEXT,
    err TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS requests_state ON requests(state);
CREATE TABLE IF NOT EXISTS sales (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    profile TEXT NOT NULL,
    opter TEXT NOT NULL,
    pid INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    day TEXT NOT NULL,              -- local date of the sale, for reconciliation and stats
    status TEXT NOT NULL,           -- pending | unknown | settled | reversed | refund_queued | refunded | failed
    status_at TEXT NOT NULL,
    psn_no TEXT NOT NULL DEFAULT '',
    insutype TEXT NOT NULL DEFAULT '',
    insuplc_admdvs TEXT NOT NULL DEFAULT '',
    mdtrt_cert_type TEXT NOT NULL DEFAULT '01',
    name_masked TEXT NOT NULL DEFAULT '',
    id_masked TEXT NOT NULL DEFAULT '',
    family_of TEXT NOT NULL DEFAULT '',
    mdtrt_id TEXT NOT NULL DEFAULT '',
    setl_id TEXT NOT NULL DEFAULT '',
    msgid TEXT NOT NULL DEFAULT '',  -- the settlement request (2102 / 2207)
    medfee_sumamt TEXT NOT NULL DEFAULT '0.00',
    fund_pay_sumamt TEXT NOT NULL DEFAULT '0.00',
    acct_pay TEXT NOT NULL DEFAULT '0.00',
    psn_cash_pay TEXT NOT NULL DEFAULT '0.00',
    setl_time TEXT NOT NULL DEFAULT '',
    confirmed_at TEXT NOT NULL DEFAULT '',  -- when the platform's settlement answer was journaled
    items TEXT NOT NULL DEFAULT '[]',
    visit TEXT NOT NULL DEFAULT '{}',       -- clinic: what was registered / uploaded, to undo it
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sales_setl ON sales(setl_id);
CREATE INDEX IF NOT EXISTS sales_day ON sales(day);
-- What a step or a background round looks up by status (open, unknown, settled) or by sale stays a lookup as
-- the journal grows: a terminal keeps years of sales (tests/agent/test_journal_growth.py).
CREATE INDEX IF NOT EXISTS sales_status ON sales(status);
CREATE TABLE IF NOT EXISTS refunds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    setl_id TEXT NOT NULL,
    amount TEXT NOT NULL,
    reason TEXT NOT NULL,
    cashier TEXT NOT NULL,
    supervisor TEXT NOT NULL,
    status TEXT NOT NULL,           -- queued | unknown | refunded | failed
    msgid TEXT NOT NULL DEFAULT '', -- the current attempt (a new one after a reversed unknown attempt)
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    done_at TEXT NOT NULL DEFAULT '',
    setl_time TEXT NOT NULL DEFAULT '',  -- the platform's time of the refund (its own setl_id's time)
    err TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS refunds_status ON refunds(status);
CREATE INDEX IF NOT EXISTS refunds_sale ON refunds(sale_id);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,             -- refund | reverse | release (a reversed visit to undo)
    ref TEXT NOT NULL,              -- refund id, the msgid to reverse, or the sale id to release
    created_at TEXT NOT NULL,
    done_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS outbox_open ON outbox(seq) WHERE done_at='';
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trace_codes (   -- 药品追溯码 of a sale, one row per box (terminal/sale/trace_store.py)
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    line INTEGER NOT NULL,          -- 1-based bill line (the sequence in feedetl_sn)
    code TEXT NOT NULL,             -- drug_trac_codg
    med_list_codg TEXT NOT NULL,
    trdn_flag TEXT NOT NULL DEFAULT '0',
    flagged INTEGER NOT NULL DEFAULT 0,  -- 1: its product prefix does not fit the line's drug
    via TEXT NOT NULL,              -- 3505 | 3505A | settlement: how it reaches the platform
    status TEXT NOT NULL,           -- scanned | reported | refused | returned | void
    err TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    status_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS trace_codes_code ON trace_codes(code);
CREATE INDEX IF NOT EXISTS trace_codes_sale ON trace_codes(sale_id);
CREATE INDEX IF NOT EXISTS trace_codes_status ON trace_codes(status);
CREATE TABLE IF NOT EXISTS trace_reports (  -- 3505/3506 requests: the msgid is claimed before sending
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    kind TEXT NOT NULL,             -- sale | return
    line INTEGER NOT NULL,          -- bill line; 0 for the whole sale (3505A / 3506A)
    infno TEXT NOT NULL,
    msgid TEXT NOT NULL,
    status TEXT NOT NULL,           -- open | accepted | refused
    msg TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    done_at TEXT NOT NULL DEFAULT '',
    UNIQUE(sale_id, kind, line)
);
CREATE INDEX IF NOT EXISTS trace_reports_status ON trace_reports(status);
CREATE TABLE IF NOT EXISTS returns (  -- part of a sale brought back (退一盒), terminal/returns.py
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id INTEGER NOT NULL REFERENCES sales(id),     -- the sale the boxes came back from
    refund_id INTEGER NOT NULL REFERENCES refunds(id), -- 医保: the whole settlement's refund; 自费: the local one
    returned TEXT NOT NULL,         -- JSON [{line, name, qty, amount, codes}]: what came back
    kept TEXT NOT NULL,             -- JSON: the kept bill (items_json rows with their trace codes)
    resale_id INTEGER,              -- 医保: the sale that settles the kept lines again
    cashier TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT NOT NULL DEFAULT ''  -- the difference handed back (booked once)
);
CREATE INDEX IF NOT EXISTS returns_sale ON returns(sale_id);
-- The agent API (agent/): a sale a HIS/ERP pushed, before and after it has a platform sale (sales.id).
CREATE TABLE IF NOT EXISTS agent_sales (
    id TEXT PRIMARY KEY,            -- the API's sale id
    external_id TEXT NOT NULL,      -- the caller's own id for the bill
    profile TEXT NOT NULL,
    bill TEXT NOT NULL,             -- the bill as pushed (JSON; never the QR code)
    state TEXT NOT NULL,            -- waiting_for_code | quoted | settling | settled | unknown | failed | cancelled
    sale_id INTEGER,                -- the journal sale once quoted
    quote TEXT NOT NULL DEFAULT '{}',
    error_key TEXT NOT NULL DEFAULT '',
    error_message TEXT NOT NULL DEFAULT '',
    pid INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Each create and each watch round looks for the open ones, each core event for its row: without these a
-- year of pushed bills is read whole every time (10 ms a look at 50,000 rows; bench/agent.py --history).
CREATE INDEX IF NOT EXISTS agent_sales_state ON agent_sales(state);
CREATE INDEX IF NOT EXISTS agent_sales_sale ON agent_sales(sale_id);
CREATE INDEX IF NOT EXISTS agent_sales_created ON agent_sales(created_at);  -- a day's list (GET /v1/sales)
-- Idempotency-Key of the agent's POSTs: the same key and body again answer what the first one made.
CREATE TABLE IF NOT EXISTS agent_keys (
    endpoint TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    ref TEXT NOT NULL,              -- the agent sale id or the refund id made
    created_at TEXT NOT NULL,
    PRIMARY KEY (endpoint, key)
);
CREATE TABLE IF NOT EXISTS catalogue (  -- the pharmacy's imported items (terminal/sale/catalogue.py)
    code TEXT PRIMARY KEY,          -- 医保目录编码 (med_list_codg on the wire)
    name TEXT NOT NULL,
    spec TEXT NOT NULL DEFAULT '',
    price TEXT NOT NULL,            -- yuan, Decimal text
    barcode TEXT NOT NULL DEFAULT '',  -- EAN-13 on the box
    initials TEXT NOT NULL DEFAULT '', -- 拼音首字母: AMXLJN for 阿莫西林胶囊
    imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shifts (  -- 交班: one open shift per till (terminal/office/shifts.py)
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    float TEXT NOT NULL,            -- cash in the drawer at the start
    closed_at TEXT NOT NULL DEFAULT '',
    closed_by TEXT NOT NULL DEFAULT '',
    counted TEXT NOT NULL DEFAULT '',
    report TEXT NOT NULL DEFAULT '' -- the closing report (JSON), what the slip printed
);
CREATE UNIQUE INDEX IF NOT EXISTS shifts_one_open ON shifts(closed_at) WHERE closed_at='';
CREATE TABLE IF NOT EXISTS tenders (  -- how the self-pay part was paid, and cash handed back on refunds
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id INTEGER NOT NULL,
    refund_id INTEGER,              -- set on the row of cash handed back for a refund
    method TEXT NOT NULL,           -- cash | wechat | alipay | card | other
    amount TEXT NOT NULL,           -- yuan of the self-pay part (negative: handed back)
    received TEXT NOT NULL DEFAULT '',  -- cash: what the patient gave
    change TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '', -- other methods: the payment's reference number
    operator TEXT NOT NULL,
    shift_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tenders_sale ON tenders(sale_id);
CREATE TABLE IF NOT EXISTS held_bills (  -- 挂单: a bill parked before settlement (terminal/sale/holds.py)
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    operator TEXT NOT NULL,
    shift_id INTEGER,
    items TEXT NOT NULL,            -- the lines with their 追溯码 (JSON)
    psn_no TEXT NOT NULL DEFAULT '',
    name_masked TEXT NOT NULL DEFAULT '',  -- never the credential: the patient shows the code again
    status TEXT NOT NULL,           -- held | recalled | expired (at the shift's close)
    created_at TEXT NOT NULL,
    done_at TEXT NOT NULL DEFAULT '',
    done_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS held_bills_open ON held_bills(id) WHERE status='held';
CREATE TABLE IF NOT EXISTS adjustments (  -- 整单折扣 / 抹零 of a sale's self-pay part (terminal/sale/adjust.py)
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id INTEGER NOT NULL,
    due TEXT NOT NULL,              -- the self-pay part as settled (the platform's figures are not changed)
    discount TEXT NOT NULL,         -- yuan given up by the discount
    rounding TEXT NOT NULL,         -- yuan given up by 抹零
    spec TEXT NOT NULL DEFAULT '',  -- the discount as typed: 5 / 9.5折
    mode TEXT NOT NULL DEFAULT '',  -- 抹零: jiao | yuan
    operator TEXT NOT NULL,
    authorized_by TEXT NOT NULL,    -- the supervisor whose PIN allowed it
    shift_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS adjustments_sale ON adjustments(sale_id);
"""

# Columns added to existing tables after a journal may already exist on a till: (table, column, DDL). Each is
# added with ALTER TABLE when missing, so an old journal opens with the new schema and keeps its rows.
# New tables go into SCHEMA as CREATE TABLE IF NOT EXISTS; new columns go here, never into the CREATE above.
COLUMNS: list[tuple[str, str, str]] = [
    # Where the platform clears each settlement (its answer's setlinfo): 3201 groups by these.
    ("sales", "clr_optins", "TEXT NOT NULL DEFAULT ''"),
    ("sales", "clr_way", "TEXT NOT NULL DEFAULT ''"),
    ("sales", "clr_type", "TEXT NOT NULL DEFAULT ''"),
    ("operators", "name", "TEXT NOT NULL DEFAULT ''"),          # display name (王芳) on screens and slips
    ("operators", "disabled_at", "TEXT NOT NULL DEFAULT ''"),   # disabled, never deleted: sales name them
    ("operators", "platform_code", "TEXT NOT NULL DEFAULT ''"), # 医保经办人编码: opter / 9001 opter_no on the wire
]

SALE_FIELDS = ("psn_no", "insutype", "insuplc_admdvs", "mdtrt_cert_type", "name_masked", "id_masked",
               "family_of", "mdtrt_id", "setl_id", "msgid", "medfee_sumamt", "fund_pay_sumamt", "acct_pay",
               "psn_cash_pay", "setl_time", "confirmed_at", "items", "visit", "note", "status",
               "clr_optins", "clr_way", "clr_type")


class JournalError(EcposError):
    """The journal file cannot be opened or written."""

    key = "journal_error"
    exit_code = 2


class JournalFull(JournalError):
    """The journal cannot be written (disk full, or the storage failing): what was already written stays;
    the step that needed the write did not complete. Exit 3: work kept, try again when there is space."""

    key = "disk_full"
    exit_code = 3

    def __init__(self, path, detail: str = "", *, after_send: bool = False):
        then = ("医保平台已收到请求，结果待确认：请勿重复收费；清理空间后运行 ecpos sync 确认结果" if after_send
                else "本步未完成，已保存的业务不会丢失；清理空间后重试")
        super().__init__(f"磁盘已满，交易日志无法写入（{path}）：{then}", detail=detail)
        self.after_send = after_send


# SQLite's "database or disk is full" and its write/fsync failures (a short write on a full disk).
_WRITE_FAILURES = {13, 10}  # SQLITE_FULL, SQLITE_IOERR (and its extended codes, low byte 10)


def write_failed(e: BaseException) -> bool:
    """True when an error means the journal's storage refused a write (full disk, I/O error)."""
    if isinstance(e, sqlite3.OperationalError) and getattr(e, "sqlite_errorcode", None) is not None:
        return e.sqlite_errorcode & 0xFF in _WRITE_FAILURES
    if isinstance(e, sqlite3.OperationalError):
        return "disk is full" in str(e) or "disk I/O error" in str(e)
    return isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _crash_point_from_env() -> tuple[str, float] | None:
    """ECPOS_TEST_KILL_AT=point[@ms]: tests SIGKILL this process there (after ms, from a timer)."""
    spec = os.environ.get("ECPOS_TEST_KILL_AT", "")
    if not spec:
        return None
    point, _, ms = spec.partition("@")
    return point, int(ms or "0") / 1000


_KILL_AT = _crash_point_from_env()


def crash_point(name: str) -> None:
    """A place where the crash tests may kill the process; does nothing in normal runs."""
    if _KILL_AT is None or _KILL_AT[0] != name:
        return

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if _KILL_AT[1] > 0:
        t = threading.Timer(_KILL_AT[1], die)
        t.daemon = True
        t.start()
    else:
        die()


class Journal:
    """Durable record of everything the counter did; safe to share between threads and processes."""

    def __init__(self, path: str | os.PathLike, key_dir: str | os.PathLike | None = None, *,
                 accept_older: bool = False):
        """Open (or, on a brand-new till, create) the journal; its chain's secret and head live in key_dir
        (default: beside the data directory). A till that had a journal refuses a missing or emptied one,
        and one older than the chain's head unless accept_older (then see accept_restored)."""
        self.path = Path(path)
        self.keys = TillKeys(key_dir or default_dir(self.path.parent))
        journal_guard.before_open(self.path, self.keys)
        logs.private_dir(self.path.parent)  # the data directory: 0700
        self._lock = threading.RLock()
        self._closed = False
        self.seconds = 0.0  # time spent in journal writes, for the benchmark
        self.commits = 0    # write transactions committed, and how many of them waited for the disk
        self.synced = 0
        try:
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                        timeout=10.0)
            self.conn.execute("PRAGMA journal_mode=WAL")
            privacy.restrict_database(self.path)  # also tightens a file created before this rule
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.guard = journal_guard.Guard(self.conn, self.path, self.keys,  # refuses a lost journal
                                             accept_older=accept_older)
            self.conn.executescript(SCHEMA + audit.SCHEMA + operators.SCHEMA + replication.SCHEMA
                                    + chain.SCHEMA)  # idempotent
            self.guard.install(lambda dry=False: _add_columns(self.conn, dry=dry))
            replication.backfill(self.conn)
        except sqlite3.Error as e:
            self._close_quietly()
            raise JournalError(f"交易日志无法打开：{self.path}：{e}", key="journal_open") from None
        except OSError as e:
            self._close_quietly()
            if write_failed(e):
                raise JournalFull(self.path, detail=str(e)) from None
            what = ("这是一个文件夹，不是交易日志文件" if isinstance(e, IsADirectoryError) else
                    "文件不可写（只读、属于其他用户，或被设为不可修改：lsattr 查看，chattr -i 解除）"
                    if e.errno in (errno.EPERM, errno.EACCES, errno.EROFS) else e.strerror or str(e))
            raise JournalError(f"交易日志无法打开：{self.path}：{what}；请恢复为 ecpos 可读写的文件，或用 --data-dir "
                               f"指定数据目录", key="journal_open", detail=f"{type(e).__name__}: {e}") from None
        except EcposError:
            self._close_quietly()  # refused (missing, emptied, shortened journal; no key): nothing written
            raise

    def _close_quietly(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()

    @classmethod
    def for_config(cls, cfg, **kw) -> "Journal":
        """The journal in the configured data directory, its chain keys in [journal] key_dir."""
        key_dir = cfg.journal.key_dir if "journal" in cfg else ""
        return cls(cfg.data_dir / "journal.sqlite3", key_dir=(cfg.data_dir / key_dir) if key_dir else None, **kw)

    def close(self) -> None:
        """Idempotent: a face and its owner may both close the journal they share."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.guard.close()  # the head written and synced before the journal closes
        self.conn.close()

    @contextmanager
    def tx(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE .. COMMIT), rolled back on error. durable=False commits to
        the WAL without waiting for the disk (synchronous=NORMAL): a kill -9 loses nothing, a power cut may
        lose it until the next durable commit syncs the WAL; for what moves no money (queries, sign-in)."""
        with self._lock:
            t0 = time.perf_counter()
            if not durable:
                self.conn.execute("PRAGMA synchronous=NORMAL")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                    self.conn.execute("COMMIT")
                except BaseException as e:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    self.guard.after_rollback()
                    if write_failed(e):
                        raise JournalFull(self.path, detail=str(e)) from None
                    raise
            finally:
                if not durable:
                    self.conn.execute("PRAGMA synchronous=FULL")
            if durable:  # the head outside the file follows what is on disk (a WAL-only commit: at the next one)
                self.guard.after_commit()
            self.commits += 1
            self.synced += durable
            self.seconds += time.perf_counter() - t0

    def query(self, sql: str, args: tuple = ()) -> list[dict]:
        """Read rows as dicts."""
        with self._lock:
            return rows(self.conn, sql, args)

    # --- audit -------------------------------------------------------------------------------------
    def audit(self, event: str, actor: str = "", **data) -> None:
        """Append one audit row in its own transaction."""
        with self.tx() as c:
            audit.append(c, event, actor, **data)

    def verify_chain(self) -> audit.ChainReport:
        """The audit table's own (unkeyed) hash chain."""
        with self._lock:
            return audit.verify(self.conn)

    def verify_rows(self) -> chain.Proof:
        """The keyed chain over every change of the chained tables' rows (chain.CHAINED), against its head."""
        with self._lock:
            return self.guard.verify()

    def row_holds(self, table: str, key: int) -> bool:
        """A chained row is as ecpos last wrote it (chain.row_holds): for what a refund relies on."""
        with self._lock:
            return self.guard.row_holds(table, key)

    def accept_restored(self, slip: tuple[int, str] | None = None) -> tuple[int, int]:
        """Go on from a restored journal older than the head or this machine's witness of it (opened with
        accept_older; `slip`: the last day-close slip's head, needed when only the witness saw the restore):
        audited; returns (first entry lost, head it had reached)."""
        with self._lock:
            return self.guard.accept_restored(slip)

    def holds(self, seq: int, mac_prefix: str) -> bool:
        """The chain still holds the head a day-close slip printed (seq and the MAC's first digits)."""
        with self._lock:
            return chain.holds(self.conn, seq, mac_prefix)

    def chain_head(self) -> tuple[int, str]:
        """The chain's head as kept outside the file (seq, mac): printed on the day-close slip."""
        head = self.keys.head()
        return head.seq, head.mac

    # --- requests ----------------------------------------------------------------------------------
    def request_sent(self, env: dict[str, Any], *, sale_id: int | None = None,
                     refund_id: int | None = None, durable: bool = True) -> None:
        """Write a request (masked) with its msgid before it goes out."""
        body = json.dumps(redact.envelope(env), ensure_ascii=False, default=logs.json_default)
        with self.tx(durable=durable) as c:
            c.execute("INSERT INTO requests(msgid, infno, sale_id, refund_id, pid, sent_at, request, state)"
                      " VALUES (?,?,?,?,?,?,?, 'sending')"
                      " ON CONFLICT(msgid) DO UPDATE SET state='sending', pid=excluded.pid,"
                      " sent_at=excluded.sent_at",  # a resend: who sends it and since when (for recovery)
                      (env["msgid"], str(env["infno"]), sale_id, refund_id, os.getpid(), now(), body))

    @staticmethod
    def answer(c: sqlite3.Connection, msgid: str, state: str, *, answer: Any = None, err: str = "") -> bool:
        """Write a request's outcome inside a transaction. False (and nothing written) when sync has already
        declared the request unknown: its outcome is sync's now."""
        text = json.dumps(redact.payload(answer), ensure_ascii=False,
                          default=logs.json_default) if answer is not None else None
        cur = c.execute("UPDATE requests SET state=?, answered_at=?, answer=?, err=? WHERE msgid=?"
                        " AND state='sending'", (state, now(), text, err, msgid))
        return cur.rowcount > 0

    def request_answered(self, msgid: str, state: str, *, answer: Any = None, err: str = "") -> bool:
        """Write a request's outcome in a transaction of its own (see answer())."""
        with self.tx() as c:
            return self.answer(c, msgid, state, answer=answer, err=err)

    def request(self, msgid: str) -> dict | None:
        rows = self.query("SELECT * FROM requests WHERE msgid=?", (msgid,))
        return rows[0] if rows else None

    def sent(self, sale_id: int, infno: str) -> bool:
        """Whether a request `infno` of this sale left the till (journaled before it is sent)."""
        return bool(self.query("SELECT 1 FROM requests WHERE sale_id=? AND infno=? LIMIT 1", (sale_id, infno)))

    # --- sales (written by terminal/sale/sales.py's SaleStore alone) -------------------------------------
    def sale(self, sale_id: int) -> dict | None:
        rows = self.query("SELECT * FROM sales WHERE id=?", (sale_id,))
        return rows[0] if rows else None

    def sales_in(self, status: str) -> int:
        """How many sales are in `status` (the status bar's and sync's count of unknown outcomes)."""
        return self.query("SELECT COUNT(*) n FROM sales WHERE status=?", (status,))[0]["n"]

    def sale_by_setl(self, setl_id: str) -> dict | None:
        rows = self.query("SELECT * FROM sales WHERE setl_id=? ORDER BY id DESC LIMIT 1", (setl_id,))
        return rows[0] if rows else None

    def refund(self, refund_id: int) -> dict | None:
        rows = self.query("SELECT * FROM refunds WHERE id=?", (refund_id,))
        return rows[0] if rows else None

    # --- meta ---------------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str = "") -> str:
        rows = self.query("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0]["value"] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO meta(key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET value=?",
                      (key, value, value))


class JournalView:
    """Another till's journal, read only: its own ecpos keeps writing it, so this side never does."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.is_file():
            raise JournalError(f"找不到其他收款台的交易日志：{self.path}，请检查 [report] other_journals",
                               key="other_journal_missing")
        try:
            self.conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
            self.conn.execute("SELECT 1 FROM sales LIMIT 1")
        except sqlite3.Error as e:
            raise JournalError(f"其他收款台的交易日志无法读取：{self.path}：{e}", key="other_journal_open") from None

    def query(self, sql: str, args: tuple = ()) -> list[dict]:
        """Read rows as dicts."""
        return rows(self.conn, sql, args)

    def close(self) -> None:
        self.conn.close()


def _add_columns(c: sqlite3.Connection, dry: bool = False) -> list[tuple[str, str]]:
    """Bring an older journal up to COLUMNS (ALTER TABLE ADD COLUMN keeps every existing row); the columns
    that were missing (dry: only name them). The chain's guard calls it, to re-chain the rows it reshapes."""
    missing = []
    for table, column, ddl in COLUMNS:
        if column not in {r[1] for r in c.execute(f"PRAGMA table_info({table})")}:
            missing.append((table, column))
            if not dry:
                c.execute(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
    return missing


def rows(c: sqlite3.Connection, sql: str, args: tuple = ()) -> list[dict]:
    """Rows of a query as dicts (inside a transaction or not)."""
    cur = c.execute(sql, args)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]
