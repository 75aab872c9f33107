"""The fleet database's schema as numbered migrations; `ecpos fleet init` applies the missing ones in order.

A migration is never edited once released: a change is a new entry at the end. Each replicated row keeps the
till's row as JSON (data, so new journal columns need no migration), the columns the reports group and sum
on, its version (the till's replication seq of the change pushed) and a digest of data (fleet verify).
"""
from __future__ import annotations

import psycopg

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "tills and their replicated rows", """
CREATE TABLE tills (
    till text PRIMARY KEY,
    fixmedins_code text NOT NULL,
    msgid_node integer NOT NULL,
    profile text NOT NULL,
    pushed_seq bigint NOT NULL DEFAULT 0,     -- the till's last replication seq stored here: the push cursor
    first_push timestamptz NOT NULL DEFAULT now(),
    last_push timestamptz,
    queue integer NOT NULL DEFAULT 0,         -- changes still waiting on the till after its last push
    chain_seq bigint NOT NULL DEFAULT 0,      -- the till's audit chain head
    chain_hash text NOT NULL DEFAULT '',
    chain_algo text NOT NULL DEFAULT ''
);
CREATE TABLE sales (
    till text NOT NULL REFERENCES tills,
    id bigint NOT NULL,
    version bigint NOT NULL,
    digest text NOT NULL,
    data jsonb NOT NULL,
    profile text NOT NULL,
    opter text NOT NULL,
    day date NOT NULL,
    status text NOT NULL,
    mdtrt_cert_type text NOT NULL,
    setl_id text NOT NULL,
    setl_day date,
    insutype text NOT NULL,
    insuplc_admdvs text NOT NULL,
    medfee_sumamt numeric(14, 2) NOT NULL,
    fund_pay_sumamt numeric(14, 2) NOT NULL,
    acct_pay numeric(14, 2) NOT NULL,
    psn_cash_pay numeric(14, 2) NOT NULL,
    PRIMARY KEY (till, id)
);
-- fleet stats: an index-only scan of a date range
CREATE INDEX sales_stats ON sales (day, status, till, opter, mdtrt_cert_type);
-- fleet reconcile: the settlements of one day
CREATE INDEX sales_setl_day ON sales (setl_day);
-- fleet status: outcomes still unknown
CREATE INDEX sales_unknown ON sales (till) WHERE status IN ('unknown', 'pending');
CREATE TABLE refunds (
    till text NOT NULL REFERENCES tills,
    id bigint NOT NULL,
    version bigint NOT NULL,
    digest text NOT NULL,
    data jsonb NOT NULL,
    sale_id bigint NOT NULL,
    setl_id text NOT NULL,
    status text NOT NULL,
    msgid text NOT NULL,
    setl_day date,
    PRIMARY KEY (till, id)
);
CREATE INDEX refunds_setl_day ON refunds (setl_day) WHERE status = 'refunded';
CREATE INDEX refunds_unknown ON refunds (till) WHERE status IN ('unknown', 'queued');
CREATE TABLE outbox (
    till text NOT NULL REFERENCES tills,
    seq bigint NOT NULL,
    version bigint NOT NULL,
    digest text NOT NULL,
    data jsonb NOT NULL,
    kind text NOT NULL,
    done boolean NOT NULL,
    PRIMARY KEY (till, seq)
);
CREATE TABLE operators (
    till text NOT NULL REFERENCES tills,
    id text NOT NULL,
    version bigint NOT NULL,
    digest text NOT NULL,
    data jsonb NOT NULL,
    role text NOT NULL,
    PRIMARY KEY (till, id)
);
CREATE TABLE reconciliations (
    id bigserial PRIMARY KEY,
    date date NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    till text NOT NULL,                       -- the till that asked the platform
    status text NOT NULL,
    result jsonb NOT NULL
);
CREATE INDEX reconciliations_date ON reconciliations (date, at);
"""),
]

# Statuses of a settlement that happened (terminal.office.reports.STOOD): what the rate counts.
_STOOD = "('settled', 'refund_queued', 'refunded')"

# sales_daily from scratch (migration 2 over rows pushed before it; bench/fleet.py after a bulk load).
REBUILD_DAILY = f"""
DELETE FROM sales_daily;
INSERT INTO sales_daily (day, till, opter, cert, n)
SELECT day, till, opter, mdtrt_cert_type, count(*) FROM sales WHERE status IN {_STOOD} GROUP BY 1, 2, 3, 4;
"""

