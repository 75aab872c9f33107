"""The library-free path: 1162 through PlatformClient, answered and typed like the library path."""
from __future__ import annotations

import pytest

from simulator import roster
from terminal.codes import CodeRejected
from terminal.ec import CredentialError, CredentialUnavailable, make_adapter
from terminal.ec.decode1162 import Http1162Trans
from terminal.wire.platform import PlatformClient


@pytest.fixture
def http_adapter(sim, make_cfg):
    a = make_adapter(make_cfg("pharmacy", {"credential.adapter": "http"}))
    yield a
    a.close()


def test_fresh_code_verifies_through_1162(sim, http_adapter):
    assert isinstance(http_adapter.transport, Http1162Trans) and http_adapter.kind == "http"
    p = sim.person("active", insutype="310")
    cred = http_adapter.verify(sim.code(p["psn_no"]))
    assert cred.user_name == roster.get(p["psn_no"]).name and cred.masked_id == p["id_masked"]
    assert cred.ec_token.startswith("320100ec")


def test_a_given_platform_client_is_used(sim, make_cfg):
    cfg = make_cfg("clinic", {"credential.adapter": "http"})
    platform = PlatformClient(cfg)
    a = make_adapter(cfg, platform=platform)
    assert a.transport.platform is platform
    assert a.verify(sim.code(sim.person("active")["psn_no"]), "01101").ec_token


def test_family_code_through_1162(sim, http_adapter):
    holder = next(p for p in sim.persons() if (p.get("family") or {}).get("role") == "holder")
    member = holder["family"]["members"][-1]
    cred = http_adapter.verify(sim.code(member["psn_no"], by=holder["psn_no"]))
    assert cred.family_holder == holder["name"] and cred.family_relation == member["relation"]


@pytest.mark.parametrize("case, what", [
    ("expired", "expired"), ("used", "used"), ("never_issued", "invalid"), ("unknown_shape", "not_ec_code"),
    ("not_activated", "not_activated"), ("no_insurance", "no_insurance"),
])
def test_refusals_are_told_apart_by_their_words(sim, http_adapter, case, what):
    active = sim.person("active")["psn_no"]
    if case == "expired":
        text = sim.code(active)
        sim.advance(61)
    elif case == "used":
        text = sim.code(active)
        http_adapter.verify(text)
    elif case == "never_issued":
        text = "9" + "0" * 27
    elif case == "unknown_shape":
        text = "XYZ-123"
    else:
        text = sim.code(sim.person(case)["psn_no"])
    with pytest.raises(CredentialError) as ei:
        http_adapter.verify(text)
    assert ei.value.situation == what and ei.value.exit_code == 4 and ei.value.service_message
    assert ei.value.code == ("500159" if what == "not_ec_code" else "1162")   # only 500159 is documented
    assert ei.value.activation_guide is (what in ("not_activated", "no_insurance"))


def test_platform_down_is_unavailable(sim, http_adapter):
    sim.faults("*:down")  # the service refuses connections
    with pytest.raises(CredentialUnavailable) as ei:
        http_adapter.verify(sim.code(sim.person("active")["psn_no"]))
    assert ei.value.exit_code == 3 and ei.value.code == "-1"


def test_platform_error_fault_is_a_typed_refusal(sim, http_adapter):
    sim.faults("1162:error")
    with pytest.raises(CredentialError) as ei:
        http_adapter.verify(sim.code(sim.person("active")["psn_no"]))
    assert ei.value.situation == "busy" and ei.value.exit_code == 4


def test_payment_code_is_rejected_without_a_1162(sim, http_adapter):
    with pytest.raises(CodeRejected, match="支付宝付款码"):
        http_adapter.verify("2812345678901234")
