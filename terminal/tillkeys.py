"""The till's chain secret and chain head: two small files outside the journal file, owner-only.

    <key dir>/chain.key    32 random bytes (hex): the HMAC-SM3 key of the journal's chain
    <key dir>/chain.head   {"seq": n, "mac": "..."}: the last chain entry known committed

The key dir is [journal] key_dir, or by default a folder beside the data directory (`<data dir>.chain`), so
deleting the data directory or the journal alone does not erase the evidence that a journal existed. Both
files must be backed up with the journal. The head only moves forward (several processes of one till write
it, under a lock) and is replaced atomically after an fsync, so a crash leaves the old head or the new one,
never a torn file; the head may lag the journal (a crash right after a commit), never lead it.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from terminal.errors import EcposError


class KeysError(EcposError):
    """The key dir cannot be read or written, or one of its files is damaged."""

    key = "chain_keys"
    exit_code = 2


def default_dir(data_dir: Path) -> Path:
    """Beside the data directory: <data dir>.chain."""
    data_dir = Path(data_dir).absolute()
    return data_dir.with_name(data_dir.name + ".chain")


@dataclass(frozen=True)
class Head:
    """The last chain entry known committed."""

    seq: int
    mac: str


class TillKeys:
    """The secret and head files of one till's journal."""

    def __init__(self, directory: str | os.PathLike):
        self.dir = Path(directory)
        self.key_path = self.dir / "chain.key"
        self.head_path = self.dir / "chain.head"
        self._lock = FileLock(str(self.dir / "chain.lock"))

    def has_key(self) -> bool:
        return self.key_path.exists()

    def has_head(self) -> bool:
        return self.head_path.exists()

    def _prepare_dir(self) -> None:
        try:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as e:
            raise KeysError(f"日志密钥目录无法创建：{self.dir}（{e.strerror or e}）；请在配置 [journal] key_dir 中指定一个"
                            f"本机可写、与数据目录分开的目录", key="chain_keys_dir") from None

    def create_key(self) -> bytes:
        """A new secret, created owner-only and never overwritten."""
        self._prepare_dir()
        secret = secrets.token_bytes(32)
        try:
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, secret.hex().encode("ascii"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except FileExistsError:  # another process of this till made it a moment ago
            return self.secret()
        except OSError as e:
            raise KeysError(f"日志密钥无法写入：{self.key_path}（{e.strerror or e}）", key="chain_key_write") from None
        return secret

    def secret(self) -> bytes:
        """The till's secret (its file tightened to owner-only)."""
        try:
            text = self.key_path.read_text(encoding="ascii").strip()
            os.chmod(self.key_path, 0o600)
            secret = bytes.fromhex(text)
        except (OSError, ValueError, UnicodeDecodeError) as e:
            raise KeysError(f"日志密钥无法读取或已损坏：{self.key_path}（{e}）；请从备份恢复该文件",
                            key="chain_key_damaged") from None
        if len(secret) < 32:
            raise KeysError(f"日志密钥已损坏：{self.key_path}；请从备份恢复该文件", key="chain_key_damaged")
        return secret

    def head(self) -> Head:
        """The head as last written."""
        try:
            d = json.loads(self.head_path.read_text(encoding="utf-8"))
            return Head(int(d["seq"]), str(d["mac"]))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise KeysError(f"日志链头无法读取或已损坏：{self.head_path}（{e}）；请从备份恢复该文件",
                            key="chain_head_damaged") from None

    def advance(self, seq: int, mac: str) -> None:
        """Move the head forward to (seq, mac) durably; an older head never overwrites a newer one."""
        self._prepare_dir()
        with self._lock:
            if self.head_path.exists() and self.head().seq >= seq:
                return
            tmp = self.head_path.with_name(f"chain.head.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, json.dumps({"seq": seq, "mac": mac}).encode("utf-8"))
                os.fsync(fd)  # the data is on disk before the name points at it: never a torn head
            finally:
                os.close(fd)
            os.replace(tmp, self.head_path)
