"""What the counter's devices add to a sale (issue 25), on a journal with history.

    python bench/counter_devices.py [--history 5000] [--rounds 500]

Prints, per event, the median and 95th percentile of
- the customer display's work on the Counter's worker: facing.Follower.see for a settled cash sale (the sale
  row is given by the event; its tenders are read from the journal), the time a sale event holds the worker;
- the lines as they are scanned (facing.of_lines, 20 lines, on the GUI thread: no I/O);
- the cash drawer's rule after a cash sale (drawer.opens_after: the tenders read and the opening audited), on
  the worker;
- the pulse itself through a network printer on loopback (ReceiptPrinter.open_drawer: connect, 5 bytes,
  close), on the printing thread;
- the pole display's update (PoleDisplay.show over a pseudo-terminal, 48 bytes at 9600 baud: the wire time of
  a real port is ~50 ms on top, paid on the printing thread).
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(fn, rounds: int) -> tuple[float, float]:
    ms = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return statistics.median(ms), ms[int(len(ms) * 0.95) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--history", type=int, default=5000, help="self-paid cash sales already in the journal")
    ap.add_argument("--rounds", type=int, default=500)
    args = ap.parse_args()
    from drivers.pole_display import PoleDisplay, amounts
    from drivers.printer import ReceiptPrinter
    from terminal import config
    from terminal.sale import drawer, facing, selfpay, tender
    from terminal.counter import Counter
    from terminal.sale.items import Item
    from tests.conftest import write_toml

    items = [Item(f"X{n:04d}", f"药品{n}", Decimal(1), Decimal("12.50")) for n in range(20)]
    with tempfile.TemporaryDirectory() as tmp:
        sink = socket.socket()
        sink.bind(("127.0.0.1", 0))
        sink.listen(64)

        def drain():
            while True:
                try:
                    conn, _ = sink.accept()
                except OSError:
                    return
                with conn:
                    while conn.recv(4096):
                        pass
        threading.Thread(target=drain, daemon=True).start()
        layer = write_toml(Path(tmp) / "till.toml", {
            "center.url": "http://127.0.0.1:9", "printer.cash_drawer": True, "printer.kind": "network",
            "printer.target": f"127.0.0.1:{sink.getsockname()[1]}"})
        cfg = config.load(profile="pharmacy", config_file=layer, data_dir=Path(tmp) / "d", env={})
        with Counter(cfg) as c:
            cash = tender.cash(Decimal("250.00"), Decimal("300"))
            for _ in range(args.history):
                selfpay.record_sale(c.store, "pharmacy", "c1", items, cash)
            sale_id = selfpay.record_sale(c.store, "pharmacy", "c1", items, cash)
            sale = c.sale(sale_id)
            follow = facing.Follower(c)
            rows = [("Follower.see (worker, per sale event)", lambda: follow.see(sale)),
                    ("of_lines, 20 lines (GUI thread)", lambda: facing.of_lines(items)),
                    ("drawer.opens_after + audit (worker)", lambda: drawer.opens_after(cfg, c.journal, sale_id, "c1"))]
            printer = ReceiptPrinter(cfg)
            printer.open_drawer()  # python-escpos imported once, as the app does at start
            rows.append(("open_drawer, network printer on loopback (printing thread)", printer.open_drawer))
            master, slave = os.openpty()
            name = os.ttyname(slave)
            os.close(slave)
            pole = PoleDisplay(name)
            lines = amounts(Decimal("250.00"), Decimal("250.00"), Decimal("50.00"))

            def show():
                pole.show(*lines)
                os.read(master, 4096)
            rows.append(("PoleDisplay.show over a pty (printing thread)", show))
            print(f"journal: {args.history + 1} sales; {args.rounds} rounds each")
            for label, fn in rows:
                med, p95 = timed(fn, args.rounds)
                print(f"{label:<60} median {med:7.3f} ms   p95 {p95:7.3f} ms")
            pole.close()
            os.close(master)
        sink.close()


if __name__ == "__main__":
    main()
