"""A till's self-check before it sells (`ecpos verify`): one code read through the configured credential adapter
(the vendor library, its 32-bit bridge, or 1162) with the profile's businessType, and no sale made. It answers a
Check the face prints: which adapter, the credential as a screen may show it (masked), or what went wrong and what
that means (not a 医保码 at all; the service unreachable; the service or the library refusing it)."""
from __future__ import annotations

from dataclasses import dataclass, field

from terminal.codes import CodeRejected
from terminal.ec.adapter import DEFAULT_BUSINESS_TYPE, make_adapter
from terminal.ec.credential import CredentialError
from terminal.errors import EcposError
from terminal.sale import flows

OK, REJECTED, OFFLINE, REFUSED, ERROR = "ok", "rejected", "offline", "refused", "error"


@dataclass(frozen=True)
class Check:
    """What the check found. `status`: ok, rejected (not a 医保码: exit 2), offline (unreachable, nothing decided: 3),
    refused (the service or library said no: 4), error; `facts` what a script reads beside the message (the
    service's code and words and whether the patient must activate the code first, or why it was rejected)."""

    status: str
    adapter: str = ""
    shown: dict = field(default_factory=dict)
    family: bool = False
    error: EcposError | None = None
    facts: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 0 if self.error is None else self.error.exit_code

    @property
    def answered_by(self) -> str:
        """Who said no, for the message: the vendor library answers with negative codes, the service without."""
        return "凭证库" if str(self.facts.get("code", "")).startswith("-") else "服务"


def business_type(cfg) -> str:
    """The businessType a code is checked for: the profile's (02121 药店购药, 01101 门诊), else the pharmacy's."""
    return flows.FLOWS[cfg.profile].business_type if cfg.profile in flows.FLOWS else DEFAULT_BUSINESS_TYPE


def check_code(cfg, qr: str | None, business: str = "") -> Check:
    """Read `qr` (None: the vendor library drives the scan box) through the configured adapter, no sale made."""
    adapter = make_adapter(cfg)
    try:
        cred = adapter.verify(qr, business or business_type(cfg))
    except CodeRejected as e:
        return Check(REJECTED, error=e, facts={"reason": e.reason})
    except CredentialError as e:
        status = {3: OFFLINE, 4: REFUSED}.get(e.exit_code, ERROR)
        return Check(status, error=e, facts={"code": e.code, "service_message": e.service_message,
                                             "activation_guide": e.activation_guide})
    finally:
        adapter.close()
    return Check(OK, adapter.describe(), cred.display(), cred.is_family)
