"""The reference C library loaded in process (ctypes): end to end against the sim, and its edges."""
from __future__ import annotations

import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from simulator import roster
from terminal.codes import CodeRejected, SeenCodes
from terminal.ec import CredentialError, CredentialUnavailable, LibraryLoadError, make_adapter
from terminal.ec.host32 import nationec_host as host
from terminal.ec.library import LibraryTrans, decode_answer

OUT_MAX = 20480
NEVER_ISSUED = "9" + "0" * 27


@pytest.fixture
def adapter(sim, make_cfg, lib64):
    a = make_adapter(make_cfg("pharmacy", {"credential.library": str(lib64), "credential.bridge": "off"}))
    yield a
    a.close()


def raw_call(lib64, url: str, request: dict | bytes) -> tuple[bytes, bytes]:
    t = LibraryTrans(lib64, url)
    body = request if isinstance(request, bytes) else json.dumps(request, ensure_ascii=False).encode("gbk")
    return host.call(t._fn, url.encode(), body)


def test_fresh_code_verifies_with_chinese_name_intact(sim, adapter):
    p = sim.person("active", insutype="310")
    cred = adapter.verify(sim.code(p["psn_no"]))
    person = roster.get(p["psn_no"])
    assert cred.user_name == person.name and cred.id_no == person.certno  # GBK round trip, full text
    assert cred.masked_name == p["name"] and cred.masked_id == p["id_masked"]
    assert cred.ec_token.startswith("320100ec") and len(cred.ec_token) == 38
    assert cred.id_type == "01" and cred.insu_org == "320100" and len(cred.ec_index_no) == 32
    assert adapter.kind == "library" and "in process" in adapter.describe()


def test_family_code_names_the_holder_masked(sim, adapter):
    holder = next(p for p in sim.persons() if (p.get("family") or {}).get("role") == "holder")
    member = holder["family"]["members"][0]
    cred = adapter.verify(sim.code(member["psn_no"], by=holder["psn_no"]))
    assert cred.user_name == roster.get(member["psn_no"]).name
    assert cred.family_holder == holder["name"] and cred.family_relation == member["relation"]


def test_data_sent_as_a_json_string_works_too(sim, adapter):
    sim.settings(ec_data_as_string=True)
    p = sim.person("active")
    assert adapter.verify(sim.code(p["psn_no"])).user_name == roster.get(p["psn_no"]).name


def test_a_code_seen_in_the_sale_is_not_sent_twice(sim, adapter):
    seen = SeenCodes(lifetime=60)
    code = sim.code(sim.person("active")["psn_no"])
    first = adapter.verify(code, seen=seen)
    assert adapter.verify(code + "\r\n", seen=seen) is first  # without the memo the service says 500161
    with pytest.raises(CredentialError) as ei:
        adapter.verify(code)
    assert ei.value.code == "500161"


@pytest.mark.parametrize("case, code", [
    ("payment", "500159"), ("expired", "500160"), ("used", "500161"), ("never_issued", "500162"),
    ("not_activated", "500170"), ("no_insurance", "500171"), ("busy", "500100"),
])
def test_every_service_error_code_arrives_typed(sim, adapter, case, code):
    active = sim.person("active")["psn_no"]
    if case == "payment":
        text = "ABC-not-a-medical-code"  # passes the local classifier, the service says 500159
    elif case == "expired":
        text = sim.code(active)
        sim.advance(61)
    elif case == "used":
        text = sim.code(active)
        adapter.verify(text)
    elif case == "never_issued":
        text = NEVER_ISSUED
    elif case in ("not_activated", "no_insurance"):
        text = sim.code(sim.person(case)["psn_no"])
    else:
        text = sim.code(active)
        sim.faults("ec.query:error")
    with pytest.raises(CredentialError) as ei:
        adapter.verify(text)
    e = ei.value
    assert type(e) is CredentialError and e.code == code and e.exit_code == 4
    assert e.service_message  # the service's own words survive GBK
    assert e.activation_guide is (code in ("500170", "500171"))


def test_payment_codes_are_rejected_before_anything_is_sent(canned, make_cfg, lib64):
    a = make_adapter(make_cfg(**{"center.url": canned.url.split("/localcfc")[0], "credential.library": str(lib64)}))
    with pytest.raises(CodeRejected, match="微信付款码"):
        a.verify("134567890123456789")
    assert canned.requests == []


