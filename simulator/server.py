"""`ecpos sim serve`: the platform, the credential service and the admin endpoints on one loopback port."""
from __future__ import annotations

import signal
import socket
import struct
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from simulator import channel as sim_channel
from simulator import checker, codes, credential, faults as faults_mod, ledger, platform, roster
from simulator import clinic, identity, pharmacy, queries, reversal, trace  # noqa: F401  (register handlers)
from simulator.store import Store, balance
from simulator.wire import answer, dumps, loads, stamp

PLATFORM_PATH = "/fsi/api/rsfComIfsService/callService"
CREDENTIAL_PATH = "/localcfc/api/hsecfc/localQrCodeQuery"
# The 1162 decode service taking the request without the platform envelope (the path is ours: the real one
# is per deployment and not public; ecpos's [credential] decode_path).
DECODE_PATH = "/fsi/api/ecQrCodeDecode"
LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")
# /admin/settings keys: data of ec.query as a JSON string; amounts as "12.30" strings instead of numbers;
# code lifetime in seconds; a non-empty tif_token makes the platform require valid x-tif-* headers;
# decode_midplatform: the enveloped 1162 answers in the 中台 shapes ({code, message, data} /
# {success: false, code, message}) as some real platforms do, instead of infcode/output.
# envelope_*: the platform endpoint takes only SM4/SM2 envelopes (PROTOCOL.md §3) of this app and key.
SETTINGS = ("ec_data_as_string", "amounts_as_strings", "code_ttl", "tif_token", "decode_midplatform", "ca_secret",
            "envelope_app_id", "envelope_app_secret", "envelope_public_key")


