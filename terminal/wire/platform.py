"""Client of the insurance platform (定点医药机构接口): envelope, signing, timeouts, typed errors.

Errors keep three outcomes apart, because the journal and sync act on them differently:
  PlatformRefused    infcode -1 with an err_msg in a readable answer (the platform's own refusal): nothing
                     happened; show err_msg. For a request that moves no money, also a gateway's 4xx.
  PlatformUnreachable nothing was sent: the connection was never made (refused, DNS, connect timeout, an
                     untrusted certificate in the handshake). Safe to retry with the same msgid.
  PlatformUnknown    anything else once the request may have left the till: the answer lost, reset, late
                     (past the request's overall deadline), cut short, any HTTP status but 200 (a gateway's
                     503 after the platform processed it included; for a money request a 4xx too), a
                     redirect (never followed), or not an answer at all (infcode null / 1 / true / [0], no JSON,
                     a -1 without err_msg on a money request). Never blindly resend a settlement; reverse it
                     (2601) first. What a business answer must hold is checked by its reader (terminal/wire/answers).
"""
from __future__ import annotations

import itertools
import json
import os
import socket
import ssl
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Iterator

import requests
import requests.adapters
import urllib3
import urllib3.connection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, SSLError
from urllib3.util.ssl_match_hostname import CertificateError

from terminal import logs
from terminal.wire import channels, signing
from terminal.errors import PlatformRefused, PlatformUnknown, PlatformUnreachable
from terminal.wire.msgid import MsgIdSource
from terminal.states import RequestState

Hook = Callable[[dict], None]
# Requests that move money (national numbers): for these only the platform's own refusal means "nothing
# happened" (issue 20: a gateway's 503, 302 or 404 after a processed 2102 lost the sale or doubled it).
MONEY = frozenset({"2102", "2103", "2207", "2208", "2304", "2305", "2601", "3505"})
# A gateway's 4xx on a request that moves no money: turned away before the platform (nothing to undo).
_GATEWAY_REFUSED = (400, 401, 403, 404, 405, 413)
# The sockets this thread's request opened, so the request's deadline can cut them off (see _DeadlineAdapter).
_inflight = threading.local()


class _Tracked:
    """Mixin for urllib3 connections: remember the socket for the deadline of the request in flight."""

    def connect(self):
        super().connect()
        socks = getattr(_inflight, "socks", None)
        if socks is not None:
            socks.append(self.sock)


