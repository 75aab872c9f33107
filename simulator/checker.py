"""The reference service as a checker: each request against the per-transaction schema in simulator/schema/.

A request that breaks the schema is refused with infcode -1 and an err_msg naming the field, as the real
platform does, before any handler sees it: a required field missing, a node of the wrong shape, a value of the
wrong kind, a number or date that cannot be read. What a platform was not seen to refuse is only warned of
(warn_msg, `warnings`): fields a closed node does not hold, values outside a dictionary, too long, or with too
many places. Live platforms took requests carrying such things (the Zhejiang harness's 2203A with vali_flag
"01" and extra mdtrtinfo fields, tests/conformance/test_accepted.py), so refusing them would make this service
stricter than a platform (and, like an envelope fault, nothing is stored: the same msgid may
be sent again once fixed). The schema is data (national.toml, and a channel's own file layered on it); this
module only reads it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

SCHEMA_DIR = Path(__file__).with_name("schema")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    size: str
    required: bool
    dictionary: str
    label: str


@dataclass(frozen=True)
class Node:
    name: str
    shape: str = "object"
    required: bool = True
    closed: bool = False
    fields: tuple[Field, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


@dataclass(frozen=True)
class Schema:
    """One channel's reading: the envelope, each transaction's input nodes, the dictionaries."""

    channel: str
    envelope: Node
    transactions: dict[str, tuple[Node, ...]]
    dictionaries: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _field(spec: str) -> Field:
    parts = spec.split()
    name, type_, size, req = parts[:4]
    rest = parts[4:]
    dictionary = rest.pop(0)[1:] if rest and rest[0].startswith("@") else ""
    return Field(name, type_, size, req == "Y", dictionary, " ".join(rest) or name)


def _node(name: str, data: dict) -> Node:
    return Node(name, data.get("shape", "object"), bool(data.get("required", True)), bool(data.get("closed", False)),
                tuple(_field(s) for s in data.get("fields", ())))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


class SchemaError(ValueError):
    """A schema file that is not UTF-8 or not TOML: the service cannot check requests against it."""


def read_toml(path: Path) -> dict:
    """A schema file; SchemaError naming it when it is damaged (a byte that is not UTF-8, a TOML error)."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise SchemaError(f"{path}: byte {e.start + 1} is not UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise SchemaError(f"{path}: {e}") from None


@lru_cache(maxsize=8)
def load(channel: str = "national") -> Schema:
    """The schema of a channel: national.toml, with <channel>.toml's [schema] table layered on top."""
    data = read_toml(SCHEMA_DIR / "national.toml")
    if channel != "national":
        path = SCHEMA_DIR / f"{channel}.toml"
        if not path.is_file():
            raise ValueError(f"no schema for channel {channel!r} in {SCHEMA_DIR}")
        data = _merge(data, read_toml(path))
    txs: dict[str, tuple[Node, ...]] = {}
    raw = data.get("tx", {})
    for infno, nodes in raw.items():
        if "like" in nodes:  # e.g. 2102 = 2101's nodes
            nodes = _merge(raw[nodes["like"]], {k: v for k, v in nodes.items() if k != "like"})
        txs[infno] = tuple(_node(n, d) for n, d in nodes.items() if isinstance(d, dict))
    return Schema(channel, _node("envelope", data["envelope"]), txs,
                  {k: tuple(v) for k, v in data.get("dict", {}).items()})


def check(schema: Schema, env: Any, infno: str | None = None) -> str:
    """The first way `env` breaks the schema as the platform's err_msg, or "" when it conforms.
    `infno` is the national transaction the request stands for (a channel may send another number)."""
    if not isinstance(env, dict):
        return "请求报文格式错误"
    problem = _check_row(schema, schema.envelope, env, "")
    if problem:
        return problem
    nodes = schema.transactions.get(infno or str(env.get("infno")))
    if nodes is None:
        return ""  # a transaction the schema does not cover is checked by its handler only
    inp = env.get("input")
    if not isinstance(inp, dict):
        return "input 不能为空"
    for node in nodes:
        problem = _check_node(schema, node, inp.get(node.name), f"input.{node.name}")
        if problem:
            return problem
    return ""


def _check_node(schema: Schema, node: Node, value: Any, where: str) -> str:
    if value in (None, "", [], {}):
        return f"{where} 不能为空" if node.required else ""
    if node.shape == "object" and not isinstance(value, dict):
        return f"{where} 节点格式错误：应为对象，收到{_kind(value)}"
    if node.shape == "rows" and not isinstance(value, (list, dict)):
        return f"{where} 节点格式错误：应为数组或对象，收到{_kind(value)}"
    if node.shape == "list" and not isinstance(value, list):
        return f"{where} 节点格式错误：应为数组，收到{_kind(value)}"
    rows = value if isinstance(value, list) else [value]
    for i, row in enumerate(rows):
        at = f"{where}[{i}]" if isinstance(value, list) else where
        if not isinstance(row, dict):
            return f"{at} 节点格式错误：应为对象，收到{_kind(row)}"
        problem = _check_row(schema, node, row, at)
        if problem:
            return problem
    return ""


