"""A gateway on a slow link, for benchmarks: TLS in front of the reference service, N milliseconds each way.

    python bench/slowlink.py --upstream http://127.0.0.1:PORT --each-way-ms 20 --cert DIR

Prints `listening on https://127.0.0.1:PORT` and the CA file to trust (`ca FILE`). Two parts in one process:
the link (raw TCP, every chunk delivered N ms after it was read, in both directions, so the TCP and TLS
handshakes pay their round trips as on a real network) and the gateway behind it (TLS, HTTP/1.1 with
kept-alive connections towards the till, a new connection to the service per request, as the service closes
each one).
"""
from __future__ import annotations

import argparse
import datetime
import http.client
import ipaddress
import queue
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


def make_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA): (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    crt, pem = folder / "slowlink.crt", folder / "slowlink.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


def gateway(upstream: str, crt: Path, key: Path) -> ThreadingHTTPServer:
    """The TLS gateway: kept-alive connections to the till, one per request to the service."""
    u = urlsplit(upstream)

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            up = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            skip = {"host", "connection", "content-length"}
            up.request("POST", self.path, body, {k: v for k, v in self.headers.items() if k.lower() not in skip})
            r = up.getresponse()
            data = r.read()
            up.close()
            self.send_response(r.status)
            self.send_header("Content-Type", r.getheader("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def _pipe(src: socket.socket, dst: socket.socket, delay: float) -> None:
    """Deliver what src sends to dst, each chunk `delay` seconds after it arrived (latency, not bandwidth)."""
    due: queue.Queue = queue.Queue()

    def deliver():
        while True:
            at, chunk = due.get()
            pause = at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                if chunk:
                    dst.sendall(chunk)
                else:
                    dst.shutdown(socket.SHUT_WR)
                    return
            except OSError:
                return

    threading.Thread(target=deliver, daemon=True).start()
    while True:
        try:
            chunk = src.recv(65536)
        except OSError:
            chunk = b""
        due.put((time.monotonic() + delay, chunk))
        if not chunk:
            return


def link(port: int, delay: float) -> socket.socket:
    """The slow link in front of the gateway's port."""
    server = socket.create_server(("127.0.0.1", 0))

    def accept():
        while True:
            client, _ = server.accept()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            inner = socket.create_connection(("127.0.0.1", port))
            inner.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=_pipe, args=(client, inner, delay), daemon=True).start()
            threading.Thread(target=_pipe, args=(inner, client, delay), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return server


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--each-way-ms", type=float, default=20.0)
    ap.add_argument("--cert", required=True, help="folder for the self-signed certificate")
    args = ap.parse_args()
    crt, key = make_cert(Path(args.cert))
    gw = gateway(args.upstream, crt, key)
    front = link(gw.server_address[1], args.each_way_ms / 1000)
    print(f"listening on https://127.0.0.1:{front.getsockname()[1]}", flush=True)
    print(f"ca {crt}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
