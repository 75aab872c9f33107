"""`ecpos sim serve` as a child process, and a client of its admin endpoints (stdlib only).

The demo embeds the service through this, and the tests' `sim` fixture is one of these: one launcher, so a
change in how the service starts or is driven is made once.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

START_TIMEOUT = 30.0  # a loaded 2-core machine can take a while to import and bind


def ecpos_command() -> list[str]:
    """How to run `ecpos` again: a PyInstaller bundle's own executable, else this interpreter -m ecpos."""
    return [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "ecpos"]


class SimStartError(RuntimeError):
    """The service did not print its listening line; the message carries its stderr."""


class SimProcess:
    """A running reference service on loopback: url, db, code(), faults(), advance(), ledger(), ..."""

    def __init__(self, workdir: Path, faults: str = "", code_ttl: float | None = None, channel: str = "national",
                 ca_secret: str = ""):
        self.workdir = Path(workdir)
        self.db, self.log = self.workdir / "sim.db", self.workdir / "sim.log"
        self.fault_spec, self.code_ttl = faults, code_ttl
        self.channel, self.ca_secret = channel, ca_secret
        self.port = 0
        self.url = ""
        self.admin_url = ""  # the admin endpoints' own port: open while `*:down` refuses the service's
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None  # of the last stop()

    # lifecycle ----------------------------------------------------------------------------------
    def start(self) -> "SimProcess":
        """Start (or restart) on the same DB, on the same port when it is still free."""
        if self.proc is not None:
            return self
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.port:
            try:
                return self._spawn(self.port)
            except SimStartError:
                pass  # the port was taken meanwhile: any free port will do
        return self._spawn(0)

    def _spawn(self, port: int) -> "SimProcess":
        cmd = [*ecpos_command(), "sim", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--db", str(self.db)]
        if self.fault_spec:
            cmd += ["--faults", self.fault_spec]
        if self.code_ttl is not None:
            cmd += ["--code-ttl", str(self.code_ttl)]
        if self.channel != "national":
            cmd += ["--channel", self.channel]
        if self.ca_secret:
            cmd += ["--ca-secret", self.ca_secret]
        # The service must not pick up a terminal's configuration from the environment.
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
        with open(self.log, "ab") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env)
        lines: queue.Queue = queue.Queue()
        def read_two() -> None:
            lines.put(proc.stdout.readline())
            lines.put(proc.stdout.readline())

        threading.Thread(target=read_two, daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT).decode("utf-8", "replace").strip()
            admin = lines.get(timeout=START_TIMEOUT).decode("utf-8", "replace").strip()
        except queue.Empty:
            line = admin = ""
        if not line.startswith("listening on http://"):
            proc.kill()
            proc.wait()
            raise SimStartError(f"sim did not start ({line!r}); stderr:\n"
                                f"{self.log.read_text(errors='replace')[-4000:]}")
        self.proc = proc
        self.url = line.split()[-1]
        self.admin_url = admin.split()[-1] if admin.startswith("admin on http://") else self.url
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

    # admin endpoints ----------------------------------------------------------------------------
    def _call(self, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.admin_url + path, data=data,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read().decode("utf-8"))

    def code(self, psn_no: str, by: str | None = None) -> str:
        """A fresh dynamic code for psn_no, as the phone (or family holder `by`'s phone) shows it."""
        return self._call("/admin/code", {"psn_no": psn_no, "by": by})["code"]

    def faults(self, spec: str) -> list:
        """Add fault rules ("2102:drop,ec.query:down"); returns the rules in force."""
        return self._call("/admin/faults", {"spec": spec})["faults"]

    def clear_faults(self) -> None:
        self._call("/admin/faults", {"clear": True})

    def advance(self, seconds: float) -> None:
        """Move the service clock forward (codes and tokens expire without waiting)."""
        self._call("/admin/clock", {"advance": seconds})

    def settings(self, **kw) -> dict:
        return self._call("/admin/settings", kw)

    def ledger(self) -> dict:
        return self._call("/admin/ledger")

    def persons(self) -> list[dict]:
        return self._call("/admin/persons")

    def person(self, status: str = "active", **match) -> dict:
        """The first roster person with this status and matching fields (e.g. insutype="390")."""
        for p in self.persons():
            if p["status"] == status and all(p.get(k) == v for k, v in match.items()):
                return p
        raise LookupError(f"no roster person with status={status!r} {match}")
