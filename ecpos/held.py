"""Headless 挂单 / 取单 (terminal/sale/holds.py): `ecpos hold --items FILE` parks a bill (its lines' 追溯码 with it),
`ecpos held` lists the bills waiting, `ecpos recall N --out FILE` takes one back as an items file that
`ecpos settle --items FILE` settles. Held bills expire at the shift's close (`ecpos shift close`).
"""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import datetime

from cmdline.options import load_config, print_json
from ecpos.output import fail
from ecpos.till import signed_in
from terminal.sale.items import load_items
from terminal.errors import EcposError


def cmd_hold(args) -> int:
    """Park the bill of an items file (nothing goes to the platform)."""
    # why: the Counter and the sale's script (~0.1 s) only for these commands (every command imports this module)
    from terminal.counter import Counter
    from terminal.checkout import Checkout, held
    try:
        items = load_items(args.items)
    except EcposError as e:
        return fail(args, e)
    counter = Counter(load_config(args))
    try:
        counter.book_to(signed_in(counter.journal, args.cashier, counter.operator, purpose="hold"))
        sale = Checkout(counter)
        sale.bill(items)  # a 追溯码 sold already is refused here, as at settle
        hold_id = sale.hold()
        bill = next(h for h in held(counter) if h.id == hold_id)
    except EcposError as e:
        return fail(args, e)
    finally:
        counter.close()
    if args.json:
        print_json({"status": "held", **bill.to_json()})
    else:
        print(f"已挂单 #{hold_id}：{len(bill.items)} 行 {bill.amount:.2f} 元，追溯码 {bill.boxes} 个（取单：ecpos recall {hold_id}）")
    return 0


def cmd_held(args) -> int:
    """The bills waiting to be recalled, oldest first."""
    # why: the Counter and the sale's script (~0.1 s) only for these commands (every command imports this module)
    from terminal.counter import Counter
    from terminal.checkout import held
    counter = Counter(load_config(args))
    try:
        bills = held(counter)
    finally:
        counter.close()
    if args.json:
        print_json([b.to_json() for b in bills])
        return 0
    for b in bills:
        when = datetime.fromisoformat(b.created_at).astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"#{b.id:<4} {when}  {b.name_masked or '未识别'}  {len(b.items)} 行 {b.amount:.2f} 元  "
              f"追溯码 {b.boxes}  {b.operator}")
    if not bills:
        print("没有挂单", file=sys.stderr)
    return 0


def cmd_recall(args) -> int:
    """Take a held bill back: its items (with the 追溯码 still good) as the items file `ecpos settle --items`
    takes."""
    # why: the Counter and the sale's script (~0.1 s) only for these commands (every command imports this module)
    from terminal.counter import Counter
    from terminal.checkout import Checkout
    counter = Counter(load_config(args))
    try:
        counter.book_to(signed_in(counter.journal, args.cashier, counter.operator, purpose="recall"))
        sale = Checkout.recall(counter, args.hold_id)
    except EcposError as e:
        return fail(args, e)
    finally:
        counter.close()
    from terminal.checkout import bill_json  # why: as above
    codes = {line.index: tuple(line.codes) for line in sale.trace.lines}
    out = {"hold_id": args.hold_id, "lines": len(sale.items),
           "items": bill_json([replace(i, trace=codes.get(n, ())) for n, i in enumerate(sale.items, 1)]),
           "dropped": [{"code": c, "message": m} for c, m in sale.dropped]}
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as f:
                json.dump(out["items"], f, ensure_ascii=False, indent=1)
        except OSError as e:
            return fail(args, EcposError(f"无法写入 {args.out}：{e.strerror or e}；挂单 #{args.hold_id} 已取出，清单如下：\n"
                                         + json.dumps(out["items"], ensure_ascii=False), key="recall_write"))
    if args.json:
        print_json({"status": "recalled", **out, "out": args.out or ""})
    else:
        print(f"已取单 #{args.hold_id}：{len(sale.items)} 行"
              + (f"，清单已写入 {args.out}（ecpos settle --items {args.out}；参保人结算时出示医保码）" if args.out
                 else "\n" + json.dumps(out["items"], ensure_ascii=False)))
        for code, why in sale.dropped:
            print(f"  追溯码 {code} 未取回：{why}")
    return 0


def register(sub) -> None:
    """Add hold / held / recall to the `ecpos` parser."""
    p = sub.add_parser("hold", help="挂单: park a bill (items file) to serve the next customer")
    p.add_argument("--items", required=True, metavar="FILE", help='JSON [{"code","name","qty","price","trace"}] or CSV')
    p.add_argument("--cashier", metavar="ID", help="book to this cashier (PIN from ECPOS_PIN or a prompt)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_hold)

    p = sub.add_parser("held", help="the held bills (挂单) waiting to be recalled")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_held)

    p = sub.add_parser("recall", help="取单: take a held bill back as an items file for ecpos settle")
    p.add_argument("hold_id", type=int, metavar="N")
    p.add_argument("--out", metavar="FILE", help="write the bill here (JSON, as --items takes it)")
    p.add_argument("--cashier", metavar="ID",
                   help="who recalls it (PIN from ECPOS_PIN or a prompt); default [operator] id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_recall)
