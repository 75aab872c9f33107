"""`ecpos verify --qr CODE [--json]`: through whatever is configured; exit 0 / 2 / 3 / 4."""
from __future__ import annotations

import json
import os

import pytest

from ecpos.main import main
from simulator import roster
from tests.conftest import write_toml


def run(capsys, sim_url, data_dir, *args, config=None):
    argv = ["--center", sim_url, "--data-dir", str(data_dir)]
    if config:
        argv += ["--config", str(config)]
    rc = main([*argv, "verify", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize("over", [{}, {"credential.adapter": "http"}, {"credential.bridge": "on"}],
                         ids=["library", "http", "bridge"])
def test_verify_prints_the_masked_credential_and_token(sim, capsys, tmp_path, over, request):
    if over.get("credential.bridge") == "on":
        request.getfixturevalue("lib32")
    p = sim.person("active")
    cfg = write_toml(tmp_path / "c.toml", over) if over else None
    rc, out, err = run(capsys, sim.url, tmp_path, "--qr", sim.code(p["psn_no"]), config=cfg)
    assert rc == 0, err
    person = roster.get(p["psn_no"])
    assert p["name"] in out and p["id_masked"] in out and "ecToken 3201******************************" in out
    assert person.name not in out and person.certno not in out


def test_verify_json(sim, capsys, tmp_path):
    holder = next(p for p in sim.persons() if (p.get("family") or {}).get("role") == "holder")
    member = holder["family"]["members"][0]
    rc, out, _ = run(capsys, sim.url, tmp_path, "--qr", sim.code(member["psn_no"], by=holder["psn_no"]), "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["status"] == "ok" and doc["ecToken"].startswith("3201****") and doc["ecToken"].count("*") == 30
    assert doc["ecIndexNo"].count("*") == 24  # both as the journal masks them
    assert doc["familyHolder"] == holder["name"] and doc["familyRelation"] == member["relation"]
    assert doc["idNo"].count("*") == 10


def test_locally_rejected_code_exits_2(sim, capsys, tmp_path):
    rc, out, _ = run(capsys, sim.url, tmp_path, "--qr", "134567890123456789", "--json")
    doc = json.loads(out)
    assert rc == 2 and doc["status"] == "rejected" and doc["reason"] == "wechat_pay"
    assert doc["error"] == "code_rejected" and "请出示医保码" in doc["message"]


def test_unreachable_service_exits_3(sim, capsys, tmp_path):
    code = sim.code(sim.person("active")["psn_no"])
    sim.stop()
    rc, _, err = run(capsys, sim.url, tmp_path, "--qr", code)
    assert rc == 3 and "无法连接" in err
    rc, out, _ = run(capsys, sim.url, tmp_path, "--qr", code, "--json")
    doc = json.loads(out)
    assert rc == 3 and doc["status"] == "failed" and doc["error"]  # the shape settle/refund/sync fail in


def test_refused_code_exits_4_with_the_activation_guide(sim, capsys, tmp_path):
    rc, out, _ = run(capsys, sim.url, tmp_path, "--qr", sim.code(sim.person("not_activated")["psn_no"]), "--json")
    doc = json.loads(out)
    assert rc == 4 and doc["status"] == "refused" and doc["code"] == "500170" and doc["activation_guide"] is True
    assert "先激活后缴费" in doc["message"] and doc["service_message"]


def test_misconfigured_library_exits_2_saying_what_to_fix(sim, capsys, tmp_path):
    cfg = write_toml(tmp_path / "c.toml", {"credential.library": str(tmp_path / "missing.so")})
    rc, _, err = run(capsys, sim.url, tmp_path, "--qr", "1" * 28, config=cfg)
    assert rc == 2 and "找不到" in err


def test_a_bare_library_name_is_found_in_the_install_folder_then_on_path(sim, capsys, tmp_path, lib64, monkeypatch):
    """[credential] library = "NationECCode.dll" as vendors' installers leave it: the install folder first,
    then PATH (an IT person puts the DLL in either)."""
    from terminal.ec import library

    vendor, install = tmp_path / "vendor", tmp_path / "install"
    vendor.mkdir()
    install.mkdir()
    (vendor / "libvendor.so").write_bytes(lib64.read_bytes())
    cfg = write_toml(tmp_path / "c.toml", {"credential.library": "libvendor.so", "credential.bridge": "off"})
    monkeypatch.setattr(library, "install_dirs", lambda: [install])
    code = sim.code(sim.person("active")["psn_no"])

    rc, _, err = run(capsys, sim.url, tmp_path / "d", "--qr", code, config=cfg)
    assert rc == 2 and "找不到" in err and str(install / "libvendor.so") in err
    monkeypatch.setenv("PATH", os.pathsep.join([str(tmp_path / "empty"), str(vendor)]))
    rc, out, err = run(capsys, sim.url, tmp_path / "d", "--qr", code, "--json", config=cfg)
    assert rc == 0 and str(vendor / "libvendor.so") in json.loads(out)["adapter"]
    (install / "libvendor.so").write_bytes(b"not a library at all" * 4)  # the install folder wins over PATH
    rc, _, err = run(capsys, sim.url, tmp_path / "d", "--qr", code, config=cfg)
    assert rc == 2 and "无法识别" in err and str(install / "libvendor.so") in err
