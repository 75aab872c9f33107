"""Cashiers and supervisors: ids, roles and PINs kept only as salted scrypt hashes in the journal."""
from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import re
import secrets
import sys
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from terminal.journal import audit
from terminal.journal.clock import now
from terminal.errors import EcposError

ROLES = ("cashier", "supervisor", "admin")
# scrypt cost: ~50 ms on the 2-core VM; a PIN is short, so a slow hash is what makes a stolen journal
# expensive to brute-force.
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")

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


class OperatorError(EcposError):
    """Unknown operator, wrong role or PIN, or a PIN that is too weak."""

    key = "operator_invalid"
    exit_code = 2


class PinLocked(OperatorError):
    """Too many wrong PINs: the operator is locked for a while; the message says until when."""

    key = "pin_locked"


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


def local_time(ts: str) -> str:
    """A journal UTC timestamp as local YYYY-MM-DD HH:MM:SS ('' stays '')."""
    return datetime.fromisoformat(ts).astimezone().strftime("%Y-%m-%d %H:%M:%S") if ts else ""


def check_id(op_id: str) -> str:
    """An operator id: 1-32 letters, digits, `_ . -`."""
    if not _ID.match(op_id or ""):
        raise OperatorError(f"操作员编号无效：{op_id!r}（1-32 位字母、数字、_ . -）", key="operator_id")
    return op_id


def _is_run(pin: str) -> bool:
    """1234, 4321, 7890, 3210: each digit one more (or one less) than the one before, 9 and 0 adjacent."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:])}
    return steps in ({1}, {9})


def normal_pin(pin: str | None) -> str:
    """A PIN as typed, with full-width digits (１２３４, an input method in full-width mode) read as the
    ASCII digits they look like: the same PIN whichever way it was typed, when set and when checked."""
    return unicodedata.normalize("NFKC", pin or "")


def check_pin(pin: str) -> str:
    """A PIN: 4 to 12 digits 0-9, not one repeated digit (1111) and not a run (1234, 4321, 123456); returns
    it normalised (normal_pin)."""
    pin = normal_pin(pin)
    if not re.fullmatch(r"[0-9]{4,12}", pin):
        raise OperatorError("密码须为 4-12 位数字（0-9）", key="pin_weak")
    if len(set(pin)) == 1:
        raise OperatorError("密码不能全部相同数字（如 1111），请换一个", key="pin_weak")
    if _is_run(pin):
        raise OperatorError("密码不能是连续数字（如 1234、4321），请换一个", key="pin_weak")
    return pin


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


def pin_from_env_or_prompt(env_var: str, prompt: str) -> str:
    """A PIN from the environment variable, else a no-echo prompt; never from a command-line flag."""
    pin = os.environ.get(env_var)
    if pin is not None:
        return pin
    if not sys.stdin.isatty():
        raise OperatorError(f"需要密码：请设置 {env_var} 或在终端中输入", key="pin_missing")
    return getpass.getpass(prompt)


def _row(journal, op_id: str) -> dict:
    rows = journal.query("SELECT * FROM operators WHERE id=?", (op_id,))
    if not rows:
        raise OperatorError(f"操作员 {op_id} 不存在", key="operator_unknown")
    return rows[0]


def _as_operator(r: dict) -> Operator:
    return Operator(r["id"], r["role"], r["created_at"], r["changed_at"], r.get("name") or "",
                    r.get("disabled_at") or "", r.get("platform_code") or "")


def verify(journal, op_id: str, pin: str | None, roles=ROLES, purpose: str = "") -> Operator:
    """The operator, when `op_id` exists, is enabled, has one of `roles` and `pin` is right (lockout
    counted); else OperatorError saying which (PinLocked while locked). Not audited: callers audit."""
    rows = journal.query("SELECT * FROM operators WHERE id=?", (op_id or "",))
    if not rows:
        raise OperatorError(f"操作员 {op_id} 不存在", key="operator_unknown")
    row = rows[0]
    if row.get("disabled_at"):
        raise OperatorError(f"操作员 {op_id} 已停用，请联系管理员", key="operator_disabled")
    if row["role"] not in roles:
        names = {"cashier": "收银员", "supervisor": "主管", "admin": "管理员"}
        raise OperatorError(f"{op_id} 无此权限（需要{'或'.join(names[r] for r in roles)}）", key="operator_role")
    if not pin:
        raise OperatorError(f"请输入 {op_id} 的密码", key="pin_missing")
    left = check_pin_guarded(journal, op_id, pin, row, purpose=purpose)
    if left is not None:
        raise OperatorError(f"{op_id} 的密码错误（再错 {left} 次将锁定 {int(LOCK_FOR.total_seconds() // 60)} 分钟）",
                            key="pin_wrong")
    return _as_operator(row)


def sign_in(journal, op_id: str, pin: str | None, purpose: str = "sign_in") -> Operator:
    """A cashier (or supervisor, admin) at the till: PIN checked under the lockout; audited either way."""
    try:
        op = verify(journal, op_id, pin, purpose=purpose)
    except OperatorError as e:
        journal.audit("sign_in_refused", op_id or "", why=e.key, purpose=purpose)
        raise
    journal.audit("signed_in", op_id, purpose=purpose)
    return op


def _admin_exists(journal) -> bool:
    return bool(journal.query("SELECT 1 FROM operators WHERE role='admin' AND disabled_at='' LIMIT 1"))


def add(journal, op_id: str, role: str, pin: str, actor: str = "", *, name: str = "",
        actor_pin: str | None = None, platform_code: str = "") -> Operator:
    """Register an operator with a PIN (stored as a salted scrypt hash); audited. A supervisor or admin
    needs an existing admin (`actor`, `actor_pin`) once there is one; the first admin sets the till up."""
    check_id(op_id)
    if role not in ROLES:
        raise OperatorError(f"角色无效：{role}（{' / '.join(ROLES)}）", key="operator_role")
    pin = check_pin(pin)
    platform_code = check_platform_code(platform_code)
    if role != "cashier" and _admin_exists(journal):
        if not actor or actor_pin is None:
            raise OperatorError("添加主管或管理员需要现有管理员授权：请用 --by 管理员工号，并输入其密码",
                                key="admin_needed")
        verify(journal, actor, actor_pin, roles=("admin",), purpose="operator_add")
    salt, digest, params = hash_pin(pin)
    stamp = now()
    with journal.tx() as c:
        if c.execute("SELECT 1 FROM operators WHERE id=?", (op_id,)).fetchone():
            raise OperatorError(f"操作员 {op_id} 已存在；改密码请用 ecpos operator passwd {op_id}",
                                key="operator_exists")
        c.execute("INSERT INTO operators(id, role, salt, pin_hash, params, created_at, changed_at, name, platform_code)"
                  " VALUES (?,?,?,?,?,?,?,?,?)",
                  (op_id, role, salt, digest, params, stamp, stamp, name.strip(), platform_code))
        audit.append(c, "operator_added", actor or op_id, id=op_id, role=role, platform_code=platform_code)
    return Operator(op_id, role, stamp, stamp, name.strip(), platform_code=platform_code)


def check_platform_code(code: str) -> str:
    """A platform operator code (经办人编码): what the envelope's opter carries, at most 30 characters."""
    code = (code or "").strip()
    if len(code) > 30 or any(ch.isspace() for ch in code):
        raise OperatorError(f"医保经办人编码无效：{code!r}（最多 30 个字符，不含空格）", key="operator_platform_code")
    return code


