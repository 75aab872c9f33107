"""国密 primitives against the standards' own example vectors.

- SM3: GB/T 32905-2016 example 1, SM3("abc").
- SM4: GB/T 32907-2016 appendix A example 1 (key = plaintext = 0123456789abcdeffedcba9876543210).
- SM2 (SM3withSM2): the signature example of GM/T 0003.5-2012 / GB/T 32918.5 (recommended curve sm2p256v1,
  ID 1234567812345678, message "message digest", private key d, nonce k -> Z_A, r, s), as published in public
  test suites, e.g. GitHub hellobchain/newcryptosm `ecdsa` TestStandardData and several SM2 C libraries'
  "标准第五章中的测试用参数" (found by code search for the private key 3945208F…C5B8).
"""
from __future__ import annotations

import importlib

import pytest

from terminal.wire import gm
from terminal.errors import EcposError

D = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
PUB = ("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
       "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")
ZA = "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3"
K = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
R = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
S = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"


def test_sm3_and_sm4_standard_examples():
    assert gm.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert gm.sm4_encrypt(key, key)[:16].hex() == "681edf34d206965e86b3e94f536e4246"   # first block; PKCS7 adds one
    assert gm.sm4_decrypt(key, gm.sm4_encrypt(key, "医保".encode())) == "医保".encode()
    with pytest.raises(ValueError):
        gm.sm4_decrypt(bytes(16), gm.sm4_encrypt(key, b"x" * 20))


def test_sm2_standard_signature_example():
    assert gm.sm2_public_key(D).upper() == PUB
    assert gm.sm2_za(PUB).hex().upper() == ZA
    sig = gm.sm2_sign(D, b"message digest", k_hex=K)
    assert sig.hex().upper() == R + S
    assert gm.sm2_verify(PUB, b"message digest", sig)
    assert not gm.sm2_verify(PUB, b"message digesu", sig)
    assert not gm.sm2_verify(PUB, b"message digest", sig[:-1] + bytes([sig[-1] ^ 1]))


def test_sm2_with_a_random_nonce_and_another_user_id():
    sig = gm.sm2_sign(D, b"payload", uid=b"appSecret-as-id")
    assert gm.sm2_verify(PUB, b"payload", sig, uid=b"appSecret-as-id")
    assert not gm.sm2_verify(PUB, b"payload", sig)   # the default ID gives another Z_A
    assert sig != gm.sm2_sign(D, b"payload", uid=b"appSecret-as-id")   # fresh k each time


def test_a_backend_without_sm3_fails_loudly_at_import(monkeypatch):
    from cryptography.hazmat.backends.openssl.backend import Backend

    monkeypatch.setattr(Backend, "hash_supported", lambda self, algorithm: algorithm.name != "sm3")
    with pytest.raises(EcposError, match="SM3") as ei:   # reload makes a new GmUnavailable class
        importlib.reload(gm)
    assert ei.value.key == "gm_unavailable" and ei.value.exit_code == 2
    monkeypatch.undo()
    importlib.reload(gm)
