"""PostgreSQL connections for the fleet: the DSN from --dsn, ECPOS_FLEET_DSN or [fleet] dsn, never logged
with its password; short timeouts so a slow or absent server fails a push quickly instead of hanging it."""
from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict

from terminal.errors import EcposError


class FleetError(EcposError):
    """The fleet database is not configured (exit 2) or cannot be reached (exit 3)."""

    key = "fleet_error"
    exit_code = 3

    def __init__(self, message: str, *, exit_code: int = 3, **kw):
        super().__init__(message, **kw)
        self.exit_code = exit_code


def dsn_of(cfg, override: str | None = None) -> str:
    """The DSN to use: --dsn, else [fleet] dsn (ECPOS_FLEET_DSN overrides it in the config)."""
    dsn = override or cfg.fleet.dsn
    if not dsn:
        raise FleetError("未配置机构数据库：请在配置 [fleet] dsn 或环境变量 ECPOS_FLEET_DSN 中填写 PostgreSQL 连接串，"
                         "或用 --dsn 指定", key="fleet_not_configured", exit_code=2)
    return dsn


def safe(dsn: str) -> str:
    """The DSN as it may be shown or logged: host, port and database, never the password."""
    try:
        d = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "(连接串格式错误)"
    return f"{d.get('user', '')}@{d.get('host', 'localhost')}:{d.get('port', '5432')}/{d.get('dbname', '')}"


def connect(dsn: str, *, statement_timeout_ms: int = 30000, connect_timeout_s: int = 5) -> psycopg.Connection:
    """A connection with bounded waits; a failure names the server (without the password) and what to do."""
    try:
        return psycopg.connect(dsn, connect_timeout=connect_timeout_s,
                               options=f"-c statement_timeout={statement_timeout_ms}",
                               application_name="ecpos-fleet")
    except psycopg.ProgrammingError:
        raise FleetError("机构数据库连接串格式错误；请检查 [fleet] dsn / ECPOS_FLEET_DSN（形如 "
                         "postgresql://用户@主机/库名）", key="fleet_dsn_invalid", exit_code=2) from None
    except psycopg.OperationalError as e:
        raise FleetError(f"无法连接机构数据库 {safe(dsn)}：本机交易不受影响，稍后自动重试；请检查网络和数据库服务",
                         key="fleet_unreachable", detail=_first_line(e, dsn)) from None


def _first_line(e: Exception, dsn: str) -> str:
    """The driver's reason, one line, with the password scrubbed should it appear."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    try:
        pw = conninfo_to_dict(dsn).get("password")
    except psycopg.ProgrammingError:
        pw = None
    return text.replace(pw, "***") if pw else text