@pytest.mark.parametrize("fault, code", [("*:down", "-1"), ("ec.query:drop", "-3")])
def test_service_down_or_dropping_is_unavailable(sim, adapter, fault, code):
    sim.faults(fault)
    with pytest.raises(CredentialUnavailable) as ei:
        adapter.verify(sim.code(sim.person("active")["psn_no"]))
    assert ei.value.code == code and ei.value.exit_code == 3


def test_service_stopped_is_unavailable_and_recovers_when_back(sim, adapter):
    psn = sim.person("active")["psn_no"]
    code = sim.code(psn)
    sim.stop()
    with pytest.raises(CredentialUnavailable) as ei:
        adapter.verify(code)
    assert ei.value.code == "-1" and "connect" in ei.value.detail
    sim.start()
    if not adapter.transport.url.startswith(sim.url):
        pytest.skip("the sim came back on another port")
    assert adapter.verify(code).ec_token  # nothing was sent: the code is still fresh


def test_read_timeout_is_enforced_by_the_library(sim, adapter, monkeypatch):
    monkeypatch.setenv("NATIONEC_READ_TIMEOUT_MS", "300")
    sim.faults("ec.query:delay:3000")
    with pytest.raises(CredentialUnavailable) as ei:
        adapter.verify(sim.code(sim.person("active")["psn_no"]))
    assert ei.value.code == "-3" and "timeout" in ei.value.detail


def test_connect_timeout_is_enforced_by_the_library(lib64, monkeypatch):
    monkeypatch.setenv("NATIONEC_CONNECT_TIMEOUT_MS", "200")
    # a non-routable address (TEST-NET-1) never answers a SYN: only the timeout ends the wait
    status, raw = raw_call(lib64, "http://192.0.2.1:9/x", {"data": {"ecQrCode": "1"}})
    answer = json.loads(raw.decode("gbk"))
    assert status in (b"1001",) and answer["code"] == -1


def test_request_text_crosses_in_gbk_both_ways(canned, lib64):
    def echo(body: bytes) -> bytes:
        name = json.loads(body.decode("utf-8"))["data"]["operatorName"]  # the wire is UTF-8
        out = json.dumps({"code": 0, "message": "成功", "data": {"userName": name}}, ensure_ascii=False).encode()
        return (f"HTTP/1.1 200 OK\r\nContent-Length: {len(out)}\r\n\r\n").encode() + out
    canned.reply = echo
    t = LibraryTrans(lib64, canned.url)
    assert t.trans({"data": {"ecQrCode": "1", "operatorName": "王小明"}})["data"]["userName"] == "王小明"
    # a character GBK lacks travels escaped in the request and comes back as '?' (never a crash)
    assert t.trans({"data": {"ecQrCode": "1", "operatorName": "𠮷野"}})["data"]["userName"] == "?野"


def test_gbk_single_byte_euro_requests_are_converted_not_refused(canned, lib64):
    # GBK 0x80 is "€" (iconv, Windows code page 936; not Python's gbk): one byte, three in UTF-8
    def count(body: bytes) -> bytes:
        name = json.loads(body.decode("utf-8"))["data"]["operatorName"]
        out = json.dumps({"code": 0, "data": {"n": len(name), "euro": set(name) == {"€"}}}).encode()
        return (f"HTTP/1.1 200 OK\r\nContent-Length: {len(out)}\r\n\r\n").encode() + out
    canned.reply = count
    request = b'{"data":{"ecQrCode":"1","operatorName":"' + b"\x80" * 2000 + b'"}}'  # valid GBK text
    status, raw = raw_call(lib64, canned.url, request)
    assert status == b"0000" and json.loads(raw) == {"code": 0, "data": {"n": 2000, "euro": True}}


@pytest.mark.parametrize("size, ok", [(OUT_MAX - 1, True), (OUT_MAX, False), (25_000, False), (200_000, False)])
def test_answer_longer_than_the_buffer_becomes_an_error_that_fits(canned, lib64, size, ok):
    pad = b'{"code":0,"message":"'
    body = pad + b"x" * (size - len(pad) - 2) + b'"}'
    assert len(body) == size
    canned.answer(body)
    status, raw = raw_call(lib64, canned.url, {"data": {"ecQrCode": "1"}})  # the canary would catch overrun
    answer = json.loads(raw.decode("gbk"))
    if ok:
        assert status == b"0000" and len(raw) == OUT_MAX - 1
    else:
        assert status == b"1004" and answer["code"] == -5 and len(raw) < 1024


