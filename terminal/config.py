"""Layered configuration: default.toml <- profile <- --config FILE <- environment.

default.toml is also the schema: a key it does not have is an error, and a value must have the type of
its default (or be one of CHOICES). Errors name the file, the key and what is allowed.
"""
from __future__ import annotations

import codecs
import math
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import platformdirs

import config as _profiles
from terminal.errors import ConfigError

CHOICES: dict[str, tuple] = {
    "profile": _profiles.PROFILES,
    "operator.opter_type": (1, 2, 3),
    "institution.msgid_node": tuple(range(10)),
    "gateway.signer": ("channel", "none", "tif", "hmac_sm3"),
    "credential.adapter": ("library", "http"),
    "credential.bridge": ("auto", "on", "off"),
    "credential.decode_framing": ("envelope", "bare"),
    "credential.export": ("NationEcTrans", "EcQuery"),
    "credential.vendor_scan": ("auto", "on", "off"),
    "devices.scanner": ("serial", "wedge", "camera", "none"),
    "devices.serial_terminator": ("CR", "LF", "CRLF", "idle"),
    "printer.kind": ("file", "usb", "serial", "network"),
    "printer.drawer_pin": (2, 5),
    "trace.report": ("3505", "3505A", "settlement"),
}

# Environment variables that override one key each (DESIGN.md's global options).
ENV_KEYS = {
    "ECPOS_PROFILE": "profile",
    "ECPOS_CENTER_URL": "center.url",
    "ECPOS_GATEWAY_TOKEN": "gateway.token",
    "ECPOS_GATEWAY_APP_SECRET": "gateway.app_secret",
    "ECPOS_GATEWAY_SM2_KEY": "gateway.sm2_private_key",
    "ECPOS_CREDENTIAL_ADAPTER": "credential.adapter",
    "ECPOS_CREDENTIAL_LIBRARY": "credential.library",
    "ECPOS_FLEET_DSN": "fleet.dsn",
}

SECRET_KEYS = frozenset({"gateway.token", "fleet.dsn", "gateway.app_secret", "gateway.sm2_private_key"})

# Amounts and rates kept as strings (never floats); each must read as a decimal number >= 0.
DECIMAL_KEYS = {"refund.max_queued_total": "5000.00", "report.ec_rate_target": "0.90",
                "clinic.registration_fee": "12.00"}

# Durations in seconds (the float keys): finite, above 0, at most a day. A timeout of 0, below 0, NaN or 1e308
# otherwise reached the HTTP client or a thread's wait as an internal error (the example: the default).
SECONDS = {"center.connect_timeout": 3, "center.read_timeout": 15, "credential.bridge_timeout": 10,
           "devices.camera_watchdog_s": 2, "fleet.push_interval_s": 5, "fleet.max_backoff_s": 60,
           "agent.sync_every": 30, "agent.code_wait": 300}
MAY_BE_ZERO = frozenset({"agent.code_wait"})  # 0: never cancel a pushed sale nobody scans
MAX_SECONDS = 86400

# The admin reads Chinese first; the English detail names the key and what is allowed.
_ZH = "配置有误，请按提示修改："


class Section(Mapping[str, Any]):
    """A read-only table with attribute access: cfg.center.url."""

    def __init__(self, data: dict[str, Any]):
        self._data = MappingProxyType(
            {k: Section(v) if isinstance(v, dict) else v for k, v in data.items()})

    def __getattr__(self, name: str) -> Any:
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def to_dict(self) -> dict[str, Any]:
        return {k: v.to_dict() if isinstance(v, Section) else v for k, v in self._data.items()}


class Config(Section):
    """The effective configuration plus where it came from (for messages) and the data directory."""

    def __init__(self, data: dict[str, Any], sources: list[str], data_dir: Path):
        super().__init__(data)
        object.__setattr__(self, "sources", sources)
        object.__setattr__(self, "data_dir", data_dir)

    def redacted(self) -> dict[str, Any]:
        """The configuration with secrets replaced, safe to print or log."""
        d = self.to_dict()
        for dotted in SECRET_KEYS:
            sec, key = dotted.split(".")
            if d.get(sec, {}).get(key):
                d[sec][key] = "***"
        return d


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            # utf-8-sig: Windows Notepad may save UTF-8 with a byte-order mark
            return tomllib.loads(f.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"配置文件不是 UTF-8 编码：{path}；请另存为 UTF-8（记事本：另存为 → 编码 UTF-8）",
                          key="config_encoding") from None
    except FileNotFoundError:
        raise ConfigError(f"配置文件不存在：{path}", key="config_missing") from None
    except OSError as e:  # a directory, no permission
        raise ConfigError(f"配置文件无法读取：{path}（{e.strerror or e}）；--config 应指向一个可读的 TOML 文件",
                          key="config_unreadable") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"配置文件格式错误：{path}：{e}", key="config_syntax") from None


def _type_name(v: Any) -> str:
    return {bool: "true/false", int: "an integer", float: "a number", str: "a string",
            list: "a list"}.get(type(v), type(v).__name__)


def _check(value: Any, default: Any, dotted: str, source: str) -> Any:
    allowed = CHOICES.get(dotted)
    if allowed is not None and value not in allowed:
        raise ConfigError(
            f"{_ZH}{source}: {dotted} = {value!r} is not allowed; use one of {', '.join(map(repr, allowed))}",
            key="config_value")
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(value, bool) and isinstance(default, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float))
        value = value * 1.0 if ok else value  # timeouts may be written as integers
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"{_ZH}{source}: {dotted} = {value!r} must be {_type_name(default)}",
                          key="config_type")
    return value


