"""Drug traceability codes (药品追溯码) at the counter: which bill line each scanned box belongs to, how many
are still to scan, and whether the bill may be settled without the missing ones ([trace] required).

One code per box: a line of 3 boxes takes 3 codes; a 拆零 line (part of a box: a fractional quantity) takes
one. Only drugs with codes take them ([trace] coded: 西药 X and 中成药 Z in the national codes); 中药饮片 (T),
services and consumables take none. A code whose first
7 digits (the 药品标识码) are not among its drug's known prefixes ([trace] products) is kept but flagged. A code
already sold (this till's journal, or refused by the platform) is refused at once: `sold` answers that.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable

from terminal.codes import trace_code
from terminal.errors import ConfigError, EcposError
from terminal.wire import channels

PREFIX = 7  # 药品标识码: the product part of a 追溯码


class TraceError(EcposError):
    """A scanned 追溯码 cannot go on the bill; the message says why and what to do."""

    key = "trace_refused"
    exit_code = 2


@dataclass(frozen=True)
class TraceRules:
    """The [trace] settings, read once."""

    required: bool = False
    report: str = "3505"  # 3505 | 3505A | settlement
    coded: tuple[str, ...] = ("X", "Z")
    products: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, cfg) -> "TraceRules":
        """Rules from cfg.trace (defaults when the section is absent)."""
        t = getattr(cfg, "trace", None)
        if t is None:
            return cls()
        products: dict[str, frozenset[str]] = {}
        for raw in t.products:
            code, sep, prefixes = str(raw).partition(":")
            found = frozenset(p.strip() for p in prefixes.split(",") if p.strip())
            if not sep or not code.strip() or not found or any(len(p) != PREFIX or not p.isdigit() for p in found):
                raise ConfigError(f"[trace] products: {raw!r} 应为 \"医保目录编码:7位药品标识码[,7位药品标识码]\"",
                                  key="trace_products")
            products[code.strip()] = found
        return cls(bool(t.required), _report(cfg, str(t.report)), tuple(t.coded), products)

    def expected(self, code: str, qty: Decimal) -> int:
        """How many codes a line takes: 0 for items without codes, 1 for 拆零, else one per box."""
        if not any(code.startswith(p) for p in self.coded if p):
            return 0
        return 1 if trdn(qty) else max(int(qty), 0)


def _report(cfg, default: str) -> str:
    """How codes travel: the channel file's `trace_report` when its province fixes it, else [trace] report."""
    name = getattr(getattr(cfg, "center", None), "channel", "national")
    report = str(channels.load(name).option("trace_report", default))
    if report not in ("3505", "3505A", "settlement"):
        raise ConfigError(f"配置有误：config/channels/{name}.toml trace_report = {report!r}；可用：3505, 3505A, "
                          "settlement", key="config_channel")
    return report


def trdn(qty: Decimal) -> bool:
    """拆零: part of a box is sold (a fractional quantity of boxes)."""
    qty = Decimal(qty)
    return qty != qty.to_integral_value()


@dataclass
class TraceLine:
    """One bill line's codes; `index` is its 1-based place on the bill (feedetl_sn's sequence)."""

    index: int
    code: str
    name: str
    qty: Decimal
    expected: int
    prefixes: frozenset[str] = frozenset()
    codes: list[str] = field(default_factory=list)
    flagged: set[str] = field(default_factory=set)  # codes whose product prefix does not fit

    @property
    def missing(self) -> int:
        """Boxes of this line still to scan."""
        return max(self.expected - len(self.codes), 0)

    @property
    def trdn_flag(self) -> str:
        return "1" if trdn(self.qty) else "0"

    def fits(self, code: str) -> bool | None:
        """Whether the code's 药品标识码 is this drug's; None when the drug's prefixes are not known."""
        return code[:PREFIX] in self.prefixes if self.prefixes else None


