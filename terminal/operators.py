"""Cashiers and supervisors: ids, roles and PINs kept only as salted scrypt hashes in the journal."""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from terminal.clock import now
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
"""
# Guessing a 4-digit PIN at the counter: LOCK_AFTER wrong PINs within WINDOW lock that operator for LOCK_FOR.
LOCK_AFTER = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)


class OperatorError(EcposError):
    """Unknown operator, wrong role or PIN, or a PIN that is too weak."""

    key = "operator_invalid"
    exit_code = 2


class PinLocked(OperatorError):
    """Too many wrong PINs: the operator is locked for a while; the message says until when."""

    key = "pin_locked"


@dataclass(frozen=True)
class Operator:
    """An operator as listed (never with the hash)."""

    id: str
    role: str
    created_at: str
    changed_at: str


def check_id(op_id: str) -> str:
    """An operator id: 1-32 letters, digits, `_ . -`."""
    if not _ID.match(op_id or ""):
        raise OperatorError(f"操作员编号无效：{op_id!r}（1-32 位字母、数字、_ . -）", key="operator_id")
    return op_id


def check_pin(pin: str) -> str:
    """A PIN: 4 to 12 digits, not all the same digit."""
    if not re.fullmatch(r"\d{4,12}", pin or ""):
        raise OperatorError("密码须为 4-12 位数字", key="pin_weak")
    if len(set(pin)) == 1:
        raise OperatorError("密码不能全部相同数字", key="pin_weak")
    return pin


def hash_pin(pin: str, salt: bytes | None = None, params: dict | None = None) -> tuple[str, str, str]:
    """(salt hex, hash hex, params text) for a PIN."""
    salt = salt or secrets.token_bytes(16)
    params = params or SCRYPT
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **params)
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
    how many tries are left before the lock; raises PinLocked (audited) while locked or on the locking try."""
    from terminal import audit
    stamp = datetime.now(timezone.utc)
    lock = journal.query("SELECT until FROM pin_locks WHERE op_id=?", (op_id,))
    if lock and _utc(lock[0]["until"]) > stamp:
        raise PinLocked(_locked_message(op_id, _utc(lock[0]["until"])), key="pin_locked")
    ok = bool(pin) and pin_matches(pin, row["salt"], row["pin_hash"], row["params"])  # slow: outside the tx
    with journal.tx() as c:
        if ok:
            c.execute("DELETE FROM pin_failures WHERE op_id=?", (op_id,))
            c.execute("DELETE FROM pin_locks WHERE op_id=?", (op_id,))
            return None
        c.execute("INSERT INTO pin_failures(op_id, at) VALUES (?,?)", (op_id, stamp.isoformat(timespec="microseconds")))
        n = c.execute("SELECT COUNT(*) FROM pin_failures WHERE op_id=? AND at>?",
                      (op_id, (stamp - WINDOW).isoformat(timespec="microseconds"))).fetchone()[0]
        if n < LOCK_AFTER:
            return LOCK_AFTER - n
        until = stamp + LOCK_FOR
        text = until.isoformat(timespec="microseconds")
        c.execute("DELETE FROM pin_failures WHERE op_id=?", (op_id,))
        c.execute("INSERT INTO pin_locks(op_id, until) VALUES (?,?) ON CONFLICT(op_id) DO UPDATE SET until=?",
                  (op_id, text, text))
        audit.append(c, "pin_locked", op_id, failures=n, until=text, purpose=purpose)
    raise PinLocked(_locked_message(op_id, until), key="pin_locked")


def pin_from_env_or_prompt(env_var: str, prompt: str) -> str:
    """A PIN from the environment variable, else a no-echo prompt; never from a command-line flag."""
    pin = os.environ.get(env_var)
    if pin is not None:
        return pin
    import getpass
    import sys
    if not sys.stdin.isatty():
        raise OperatorError(f"需要密码：请设置 {env_var} 或在终端中输入", key="pin_missing")
    return getpass.getpass(prompt)


def add(journal, op_id: str, role: str, pin: str, actor: str = "") -> Operator:
    """Register an operator with a PIN (stored as a salted scrypt hash); audited."""
    from terminal import audit
    check_id(op_id)
    if role not in ROLES:
        raise OperatorError(f"角色无效：{role}（{' / '.join(ROLES)}）", key="operator_role")
    salt, digest, params = hash_pin(check_pin(pin))
    stamp = now()
    with journal.tx() as c:
        if c.execute("SELECT 1 FROM operators WHERE id=?", (op_id,)).fetchone():
            raise OperatorError(f"操作员 {op_id} 已存在；改密码请用 ecpos operator passwd {op_id}",
                                key="operator_exists")
        c.execute("INSERT INTO operators(id, role, salt, pin_hash, params, created_at, changed_at)"
                  " VALUES (?,?,?,?,?,?,?)", (op_id, role, salt, digest, params, stamp, stamp))
        audit.append(c, "operator_added", actor or op_id, id=op_id, role=role)
    return Operator(op_id, role, stamp, stamp)


def passwd(journal, op_id: str, pin: str, actor: str = "") -> None:
    """Change an operator's PIN; audited."""
    from terminal import audit
    salt, digest, params = hash_pin(check_pin(pin))
    with journal.tx() as c:
        cur = c.execute("UPDATE operators SET salt=?, pin_hash=?, params=?, changed_at=? WHERE id=?",
                        (salt, digest, params, now(), op_id))
        if cur.rowcount == 0:
            raise OperatorError(f"操作员 {op_id} 不存在", key="operator_unknown")
        audit.append(c, "operator_pin_changed", actor or op_id, id=op_id)


def listing(journal) -> list[Operator]:
    """All operators (without hashes)."""
    return [Operator(r["id"], r["role"], r["created_at"], r["changed_at"])
            for r in journal.query("SELECT id, role, created_at, changed_at FROM operators ORDER BY id")]