MIGRATIONS.append((2, "sales_daily: settlements per day, till, operator and credential type", f"""
-- fleet stats reads this instead of the sales (a million sales are ~20,000 rows here); a trigger keeps it
-- in step with every pushed change, in the push's own transaction. One till's pusher touches only its own
-- rows, so tills never wait on each other here.
CREATE TABLE sales_daily (
    day date NOT NULL,
    till text NOT NULL,
    opter text NOT NULL,
    cert text NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (day, till, opter, cert)
);
CREATE FUNCTION sales_daily_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status IN {_STOOD} THEN
        UPDATE sales_daily SET n = n - 1
        WHERE day = OLD.day AND till = OLD.till AND opter = OLD.opter AND cert = OLD.mdtrt_cert_type;
    END IF;
    IF NEW.status IN {_STOOD} THEN
        INSERT INTO sales_daily VALUES (NEW.day, NEW.till, NEW.opter, NEW.mdtrt_cert_type, 1)
        ON CONFLICT (day, till, opter, cert) DO UPDATE SET n = sales_daily.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sales_daily AFTER INSERT OR UPDATE ON sales FOR EACH ROW EXECUTE FUNCTION sales_daily_count();
DROP INDEX sales_stats;  -- stats no longer scans the sales
{REBUILD_DAILY}
"""))

MIGRATIONS.append((3, "shifts and tenders: the manager's money per till and cashier", """
-- A till's shifts (float, counted cash, the closing report) and tenders (how the self-pay part was paid, and
-- cash handed back on refunds), so the page can say per till and cashier what was taken and what the drawer
-- should hold. Refunds keep amount, cashier and supervisor in data (no column needed to list a day's).
CREATE TABLE shifts (
    till text NOT NULL REFERENCES tills,
    id bigint NOT NULL,
    version bigint NOT NULL,
    digest text NOT NULL,
    data jsonb NOT NULL,
    opened_by text NOT NULL,
    PRIMARY KEY (till, id)
);
CREATE TABLE tenders (
    till text NOT NULL REFERENCES tills,
    id bigint NOT NULL,
    version bigint NOT NULL,
    digest text NOT NULL,
    data jsonb NOT NULL,
    sale_id bigint NOT NULL,
    refund_id bigint,
    method text NOT NULL,
    amount numeric(14, 2) NOT NULL,
    operator text NOT NULL,
    PRIMARY KEY (till, id)
);
CREATE INDEX tenders_sale ON tenders (till, sale_id);
-- the money of a day (fleet money): its sales (self-paid ones too), refunds taken and shifts opened
CREATE INDEX sales_day ON sales (day);
CREATE INDEX refunds_created ON refunds ((data->>'created_at'));
CREATE INDEX shifts_opened ON shifts ((data->>'opened_at'));
"""))

MIGRATIONS.append((4, "discounts: the 整单折扣 / 抹零 a supervisor gave on a sale's cash part", """
-- What the tenders of a sale did not have to pay (the platform's figures are unchanged), so the page counts
-- it as given, by whom, not as 未登记支付方式.
CREATE TABLE adjustments (
    till text NOT NULL REFERENCES tills,
    id bigint NOT NULL,
    version bigint NOT NULL,
    digest text NOT NULL,
    data jsonb NOT NULL,
    sale_id bigint NOT NULL,
    given numeric(14, 2) NOT NULL,
    authorized_by text NOT NULL,
    PRIMARY KEY (till, id)
);
CREATE INDEX adjustments_sale ON adjustments (till, sale_id);
"""))

LATEST = MIGRATIONS[-1][0]


def migrate(conn: psycopg.Connection) -> list[int]:
    """Apply the migrations this database lacks, each in its own transaction; returns the versions applied.
    An advisory lock keeps two `fleet init` from applying the same one twice."""
    applied = []
    with conn.transaction():
        conn.execute("CREATE TABLE IF NOT EXISTS fleet_migrations (version integer PRIMARY KEY, "
                     "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
    for version, name, sql in MIGRATIONS:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(7201501)")
            if conn.execute("SELECT 1 FROM fleet_migrations WHERE version=%s", (version,)).fetchone():
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO fleet_migrations(version, name) VALUES (%s, %s)", (version, name))
            applied.append(version)
    return applied


def version(conn: psycopg.Connection) -> int:
    """The schema version of this database (0: never initialised)."""
    if not conn.execute("SELECT to_regclass('fleet_migrations')").fetchone()[0]:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM fleet_migrations").fetchone()[0]