class TraceBill:
    """The codes scanned for one bill. `sold(code)` says where a code was sold already (or None)."""

    def __init__(self, items: Iterable, rules: TraceRules, sold: Callable[[str], str | None] = lambda c: None):
        self.rules = rules
        self._sold = sold
        self.lines = [TraceLine(n, i.code, i.name, i.qty, rules.expected(i.code, i.qty),
                                rules.products.get(i.code, frozenset())) for n, i in enumerate(items, 1)]
        self._order: list[str] = []  # the codes as they were scanned, for undo_last

    @property
    def missing(self) -> int:
        """Boxes still to scan on the whole bill."""
        return sum(line.missing for line in self.lines)

    @property
    def codes(self) -> list[str]:
        return [c for line in self.lines for c in line.codes]

    def line_of(self, code: str) -> TraceLine | None:
        return next((line for line in self.lines if code in line.codes), None)

    def scan(self, text: str, line: int | None = None) -> TraceLine:
        """Put a scanned box on a line (the given one, else the line its product fits, else the first still
        missing codes); raises TraceError when it cannot go on the bill."""
        code = trace_code(text)
        if code is None:
            raise TraceError(f"不是药品追溯码（应为药盒条码上的 20 位数字）：{str(text).strip()[:40]}",
                             key="trace_not_a_code")
        held = self.line_of(code)
        if held is not None:
            raise TraceError(f"追溯码 {code} 已扫入第 {held.index} 行（{held.name}），同一盒药只扫一次",
                             key="trace_twice_on_bill")
        where = self._sold(code)
        if where:
            raise TraceError(f"追溯码 {code} {where}，同一盒药不能再次销售；请核对药盒", key="trace_already_sold")
        target = self._place(code, line)
        if target.fits(code) is False:
            target.flagged.add(code)
        target.codes.append(code)
        self._order.append(code)
        return target

    def _place(self, code: str, line: int | None) -> TraceLine:
        if line is not None:
            if not 1 <= line <= len(self.lines):
                raise TraceError(f"账单没有第 {line} 行", key="trace_no_line")
            target = self.lines[line - 1]
            if target.expected == 0:
                raise TraceError(f"第 {line} 行（{target.name}）无需追溯码（如中药饮片），不必扫码",
                                 key="trace_not_needed")
            if not target.missing:
                raise TraceError(f"第 {line} 行（{target.name}）的 {target.expected} 个追溯码已扫齐",
                                 key="trace_line_full")
            return target
        open_lines = [ln for ln in self.lines if ln.missing]
        if not open_lines:
            raise TraceError("本单药品的追溯码已全部扫齐；多出的药盒不在账单上，请核对", key="trace_bill_full")
        return (next((ln for ln in open_lines if ln.fits(code)), None)
                or next((ln for ln in open_lines if ln.fits(code) is None), None)
                or open_lines[0])

    def carry(self, old: "TraceBill") -> list[str]:
        """Take over an earlier bill's codes for lines still on this one (the bill was edited), up to each
        line's count now; returns the codes that no longer have a place (a line removed or lowered)."""
        dropped = []
        for was in old.lines:
            line = next((ln for ln in self.lines if ln.code == was.code), None)
            for code in was.codes:
                if line is not None and line.missing:
                    line.codes.append(code)
                    self._order.append(code)
                    if code in was.flagged:
                        line.flagged.add(code)
                else:
                    dropped.append(code)
        return dropped

    def remove(self, code: str) -> None:
        """Take a code off the bill (the cashier scanned the wrong box)."""
        line = self.line_of(code)
        if line is not None:
            line.codes.remove(code)
            line.flagged.discard(code)

    def undo_last(self) -> tuple[TraceLine, str] | None:
        """Take the box scanned last off the bill (the wrong box, noticed at once); returns its line and code,
        None when no code is on the bill."""
        while self._order:
            code = self._order.pop()
            line = self.line_of(code)
            if line is not None:
                self.remove(code)
                return line, code
        return None

    def check(self) -> None:
        """Raise TraceError naming the lines still missing codes when [trace] required is on."""
        if not self.rules.required or not self.missing:
            return
        short = "；".join(f"第 {ln.index} 行 {ln.name} 还差 {ln.missing} 盒" for ln in self.lines if ln.missing)
        raise TraceError(f"药品追溯码未扫齐（{short}），请逐盒扫码后再结算", key="trace_missing")

    def summary(self) -> list[dict]:
        """Per line: what was scanned and what is missing (for --json and the screen)."""
        return [{"line": ln.index, "med_list_codg": ln.code, "expected": ln.expected, "missing": ln.missing,
                 "trace": list(ln.codes), "flagged": sorted(ln.flagged)} for ln in self.lines]


def collection(items: list[dict], codes: list[dict], rules: TraceRules) -> dict[str, int]:
    """One sale's 追溯码 collection: boxes that take a code, boxes scanned (at most one code a box), and its
    codes by report state (reported / pending / refused). `items` as journaled, `codes` its trace_codes rows."""
    per_line: dict[int, int] = {}
    out = {"boxes": 0, "boxes_coded": 0, "codes_reported": 0, "codes_pending": 0, "codes_refused": 0}
    for c in codes:
        if c["status"] == "void":
            continue
        per_line[c["line"]] = per_line.get(c["line"], 0) + 1
        key = {"reported": "codes_reported", "returned": "codes_reported", "refused": "codes_refused"}
        out[key.get(c["status"], "codes_pending")] += 1
    for n, item in enumerate(items, 1):
        want = rules.expected(str(item.get("code", "")), Decimal(str(item.get("qty", "0"))))
        out["boxes"] += want
        out["boxes_coded"] += min(per_line.get(n, 0), want)
    return out
