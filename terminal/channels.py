"""Provincial variants of the interface as data (config/channels/<name>.toml), looked up once.

A channel says, per transaction: the URL path, the transaction number actually sent (2207 -> 2207A), the
shape of each input node (object or list), and which gateway signer the province's gateway wants. The
flows and the journal keep the national numbers and shapes (terminal.messages); only the bytes on the wire
change, in PlatformClient.send. Keys a channel file has beyond these stay readable (`Channel.option`,
`Channel.tx`) for the flows that need them, e.g. trace's 3505 settings.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import config as _config
from terminal.errors import ConfigError

DIR = _config.DIR / "channels"
SIGNERS = ("none", "tif", "hmac_sm3")


@dataclass(frozen=True)
class Channel:
    """One channel file, read."""

    name: str
    title: str = ""
    signer: str = "none"
    signed_encoding: str = "utf-8"
    recer_sys_code: str = ""
    default_path: str = ""
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def tx(self, infno: str) -> dict[str, Any]:
        """The channel's settings for a (national) transaction number ({} when it names none)."""
        return self.transactions.get(str(infno), {})

    def path(self, infno: str) -> str:
        """The URL path of a transaction ("" = [center] platform_path)."""
        return str(self.tx(infno).get("path") or self.default_path or "")

    def wire_infno(self, infno: str) -> str:
        """The number sent for a national transaction number (2207 -> 2207A in zhejiang)."""
        return str(self.tx(infno).get("infno") or infno)

    def national_infno(self, wire: str) -> str:
        """The national number of a number as sent."""
        for infno, t in self.transactions.items():
            if str(t.get("infno") or "") == str(wire):
                return infno
        return str(wire)

    def option(self, key: str, default: Any = None) -> Any:
        """A top-level key of the channel file this module does not interpret itself."""
        return self.options.get(key, default)

    def outgoing(self, env: dict[str, Any]) -> dict[str, Any]:
        """The envelope as this channel sends it: its number, its node shapes, its recer_sys_code."""
        infno = str(env["infno"])
        shapes = self.tx(infno).get("shapes") or {}
        if not shapes and self.wire_infno(infno) == infno and not self.recer_sys_code:
            return env
        out = dict(env, infno=self.wire_infno(infno))
        if self.recer_sys_code:
            out["recer_sys_code"] = self.recer_sys_code
        if shapes and isinstance(env.get("input"), dict):
            inp = copy.copy(env["input"])
            for node, shape in shapes.items():
                inp[node] = reshape(inp.get(node), shape)
            out["input"] = inp
        return out


def reshape(value: Any, shape: str) -> Any:
    """A node as an object (a one-row list becomes its row) or as a list (an object becomes one row)."""
    if shape == "object" and isinstance(value, list) and len(value) == 1:
        return value[0]
    if shape == "list" and isinstance(value, dict):
        return [value]
    return value


def read_toml(path: Path, key: str) -> dict:
    """A TOML data file shipped with ecpos (a channel, a schema); ConfigError naming the file when it is not
    UTF-8 or not TOML (edited with the wrong editor, or damaged): the installation needs repairing."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as e:
        why = f"第 {e.start + 1} 个字节不是 UTF-8"
    except tomllib.TOMLDecodeError as e:
        why = f"格式错误：{e}"
    except OSError as e:
        why = e.strerror or str(e)
    raise ConfigError(f"安装文件已损坏：{path}（{why}）；请用 UTF-8 编辑器改回，或重新安装 ecpos", key=key)


@lru_cache(maxsize=8)
def load(name: str = "national") -> Channel:
    """The channel config/channels/<name>.toml; ConfigError naming the ones that exist when it is missing."""
    path = DIR / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in DIR.glob("*.toml")))
        raise ConfigError(f"配置有误：[center] channel = {name!r} 不存在；可用：{known}（见 docs/channels.md）",
                          key="config_channel")
    data = read_toml(path, "config_channel")
    signer = str(data.get("signer", "none"))
    if signer not in SIGNERS:
        raise ConfigError(f"配置有误：{path}: signer = {signer!r}；可用：{', '.join(SIGNERS)}", key="config_channel")
    known_keys = {"name", "signer", "signed_encoding", "recer_sys_code", "default", "tx"}
    return Channel(name=name, title=str(data.get("name", name)), signer=signer,
                   signed_encoding=str(data.get("signed_encoding", "utf-8")),
                   recer_sys_code=str(data.get("recer_sys_code", "")),
                   default_path=str((data.get("default") or {}).get("path", "")),
                   transactions={str(k): dict(v) for k, v in (data.get("tx") or {}).items()},
                   options={k: v for k, v in data.items() if k not in known_keys})