class _HTTPConn(_Tracked, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConn(_Tracked, urllib3.connection.HTTPSConnection):
    pass


class _TrackedPool:
    """Mixin for urllib3 pools: a kept-alive connection taken from the pool is tracked too (its socket was
    opened by an earlier request, so _Tracked.connect did not see it for this one's deadline)."""

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        socks = getattr(_inflight, "socks", None)
        if socks is not None and getattr(conn, "sock", None) is not None:
            socks.append(conn.sock)
        return conn


class _HTTPPool(_TrackedPool, urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConn


class _HTTPSPool(_TrackedPool, urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConn


class _DeadlineAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter whose connections can be cut off from a timer (a read timeout bounds one recv,
    not an answer that drips a byte at a time)."""

    def init_poolmanager(self, *args, **kw):
        super().init_poolmanager(*args, **kw)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class _Deadlines:
    """One thread that cuts off requests past their overall deadline. A threading.Timer per request started
    and ended a thread on every platform call (with the proxy lookup below, a call cost 1.25 ms against a local
    server instead of 0.97)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._due: dict[int, tuple[float, Callable[[], None]]] = {}
        self._keys = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, fn: Callable[[], None]) -> int:
        """Call fn (on the deadlines' thread) in `seconds` unless disarmed first; the key to disarm it."""
        with self._cond:
            key = next(self._keys)
            self._due[key] = (time.monotonic() + seconds, fn)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="platform-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()
        return key

    def disarm(self, key: int) -> None:
        with self._cond:
            self._due.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                late = [self._due.pop(k)[1] for k, (at, _) in list(self._due.items()) if at <= now]
                if not late:
                    soonest = min((at for at, _ in self._due.values()), default=None)
                    self._cond.wait(None if soonest is None else soonest - now)
                    continue
            for fn in late:
                try:
                    fn()
                except Exception:  # the next request's deadline must still be kept
                    logs.event("platform_deadline_failed")


_deadlines = _Deadlines()


def _session(url: str = "") -> requests.Session:
    s = requests.Session()
    for scheme in ("http://", "https://"):
        s.mount(scheme, _DeadlineAdapter())
    # The environment's proxies are read once, for the platform's address: requests read every environment
    # variable again on each request (0.09 ms a request here). CA bundles: _env_ca_bundle.
    s.proxies = requests.utils.get_environ_proxies(url) if url else {}
    s.trust_env = False
    return s


def _env_ca_bundle() -> str | None:
    """The CA bundle requests takes from the environment when it trusts it (a site's own CA for the gateway)."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None


def infcode_state(answer: object) -> str:
    """"ok" (infcode 0), "refused" (infcode -1) or "unknown" (anything else: null, 1, true, [0], missing), for
    an answer of a request that may have been processed. infcode may be a number or a string (PROTOCOL §2b)."""
    if not isinstance(answer, dict):
        return RequestState.UNKNOWN
    code = answer.get("infcode")
    if isinstance(code, bool) or not isinstance(code, (int, str, Decimal)):
        return RequestState.UNKNOWN
    text = str(code).strip()
    return {"0": RequestState.OK, "-1": RequestState.REFUSED}.get(text, RequestState.UNKNOWN)


class PlatformClient:
    """Builds envelopes and sends them. `sign_no` is set after 9001 by the workflow."""

    def __init__(self, cfg, *, msgids: MsgIdSource | None = None, session: requests.Session | None = None,
                 signer: signing.Signer | None = None, cainfo: signing.CaInfo | None = None):
        self.cfg = cfg
        self.cainfo = cainfo or signing.no_cainfo
        self.base = cfg.center.url.rstrip("/")
        self.url = self.base + cfg.center.platform_path
        self.channel = channels.load(cfg.center.channel)
        self.msgids = msgids or MsgIdSource(cfg.institution.fixmedins_code, cfg.data_dir / "msgid.state",
                                            node=cfg.institution.msgid_node)
        self.session = session or _session(self.url)
        self.signer = signer or signing.from_config(cfg, self.channel)
        self.timeout = (cfg.center.connect_timeout, cfg.center.read_timeout)
        # The whole exchange (connect, send, the complete answer) ends by then, however slowly bytes arrive.
        self.deadline = cfg.center.connect_timeout + cfg.center.read_timeout
        self.verify: bool | str = cfg.center.ca_bundle or _env_ca_bundle() or True
        # Connections are kept alive between requests, but never past this many idle seconds (0: a connection
        # per request): see _post.
        self.keepalive = max(0.0, float(getattr(cfg.center, "keepalive_idle", 0) or 0))
        self._idle_since = 0.0  # time.monotonic() when the last exchange ended
        self.sign_no = ""
        # Who the requests are made by (opter / opter_name): the terminal's [operator] until a cashier signs in
        # (JournaledClient.act_for), so the platform audits each cashier by their own platform code.
        self.opter, self.opter_name = str(cfg.operator.id), str(cfg.operator.name)

    def envelope(self, infno: str, input: dict[str, Any], *, msgid: str | None = None,
                 insuplc_admdvs: str = "") -> dict[str, Any]:
        """A request envelope; the msgid is issued here unless a retry passes the original."""
        inst, op, center = self.cfg.institution, self.cfg.operator, self.cfg.center
        return {
            "infno": str(infno),
            "msgid": msgid or self.msgids.next(),
            "mdtrtarea_admvs": inst.mdtrtarea_admvs,
            "insuplc_admdvs": insuplc_admdvs,
            "recer_sys_code": center.recer_sys_code,
            "dev_no": inst.dev_no,
            "dev_safe_info": "",
            "cainfo": self.cainfo(str(infno), input),
            "signtype": "",
            "infver": center.infver,
            "opter_type": str(op.opter_type),
            "opter": self.opter,
            "opter_name": self.opter_name,
            "inf_time": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            "fixmedins_code": inst.fixmedins_code,
            "fixmedins_name": inst.fixmedins_name,
            "sign_no": self.sign_no,
            "input": input,
        }

    @contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        """Each request inside gives up after `seconds` at most (connect, read and the whole answer): for a
        best-effort one, such as the 9002 at quit, that must not hold what comes after it."""
        saved = self.timeout, self.deadline
        self.timeout = (min(self.timeout[0], seconds), min(self.timeout[1], seconds))
        self.deadline = min(self.deadline, seconds)
        try:
            yield
        finally:
            self.timeout, self.deadline = saved

    def send(self, env: dict[str, Any]) -> dict[str, Any]:
        """Send one envelope; the whole answer on infcode 0, else a typed PlatformError."""
        infno, msgid = env["infno"], env["msgid"]
        ids = {"infno": infno, "msgid": msgid}
        # The journal and the flows keep national numbers and shapes; the channel says what goes on the wire.
        wire = self.channel.outgoing(env)
        body = json.dumps(wire, ensure_ascii=False, default=logs.json_default).encode("utf-8")
        if self.channel.option("envelope") == "sm4_sm2":  # PROTOCOL.md §3: encData + signData
            # why: envelope's gm refuses to import where OpenSSL lacks SM3/SM4; only this envelope needs them
            from terminal.wire import envelope

            g = self.cfg.gateway
            body = envelope.seal(body, g.app_id, g.app_secret, g.sm2_private_key)
        headers = {"Content-Type": "application/json;charset=utf-8", **self.signer(body)}
        if not self.keepalive:
            headers["Connection"] = "close"
        url = self.base + self.channel.path(infno) if self.channel.path(infno) else self.url
        money = str(infno) in MONEY
        logs.event("platform_send", **ids)
        r = self._post(body, headers, ids, url, fresh=money)
        if r.status_code != 200:
            # Only a 200 carries the platform's answer; anything else came from something in between, which
            # may have passed the request on (a redirect is never followed: a POST turned into a GET is lost).
            if not money and r.status_code in _GATEWAY_REFUSED:
                raise PlatformRefused(f"网关拒绝请求 HTTP {r.status_code}", key="gateway_refused", **ids)
            raise PlatformUnknown(f"HTTP {r.status_code}", **ids)
        try:
            answer = json.loads(r.content.decode("utf-8"), parse_float=Decimal)
        except (UnicodeDecodeError, ValueError) as e:
            raise PlatformUnknown(f"unreadable answer: {e}", **ids) from None
        if str(infno) == "1162" and isinstance(answer, dict) and "infcode" not in answer and "code" in answer:
            answer = midplatform_as_envelope(answer)  # the decode answered in the 中台 shape (only 1162: it moves no money)
        state = infcode_state(answer)
        if state == RequestState.REFUSED and money and not str(answer.get("err_msg") or "").strip():
            state = RequestState.UNKNOWN  # a -1 that says nothing may be a gateway's page, not the platform's refusal
        if state == RequestState.REFUSED:
            err = str(answer.get("err_msg") or "未知错误")
            logs.event("platform_refused", **ids, infcode=str(answer["infcode"]), err_msg=err)
            raise PlatformRefused(err, **ids)
        if state != RequestState.OK:
            code = answer.get("infcode", "missing") if isinstance(answer, dict) else type(answer).__name__
            raise PlatformUnknown(f"answer with infcode {code!r} (neither 0 nor -1)", **ids)
        logs.event("platform_ok", **ids, inf_refmsgid=answer.get("inf_refmsgid", ""))
        return answer

    def _post(self, body: bytes, headers: dict, ids: dict, url: str = "", fresh: bool = False) -> requests.Response:
        """POST within the request's overall deadline; typed errors for what went wrong on the way.

        A kept-alive connection the gateway closed while it idled fails only once the request is written: for
        a money request (`fresh`) that is an unknown outcome, for a query an error, where a new connection
        fails in connect, before anything is sent. urllib3 drops a pooled connection whose close has already
        arrived; the close still in flight is the gap. So a connection that idled past [center] keepalive_idle
        (set below the gateway's own idle timeout) is never reused, and a money request takes a new one unless
        the pooled one was used just now (within a second: the same sale's last step)."""
        idle = time.monotonic() - self._idle_since
        if self.keepalive and self._idle_since and idle > (min(self.keepalive, 1.0) if fresh else self.keepalive):
            self.session.close()  # closes the idle pooled connections; the session opens new ones
        socks: list = []
        cut = threading.Event()

        def cut_off() -> None:
            cut.set()
            for sock in socks:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        _inflight.socks = socks
        timer = _deadlines.arm(self.deadline, cut_off)
        try:
            r = self.session.post(url or self.url, data=body, headers=headers, timeout=self.timeout,
                                  verify=self.verify, allow_redirects=False)
        except requests.exceptions.ConnectTimeout as e:
            raise PlatformUnreachable(f"connect timeout: {e}", **ids) from None
        except requests.exceptions.ConnectionError as e:
            if _never_connected(e):
                raise PlatformUnreachable(f"connection refused: {e}", **ids) from None
            if cut.is_set():
                raise PlatformUnknown(f"no complete answer within {self.deadline:g} s", **ids) from None
            raise PlatformUnknown(f"connection lost after sending: {e}", **ids) from None
        except requests.exceptions.Timeout as e:
            raise PlatformUnknown(f"no answer in {self.timeout[1]} s: {e}", **ids) from None
        except requests.exceptions.RequestException as e:
            if cut.is_set():
                raise PlatformUnknown(f"no complete answer within {self.deadline:g} s", **ids) from None
            raise PlatformUnknown(f"{type(e).__name__}: {e}", **ids) from None
        finally:
            _deadlines.disarm(timer)
            _inflight.socks = None
            self._idle_since = time.monotonic()
        if cut.is_set():  # cut off just as the last byte came: the answer may be incomplete
            raise PlatformUnknown(f"no complete answer within {self.deadline:g} s", **ids)
        return r

    def call(self, infno: str, input: dict[str, Any], *, msgid: str | None = None,
             insuplc_admdvs: str = "") -> dict[str, Any]:
        """Build and send; returns the answer's `output` (the whole answer is in PlatformClient.send)."""
        env = self.envelope(infno, input, msgid=msgid, insuplc_admdvs=insuplc_admdvs)
        return self.send(env).get("output") or {}


def midplatform_as_envelope(answer: dict[str, Any]) -> dict[str, Any]:
    """{code: 0, message, data} -> infcode 0 with output.data; {success: false, code, message} (or any other
    code) -> infcode -1 whose err_msg carries the code, so the refusal's code and words both reach the cashier."""
    code = str(answer.get("code")).strip()
    if code in ("0", "200") and answer.get("success") is not False:
        return {"infcode": 0, "err_msg": "", "output": {"data": answer.get("data"),
                                                        **({"extra": answer["extra"]} if answer.get("extra") else {})}}
    return {"infcode": -1, "err_msg": f"{answer.get('message') or '解码失败'}（{code}）", "output": {}}


def _never_connected(e: requests.exceptions.ConnectionError) -> bool:
    """True when the connection was never made, so the request cannot have been processed."""
    cause = e.args[0] if e.args else None
    reason = getattr(cause, "reason", cause)
    if isinstance(reason, SSLError):
        # Certificate checks fail in the TLS handshake, before the request is written; other TLS
        # errors may come while the answer is read, so they stay unknown.
        return any(isinstance(a, (ssl.SSLCertVerificationError, CertificateError)) for a in reason.args)
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError, ConnectionRefusedError))
