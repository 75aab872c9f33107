"""Provincial variants of the interface as data (config/channels/<name>.toml), looked up once.

A channel says, per transaction: the URL path, the transaction number actually sent (2207 -> 2207A), the
shape of each input node (object or list), the receiving system (recer_sys_code), and which gateway signer
the province's gateway wants; and the envelope values its platform was seen to take ([envelope]). The
flows and the journal keep the national numbers and shapes (terminal.wire.messages); only the bytes on the wire
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
    recer_sys_code: str = ""
    envelope: dict[str, str] = field(default_factory=dict)
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

    def receiver(self, infno: str) -> str:
        """The recer_sys_code of a transaction ("" = the envelope's own, [center] recer_sys_code)."""
        return str(self.tx(infno).get("recer_sys_code") or self.recer_sys_code or "")

    def outgoing(self, env: dict[str, Any]) -> dict[str, Any]:
        """The envelope as this channel sends it: its number, its node shapes, its recer_sys_code and
        envelope values; a 2601 names the reversed transaction by the number it was sent under (2207A)."""
        infno = str(env["infno"])
        shapes = self.tx(infno).get("shapes") or {}
        receiver = self.receiver(infno)
        if not (shapes or receiver or self.envelope or self.transactions):
            return env
        out = dict(env, infno=self.wire_infno(infno))
        if receiver:
            out["recer_sys_code"] = receiver
        for key, value in self.envelope.items():
            if key != "cainfo" or not env.get("cainfo"):  # a signer's cainfo (card password) wins
                out[key] = value
        inp = env.get("input")
        if isinstance(inp, dict):
            inp = copy.copy(inp)
            for node, shape in shapes.items():
                inp[node] = reshape(inp.get(node), shape)
            data = inp.get("data")
            if infno == "2601" and isinstance(data, dict) and data.get("oinfno"):
                inp["data"] = dict(data, oinfno=self.wire_infno(str(data["oinfno"])))
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
    known_keys = {"name", "signer", "recer_sys_code", "envelope", "default", "tx"}
    return Channel(name=name, title=str(data.get("name", name)), signer=signer,
                   recer_sys_code=str(data.get("recer_sys_code", "")),
                   envelope={str(k): str(v) for k, v in (data.get("envelope") or {}).items()},
                   default_path=str((data.get("default") or {}).get("path", "")),
                   transactions={str(k): dict(v) for k, v in (data.get("tx") or {}).items()},
                   options={k: v for k, v in data.items() if k not in known_keys})