class SimServer(ThreadingHTTPServer):
    """Holds the store and the active faults for the request handlers."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, store: Store, faults: faults_mod.Faults, channel: str = "national",
                 door: "Door | None" = None):
        self.store, self.faults, self.door = store, faults, door
        self.channel = sim_channel.load(channel)
        self.schema = checker.load(channel)
        super().__init__(address, Handler)


class Door:
    """The service's port, open (serving) or shut by the `down` fault: then a socket holds the port bound
    without listening, so a connect is refused and nothing reaches anyone — what a platform that is down looks
    like to the till. (It answered HTTP 503 before; a real gateway's 503 may come after the platform processed
    the request, so the till must read a 503 as an unknown outcome.) The admin endpoints have a port of their
    own that stays open."""

    def __init__(self, address, make):
        self._address, self._make = address, make
        self._lock = threading.Lock()
        self._server: SimServer | None = None
        self._holder: socket.socket | None = None
        self.port = 0

    def set(self, shut: bool) -> None:
        with self._lock:
            if shut and self._server is not None:
                server, self._server = self._server, None
                server.shutdown()
                server.server_close()
                self._hold()  # at once: keep the port for when the fault is cleared
            elif not shut and self._server is None:
                self._server = self._make((self._address[0], self.port or self._address[1]))
                self.port = self._server.server_address[1]
                threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                 daemon=True).start()
                if self._holder is not None:
                    self._holder.close()
                    self._holder = None
            elif shut and self._holder is None:  # shut from the start: bind the port only
                self._hold()

    def _hold(self) -> None:
        holder = socket.socket(socket.AF_INET6 if ":" in self._address[0] else socket.AF_INET)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind((self._address[0], self.port or self._address[1]))
        self.port = holder.getsockname()[1]
        self._holder = holder

    def close(self) -> None:
        self.set(True)
        with self._lock:
            if self._holder is not None:
                self._holder.close()
                self._holder = None


class Handler(BaseHTTPRequestHandler):
    server: SimServer
    server_version = "ecpos-sim/1"

    def log_message(self, *args) -> None:  # quiet: the terminal side logs what matters
        pass

    # plumbing -------------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str = "application/json;charset=utf-8") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (read timeout during a delay fault)
        self.close_connection = True

    def _json(self, obj: object, status: int = 200) -> None:
        self._send(status, dumps(obj, bool(self.server.store.setting("amounts_as_strings", False))))

    def _reset(self) -> None:
        """Close with a reset, unread and unprocessed: the till sent its request and got no answer."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True

    def _drop(self) -> None:
        """Close without answering: the client sees its answer lost."""
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def _body(self) -> object:
        """The JSON body, or None when it is missing or malformed (a bad Content-Length included)."""
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if n < 0:
            return None  # read(-1) would wait for the client to close: answer "malformed" instead
        raw = self.rfile.read(n) if n else b""
        self._raw = raw  # the gateway signs these bytes
        try:
            return loads(raw) if raw else None
        except (UnicodeDecodeError, ValueError):
            return None

    # routes ---------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        if not self._admin_allowed():
            return
        store = self.server.store
        if self.path == "/admin/health":
            self._json({"ok": True})
        elif self.path == "/admin/ledger":
            self._json(ledger.ledger(store))
        elif self.path == "/admin/persons":
            self._json(persons(store))
        elif self.path == "/admin/faults":
            self._json({"faults": self.server.faults.active()})
        else:
            self._json({"error": "not found"}, 404)

    def do_POST(self) -> None:
        try:
            self._route_post()
        except Exception:  # a simulator bug: say so on stderr; the client sees HTTP 500 (outcome unknown)
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            self._send(500, b'{"error": "internal error"}')

    def _route_post(self) -> None:
        path = self.path.split("?")[0]
        body = self._body()
        if self.server.channel.serves(path):
            self._platform(body, path)
        elif path == CREDENTIAL_PATH:
            self._credential(body)
        elif path == DECODE_PATH:
            self._decode_bare(body)
        elif path.startswith("/admin/"):
            if self._admin_allowed():
                self._admin(path, body if isinstance(body, dict) else {})
        elif self.server.channel.routes and path.startswith("/fsi/api/"):
            self._platform(body, path)  # a per-service channel's platform: 未知交易编号 on a path it does not serve
        else:
            self._json({"error": "not found"}, 404)

    def _platform(self, env: object, path: str = PLATFORM_PATH) -> None:
        ch, store = self.server.channel, self.server.store
        app = store.setting("envelope_app_id", "")
        if app:  # this channel wants the SM4/SM2 envelope: open it before anything else
            # why: only an envelope channel needs 国密 (terminal.wire.gm refuses to import without SM3/SM4)
            from simulator.envelope import open_envelope

            env, why = open_envelope(env, app, str(store.setting("envelope_app_secret", "")),
                                     str(store.setting("envelope_public_key", "")))
            if why:
                return self._send(401, dumps({"code": 401, "message": why}))
        infno = str(env.get("infno") or "") if isinstance(env, dict) else ""
        national, wrong = ch.national(path, infno) if infno else (infno, "")
        hit = self.server.faults.take(national or infno)
        if "reset" in hit:
            return self._reset()
        fix = str(env.get("fixmedins_code") or "") if isinstance(env, dict) else ""
        refusal = sim_channel.gateway_problem(ch, self.headers, getattr(self, "_raw", b""), fix,
                                              str(store.setting("ca_secret", "") or sim_channel.DEFAULT_SECRET))
        if refusal:  # the provincial gateway turns it away before the platform sees it
            return self._send(401, dumps({"code": 401, "message": refusal}))
        receiver = ch.receiver(national) if national else ""
        if not wrong and receiver and env.get("recer_sys_code") != receiver:
            wrong = f"接收方系统代码(recer_sys_code)应为{receiver}"
        if not wrong and national == "2601":
            env, wrong = _original_as_national(ch, env)
        if wrong:
            now = store.now()
            return self._json(answer(now, platform.REFMSG_AREA + stamp(now, "%Y%m%d%H%M%S") + "0" * 10,
                                     err_msg=wrong))
        if national != infno:
            env = dict(env, infno=national)  # stored and answered under the national number
        token = store.setting("tif_token", "")
        if token and sim_channel.tif_problem(self.headers, token):
            # The provincial gateway turns an unsigned or badly signed request away before the platform.
            return self._send(401, b'{"error": "x-tif-signature invalid"}')
        if "error" in hit:
            now = store.now()
            return self._json(answer(now, platform.REFMSG_AREA + stamp(now, "%Y%m%d%H%M%S") + "0" * 10,
                                     err_msg=hit["error"].arg or codes.BUSY[1]))
        result = platform.dispatch(store, env, self.server.schema)
        if national == "1162" and store.setting("decode_midplatform", False):
            result = _midplatform(result)
        self._after(hit, result)

    def _decode_bare(self, data: object) -> None:
        hit = self.server.faults.take("1162")
        if "reset" in hit:
            return self._reset()
        if "error" in hit:
            return self._json(credential.midplatform_refusal(codes.BUSY[0], hit["error"].arg or codes.BUSY[1]))
        self._after(hit, credential.decode_bare(self.server.store, data))

    def _credential(self, request: object) -> None:
        hit = self.server.faults.take("ec.query")
        if "reset" in hit:
            return self._reset()
        if "error" in hit:
            return self._json(credential.failure((codes.BUSY[0], hit["error"].arg or codes.BUSY[1])))
        self._after(hit, credential.query(self.server.store, request))

    def _after(self, hit: dict, result: dict) -> None:
        """Apply delay/drop to a processed (committed) request, then answer."""
        if "delay" in hit:
            threading.Event().wait(int(hit["delay"].arg) / 1000)
        if "drop" in hit:
            return self._drop()
        if "gateway" in hit:  # the platform processed it; the gateway in front lost the answer
            return self._send(int(hit["gateway"].arg), b"<html>Bad Gateway</html>", "text/html")
        if "garble" in hit:
            broken = faults_mod.garble(result, hit["garble"].arg)
            body = broken if isinstance(broken, bytes) else dumps(broken, False)
            return self._send(200, body)
        if "drip" in hit:
            return self._drip(dumps(result, bool(self.server.store.setting("amounts_as_strings", False))),
                              int(hit["drip"].arg) / 1000)
        self._json(result)

    def _drip(self, body: bytes, pause: float) -> None:
        """Send the answer one byte at a time (a link that barely moves), until sent or the client leaves."""
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.flush()
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                threading.Event().wait(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def _admin_allowed(self) -> bool:
        if self.client_address[0] in LOOPBACK:
            return True
        self._json({"error": "admin endpoints answer loopback clients only"}, 403)
        return False

    def _admin(self, path: str, body: dict) -> None:
        store, faults = self.server.store, self.server.faults
        try:
            if path == "/admin/faults":
                if body.get("clear"):
                    faults.clear()
                if body.get("spec"):
                    faults.add(str(body["spec"]))
                if self.server.door is not None:
                    self.server.door.set(faults.down())
                return self._json({"faults": faults.active()})
            if path == "/admin/clock":
                offset = store.advance(float(body.get("advance", 0)))
                return self._json({"offset": offset, "now": store.now()})
            if path == "/admin/code":
                code = codes.issue(store, str(body.get("psn_no") or ""), by=body.get("by") or None)
                return self._json({"code": code})
            if path == "/admin/settings":
                for key in SETTINGS:
                    if key in body:
                        store.set_setting(key, body[key])
                return self._json({k: store.setting(k) for k in SETTINGS
                                   if k not in ("tif_token", "ca_secret", "envelope_app_secret")})
        except (ValueError, TypeError) as e:
            return self._json({"error": str(e)}, 400)
        self._json({"error": "not found"}, 404)


def _original_as_national(ch: sim_channel.SimChannel, env: dict) -> tuple[dict, str]:
    """A 2601 names the reversed transaction as it was sent (2207A on Zhejiang): the handler, which keeps
    national numbers, gets the national one; a national number for what went renamed is refused."""
    data = (env.get("input") or {}).get("data") if isinstance(env.get("input"), dict) else None
    if not isinstance(data, dict) or not data.get("oinfno"):
        return env, ""  # the schema names what is missing
    national, wrong = ch.original(str(data["oinfno"]))
    if wrong or national == data["oinfno"]:
        return env, wrong
    return dict(env, input=dict(env["input"], data=dict(data, oinfno=national))), ""


def _midplatform(result: dict) -> dict:
    """An enveloped 1162 answer re-shaped as the 中台 answers it."""
    if str(result.get("infcode")) != "0":
        err = str(result.get("err_msg") or "")
        code = next((c for c, m in (codes.NOT_EC_CODE, codes.EXPIRED, codes.USED, codes.UNKNOWN,
                                    codes.NOT_ACTIVATED, codes.NO_INSURANCE) if m == err), "500100")
        return credential.midplatform_refusal(code, err)
    out = result.get("output") or {}
    fields = dict(out.get("data") or {})
    if (out.get("extra") or {}).get("familyAccount"):
        fields["familyAccount"] = out["extra"]["familyAccount"]
    return credential.midplatform_success(fields)


def persons(store: Store) -> list[dict]:
    """The roster with current balances."""
    db = store.conn()
    return [roster.describe(p, balance(db, p.psn_no, p.balc)) for p in roster.PERSONS]


def serve(host: str, port: int, db_path: str, fault_spec: str = "", code_ttl: float | None = None,
          channel: str = "national", ca_secret: str = "") -> int:
    """Run until SIGTERM/SIGINT; prints the listening line first (flushed)."""
    store = Store(db_path)
    if code_ttl is not None:
        store.set_setting("code_ttl", float(code_ttl))
    if ca_secret:
        store.set_setting("ca_secret", ca_secret)
    faults = faults_mod.Faults(fault_spec)
    door = Door((host, port), lambda address: SimServer(address, store, faults, channel, door))
    door.set(faults.down())
    admin = SimServer((host, 0), store, faults, channel, door)
    stop = threading.Event()

    def on_signal(signum, frame):
        if not stop.is_set():
            stop.set()
            threading.Thread(target=admin.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    h, p = admin.server_address[:2]
    print(f"listening on http://{h}:{door.port}", flush=True)
    print(f"admin on http://{h}:{p}", flush=True)  # the same endpoints, on a port the `down` fault leaves open
    try:
        admin.serve_forever(poll_interval=0.1)
    finally:
        door.close()
        admin.server_close()
        store.close()
    print("stopped", file=sys.stderr, flush=True)
    return 0