RANK = {r: n for n, r in enumerate(ROLES)}


def passwd(journal, op_id: str, pin: str, actor: str = "", *, old_pin: str | None = None,
           actor_pin: str | None = None) -> None:
    """Change an operator's PIN with the old PIN, or by a supervisor or admin (`actor`, `actor_pin`) of at
    least the operator's role: nobody sets the PIN of a role above their own (then signs in as it), so an
    admin's PIN needs another admin or the old PIN. The new PIN must differ from the old. Audited."""
    row = _row(journal, op_id)
    pin = check_pin(pin)
    if actor and actor != op_id and actor_pin is not None:
        by = verify(journal, actor, actor_pin, roles=("supervisor", "admin"), purpose="passwd")
        if RANK[by.role] < RANK[row["role"]]:
            journal.audit("operator_pin_change_refused", actor, id=op_id, role=row["role"], why="passwd_above_role")
            raise OperatorError(f"{actor} 不能修改 {op_id}（管理员）的密码：管理员的密码须由另一位管理员授权"
                                f"（--by 管理员工号），或由本人用原密码修改", key="passwd_above_role")
        same = pin_matches(pin, row["salt"], row["pin_hash"], row["params"])  # only once authorised
    elif old_pin is not None:
        verify(journal, op_id, old_pin, purpose="passwd")
        same = normal_pin(old_pin) == pin
    else:
        raise OperatorError("修改密码需要原密码，或主管的授权", key="passwd_unauthorized")
    if same:
        raise OperatorError("新密码与原密码相同，请换一个", key="pin_reused")
    salt, digest, params = hash_pin(pin)
    with journal.tx() as c:
        c.execute("UPDATE operators SET salt=?, pin_hash=?, params=?, changed_at=? WHERE id=?",
                  (salt, digest, params, now(), op_id))
        audit.append(c, "operator_pin_changed", actor or op_id, id=op_id)


def set_disabled(journal, op_id: str, disabled: bool, actor: str, actor_pin: str | None) -> None:
    """Disable (or enable again) an operator, by a supervisor or admin; never deleted: the journal names
    them. Audited."""
    row = _row(journal, op_id)
    # a supervisor stops cashiers; a supervisor or admin is stopped by an admin (once there is one)
    admin_only = row["role"] != "cashier" and _admin_exists(journal)
    verify(journal, actor, actor_pin, roles=("admin",) if admin_only else ("supervisor", "admin"),
           purpose="disable")
    with journal.tx() as c:
        c.execute("UPDATE operators SET disabled_at=? WHERE id=?", (now() if disabled else "", op_id))
        audit.append(c, "operator_disabled" if disabled else "operator_enabled", actor, id=op_id)


def get(journal, op_id: str) -> Operator | None:
    """One operator, or None."""
    rows = journal.query("SELECT * FROM operators WHERE id=?", (op_id,))
    return _as_operator(rows[0]) if rows else None


def platform_identity(journal, cfg, op_id: str) -> tuple[str, str]:
    """(opter, opter_name) the platform's requests carry for work done by this operator: their platform code
    and name; the terminal's [operator] for an unknown id, and always on a self-service terminal (opter_type
    2: a kiosk is the operator, whoever queued the work)."""
    terminal = (str(cfg.operator.id), str(cfg.operator.name))
    op = get(journal, op_id) if str(cfg.operator.opter_type) != "2" else None
    if op is None:
        return terminal
    return op.opter, op.name or (terminal[1] if op_id == terminal[0] else op.id)


def listing(journal) -> list[Operator]:
    """All operators (without hashes), disabled ones too."""
    return [_as_operator(r) for r in journal.query("SELECT * FROM operators ORDER BY id")]
