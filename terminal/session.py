"""The operator's platform session (9001 sign-in, sign_no kept in the journal) and patient identification
(credential -> 1101 person information -> Patient)."""
from __future__ import annotations

import functools
import socket
import uuid
from datetime import date
from decimal import Decimal
from typing import Callable, TypeVar

from terminal import logs, messages
from terminal.errors import EcposError, PlatformRefused
from terminal.journal import Journal
from terminal.masking import mask_id, mask_name
from terminal.money import yuan
from terminal.records import INSUTYPE_NAMES, Patient
from terminal.wire import JournaledClient

T = TypeVar("T")
# Words in an err_msg that mean "your sign_no is not (or no longer) valid": sign in again and retry once.
_SIGN_WORDS = ("签到", "sign_no")


def sign_refusal(err_msg: str) -> bool:
    """True when a refusal was about the sign_no (nothing happened; sign in again and resend)."""
    return any(w in (err_msg or "") for w in _SIGN_WORDS)


class PersonError(EcposError):
    """1101 found the person but they cannot be settled (no valid insurance)."""

    key = "person_not_insured"
    exit_code = 4


class Session:
    """Signs the operator in once (9001) and re-signs when the platform rejects the sign_no."""

    def __init__(self, cfg, client: JournaledClient, journal: Journal):
        self.cfg, self.client, self.journal = cfg, client, journal
        self._key = f"sign_no:{cfg.institution.fixmedins_code}:{cfg.operator.id}"
        stored = journal.get_meta(self._key)
        day, _, sign_no = stored.partition("|")
        # A sign_no from an earlier process of the same operator today is still this session's.
        if day == date.today().isoformat() and sign_no:
            client.sign_no = sign_no

    @property
    def signed_in(self) -> bool:
        return bool(self.client.sign_no)

    def sign_in(self, force: bool = False) -> str:
        """9001 unless already signed in; returns sign_no."""
        if self.client.sign_no and not force:
            return self.client.sign_no
        self.client.sign_no = ""
        out = self.client.call("9001", {"signIn": {"opter_no": self.cfg.operator.id, "mac": _mac(),
                                                   "ip": _ip()}})
        sign_no = str((out.get("signinoutb") or {}).get("sign_no") or "")
        if not sign_no:
            raise PlatformRefused("签到未返回 sign_no", infno="9001")
        self.client.sign_no = sign_no
        self.journal.set_meta(self._key, f"{date.today().isoformat()}|{sign_no}")
        self.journal.audit("signed_in", self.cfg.operator.id, sign_no=sign_no)
        return sign_no

    def sign_out(self) -> None:
        """9002; forgets the sign_no."""
        if not self.client.sign_no:
            return
        self.client.call("9002", {"signOut": {"sign_no": self.client.sign_no,
                                               "opter_no": self.cfg.operator.id}})
        self.client.sign_no = ""
        self.journal.set_meta(self._key, "")
        self.journal.audit("signed_out", self.cfg.operator.id)

    def signed(self, fn: Callable[[], T]) -> T:
        """Run fn after signing in; when the platform rejects the sign_no, sign in again and run it once more.
        A refusal means nothing happened, so the retry (a new envelope, a new msgid) is safe."""
        self.sign_in()
        try:
            return fn()
        except PlatformRefused as e:
            if not sign_refusal(e.err_msg):
                raise
            logs.event("sign_in_again", infno=e.infno, err_msg=e.err_msg)
            self.sign_in(force=True)
            return fn()


def patient_from_1101(cred, out: dict, cert_type: str, cert_no: str, mdtrtarea: str) -> Patient:
    """A Patient from a 1101 answer and the credential that asked for it."""
    base = messages.baseinfo(out)
    # insuinfo may be one object and the area may be named insu_admdvs (PROTOCOL.md §2b): read both.
    insu = [i for i in messages.insurances(out) if str(i.get("psn_insu_stas") or "1") == "1"]
    if not base.get("psn_no"):
        raise PersonError("医保平台未返回参保人信息，请核对后重试", key="person_missing")
    if not insu:
        raise PersonError("未查询到有效参保记录（参保状态暂停或无参保），请到参保地医保经办机构咨询",
                          key="person_not_insured")
    # Prefer an insurance of the care area; otherwise the first valid one (异地就医).
    chosen = next((i for i in insu if i.get("insuplc_admdvs") == mdtrtarea), insu[0])
    insutype = str(chosen.get("insutype", ""))
    name = getattr(cred, "user_name", "") or base.get("psn_name", "")
    id_no = getattr(cred, "id_no", "") or base.get("certno", "")
    return Patient(
        credential=cred, psn_no=str(base["psn_no"]), name_masked=mask_name(name), id_masked=mask_id(id_no),
        insutype=insutype, insutype_name=INSUTYPE_NAMES.get(insutype, insutype),
        insuplc_admdvs=str(chosen.get("insuplc_admdvs", "")),
        balc=yuan(chosen.get("balc") or Decimal("0")),
        family_of=getattr(cred, "family_holder", "") or "",
        family_relation=getattr(cred, "family_relation", "") or "",
        mdtrt_cert_type=cert_type, mdtrt_cert_no=cert_no, psn_type=str(chosen.get("psn_type", "")),
        age=str(base.get("age", "")))


def query_person(client: JournaledClient, cred, cert_type: str = "01", cert_no: str = "",
                 psn_name: str = "") -> dict:
    """1101 for a credential (01 ecToken) or an ID / social-security card number (02 / 03)."""
    if cert_type == "01":
        data = {"mdtrt_cert_type": "01", "mdtrt_cert_no": cred.ec_token, "card_sn": "", "begntime": "",
                "psn_cert_type": getattr(cred, "id_type", "") or "01", "certno": cred.id_no,
                "psn_name": cred.user_name}
    else:
        data = {"mdtrt_cert_type": cert_type, "mdtrt_cert_no": cert_no, "card_sn": "", "begntime": "",
                "psn_cert_type": "01", "certno": cert_no, "psn_name": psn_name}
    return client.call("1101", {"data": data})


@functools.lru_cache(maxsize=1)
def _mac() -> str:
    n = uuid.getnode()
    return ":".join(f"{(n >> s) & 0xff:02X}" for s in range(40, -1, -8))


@functools.lru_cache(maxsize=1)
def _ip() -> str:
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
