"""国密 (Chinese national cryptography) for the wire: SM3 and SM4 from `cryptography`'s OpenSSL, SM2
(SM3withSM2) from gmssl.

No silent fallback: when the OpenSSL behind `cryptography` lacks SM3 or SM4, importing this module raises
GmUnavailable at start, instead of a gateway refusing every request later (or, worse, a SHA-256 look-alike).
SM2 follows GB/T 32918.2 (GM/T 0003.2): e = SM3(Z_A || M), Z_A = SM3(ENTL || ID || a || b || xG || yG || xA
|| yA); gmssl supplies the curve arithmetic, Z_A is computed here so any user ID works (gmssl hard-codes
1234567812345678, the default ID, which the standard's example and most platforms use).
"""
from __future__ import annotations

import secrets

from terminal.errors import EcposError


class GmUnavailable(EcposError):
    """The cryptography backend cannot do SM3/SM4 (or gmssl is missing): fail at start, say what to install."""

    key = "gm_unavailable"
    exit_code = 2


try:
    from cryptography.hazmat.backends import default_backend
    from cryptography.hazmat.primitives import hashes, hmac, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
except ImportError as e:  # pragma: no cover - the package is a dependency
    raise GmUnavailable("缺少 cryptography 库，无法进行国密(SM3/SM4)运算；请安装 cryptography>=42",
                        detail=str(e)) from None

_backend = default_backend()
if not _backend.hash_supported(hashes.SM3()):
    raise GmUnavailable("本机 OpenSSL 不支持 SM3，国密签名无法进行；请安装带 SM3/SM4 的 cryptography（≥42）",
                        detail="cryptography backend: SM3 unsupported")
if not _backend.cipher_supported(algorithms.SM4(b"\0" * 16), modes.ECB()):
    raise GmUnavailable("本机 OpenSSL 不支持 SM4，国密加密无法进行；请安装带 SM3/SM4 的 cryptography（≥42）",
                        detail="cryptography backend: SM4 unsupported")

DEFAULT_UID = b"1234567812345678"  # GB/T 32918 / GM/T 0009 default signer ID


def sm3(data: bytes) -> bytes:
    """SM3 digest (32 bytes)."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 (32 bytes)."""
    h = hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize()


def sm4_encrypt(key: bytes, data: bytes) -> bytes:
    """SM4-ECB with PKCS#7 padding (the mobile-payment envelope's encData)."""
    p = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return enc.update(p.update(data) + p.finalize()) + enc.finalize()


def sm4_decrypt(key: bytes, data: bytes) -> bytes:
    """Inverse of sm4_encrypt; ValueError on a wrong key or padding."""
    dec = Cipher(algorithms.SM4(key), modes.ECB()).decryptor()
    u = padding.PKCS7(128).unpadder()
    return u.update(dec.update(data) + dec.finalize()) + u.finalize()


def _sm2():
    try:
        from gmssl import sm2 as gsm2  # why: here, so a missing gmssl is a message when SM2 is first needed
    except ImportError as e:  # pragma: no cover - the package is a dependency
        raise GmUnavailable("缺少 gmssl 库，无法进行 SM2 签名；请安装 gmssl>=3.2", detail=str(e)) from None
    return gsm2


def sm2_public_key(private_hex: str) -> str:
    """The public key (x || y, 128 hex digits, no 04 prefix) of a private key."""
    gsm2 = _sm2()
    c = gsm2.CryptSM2(private_key=private_hex, public_key="")
    return c._kg(int(private_hex, 16), gsm2.default_ecc_table["g"])


def sm2_za(public_hex: str, uid: bytes = DEFAULT_UID) -> bytes:
    """Z_A of GB/T 32918.2: SM3(ENTL || ID || a || b || xG || yG || xA || yA)."""
    t = _sm2().default_ecc_table
    entl = (len(uid) * 8).to_bytes(2, "big")
    return sm3(entl + uid + bytes.fromhex(t["a"] + t["b"] + t["g"] + public_hex))


def sm2_sign(private_hex: str, message: bytes, uid: bytes = DEFAULT_UID, k_hex: str | None = None,
             public_hex: str | None = None) -> bytes:
    """SM3withSM2 signature r || s (64 bytes). `k_hex` fixes the nonce (only for the standard's vectors)."""
    gsm2 = _sm2()
    public_hex = public_hex or sm2_public_key(private_hex)
    c = gsm2.CryptSM2(private_key=private_hex, public_key=public_hex)
    e = sm3(sm2_za(public_hex, uid) + message)
    while True:
        k = k_hex or secrets.token_hex(32)
        sig = c.sign(e, k)
        if sig is not None:
            return bytes.fromhex(sig)
        if k_hex:
            raise ValueError("this k gives no signature")


def sm2_verify(public_hex: str, message: bytes, signature: bytes, uid: bytes = DEFAULT_UID) -> bool:
    """True when `signature` (r || s, 64 bytes) is SM3withSM2 of `message` under `public_hex`."""
    if len(signature) != 64:
        return False
    c = _sm2().CryptSM2(private_key="", public_key=public_hex)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    n = int(_sm2().default_ecc_table["n"], 16)
    if not (0 < r < n and 0 < s < n):
        return False
    return bool(c.verify(signature.hex(), sm3(sm2_za(public_hex, uid) + message)))
