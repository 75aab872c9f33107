"""Shared fixtures: `sim` (a real `ecpos sim serve` subprocess on a tmp DB) and `make_cfg` (a Config aimed at it)."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from terminal import config as config_mod

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0  # a loaded 2-core machine can take a while to import and bind


class Sim:
    """A running reference service (CONTRACTS.md): url, db, code(), faults(), advance(), ledger(), ..."""

    def __init__(self, db: Path, log: Path, faults: str = "", code_ttl: float | None = None):
        self.db, self.log = Path(db), Path(log)
        self.fault_spec, self.code_ttl = faults, code_ttl
        self.port = 0
        self.url = ""
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None   # of the last stop()
        self.http = requests.Session()

    # lifecycle ----------------------------------------------------------------------------------
    def start(self) -> "Sim":
        """Start (or restart) on the same DB, on the same port when it is still free."""
        if self.proc is not None:
            return self
        if self.port:
            try:
                return self._spawn(self.port)
            except RuntimeError:
                pass  # the port was taken meanwhile: any free port will do
        return self._spawn(0)

    def _spawn(self, port: int) -> "Sim":
        cmd = [sys.executable, "-m", "ecpos", "sim", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--db", str(self.db)]
        if self.fault_spec:
            cmd += ["--faults", self.fault_spec]
        if self.code_ttl is not None:
            cmd += ["--code-ttl", str(self.code_ttl)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
        err = open(self.log, "ab")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=ROOT, env=env)
        err.close()
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT).decode("utf-8", "replace").strip()
        except queue.Empty:
            line = ""
        if not line.startswith("listening on http://"):
            proc.kill()
            proc.wait()
            raise RuntimeError(f"sim did not start ({line!r}); stderr:\n{self.log.read_text(errors='replace')}")
        self.proc = proc
        self.url = line.split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def stop(self) -> None:
        """SIGTERM and wait; kill if it does not go."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            self.returncode = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            self.returncode = proc.wait()
        if proc.stdout:
            proc.stdout.close()
        self.http.close()
        self.http = requests.Session()

    # admin helpers ------------------------------------------------------------------------------
    def _post(self, path: str, body: dict) -> dict:
        r = self.http.post(self.url + path, json=body, timeout=10)
        r.raise_for_status()
        return r.json()

    def _get(self, path: str):
        r = self.http.get(self.url + path, timeout=10)
        r.raise_for_status()
        return r.json()

    def code(self, psn_no: str, by: str | None = None) -> str:
        """A fresh dynamic code for psn_no (shown by family holder `by` when given)."""
        return self._post("/admin/code", {"psn_no": psn_no, "by": by})["code"]

    def faults(self, spec: str) -> list:
        return self._post("/admin/faults", {"spec": spec})["faults"]

    def clear_faults(self) -> None:
        self._post("/admin/faults", {"clear": True})

    def advance(self, seconds: float) -> None:
        """Move the service clock forward (codes and tokens expire without sleeping)."""
        self._post("/admin/clock", {"advance": seconds})

    def settings(self, **kw) -> dict:
        return self._post("/admin/settings", kw)

    def ledger(self) -> dict:
        return self._get("/admin/ledger")

    def persons(self) -> list[dict]:
        return self._get("/admin/persons")

    def person(self, status: str = "active", **match) -> dict:
        """The first roster person with this status and matching fields (e.g. insutype="390")."""
        for p in self.persons():
            if p["status"] == status and all(p.get(k) == v for k, v in match.items()):
                return p
        raise LookupError(f"no roster person with status={status!r} {match}")


@pytest.fixture(scope="session")
def sim_factory(tmp_path_factory):
    """Factory for extra services with their own DB (e.g. one per module); all stopped at session end."""
    made: list[Sim] = []

    def make(faults: str = "", code_ttl: float | None = None) -> Sim:
        d = tmp_path_factory.mktemp("sim")
        s = Sim(d / "sim.db", d / "sim.log", faults=faults, code_ttl=code_ttl).start()
        made.append(s)
        return s
    yield make
    for s in made:
        s.stop()


@pytest.fixture
def sim(tmp_path_factory):
    """A fresh `ecpos sim serve` subprocess on port 0 with its own DB; stopped at teardown."""
    d = tmp_path_factory.mktemp("sim")
    s = Sim(d / "sim.db", d / "sim.log").start()
    yield s
    s.stop()


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def write_toml(path: Path, overrides: dict) -> Path:
    """Write dotted-key overrides ({"credential.adapter": "http", "profile": "clinic"}) as a TOML layer."""
    top, tables = [], {}
    for key, value in overrides.items():
        section, _, name = key.rpartition(".")
        if section:
            tables.setdefault(section, []).append(f"{name} = {_toml_value(value)}")
        else:
            top.append(f"{name} = {_toml_value(value)}")
    text = "\n".join(top) + "\n" + "".join(f"\n[{s}]\n" + "\n".join(lines) + "\n" for s, lines in tables.items())
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def make_cfg(request, tmp_path_factory):
    """Factory: make_cfg(profile="pharmacy", {"dotted.key": value} or **{"dotted.key": value}) -> Config
    pointed at the `sim` fixture's URL (unless center.url is overridden) with a fresh tmp data dir."""
    tills = iter(range(10))

    def make(profile: str = "pharmacy", overrides: dict | None = None, **kw) -> config_mod.Config:
        over = {**(overrides or {}), **kw}
        # Each data dir is another till of the same institution: give it its own msgid node, as a site
        # would, or two tills could issue the same msgid in the same second.
        over.setdefault("institution.msgid_node", next(tills))
        if "center.url" not in over:
            over["center.url"] = request.getfixturevalue("sim").url
        d = tmp_path_factory.mktemp("ecpos")
        layer = write_toml(d / "override.toml", over)
        env = {k: v for k, v in os.environ.items() if k not in (
            "ECPOS_CONFIG", "ECPOS_DATA_DIR", "ECPOS_CENTER_URL", "ECPOS_PROFILE")}
        return config_mod.load(profile=profile, config_file=layer, data_dir=d / "data", env=env)
    return make
