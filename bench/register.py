"""专册登记 benchmark: what the pharmacy rules add to a sale, and reading a busy day's register.

    python bench/register.py [--sales 1000] [--rounds 2000]

On a fresh offline pharmacy journal: times Checkout.check_rules on a two-line bill with a lot and a registered
drug (every F5 / F4 runs it on the worker), then `--sales` self-paid sales of a registered drug, each with its
register rows written in their own durable transaction (what confirm adds before the settlement is sent), and
finally the day's register as `ecpos register` and the supervisor's screen read it. Prints median / p95 / max.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from terminal import config  # noqa: E402
from terminal.sale import drug_register, tender
from terminal.checkout import Checkout  # noqa: E402
from terminal.counter import Counter  # noqa: E402
from terminal.sale.items import Item  # noqa: E402

EPHEDRINE = "XR05XAA123A001010100321"
LOT = {"manu_lotnum": "EPH2401", "manu_date": "2024-01-10",
       "expy_end": (date.today() + timedelta(days=500)).isoformat()}


def stats(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"median {statistics.median(ms):.3f} ms, p95 {ms[int(len(ms) * 0.95) - 1]:.3f} ms, max {ms[-1]:.3f} ms"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        layer = Path(tmp) / "p.toml"
        layer.write_text(f'[catalogue]\nregistered = ["{EPHEDRINE}"]\n', encoding="utf-8")
        cfg = config.load(profile="pharmacy", config_file=layer, data_dir=Path(tmp) / "d",
                          center_url="http://127.0.0.1:9", env={})
        bill = [Item(EPHEDRINE, "复方盐酸伪麻黄碱缓释胶囊", Decimal(2), Decimal("18.50"), **LOT),
                Item("XJ01CAA040A001010100007", "阿莫西林胶囊", Decimal(1), Decimal("12.50"), **LOT)]
        with Counter(cfg) as c:
            sale = Checkout(c)
            sale.items, sale.buyer = bill, drug_register.buyer("330102199001011234", "张三")
            checks = []
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                sale.check_rules()
                checks.append((time.perf_counter() - t0) * 1000)
            print(f"check_rules (2 lines, {args.rounds} rounds): {stats(checks)}")
            writes = []
            for _ in range(args.sales):
                sale_id = c.self_pay(bill[:1], tender.cash(Decimal("37.00"), Decimal("40")))
                t0 = time.perf_counter()
                drug_register.record(c.journal, cfg, sale_id, bill[:1], sale.buyer, c.operator)
                writes.append((time.perf_counter() - t0) * 1000)
            print(f"register rows written per sale ({args.sales} sales, durable): {stats(writes)}")
            day = c.journal.sale(sale_id)["day"]
            reads = []
            for _ in range(5):
                t0 = time.perf_counter()
                rows = drug_register.report(c.journal, cfg, day)
                reads.append((time.perf_counter() - t0) * 1000)
            print(f"the day's register ({len(rows)} rows, 5 reads): {stats(reads)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
