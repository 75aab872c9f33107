"""`ecpos fleet serve`: the read-only page for the medical-insurance office and IT. Server-rendered (Jinja2);
the chart is Chart.js 4 (MIT, vendored from the npm package into fleet/static, so the page works without the
internet). Login: an operator of role admin or supervisor of this till's journal, with the PIN lockout the
counter uses; the session is an HMAC-signed cookie whose key lives only in this process."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from fleet import db, excel, labels, money, reports
from terminal.office import reports as till_reports
from terminal.errors import EcposError, OperatorError
from terminal.journal.journal import Journal
from terminal.journal.operators import check_pin_guarded

HERE = Path(__file__).parent
ROLES = ("admin", "supervisor")
SESSION_S = 8 * 3600
COOKIE = "ecpos_fleet"


class Sessions:
    """Signed cookies: "<op_id>|<expiry>|<hmac>"; nothing stored server-side, all void on restart."""

    def __init__(self):
        self._key = secrets.token_bytes(32)

    def issue(self, op_id: str) -> str:
        body = f"{op_id}|{int(time.time()) + SESSION_S}"
        return f"{body}|{hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()}"

    def who(self, token: str | None) -> str | None:
        """The operator of a valid, unexpired token, else None."""
        try:
            op_id, expiry, mac = (token or "").rsplit("|", 2)
        except ValueError:
            return None
        good = hmac.new(self._key, f"{op_id}|{expiry}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, mac) or int(expiry) < time.time():
            return None
        return op_id


def check_login(cfg, op_id: str, pin: str) -> None:
    """An admin or supervisor of this till with the right PIN (lockout and audit as at the counter)."""
    journal = Journal.for_config(cfg)
    try:
        rows = journal.query("SELECT * FROM operators WHERE id=?", (op_id,))
        ok = bool(rows) and rows[0]["role"] in ROLES and check_pin_guarded(
            journal, op_id, pin, rows[0], purpose="fleet_page") is None
        journal.audit("fleet_login" if ok else "fleet_login_refused", op_id)
    finally:
        journal.close()
    if not ok:
        raise OperatorError("工号或密码错误，或不是管理员/主管", key="fleet_login_refused")


def chart_data(st: reports.FleetStats, tills: list[str]) -> dict:
    """Per day: the institution's rate and each till's, as fleet stats rounds them (rows summed per day)."""
    per: dict[tuple, dict] = defaultdict(lambda: {"01": 0, "02": 0, "03": 0})
    days = sorted({r["day"] for r in st.rows})
    for r in st.rows:
        for key in ((r["day"], ""), (r["day"], r["till"])):
            c = per[key]
            c["01"] += r["ec_01"]
            c["02"] += r["idcard_02"]
            c["03"] += r["sscard_03"]

    def rate(day: str, till: str):
        c = per.get((day, till))
        return float(till_reports._row(day, "", c, st.target)["ec_rate"]) if c else None

    return {"days": days, "target": float(st.target),
            "institution": [rate(d, "") for d in days],
            "tills": {t: [rate(d, t) for d in days] for t in tills}}


def create_app(cfg, dsn: str) -> FastAPI:
    """The page's app for this configuration and fleet database."""
    app = FastAPI(title="ecpos fleet", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.filters["local"] = money.local_text  # a UTC timestamp as the office's clock shows it
    sessions = Sessions()
    target = Decimal(cfg.report.ec_rate_target)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, error: str = ""):
        return pages.TemplateResponse(request, "login.html", {"error": error})

    @app.post("/login")
    def login(request: Request, op_id: str = Form(""), pin: str = Form("")):
        try:
            check_login(cfg, op_id.strip(), pin)
        except EcposError as e:
            return pages.TemplateResponse(request, "login.html", {"error": e.message}, status_code=401)
        r = RedirectResponse("/", status_code=303)
        r.set_cookie(COOKIE, sessions.issue(op_id.strip()), max_age=SESSION_S, httponly=True, samesite="strict")
        return r

    @app.post("/logout")
    def logout():
        r = RedirectResponse("/login", status_code=303)
        r.delete_cookie(COOKIE)
        return r

    def pg():
        return db.connect(db.dsn_of(cfg, dsn), statement_timeout_ms=10000)

    def failed(request: Request, who: str, e: EcposError) -> Response:
        return pages.TemplateResponse(request, "error.html", {"who": who, "error": e},
                                      status_code=400 if e.exit_code == 2 else 503)

    @app.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, frm: str = "", to: str = "", day: str = "") -> Response:
        who = sessions.who(request.cookies.get(COOKIE))
        if not who:
            return RedirectResponse("/login", status_code=303)
        today = date.today()
        to = to or today.isoformat()
        frm = frm or (today - timedelta(days=13)).isoformat()
        day = day or today.isoformat()
        try:
            with pg() as conn:  # the database only: the page never waits on the platform
                st = reports.stats(conn, frm, to, target)
                m = money.day(conn, day, target, "收款日期")
                tills = reports.status(conn)
                groups, _ = reports.day_totals(conn, m.date)
                recs = reports.reconciliations(conn, min(st.frm, m.date), max(st.to, m.date))
        except EcposError as e:
            return failed(request, who, e)
        rec_rows, mismatches = reports.reconcile_rows(recs)
        return pages.TemplateResponse(request, "dashboard.html", {
            "who": who, "frm": st.frm, "to": st.to, "day": m.date, "stats": st, "tills": tills,
            "day_before": (date.fromisoformat(m.date) - timedelta(days=1)).isoformat(),
            "day_after": (date.fromisoformat(m.date) + timedelta(days=1)).isoformat(),
            "chart": chart_data(st, [t.till for t in tills]), "money": m, "M": money, "labels": labels,
            "pct": lambda r: till_reports.percent(r) + "%", "target_pct": till_reports.percent(target, None) + "%",
            "stale": [t for t in tills if not t.pushing],
            "unknown": [t for t in tills if t.unknown_outcomes or t.queued_refunds],
            "groups": sorted(groups.items()), "rec_columns": reports.RECONCILE_COLUMNS, "rec_rows": rec_rows,
            "mismatch_columns": reports.MISMATCH_COLUMNS, "mismatches": mismatches,
            "reconciled_day": any(r["date"] == m.date for r in recs)})

    @app.get("/export.xlsx")
    def export(request: Request, day: str = "") -> Response:
        """The day as an Excel workbook: what `ecpos fleet money --date D --xlsx FILE` writes."""
        who = sessions.who(request.cookies.get(COOKIE))
        if not who:
            return RedirectResponse("/login", status_code=303)
        try:
            with pg() as conn:
                m = money.day(conn, day or date.today().isoformat(), target, "收款日期")
                recs = reports.reconciliations(conn, m.date, m.date)
        except EcposError as e:
            return failed(request, who, e)
        return Response(excel.workbook(m, recs),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="ecpos-{m.date}.xlsx"'})

    return app
