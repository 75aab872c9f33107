"""The till's chain secret and chain head: two small files outside the journal file, owner-only.

    <key dir>/chain.key    32 random bytes (hex): the HMAC-SM3 key of the journal's chain
    <key dir>/chain.head   the last chain entry known committed: {"seq": n, "mac": "..."} in two slots

The key dir is [journal] key_dir, or by default a folder beside the data directory (`<data dir>.chain`), so
deleting the data directory or the journal alone does not erase the evidence that a journal existed. Both
files must be backed up with the journal.

The head moves after every commit that chained something, so its update must be cheap and crash-proof:
the file has two fixed-size slots, each with a CRC; a new head overwrites the older slot in place (no new
inode, no rename). The write is visible to every process at once and survives a killed process; its
fdatasync runs on a background thread, coalesced, so the sale never waits for a second disk sync (a
synchronous one doubled the cost of a commit: bench/chain.py), and close() syncs before returning. A power
cut may thus leave the head a few milliseconds behind the journal, and a torn write spoils only the slot
being written while the other holds the previous head: the head may lag the journal, never lead it, so a
crash can never make a good journal look shortened. Several processes of one till move it under a lock,
forward only.
"""
from __future__ import annotations

import json
import os
import secrets
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock
import platformdirs

from terminal.errors import EcposError


SLOT = 256  # bytes per head slot: '{"seq":..,"mac":..}' padded, then ' <crc32 hex>' and a newline
_sync = getattr(os, "fdatasync", os.fsync)  # fdatasync where there is one (not on Windows or macOS)


def _slot(seq: int, mac: str) -> bytes:
    body = json.dumps({"seq": seq, "mac": mac}, separators=(",", ":")).encode("ascii")
    body = body.ljust(SLOT - 10)
    return body + f" {zlib.crc32(body):08x}\n".encode("ascii")


def _unslot(raw: bytes):
    """(seq, mac) of a slot, or None when it is torn or empty."""
    body, crc = raw[:SLOT - 10], raw[SLOT - 9:SLOT - 1]
    try:
        if len(raw) != SLOT or int(crc, 16) != zlib.crc32(body):
            return None
        d = json.loads(body)
        return int(d["seq"]), str(d["mac"])
    except (ValueError, KeyError, TypeError):
        return None


class KeysError(EcposError):
    """The key dir cannot be read or written, or one of its files is damaged."""

    key = "chain_keys"
    exit_code = 2


def witness_dir(fingerprint: str) -> Path:
    """Where this machine keeps its own copy of a till's chain head, outside the backup set (journal and key
    dir): the user's state folder, one folder per till secret, named by the secret's `fingerprint` (a digest,
    never the secret). ECPOS_WITNESS_DIR moves it (a site whose state folder is backed up with the data)."""
    root = os.environ.get("ECPOS_WITNESS_DIR")
    if not root:
        root = Path(platformdirs.user_state_dir("ecpos", appauthor=False)) / "heads"
    return Path(root) / fingerprint


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
        self._lock = FileLock(str(self.dir / "chain.lock"), mode=0o600)  # owner-only, like the key beside it
        self._flush = threading.Condition()
        self._unsynced = False
        self._closing = False
        self._syncer: threading.Thread | None = None

    @property
    def witnessed_path(self) -> Path:
        """Present once this key dir's head has a witness on the machine (terminal/journal/journal_guard.py): a key dir
        restored with it onto a machine that has no witness was restored."""
        return self.dir / "chain.witnessed"

    def has_key(self) -> bool:
        """The secret file exists (this till has had a journal, or is making its first)."""
        return self.key_path.exists()

    def has_head(self) -> bool:
        """The head file exists."""
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

    def _slots(self) -> list:
        raw = self.head_path.read_bytes()
        return [_unslot(raw[i * SLOT:(i + 1) * SLOT]) for i in range(2)]

    def head(self) -> Head:
        """The newest intact slot of the head file."""
        try:
            good = [x for x in self._slots() if x is not None]
        except OSError as e:
            raise KeysError(f"日志链头无法读取：{self.head_path}（{e.strerror or e}）；请从备份恢复该文件",
                            key="chain_head_damaged") from None
        if not good:
            raise KeysError(f"日志链头已损坏：{self.head_path}；请从备份恢复该文件", key="chain_head_damaged")
        return Head(*max(good))

    def advance(self, seq: int, mac: str) -> None:
        """Move the head forward to (seq, mac) durably; an older head never overwrites a newer one."""
        self._prepare_dir()
        with self._lock:
            if not self.head_path.exists():
                # Made once, whole: written and synced under another name, then renamed into place.
                tmp = self.head_path.with_name(f"chain.head.{os.getpid()}.tmp")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    os.write(fd, _slot(seq, mac) + _slot(-1, ""))
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(tmp, self.head_path)
                return
            slots = self._slots()
            newest = max((x for x in slots if x is not None), default=(-1, ""))
            if newest[0] >= seq:
                return
            older = 0 if slots[0] is None or (slots[1] is not None and slots[0][0] < slots[1][0]) else 1
            fd = os.open(self.head_path, os.O_WRONLY)
            try:
                os.lseek(fd, older * SLOT, os.SEEK_SET)
                os.write(fd, _slot(seq, mac))
            finally:
                os.close(fd)
        self._sync_soon()

    def reset(self, seq: int, mac: str) -> None:
        """Set the head back (accepting an older restored journal, audited by the caller), synced now."""
        with self._lock:
            self.head_path.unlink(missing_ok=True)
            self.advance(seq, mac)

    def _sync_soon(self) -> None:
        """Ask the background syncer to fdatasync the head file (several asks, one sync)."""
        with self._flush:
            self._unsynced = True
            if self._syncer is None and not self._closing:
                self._syncer = threading.Thread(target=self._sync_loop, name="chain-head-sync", daemon=True)
                self._syncer.start()
            self._flush.notify()

    def _sync_loop(self) -> None:
        while True:
            with self._flush:
                while not self._unsynced and not self._closing:
                    self._flush.wait()
                if self._closing:
                    return  # close() syncs what is left itself
            self.sync()

    def close(self) -> None:
        """Sync what is unsynced and end the background syncer (a process that opens journal after journal,
        as reports over other tills' journals do, would otherwise keep one idle thread per journal)."""
        with self._flush:
            self._closing = True
            self._flush.notify()
            syncer, self._syncer = self._syncer, None
        if syncer is not None:
            syncer.join(timeout=10)
        self.sync()

    def sync(self) -> None:
        """fdatasync the head file now (close() calls it: nothing unsynced is left behind)."""
        with self._flush:
            if not self._unsynced:
                return
            self._unsynced = False
        try:
            fd = os.open(self.head_path, os.O_RDWR)
            try:
                _sync(fd)
            finally:
                os.close(fd)
        except OSError:
            pass  # the next advance asks again; meanwhile the head on disk can only lag, never lead
