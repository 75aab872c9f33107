"""国密 speeds on this machine: SM2 sign/verify (gmssl, pure Python), SM3/HMAC-SM3/SM4 (cryptography/OpenSSL).

    python bench/gm.py [--n 50]
"""
from __future__ import annotations

import argparse
import statistics
import time

from terminal.wire import gm

D = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"


def per_call(fn, n: int) -> float:
    """Median seconds per call over n calls."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    n = ap.parse_args().n
    pub = gm.sm2_public_key(D)
    msg = b"appId=x&encData=" + b"A" * 2000 + b"&key=secret"
    sig = gm.sm2_sign(D, msg, public_hex=pub)
    body = b"{" + b'"k":"v",' * 512 + b"}"  # ~4 KB, a large settlement request
    key = bytes(16)
    rows = [("SM2 sign (gmssl)", per_call(lambda: gm.sm2_sign(D, msg, public_hex=pub), n)),
            ("SM2 verify (gmssl)", per_call(lambda: gm.sm2_verify(pub, msg, sig), n)),
            ("HMAC-SM3 4 KB", per_call(lambda: gm.hmac_sm3(b"secret", body), n * 20)),
            ("SM4-ECB 4 KB", per_call(lambda: gm.sm4_encrypt(key, body), n * 20))]
    for name, s in rows:
        print(f"{name:22s} {s * 1000:9.3f} ms")
    print(f"summary: SM2 sign {rows[0][1] * 1000:.1f} ms, verify {rows[1][1] * 1000:.1f} ms; "
          f"HMAC-SM3 4 KB {rows[2][1] * 1e6:.0f} us; SM4 4 KB {rows[3][1] * 1e6:.0f} us (median of {n})")


if __name__ == "__main__":
    main()