def test_chinese_answer_fits_when_its_gbk_form_fits(canned, lib64):
    # 12,000 Chinese characters: 36,000 bytes of UTF-8 on the wire would not fit, 24,000 of GBK neither
    body = json.dumps({"code": 0, "message": "中" * 6000}, ensure_ascii=False).encode()
    canned.answer(body)  # 18,000+ bytes UTF-8, 12,000+ GBK: fits
    status, raw = raw_call(lib64, canned.url, {"data": {"ecQrCode": "1"}})
    assert status == b"0000" and json.loads(raw.decode("gbk"))["message"] == "中" * 6000


@pytest.mark.parametrize("reply", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n<html>oops",
    b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n[1,2,3]",
    b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"code\": 0, ",
    b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"code\": 0}",
    b"HTTP/1.1 200 OK\r\nContent-Length: 24\r\n\r\n{\"code\":0,\"m\":\"\xff\xfe\xfa\"}   ",
    b"HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"code\":0}\x00abc",
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}",
    b"HTTP/1.1 404 Not Found\r\n\r\n",
    b"hello there\r\n\r\n",
    b"\x00\x01\x02garbage without end",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"",
])
def test_garbage_answers_become_error_answers_never_crashes(canned, lib64, reply):
    canned.reply = reply
    status, raw = raw_call(lib64, canned.url, {"data": {"ecQrCode": "1"}})
    answer = json.loads(raw.decode("gbk"))
    assert status != b"0000" and answer["code"] in (-3, -4) and answer["data"] is None


def test_chunked_answers_are_decoded(canned, lib64):
    canned.answer(b'b\r\n{"code":0,"\r\nb\r\nmessage":"x\r\n2\r\n"}\r\n0\r\n\r\n',
                  headers="Transfer-Encoding: chunked\r\n")
    status, raw = raw_call(lib64, canned.url, {"data": {"ecQrCode": "1"}})
    assert status == b"0000" and json.loads(raw) == {"code": 0, "message": "x"}


@pytest.mark.parametrize("url", ["https://127.0.0.1/x", "ftp://h/x", "http://", "http://h:99999999/x",
                                 "http://h:80x", "http://[::1/x", "http://h/a b"])
def test_bad_urls_are_error_answers(lib64, url):
    status, raw = raw_call(lib64, url, {"data": {"ecQrCode": "1"}})
    assert status == b"1007" and json.loads(raw.decode("gbk"))["code"] == -6


@pytest.mark.parametrize("request_bytes", [b"not json", b"{\"data\": ", b"[1]", b"\xff\xff{}", b""])
def test_bad_requests_are_error_answers(canned, lib64, request_bytes):
    status, raw = raw_call(lib64, canned.url, request_bytes)
    assert status in (b"1006", b"1007") and json.loads(raw.decode("gbk"))["code"] == -6
    assert canned.requests == []


