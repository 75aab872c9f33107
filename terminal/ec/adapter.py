"""The credential adapter: verify(code) -> Credential over whichever trans() the configuration picks."""
from __future__ import annotations

import os
from typing import Any, Protocol

from terminal import logs
from terminal.codes import SeenCodes, classify
from terminal.ec.binfmt import interpreter_bits
from terminal.ec.credential import Credential, CredentialError, LibraryLoadError, parse_answer
from terminal.ec.decode1162 import Http1162Trans
from terminal.wire.platform import PlatformClient

DEFAULT_BUSINESS_TYPE = "02121"  # 药店购药


def vendor_scan(cfg) -> bool:
    """Whether the library drives the scan box (auto: when ecpos has no scanner of its own)."""
    v = cfg.credential.vendor_scan
    return v == "on" or (v == "auto" and cfg.devices.scanner == "none")


class Trans(Protocol):
    """One small contract mirroring NationEcTrans(url, in_json, out_buf): request dict -> answer dict."""

    kind: str

    def trans(self, request: dict[str, Any]) -> dict[str, Any]: ...

    def describe(self) -> str: ...

    def close(self) -> None: ...


class Adapter:
    """Builds ec.query requests from the configuration and turns answers into Credentials."""

    def __init__(self, cfg, transport: Trans, *, vendor_scan: bool = False, typed=None):
        self.cfg = cfg
        self.transport = transport
        self.vendor_scan = vendor_scan
        # vendor mode: where a code handed in (typed at F2, POSTed by a HIS) goes, since the vendor's library
        # takes none: the platform's 1162 decode, made on first use (typed() -> Trans)
        self._typed_factory, self._typed = typed, None

    @property
    def kind(self) -> str:
        return self.transport.kind

    def describe(self) -> str:
        """Which path answers (for `ecpos verify` and logs)."""
        return self.transport.describe()

    def request(self, code: str | None, business_type: str = DEFAULT_BUSINESS_TYPE) -> dict[str, Any]:
        """The ec.query request; without a code (vendor mode) the library reads the scanner itself."""
        inst, op = self.cfg.institution, self.cfg.operator
        data = {"orgId": inst.fixmedins_code, "businessType": business_type, "operatorId": op.id,
                "operatorName": op.name, "officeId": inst.office_id, "officeName": inst.office_name,
                # the public value is only known for kiosks; counters leave it empty
                "deviceType": "SelfService" if op.opter_type == 2 else ""}
        if code is not None:
            data["ecQrCode"] = code
        return {"orgId": inst.fixmedins_code, "transType": "ec.query", "data": data, "extra": {}}

    def trans(self, request: dict[str, Any]) -> dict[str, Any]:
        """Pass a raw request through (other transTypes)."""
        return self.transport.trans(request)

    def verify(self, code: str | None, business_type: str = DEFAULT_BUSINESS_TYPE, *,
               seen: SeenCodes | None = None) -> Credential:
        """Classify, then ask the credential service; CodeRejected / CredentialError on failure.

        With `seen` (the sale's memo) a code already answered in this sale is not sent again.
        """
        vendor = self.vendor_scan and self.kind != "http"
        transport = self.transport
        if vendor and code is not None:
            # The vendor library reads the scan box itself and takes no code (passing one would rely on an
            # extension only our reference library has): a code typed or sent by a caller is decoded by the
            # platform's 1162 instead, the path adapter = "http" takes.
            transport = self._typed_transport()
            vendor = False
        if code is None and not vendor:
            code = ""  # classify says "nothing was read"
        if code is not None:
            code = classify(code)
            if seen is not None:
                hit = seen.get(code)
                if hit is not None:
                    logs.event("ec_verify_memo", path=self.kind)
                    return hit
        answer = transport.trans(self.request(code, business_type))
        try:
            cred = parse_answer(answer)
        except CredentialError as e:
            logs.event("ec_verify_failed", path=transport.kind, code=e.code, error=e.key)
            raise
        logs.event("ec_verified", path=transport.kind, name=cred.masked_name, id=cred.masked_id,
                   insu_org=cred.insu_org, family=cred.is_family)
        if seen is not None and code is not None:
            seen.remember(code, cred)
        return cred

    def _typed_transport(self) -> Trans:
        if self._typed is None:
            if self._typed_factory is None:
                raise LibraryLoadError("手工输入的医保码无法核验：请让患者在扫码盒上扫码，或改用医保卡/身份证",
                                       detail="vendor_scan on and no 1162 decode")
            self._typed = self._typed_factory()
        return self._typed

    def close(self) -> None:
        """Release the library / stop the bridge."""
        self.transport.close()
        if self._typed is not None:
            self._typed.close()

    def __enter__(self) -> "Adapter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _library_env(cfg) -> None:
    """The library reads its timeouts and vendor-mode scanner from the environment (the ABI has no room).

    Set before loading so a bridge server inherits them; a value already in the environment wins.
    """
    c = cfg.center
    # EcQuery(in, out) has no url argument: the reference build reads it from here (a vendor's from its ini).
    os.environ["NATIONEC_URL"] = c.url.rstrip("/") + c.credential_path  # this configuration's, never a stale one
    os.environ.setdefault("NATIONEC_CONNECT_TIMEOUT_MS", str(int(c.connect_timeout * 1000)))
    os.environ.setdefault("NATIONEC_READ_TIMEOUT_MS", str(int(c.read_timeout * 1000)))
    if vendor_scan(cfg) and cfg.devices.serial_port:
        os.environ.setdefault("NATIONEC_SCANNER", cfg.devices.serial_port)
        os.environ.setdefault("NATIONEC_SCANNER_BAUD", str(cfg.devices.serial_baud))