def warnings(schema: Schema, env: Any, infno: str | None = None) -> list[str]:
    """What the service names in warn_msg but never refuses, because no platform was seen to refuse it (and one
    took vali_flag "01", which the specification's dictionary lacks): a field a closed node's table does not
    have ("input.data.psn_setl_way 不是节点data的字段"), a value outside the dictionary, longer than the table
    says, or with more places / digits than it says. The client's own requests must have none
    (tests/conformance/test_requests.py)."""
    if not isinstance(env, dict):
        return []
    nodes = schema.transactions.get(infno or str(env.get("infno")))
    inp = env.get("input")
    found = _doubts(schema, schema.envelope, env, "")
    for node in (nodes or ()) if isinstance(inp, dict) else ():
        value = inp.get(node.name)
        for row in value if isinstance(value, list) else [value]:
            if isinstance(row, dict):
                found += _doubts(schema, node, row, f"input.{node.name}.")
    return found


def _doubts(schema: Schema, node: Node, row: dict, prefix: str) -> list[str]:
    found = [f"{prefix}{k} 不是节点{node.name}的字段" for k in sorted(set(row) - node.names)] if node.closed else []
    for f in node.fields:
        v = row.get(f.name)
        doubt = "" if v is None or v == "" or _check_value(schema, f, v) else _doubt(schema, f, v)
        if doubt:
            found.append(f"{prefix}{f.name} {doubt}（{f.label}）")
    return found


def _check_row(schema: Schema, node: Node, row: dict, where: str) -> str:
    prefix = f"{where}." if where else ""
    for f in node.fields:
        v = row.get(f.name)
        if v is None or v == "":
            if f.required:
                return f"{prefix}{f.name} 不能为空（{f.label}）"
            continue
        problem = _check_value(schema, f, v)
        if problem:
            return f"{prefix}{f.name} {problem}（{f.label}）"
    return ""


def _check_value(schema: Schema, f: Field, v: Any) -> str:
    """A refusal: a value of the wrong kind, a number or date that cannot be read (a platform cannot act on
    it). Length, dictionary and places are only doubts (_doubt)."""
    if f.type == "any":
        return ""
    if isinstance(v, (bool, dict, list)):
        return f"格式错误：应为{'数值' if f.type == 'num' else '字符'}，收到{_kind(v)}"
    text = str(v).strip()
    if f.type == "num":
        try:
            ok = Decimal(text).is_finite()
        except InvalidOperation:
            ok = False
        return "" if ok else f"格式错误：应为数值({f.size})"
    if f.type == "datetime" and not _DATETIME.match(text):
        return "格式错误：应为yyyy-MM-dd HH:mm:ss"
    if f.type == "date" and not _DATE.match(text):
        return "格式错误：应为yyyy-MM-dd"
    if f.type == "when" and not (_DATETIME.match(text) or _DATE.match(text)):
        return "格式错误：应为yyyy-MM-dd HH:mm:ss或yyyy-MM-dd"
    return ""


def _doubt(schema: Schema, f: Field, v: Any) -> str:
    """A readable value the specification's table would not allow: too long, outside the dictionary, too many
    places or digits."""
    text = str(v).strip()
    if f.type == "num":
        return _check_number(text, f.size)
    if f.type == "str":
        if len(text) > int(f.size):
            return f"长度超过{f.size}"
        allowed = schema.dictionaries.get(f.dictionary)
        if allowed and text not in allowed:
            return f"值[{text}]不在字典{f.dictionary}中"
    return ""


def _check_number(text: str, size: str) -> str:
    digits, _, places = size.partition(",")
    try:
        d = Decimal(text)
    except InvalidOperation:
        return f"格式错误：应为数值({size})"
    if not d.is_finite():
        return f"格式错误：应为数值({size})"
    exp = -d.as_tuple().exponent
    if exp > int(places or 0):
        return f"格式错误：最多{places or 0}位小数"
    whole = len(str(abs(int(d)))) if int(d) else 0
    if whole > int(digits) - int(places or 0):
        return f"格式错误：整数部分超过{int(digits) - int(places or 0)}位"
    return ""


def _kind(v: Any) -> str:
    return {dict: "对象", list: "数组", bool: "布尔值", str: "字符串"}.get(type(v), "数值")