def test_concurrent_calls_do_not_share_buffers(sim, adapter):
    people = [p for p in sim.persons() if p["status"] == "active"][:8]
    codes = [(p, sim.code(p["psn_no"])) for p in people for _ in range(3)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        creds = list(pool.map(lambda pc: adapter.verify(pc[1]), codes))
    for (p, _), cred in zip(codes, creds):
        assert cred.user_name == roster.get(p["psn_no"]).name


def test_bitness_mismatch_without_bridge_names_both(make_cfg, lib32):
    with pytest.raises(LibraryLoadError) as ei:
        make_adapter(make_cfg(**{"credential.library": str(lib32), "credential.bridge": "off"}))
    assert "32位" in ei.value.message and "64位" in ei.value.message and ei.value.exit_code == 2
    assert "bridge" in ei.value.message


def test_missing_library_says_what_to_fix(make_cfg, tmp_path):
    with pytest.raises(LibraryLoadError, match="找不到"):
        make_adapter(make_cfg(**{"credential.library": str(tmp_path / "nope.so")}))
    junk = tmp_path / "junk.so"
    junk.write_bytes(b"not a library at all" * 4)
    with pytest.raises(LibraryLoadError, match="无法识别"):
        make_adapter(make_cfg(**{"credential.library": str(junk)}))


# -- vendor mode: the library reads the scan box itself ---------------------------------------------
class _PtyBox:
    def __init__(self):
        import tty  # POSIX only
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.name = os.ttyname(self._slave)

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        os.close(self.master)
        os.close(self._slave)


class _PipeBox:
    """Windows: a named pipe the library opens as NATIONEC_SCANNER (a COM port's stand-in); what is written
    waits until the library has connected."""

    def __init__(self):
        import _winapi
        self._w = _winapi
        self.name = rf"\\.\pipe\ecpos-scan-{os.getpid()}-{id(self)}"
        self.handle = _winapi.CreateNamedPipe(self.name, _winapi.PIPE_ACCESS_DUPLEX,
                                              _winapi.PIPE_WAIT, 1, 4096, 4096, 0,  # byte mode: 0
                                              _winapi.NULL)
        self._threads: list[threading.Thread] = []

    def write(self, data: bytes) -> None:
        def send():
            try:
                self._w.ConnectNamedPipe(self.handle, False)
            except OSError:  # ERROR_PIPE_CONNECTED: the library was there first
                pass
            self._w.WriteFile(self.handle, data)
        t = threading.Thread(target=send, daemon=True)
        t.start()
        self._threads.append(t)

    def close(self) -> None:
        self._w.CloseHandle(self.handle)


@pytest.fixture
def scan_box():
    box = _PipeBox() if sys.platform == "win32" else _PtyBox()
    yield box
    box.close()


def test_vendor_mode_reads_the_code_from_the_serial_box(sim, make_cfg, lib64, scan_box):
    name = scan_box.name
    a = make_adapter(make_cfg(**{"credential.library": str(lib64), "credential.vendor_scan": "on",
                                 "devices.serial_port": name}))
    assert os.environ["NATIONEC_SCANNER"] == name
    p = sim.person("active")
    scan_box.write(b"\r\n" + sim.code(p["psn_no"]).encode() + b"\r\n")  # CR/LF ends a code
    cred = a.verify(None)
    assert cred.user_name == roster.get(p["psn_no"]).name


def test_vendor_mode_times_out_as_cancelled(sim, make_cfg, lib64, scan_box, monkeypatch):
    name = scan_box.name
    monkeypatch.setenv("NATIONEC_SCAN_TIMEOUT_MS", "200")
    a = make_adapter(make_cfg(**{"credential.library": str(lib64), "credential.vendor_scan": "on",
                                 "devices.serial_port": name}))
    with pytest.raises(CredentialError) as ei:
        a.verify(None)
    assert ei.value.code == "-2" and ei.value.service_message == "扫码已取消/超时"


def test_vendor_mode_without_a_scanner_is_a_clear_error(sim, lib64):
    status, raw = raw_call(lib64, sim.url + "/localcfc/api/hsecfc/localQrCodeQuery",
                           {"transType": "ec.query", "data": {"orgId": "x"}})
    answer = json.loads(raw.decode("gbk"))
    assert status == b"1008" and answer["code"] == -7 and "NATIONEC_SCANNER" in answer["extra"]["detail"]


def test_without_vendor_mode_a_missing_code_is_rejected_locally(adapter):
    with pytest.raises(CodeRejected, match="未读到"):
        adapter.verify(None)


def test_library_calls_release_the_gil(canned, lib64):
    """A slow service must not freeze other Python threads (the UI's, the scanner's)."""
    gate = threading.Event()

    def slow(body: bytes) -> bytes:
        gate.wait(5)
        return b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"code\":0}"
    canned.reply = slow
    t = LibraryTrans(lib64, canned.url)
    worker = threading.Thread(target=lambda: t.trans({"data": {"ecQrCode": "1"}}))
    worker.start()
    from tests.waiting import wait_until
    wait_until(lambda: canned.requests, timeout=5)  # this thread runs while the call is blocked in C
    gate.set()
    worker.join(5)
    assert not worker.is_alive()


def test_any_answer_body_gives_a_json_answer_never_a_crash(lib64):
    """Random bodies (bytes, near-JSON text) through the C parser and converter: always an answer."""
    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st

    from tests.ec.conftest import Canned

    server = Canned()
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    worker.start()
    t = LibraryTrans(lib64, server.url)
    near_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                             lambda i: st.lists(i, max_size=3) | st.dictionaries(st.text(max_size=5), i, max_size=3),
                             max_leaves=10).map(lambda v: json.dumps({"code": 0, "data": v}, ensure_ascii=False))
    bodies = st.one_of(st.binary(max_size=400), near_json.map(str.encode),
                       near_json.map(lambda s: s[: len(s) // 2].encode()),
                       st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")))

    # Found under Wine: code page 936 maps the private-use U+E000 to 0xAAA1, which Python's "gbk" lacks
    # (decode_answer reads with "replace", as here); an object without "code" is the platform's, passed on.
    @example('{"":0,"":"\ue000"}'.encode())
    @example('{"":0,"":"\u1000"}'.encode())
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(bodies)
    def check(body):
        server.answer(body)
        status, raw = host.call(t._fn, server.url.encode(), b'{"data":{"ecQrCode":"1"}}')
        answer = json.loads(raw.decode("gbk", "replace"))  # whatever came back is a JSON object in GBK
        assert isinstance(answer, dict)
        assert (status == b"0000") == _is_json_object(body)
        assert status == b"0000" or "code" in answer  # the library's own failure says its code
        assert decode_answer(status, raw, "gbk") == answer  # and the client reads what the library wrote

    try:
        check()
    finally:
        server.shutdown()
        server.server_close()


def _is_json_object(body: bytes) -> bool:
    """Strict JSON (no NaN/Infinity) whose top level is an object: what the library accepts."""
    def no_constants(name):
        raise ValueError(name)
    try:
        return isinstance(json.loads(body.decode("utf-8"), parse_constant=no_constants), dict)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False


def test_vendor_mode_never_passes_a_code(sim, make_cfg, lib64):
    # Real vendor libraries drive the scan box and are called without a code (PROTOCOL.md §2b); handing one
    # over would rely on our reference library's ecQrCode extension. A code typed at F2 or POSTed by a HIS
    # goes to the platform's 1162 decode instead (issue 21 item 8): it used to be refused.
    a = make_adapter(make_cfg(**{"credential.library": str(lib64), "credential.vendor_scan": "on"}))
    assert "ecQrCode" not in a.request(None)["data"]
    p = sim.person("active")
    cred = a.verify(sim.code(p["psn_no"]))
    assert cred.user_name == roster.get(p["psn_no"]).name
    assert a._typed is not None and a._typed.kind == "http"   # through the decode, not the library
    # auto: the library reads the codes when ecpos has no scanner of its own.
    auto = make_cfg(**{"credential.library": str(lib64), "devices.scanner": "none"})
    assert make_adapter(auto).vendor_scan and not make_adapter(make_cfg(**{"credential.library": str(lib64)})).vendor_scan


def test_the_ecquery_export_verifies_too(sim, make_cfg, lib64):
    # EcQuery(in, out): the two-argument export some provinces ship; its URL is the library's own (ours:
    # NATIONEC_URL, set from [center]).
    a = make_adapter(make_cfg(**{"credential.library": str(lib64), "credential.export": "EcQuery",
                                 "credential.vendor_scan": "off", "credential.bridge": "off"}))
    assert "EcQuery" in a.describe() and os.environ["NATIONEC_URL"].startswith(sim.url)
    p = sim.person("active")
    assert a.verify(sim.code(p["psn_no"])).user_name == roster.get(p["psn_no"]).name


def test_https_center_with_the_reference_library_says_what_to_change(tmp_path, lib64):
    """The reference library (simulator/libec/http.c) refuses anything but http://; instead of its bare
    'url must start with http://' on the first verify, loading says which setting to change."""
    from terminal import config
    from terminal.ec.adapter import make_adapter
    from terminal.ec.credential import LibraryLoadError
    cfg = config.load(profile="pharmacy", data_dir=tmp_path, center_url="https://hsa.example.cn:8443", env={})
    assert cfg.credential.adapter == "library" and not cfg.credential.library
    with pytest.raises(LibraryLoadError) as e:
        make_adapter(cfg)
    assert "https://" in e.value.message and "[credential] adapter" in e.value.message
    assert "[credential] library" in e.value.message
