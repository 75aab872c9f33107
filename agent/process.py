"""`ecpos agent` as a child process (tests, the benchmark, scripts): start, url, stop, kill."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # `python -m ecpos` from here runs this checkout's code
START_TIMEOUT = 60.0  # importing FastAPI and opening the journal on a loaded 2-core machine


class AgentStartError(RuntimeError):
    """The agent did not print its listening line; the message carries its stderr."""


class AgentProcess:
    """A running `ecpos agent --port 0` for a config layer and data dir, with a known token."""

    def __init__(self, config_file: str | Path, data_dir: str | Path, token: str, profile: str = "pharmacy",
                 log: str | Path | None = None):
        self.config_file, self.data_dir, self.token, self.profile = config_file, Path(data_dir), token, profile
        self.log = Path(log) if log else self.data_dir.parent / "agent.err"
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self, env: dict | None = None) -> "AgentProcess":
        """Start and wait for `listening on http://...`; env adds variables (e.g. ECPOS_TEST_KILL_AT)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
        base.update({"ECPOS_AGENT_TOKEN": self.token, "ECPOS_PROFILE": self.profile, **(env or {})})
        cmd = [sys.executable, "-m", "ecpos", "--config", str(self.config_file), "--data-dir", str(self.data_dir),
               "agent", "--port", "0"]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=base, cwd=ROOT)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: lines.put(proc.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=START_TIMEOUT).decode("utf-8", "replace").strip()
        except queue.Empty:
            line = ""
        if not line.startswith("listening on http://"):
            proc.kill()
            proc.wait()
            raise AgentStartError(f"agent did not start ({line!r}); stderr:\n"
                                  f"{self.log.read_text(errors='replace')[-4000:]}")
        self.proc, self.url = proc, line.split()[-1]
        return self

    @property
    def headers(self) -> dict:
        """The Authorization header callers send."""
        return {"Authorization": f"Bearer {self.token}"}

    def wait(self, timeout: float = 30) -> int:
        """Wait for the process to end (e.g. after a test's crash point); its exit code."""
        assert self.proc is not None
        code = self.proc.wait(timeout=timeout)
        self.proc.stdout.close()
        self.proc = None
        return code

    def stop(self) -> int | None:
        """SIGTERM and wait; kill if it does not go."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        proc.stdout.close()
        return code
