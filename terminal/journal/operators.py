"""Who may act at the till, as the journal knows them: the operators' table (ids, roles, PINs kept only as salted
scrypt hashes) and the PIN check under the lockout that every guard asks — the counter's sign-in and
authorisations, a refund's supervisor, the register's export, the fleet page's login. Keeping the operators —
adding them, the PIN policy, the roles and who may change whom — is the back office's:
terminal/office/operators.py."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from terminal.journal import audit
from terminal.journal.clock import local_time
from terminal.errors import OperatorError, PinLocked

# scrypt cost: ~50 ms on the 2-core VM; a PIN is short, so a slow hash is what makes a stolen journal
# expensive to brute-force.
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}

SCHEMA = """
CREATE TABLE IF NOT EXISTS operators (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    salt TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pin_failures (op_id TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pin_failures_op ON pin_failures(op_id, at);
CREATE TABLE IF NOT EXISTS pin_locks (op_id TEXT PRIMARY KEY, until TEXT NOT NULL);
-- The checks in flight: a booked failure whose slow hash is being computed (id never reused). Not chained: it
-- only tells a try that finds the budget booked whether to wait for those answers; a check killed mid-way
-- stays a failure. Whatever deletes an operator's failures deletes its checks with them.
CREATE TABLE IF NOT EXISTS pin_checks (id INTEGER PRIMARY KEY AUTOINCREMENT, booking INTEGER NOT NULL,
                                       op_id TEXT NOT NULL, at TEXT NOT NULL);
"""
# Guessing a 4-digit PIN at the counter: LOCK_AFTER wrong PINs within WINDOW lock that operator for LOCK_FOR.
LOCK_AFTER = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
# A check still unanswered after this long was killed (a scrypt takes ~50 ms): its booking is a failure.
STALE = timedelta(seconds=20)


@dataclass(frozen=True)
class Operator:
    """An operator as listed (never with the hash); times are UTC ISO, `local()` shows them for people."""

    id: str
    role: str
    created_at: str
    changed_at: str
    name: str = ""
    disabled_at: str = ""
    platform_code: str = ""  # the operator's code at the insurance platform (opter, 9001 opter_no); "" = id

    @property
    def opter(self) -> str:
        """Who the platform's requests name as made by this operator."""
        return self.platform_code or self.id

    @property
    def active(self) -> bool:
        return not self.disabled_at

    @property
    def label(self) -> str:
        """How the screens and slips name the operator: 王芳（c1）, or the id alone."""
        return f"{self.name}（{self.id}）" if self.name else self.id

    def local(self, field: str) -> str:
        """One of its times (created_at, changed_at, disabled_at) as the till's local YYYY-MM-DD HH:MM:SS."""
        return local_time(getattr(self, field))


def normal_pin(pin: str | None) -> str:
    """A PIN as typed, with full-width digits (１２３４, an input method in full-width mode) read as the
    ASCII digits they look like: the same PIN whichever way it was typed, when set and when checked."""
    return unicodedata.normalize("NFKC", pin or "")


def hash_pin(pin: str, salt: bytes | None = None, params: dict | None = None) -> tuple[str, str, str]:
    """(salt hex, hash hex, params text) for a PIN."""
    salt = salt or secrets.token_bytes(16)
    params = params or SCRYPT
    digest = hashlib.scrypt(normal_pin(pin).encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 1024 * 1024,
                            **params)
    text = ",".join(f"{k}={params[k]}" for k in ("n", "r", "p"))
    return salt.hex(), digest.hex(), text


def pin_matches(pin: str, salt_hex: str, hash_hex: str, params_text: str) -> bool:
    """Constant-time check of a PIN against a stored hash."""
    params = {k: int(v) for k, v in (kv.split("=") for kv in params_text.split(","))}
    _, digest, _ = hash_pin(pin, bytes.fromhex(salt_hex), params)
    return hmac.compare_digest(digest, hash_hex)


def _utc(ts: str) -> datetime:
    return datetime.fromisoformat(ts)


def _locked_message(op_id: str, until: datetime) -> str:
    local = until.astimezone().strftime("%H:%M")
    return (f"{op_id} 密码连续输错 {LOCK_AFTER} 次，已锁定 {int(LOCK_FOR.total_seconds() // 60)} 分钟"
            f"（至 {local}）；请到时再试，或请其他主管授权")


def check_pin_guarded(journal, op_id: str, pin: str, row: dict, purpose: str = "") -> int | None:
    """Check an operator's PIN under the lockout rule. Returns None when it matches (failures reset), else
    how many tries are left before the lock; raises PinLocked (audited) while locked or on the locking try.

    Atomic: each try first books a failure in its own write transaction (BEGIN IMMEDIATE serialises
    threads and processes) and marks its check in flight; only a try that found fewer than LOCK_AFTER
    bookings gets the slow hash check; a right PIN then clears them. So twelve wrong PINs sent at once get at
    most five checks. A try that finds the budget booked by checks still in flight waits for their answers
    (bounded by STALE) instead of counting them: they may be right PINs, and a right PIN is never a failure.
    Only answered (or killed) wrong tries lock."""
    while True:
        stamp = datetime.now(timezone.utc)
        at = stamp.isoformat(timespec="microseconds")
        with journal.tx() as c:
            lock = c.execute("SELECT until FROM pin_locks WHERE op_id=?", (op_id,)).fetchone()
            if lock and _utc(lock[0]) > stamp:
                raise PinLocked(_locked_message(op_id, _utc(lock[0])), key="pin_locked")
            booked, failed = _failures(c, op_id, stamp)
            if failed >= LOCK_AFTER:  # the earlier tries used every check and were wrong: lock unchecked
                until = _lock(c, op_id, stamp, failed, purpose)
                raise PinLocked(_locked_message(op_id, until), key="pin_locked")
            if booked < LOCK_AFTER:
                booking = c.execute("INSERT INTO pin_failures(op_id, at) VALUES (?,?)", (op_id, at)).lastrowid
                check = c.execute("INSERT INTO pin_checks(booking, op_id, at) VALUES (?,?,?)",
                                  (booking, op_id, at)).lastrowid
                break
        time.sleep(0.02)  # every check is booked and some still run: their answers decide
    ok = False  # interrupted mid-check: the booking stays a failure
    try:
        ok = bool(pin) and pin_matches(pin, row["salt"], row["pin_hash"], row["params"])  # slow: outside the tx
    finally:
        with journal.tx() as c:
            kept = c.execute("DELETE FROM pin_checks WHERE id=?", (check,)).rowcount
            if ok:
                _clear(c, op_id)
                c.execute("DELETE FROM pin_locks WHERE op_id=?", (op_id,))
            else:
                if not kept:
                    # a right PIN (or a lock) in parallel cleared the bookings: this wrong one still counts
                    c.execute("INSERT INTO pin_failures(op_id, at) VALUES (?,?)", (op_id, at))
                _, failed = _failures(c, op_id, stamp)
                until = _lock(c, op_id, stamp, failed, purpose) if failed >= LOCK_AFTER else None
    if ok:
        return None
    if until is None:
        return LOCK_AFTER - failed
    raise PinLocked(_locked_message(op_id, until), key="pin_locked")


def _failures(c, op_id: str, stamp: datetime) -> tuple[int, int]:
    """(failures booked in the window, of which answered: not a check still in flight) for the operator."""
    rows = c.execute(
        "SELECT COUNT(*), COUNT(*) - COUNT(k.booking) FROM pin_failures f LEFT JOIN pin_checks k "
        "ON k.booking = f.rowid AND k.at > ? WHERE f.op_id=? AND f.at > ?",
        ((stamp - STALE).isoformat(timespec="microseconds"), op_id,
         (stamp - WINDOW).isoformat(timespec="microseconds"))).fetchone()
    return rows[0], rows[1]


def _clear(c, op_id: str) -> None:
    """Forget the operator's failures, and the checks in flight that booked them."""
    c.execute("DELETE FROM pin_failures WHERE op_id=?", (op_id,))
    c.execute("DELETE FROM pin_checks WHERE op_id=?", (op_id,))


def _lock(c, op_id: str, stamp: datetime, failures: int, purpose: str) -> datetime:
    """Lock the operator for LOCK_FOR from `stamp` (inside a transaction); audited."""
    until = stamp + LOCK_FOR
    text = until.isoformat(timespec="microseconds")
    _clear(c, op_id)
    c.execute("INSERT INTO pin_locks(op_id, until) VALUES (?,?) ON CONFLICT(op_id) DO UPDATE SET until=?",
              (op_id, text, text))
    audit.append(c, "pin_locked", op_id, failures=failures, until=text, purpose=purpose)
    return until


def from_row(r: dict) -> Operator:
    """The Operator of an operators row (the hash left out)."""
    return Operator(r["id"], r["role"], r["created_at"], r["changed_at"], r.get("name") or "",
                    r.get("disabled_at") or "", r.get("platform_code") or "")


def verify(journal, op_id: str, pin: str | None, roles=(), purpose: str = "") -> Operator:
    """The operator, when `op_id` exists, is enabled, has one of `roles` (any role: none named) and `pin` is
    right (lockout counted); else OperatorError saying which (PinLocked while locked). Not audited: callers audit."""
    rows = journal.query("SELECT * FROM operators WHERE id=?", (op_id or "",))
    if not rows:
        raise OperatorError(f"操作员 {op_id} 不存在", key="operator_unknown")
    row = rows[0]
    if row.get("disabled_at"):
        raise OperatorError(f"操作员 {op_id} 已停用，请联系管理员", key="operator_disabled")
    if roles and row["role"] not in roles:
        names = {"cashier": "收银员", "supervisor": "主管", "admin": "管理员"}
        raise OperatorError(f"{op_id} 无此权限（需要{'或'.join(names[r] for r in roles)}）", key="operator_role")
    if not pin:
        raise OperatorError(f"请输入 {op_id} 的密码", key="pin_missing")
    left = check_pin_guarded(journal, op_id, pin, row, purpose=purpose)
    if left is not None:
        raise OperatorError(f"{op_id} 的密码错误（再错 {left} 次将锁定 {int(LOCK_FOR.total_seconds() // 60)} 分钟）",
                            key="pin_wrong")
    return from_row(row)


def get(journal, op_id: str) -> Operator | None:
    """One operator, or None."""
    rows = journal.query("SELECT * FROM operators WHERE id=?", (op_id,))
    return from_row(rows[0]) if rows else None


def platform_identity(journal, cfg, op_id: str) -> tuple[str, str]:
    """(opter, opter_name) the platform's requests carry for work done by this operator: their platform code
    and name; the terminal's [operator] for an unknown id, and always on a self-service terminal (opter_type
    2: a kiosk is the operator, whoever queued the work)."""
    terminal = (str(cfg.operator.id), str(cfg.operator.name))
    op = get(journal, op_id) if str(cfg.operator.opter_type) != "2" else None
    if op is None:
        return terminal
    return op.opter, op.name or (terminal[1] if op_id == terminal[0] else op.id)
