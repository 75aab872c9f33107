"""Keeping the till's operators, in the back office: adding cashiers, supervisors and admins, their PINs (the PIN
policy: 4-12 digits, no 1111, no 1234), who may change or stop whom (the roles' rank), disabling, the listing, and
signing in at the till. The table and the PIN check under the lockout that every guard asks are the journal's
(terminal/journal/operators.py); the PIN itself comes from the face (a screen, or cmdline/pins.py)."""
from __future__ import annotations

import re

from terminal.errors import OperatorError
from terminal.journal import audit
from terminal.journal.clock import now
from terminal.journal.operators import Operator, from_row, hash_pin, normal_pin, pin_matches, verify

ROLES = ("cashier", "supervisor", "admin")
RANK = {r: n for n, r in enumerate(ROLES)}  # nobody changes or stops a role above their own
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


def check_id(op_id: str) -> str:
    """An operator id: 1-32 letters, digits, `_ . -`."""
    if not _ID.match(op_id or ""):
        raise OperatorError(f"操作员编号无效：{op_id!r}（1-32 位字母、数字、_ . -）", key="operator_id")
    return op_id


def _is_run(pin: str) -> bool:
    """1234, 4321, 7890, 3210: each digit one more (or one less) than the one before, 9 and 0 adjacent."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:])}
    return steps in ({1}, {9})


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


def _row(journal, op_id: str) -> dict:
    rows = journal.query("SELECT * FROM operators WHERE id=?", (op_id,))
    if not rows:
        raise OperatorError(f"操作员 {op_id} 不存在", key="operator_unknown")
    return rows[0]


def known(journal, op_id: str) -> Operator:
    """The operator, or OperatorError (operator_unknown): asked before anyone types a PIN for them."""
    return from_row(_row(journal, op_id))


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


def listing(journal) -> list[Operator]:
    """All operators (without hashes), disabled ones too."""
    return [from_row(r) for r in journal.query("SELECT * FROM operators ORDER BY id")]
