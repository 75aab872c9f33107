"""The embedded reference service: `ecpos sim serve --port 0` as a child process, plus its admin calls."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import requests

from terminal.errors import EcposError

START_TIMEOUT = 30.0


class SimProcess:
    """A running simulator on a free loopback port; stopped by stop() (SIGTERM, then kill)."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.db = self.workdir / "sim.db"
        self.log = self.workdir / "sim.log"
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.http = requests.Session()

    def start(self) -> "SimProcess":
        """Spawn and wait for `listening on http://HOST:PORT`."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "ecpos", "sim", "serve", "--host", "127.0.0.1", "--port", "0",
               "--db", str(self.db)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
        with open(self.log, "ab") as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=env)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT).decode("utf-8", "replace").strip()
        except queue.Empty:
            line = ""
        if not line.startswith("listening on http://"):
            self.stop()
            raise EcposError(f"内置医保平台模拟服务未能启动，请查看日志 {self.log}", key="demo_sim_start",
                             detail=line)
        self.url = line.split()[-1]
        return self

    def _post(self, path: str, body: dict) -> dict:
        r = self.http.post(self.url + path, json=body, timeout=10)
        r.raise_for_status()
        return r.json()

    def code(self, psn_no: str, by: str | None = None) -> str:
        """A fresh dynamic code, as the person's phone (or a family holder's) would show it."""
        return self._post("/admin/code", {"psn_no": psn_no, "by": by})["code"]

    def persons(self) -> list[dict]:
        """The roster (masked names)."""
        r = self.http.get(self.url + "/admin/persons", timeout=10)
        r.raise_for_status()
        return r.json()

    def person(self, status: str = "active", **match) -> dict:
        """The first roster person with this status and matching fields."""
        for p in self.persons():
            if p["status"] == status and all(p.get(k) == v for k, v in match.items()):
                return p
        raise LookupError(status)

    def faults(self, spec: str = "", clear: bool = False) -> None:
        """Add fault rules, or clear them all."""
        self._post("/admin/faults", {"clear": True} if clear else {"spec": spec})

    def stop(self) -> None:
        """SIGTERM and wait; kill if it does not go."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