def library_transport(cfg) -> Trans:
    """The configured library, in process or through the bridge (per [credential] bridge)."""
    # why: ctypes and msl.loadlib take 27-47 ms to import (measured): paid only by a till that reads codes
    # through a library, never by the CLI's other commands or a 1162 till
    from terminal.ec.bridge import BridgeTrans
    from terminal.ec.library import LibraryTrans, check_file, default_library, find_library

    cc = cfg.credential
    url = cfg.center.url.rstrip("/") + cfg.center.credential_path
    mine = interpreter_bits()
    if cc.library:
        path = find_library(cc.library)
    else:
        path = default_library(32 if cc.bridge == "on" else mine)
    reference = path.resolve() in (default_library(32).resolve(), default_library(64).resolve())
    if reference and url.lower().startswith("https://"):
        # the reference build (simulator/libec, `make lib`) speaks plain HTTP only; a vendor's library
        # or the platform's 1162 decode (our own HTTPS client) reach an https center
        raise LibraryLoadError(
            "参考凭证库（make lib 构建）只支持 http:// 地址，中心地址是 https://：请在 [credential] library "
            "指定厂商提供的 NationEcTrans 库，或设置 [credential] adapter = \"http\"（经平台 1162 解码，支持 HTTPS）",
            detail="the reference library speaks http:// only: https center")
    bits = check_file(path)
    use_bridge = cc.bridge == "on" or (cc.bridge == "auto" and bits != mine)
    _library_env(cfg)
    if not use_bridge:
        return LibraryTrans(path, url, cc.encoding, cc.export)  # names both bitnesses on a mismatch
    call_timeout = cfg.center.connect_timeout + cfg.center.read_timeout + 10.0
    if vendor_scan(cfg):
        call_timeout += 30.0  # the library waits for the scan box too
    return BridgeTrans(path, url, cc.encoding, start_timeout=cc.bridge_timeout, call_timeout=call_timeout,
                       export=cc.export)


def make_adapter(cfg, platform=None) -> Adapter:
    """The adapter [credential] adapter names: "library" (vendor library) or "http" (1162)."""
    cc = cfg.credential

    def decode() -> Trans:
        return Http1162Trans(platform or PlatformClient(cfg), cc.decode_framing,
                             cfg.center.url.rstrip("/") + cc.decode_path)
    if cc.adapter == "http":
        return Adapter(cfg, decode())
    if cc.adapter == "library":
        vendor = vendor_scan(cfg)
        return Adapter(cfg, library_transport(cfg), vendor_scan=vendor, typed=decode if vendor else None)
    raise LibraryLoadError(f"未知的凭证适配方式：{cc.adapter}；请设置 [credential] adapter = \"library\" 或 \"http\"")