def _merge(base: dict, layer: dict, source: str, prefix: str = "") -> None:
    for key, value in layer.items():
        dotted = prefix + key
        if key not in base:
            known = ", ".join(sorted(base))
            raise ConfigError(f"{_ZH}{source}: unknown key {dotted!r}; known here: {known}",
                              key="config_unknown_key")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{_ZH}{source}: {dotted} must be a table [{dotted}]", key="config_type")
            _merge(base[key], value, source, dotted + ".")
        else:
            base[key] = _check(value, base[key], dotted, source)


def _check_values(data: dict, sources: list[str]) -> None:
    """Values the types alone do not catch, checked once all layers are merged."""
    where = f"{_ZH}{sources[2]}: " if len(sources) > 2 else _ZH  # the site file, or the environment/options
    url = data["center"]["url"]
    if not url.lower().startswith(("http://", "https://")):
        raise ConfigError(f"{where}center.url = {url!r} must start with http:// or https:// "
                          f"(set by --center, ECPOS_CENTER_URL or [center] url)", key="config_value")
    code = data["institution"]["fixmedins_code"]
    if len(code) != 12:
        raise ConfigError(f"{where}institution.fixmedins_code = {code!r} must be the 12-character "
                          f"定点医药机构编码", key="config_value")
    for dotted, example in SECONDS.items():
        sec, key = dotted.split(".")
        v = data[sec][key]
        if not (math.isfinite(v) and (v > 0 or (v == 0 and dotted in MAY_BE_ZERO)) and v <= MAX_SECONDS):
            zero = " 0 (wait until the caller cancels) or" if dotted in MAY_BE_ZERO else ""
            raise ConfigError(f"{where}{dotted} = {v!r} must be{zero} a number of seconds above 0 and at most "
                              f"{MAX_SECONDS} (a day), e.g. {example}", key="config_value")
    try:
        codecs.lookup(data["credential"]["encoding"])
    except LookupError:
        raise ConfigError(f"{where}credential.encoding = {data['credential']['encoding']!r} is not an encoding "
                          f"Python knows; the credential libraries speak \"gbk\" (or \"gb18030\", \"utf-8\")",
                          key="config_value") from None
    for origin in data["agent"]["cors_origins"]:
        if not re.fullmatch(r"https?://[^/\s]+", str(origin)):
            raise ConfigError(f"{where}agent.cors_origins: {origin!r} must be a page's origin: scheme, host and "
                              f"port, no path, e.g. \"http://his.hospital.local:8080\"", key="config_value")
    for dotted, example in DECIMAL_KEYS.items():
        sec, key = dotted.split(".")
        raw = data[sec][key].strip()
        try:
            ok = Decimal(raw).is_finite() and Decimal(raw) >= 0
        except InvalidOperation:
            ok = False
        if not ok:
            raise ConfigError(f"{where}{dotted} = {raw!r} must be a decimal number >= 0 written as a string, "
                              f"e.g. {example!r}", key="config_value")


def _coerce_env(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    return type(default)(raw)  # int, float (timeouts) or str


def load(*, profile: str | None = None, config_file: str | os.PathLike | None = None,
         data_dir: str | os.PathLike | None = None, center_url: str | None = None,
         env: Mapping[str, str] | None = None) -> Config:
    """Load the effective configuration. Explicit arguments beat the environment."""
    env = os.environ if env is None else env
    default_path = _profiles.DIR / "default.toml"
    data = _read(default_path)
    sources = [str(default_path)]

    config_file = config_file or env.get("ECPOS_CONFIG") or None
    user = _read(Path(config_file)) if config_file else {}
    chosen = profile or env.get("ECPOS_PROFILE") or user.get("profile") or data["profile"]
    if chosen not in _profiles.PROFILES:
        where = ("--profile" if profile else "environment ECPOS_PROFILE" if env.get("ECPOS_PROFILE")
                 else str(config_file))
        raise ConfigError(f"{_ZH}{where}: profile {chosen!r} is not allowed; use one of "
                          f"{', '.join(_profiles.PROFILES)}", key="config_value")
    profile_path = _profiles.DIR / f"{chosen}.toml"
    _merge(data, _read(profile_path), str(profile_path))
    sources.append(str(profile_path))
    if config_file:
        _merge(data, user, str(config_file))
        sources.append(str(config_file))
    data["profile"] = chosen

    for var, dotted in ENV_KEYS.items():
        if var in env and var != "ECPOS_PROFILE":
            sec, key = dotted.split(".")
            try:
                value = _coerce_env(env[var], data[sec][key])
            except ValueError:
                raise ConfigError(f"{_ZH}environment {var}={env[var]!r} is not valid for {dotted}",
                                  key="config_env") from None
            data[sec][key] = _check(value, data[sec][key], dotted, f"environment {var}")
    if center_url:
        data["center"]["url"] = center_url
    _check_values(data, sources)

    root = data_dir or env.get("ECPOS_DATA_DIR")
    if not root:
        root = platformdirs.user_data_dir("ecpos", appauthor=False)
    return Config(data, sources, Path(root))
