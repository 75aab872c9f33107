"""Catalogue benchmark: import a generated pharmacy list and search it the ways a cashier types.

    python bench/catalogue.py [--items 10000] [--seed 1] [--rounds 50]

Writes a CSV of `--items` drugs (names built from common Chinese drug-name parts, EAN-13 barcodes with
their check digit, no 拼音 column so pypinyin makes the initials), imports it into a fresh journal, then times
Catalogue.search for each kind of query (拼音 initials prefix, part of a name, a code, a barcode, one letter,
no match). Prints the import time, median / p95 / max ms per kind, and checks the goal: every search of
10,000 items under 50 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from terminal import config  # noqa: E402
from terminal.office import pricelist
from terminal.sale import catalogue
from terminal.sale.items import Catalogue  # noqa: E402
from terminal.journal.journal import Journal  # noqa: E402

HEADS = "阿莫西林 头孢克肟 布洛芬 对乙酰氨基酚 奥美拉唑 氯雷他定 蒙脱石 复方甘草 维生素 板蓝根 连花清瘟 二甲双胍 " \
        "硝苯地平 阿托伐他汀 氨溴索 右美沙芬 小儿感冒 六味地黄 藿香正气 银黄".split()
FORMS = "胶囊 片 颗粒 口服液 缓释片 肠溶片 分散片 糖浆 滴丸 软膏".split()
SPECS = "0.25g*24粒 0.5g*12片 10ml*6支 100片 20mg*14粒 5g*10袋".split()
GOAL_MS = 50.0


def ean13(rng: random.Random) -> str:
    body = "69" + "".join(rng.choice("0123456789") for _ in range(10))
    s = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - s % 10) % 10)


def make_csv(path: Path, n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """The CSV file; returns (code, name, barcode) per row for the queries."""
    rows = []
    with path.open("w", encoding="utf-8") as f:
        f.write("医保编码,名称,规格,单价,条码\n")
        for i in range(n):
            code = f"X{rng.choice('ABCDJR')}{i:05d}{rng.randrange(10**15):015d}"
            name = f"{rng.choice(HEADS)}{rng.choice(FORMS)}{'' if i % 3 else f'({i % 97})'}"
            barcode = ean13(rng)
            f.write(f"{code},{name},{rng.choice(SPECS)},{rng.randrange(100, 99999) / 100:.2f},{barcode}\n")
            rows.append((code, name, barcode))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=50)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as d:
        cfg = config.load(profile="pharmacy", data_dir=Path(d) / "data", center_url="http://127.0.0.1:9", env={})
        rows = make_csv(Path(d) / "cat.csv", args.items, rng)
        journal = Journal.for_config(cfg)
        t0 = time.perf_counter()
        added, _ = pricelist.import_file(journal, Path(d) / "cat.csv")
        t_import = time.perf_counter() - t0
        t0 = time.perf_counter()
        cat = Catalogue(catalogue.load_catalogue(cfg, journal))
        t_load = time.perf_counter() - t0
        journal.close()
    kinds = {
        "initials": lambda r: catalogue.initials_of(r[1])[:3].lower(),
        "name part": lambda r: r[1][1:4],
        "code": lambda r: r[0],
        "barcode": lambda r: r[2],
        "one letter": lambda r: "b",
        "no match": lambda r: "qqqqzz",
    }
    print(f"catalogue: {added} items imported in {t_import * 1000:.0f} ms (pinyin initials made), "
          f"loaded + indexed in {t_load * 1000:.0f} ms; {len(cat)} searchable")
    worst = 0.0
    for kind, query_of in kinds.items():
        times, hits = [], 0
        for _ in range(args.rounds):
            q = query_of(rng.choice(rows))
            t0 = time.perf_counter()
            found = cat.search(q)
            times.append((time.perf_counter() - t0) * 1000)
            hits += bool(found)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        worst = max(worst, times[-1])
        print(f"  {kind:<10} median {statistics.median(times):6.2f} ms  p95 {p95:6.2f} ms  max {times[-1]:6.2f} ms"
              f"  ({hits}/{args.rounds} found)")
    ok = worst < GOAL_MS
    print(f"goal: every search of {len(cat)} items < {GOAL_MS:.0f} ms: {'met' if ok else 'NOT met'} "
          f"(worst {worst:.2f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
