"""A throwaway PostgreSQL cluster from Debian's postgresql package: initdb + pg_ctl on a free port in a tmp
dir (as the postgres user when the tests run as root: initdb refuses root), stopped and deleted afterwards.
The same class serves bench/fleet.py."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

BIN = Path(os.environ.get("ECPOS_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """start() / stop(fast=False) / databases on demand (fresh_dsn()); kill with stop(mode="immediate")."""

    def __init__(self, settings: dict | None = None):
        # Its own dir under /tmp: pytest's tmp dirs are root-only, and the postgres user must reach this one.
        self.root = Path(tempfile.mkdtemp(prefix="ecpos-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.settings = {"listen_addresses": "'127.0.0.1'", "unix_socket_directories": f"'{self.root}'",
                         "fsync": "off", "max_connections": "200", "shared_buffers": "64MB",
                         **(settings or {})}
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *cmd: str, timeout: float = 60) -> None:
        r = subprocess.run([*self._as, *cmd], capture_output=True, text=True, timeout=timeout)
        if r.returncode:
            raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stdout}\n{r.stderr}")

    def init(self) -> "Cluster":
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-locale")
        with open(self.data / "postgresql.conf", "a") as f:
            f.writelines(f"{k} = {v}\n" for k, v in self.settings.items())
            f.write(f"port = {self.port}\n")
        return self

    def start(self) -> "Cluster":
        if not self.data.exists():
            self.init()
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """mode immediate: like a crash (no checkpoint), connections cut mid-transaction."""
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, dbname: str = "postgres", password: str = "") -> str:
        pw = f":{password}" if password else ""
        return f"postgresql://postgres{pw}@127.0.0.1:{self.port}/{dbname}"

    def fresh_dsn(self) -> str:
        """A new empty database on this cluster."""
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.dsn(), autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return self.dsn(name)
