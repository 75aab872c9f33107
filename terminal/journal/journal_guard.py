"""Opening a journal safely: a till whose journal once existed never starts a new one silently.

The till's key dir (terminal/journal/tillkeys.py) is the evidence that a journal existed: with its secret and head
present, a missing, emptied, shortened or replaced journal file is refused (exit 2, restore it from backup)
for every command. A brand-new till (no key dir files, no journal) starts normally; a journal of the previous
release (rows but no chain) gets a secret and has its current rows chained once, audited; one whose triggers
are an older version's has the tables that version did not chain (chain.SINCE) chained once, audited.

Once open, the Guard keeps the chain: it registers the functions the triggers call, installs the triggers
(recording in the chain itself any it finds dropped or altered, and rows changed meanwhile), and moves the
head forward after each commit that chained something.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from terminal import logs
from terminal.journal import audit, chain
from terminal.journal.chain import ChainError, Signer
from terminal.errors import EcposError
from terminal.journal.tillkeys import TillKeys, witness_dir

RESTORE = "请从备份恢复 journal.sqlite3（及同名的 -wal 文件）到 {where} 后再运行；不要新建空日志，否则排队的退费和结果未知的结算会丢失"
WITNESS_S = 1.0  # the witness of the head moves at most this often while selling (and at close)
RESET_HINT = ("to start a new journal on purpose (the old one is truly lost), move the key dir {dir} away and "
              "keep it: it proves what the old journal held")


class JournalMissing(ChainError):
    key = "journal_missing"


class JournalEmptied(ChainError):
    key = "journal_emptied"


class JournalShortened(ChainError):
    key = "journal_tail_missing"


class JournalReplaced(ChainError):
    key = "journal_replaced"


class JournalRestored(ChainError):
    """The journal and its key dir came back from a backup: this machine's witness of the head is further on,
    or the key dir had a witness this machine does not have."""

    key = "journal_restored"


def before_open(path: Path, keys: TillKeys) -> None:
    """Refuse a missing or zero-length journal file on a till that had one (before SQLite would create it)."""
    if not (keys.has_key() or keys.has_head()):
        return  # a brand-new till, or a journal of the previous release: opened and chained normally
    hint = RESET_HINT.format(dir=keys.dir)
    if not path.exists():
        raise JournalMissing(f"交易日志不见了：{path}。本收款台曾有交易日志（链头保存在 {keys.dir}）。"
                             + RESTORE.format(where=path.parent), detail=hint)
    if path.stat().st_size == 0:
        raise JournalEmptied(f"交易日志被清空了：{path}（0 字节）。" + RESTORE.format(where=path.parent), detail=hint)


class Guard:
    """The chain of one open journal connection: triggers installed, head kept."""

    def __init__(self, conn: sqlite3.Connection, path: Path, keys: TillKeys, *, accept_older: bool = False):
        """Check the journal against the till's key dir (before anything is written to it). accept_older:
        a journal older than the head (the newest backup there is) is let in, for accept_restored()."""
        self.conn, self.path, self.keys = conn, path, keys
        self.dirty = False  # this connection chained something since the head was last written
        self.older_than_head: int | None = None  # the head's seq, when an older journal was let in
        has_chain = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='chain'").fetchone()
        # The last seq, not count(*): O(log n) on every open; in a genuine chain they are the same.
        entries = conn.execute("SELECT coalesce(max(seq), 0) FROM chain").fetchone()[0] if has_chain else 0
        hint = RESET_HINT.format(dir=keys.dir)
        if keys.has_key():
            self.signer = Signer(keys.secret())
        elif keys.has_head() or entries:
            raise ChainError(f"本收款台的日志密钥不见了：{keys.key_path}。没有它无法证明交易日志未被改动，也不能继续记账："
                             f"请从备份恢复目录 {keys.dir}（chain.key 与 chain.head）后再运行", key="chain_key_missing")
        else:
            self.signer = Signer(keys.create_key())
        self._register()
        if not keys.has_head():
            if entries:
                raise ChainError(f"本收款台的日志链头不见了：{keys.head_path}；请从备份恢复后再运行",
                                 key="chain_head_missing")
            keys.advance(0, "")  # first start (or a first start cut short): nothing chained yet
        head = keys.head()
        if has_chain:  # read again after the head: another process may have committed (and moved it) since
            entries = conn.execute("SELECT coalesce(max(seq), 0) FROM chain").fetchone()[0]
        if head.seq:
            if entries == 0:
                raise JournalEmptied(f"交易日志被清空了：{path}（本收款台已记账 {head.seq} 条，日志里一条也没有）。"
                                     + RESTORE.format(where=path.parent), detail=hint)
            at = conn.execute("SELECT mac FROM chain WHERE seq=?", (head.seq,)).fetchone()
            if at is None and accept_older:
                self.older_than_head = head.seq
            elif at is None:
                raise JournalShortened(
                    f"交易日志的最后部分不见了：{path} 只到第 {entries} 条，本收款台已记到第 {head.seq} 条"
                    f"（被删改，或恢复了较旧的备份）。" + RESTORE.format(where=path.parent).replace("备份", "最新的备份"),
                    detail=hint + "; if the newest backup is older than the head, run `ecpos journal "
                           "--accept-restored` to record the loss and go on from it")
            elif at[0] != head.mac:
                raise JournalReplaced(f"交易日志与本收款台的链头不符：{path} 被改写或换成了别的日志。"
                                      + RESTORE.format(where=path.parent), detail=hint)
        self._migrate = entries == 0 and head.seq == 0  # nothing chained yet
        self.restored: tuple[int, int] | None = None  # (chain end, seq this machine saw; 0: no record here)
        self.witness = TillKeys(witness_dir(chain.sm3_hex(self.signer.secret.hex())[:16]))
        self._witnessed = time.monotonic()  # the check below has just read or written it
        self._check_witness(entries, accept_older, bool(has_chain))

    def _check_witness(self, entries: int, accept_older: bool, has_chain: bool) -> None:
        """The head kept in the key dir comes back with it from a backup, so it cannot tell a restored journal;
        the witness, a copy of the head in this machine's state folder (not in the backup set), can: it is
        further on than the journal, or (a restore onto another machine or account) missing although the key
        dir says it had one. Then the day-close slip's head is asked for (ecpos journal --accept-restored
        --slip) before anything else runs. Neither copy can tell a restore that brought the witness back too."""
        try:
            seen = self.witness.head() if self.witness.has_head() else None
        except EcposError:
            seen = None  # a damaged witness proves nothing either way: it is written again below
        if seen is not None and seen.seq == 0:
            return  # the witness saw an empty chain (a new till, before its first second's witness): never behind
        if seen is not None:
            at = self.conn.execute("SELECT mac FROM chain WHERE seq=?", (seen.seq,)).fetchone() if has_chain else None
            if at is not None and at[0] == seen.mac:
                return
            if at is not None:  # the chain differs where this machine saw it: rewritten, not restored
                raise JournalReplaced(f"交易日志与本机记录的链头（第 {seen.seq} 条）不符：{self.path} 被改写或换成了别的日志。"
                                      + RESTORE.format(where=self.path.parent), detail=f"witness {self.witness.dir}")
            self.restored = (entries, seen.seq)
        elif self.keys.witnessed_path.exists() and entries:
            self.restored = (entries, 0)
        else:  # the first start here (or of a release before the witness): begin witnessing
            try:
                self.witness.advance(*(chain.last(self.conn) if has_chain else (0, "")))
                self.keys.witnessed_path.touch(mode=0o600)
            except (OSError, EcposError) as e:
                logs.event("chain_witness_not_written", error=str(e))
            return
        if accept_older or self.older_than_head is not None:
            return  # accept_restored() decides, or the head's own refusal (journal only restored) comes first
        end, was = self.restored
        lost = (f"本机曾记到第 {was} 条，恢复的日志只到第 {end} 条：第 {end + 1}–{was} 条变更（其间的结算、退费、结果未知的"
                f"结算）不在日志中" if was else "本机没有这份日志的记录（恢复到了另一台电脑或另一个用户）")
        raise JournalRestored(
            f"交易日志和日志密钥是从备份恢复的：{lost}。请找出最后一张日结单，把上面的“日志链头 第 N 条 XXXX”填入 "
            f"ecpos journal --accept-restored --slip N:XXXX 确认（没有日结单时写 --slip none），之后用 ecpos reconcile "
            f"与医保平台核对", detail=f"witness {self.witness.dir}")

    def install(self, add_columns) -> None:
        """Once the schema is in place: triggers as this release wants them, an older journal chained,
        new columns added (add_columns), and anything found dropped or changed recorded in the chain."""
        self._install(add_columns, migrate=self._migrate)
        self.after_commit()

    def _register(self) -> None:
        self.conn.create_function("ecpos_sm3", 1, chain.sm3_hex, deterministic=True)
        self.conn.create_function("ecpos_chain_mac", 7, self._trigger_mac)

    def _trigger_mac(self, prev, seq, tbl, key, op, row_hash, note) -> str:
        self.dirty = True
        return self.signer.mac(prev, seq, tbl, key, op, row_hash, note)

    def _install(self, add_columns, *, migrate: bool) -> None:
        """Triggers as this release wants them; new columns added; rows chained where their form changed."""
        c = self.conn
        if chain.installed_triggers(c) == chain.expected_triggers(c) and not add_columns(dry=True):
            return  # the usual open: nothing to do, no write
        c.execute("BEGIN IMMEDIATE")
        try:
            before = {t: chain.columns(c, t) for t in chain.CHAINED}
            have = chain.installed_triggers(c)
            intact = have == chain.expected_triggers(c)
            migrate = migrate and c.execute("SELECT 1 FROM chain LIMIT 1").fetchone() is None
            # Tables the release of these triggers did not chain (none left: taken as this release's, so
            # nothing passes as new) have their rows chained as found, once; not when the chain already
            # holds one of their rows: triggers renamed to look older must not launder an edit.
            was = max(map(chain.trigger_version, have), default=chain.VERSION)
            new = [] if migrate else [
                t for t in chain.CHAINED if t not in chain.chained_by(was)
                and c.execute("SELECT 1 FROM chain WHERE tbl=? LIMIT 1", (t,)).fetchone() is None]
            # Rows compared with the chain before new columns change their form (nothing edited slips in).
            found = [] if migrate else chain.differences(c, [t for t in chain.CHAINED if t not in new])
            add_columns()
            want = chain.expected_triggers(c)
            changed = [t for t in chain.CHAINED if chain.columns(c, t) != before[t]]
            older = any(not n.startswith(f"chain{chain.VERSION}_") for n in have)
            for name in have:
                if want.get(name) != have[name]:
                    c.execute(f"DROP TRIGGER {name}")
            for name, sql in want.items():
                if have.get(name) != sql:
                    c.execute(sql)
            notes = []
            if not migrate and not intact and not older and not changed:
                gone = sorted(set(want) - set(have)) or sorted(n for n in want if have.get(n) != want[n])
                notes.append(f"triggers dropped or altered: {', '.join(gone)}")
            if found:
                notes.append("rows that differ from the chain: "
                             + ", ".join(f"{t} {k} {what}" for t, k, what in found[:20]))
            if notes:  # kept in the chain itself: verify reports it from now on, whoever restores what
                chain.append(c, self.signer, "", 0, "t", "", "; ".join(notes))
            rechain = list(chain.CHAINED) if migrate else [t for t in chain.CHAINED if t in changed or t in new]
            counts = {}
            for t in rechain:
                rows = chain.current_rows(c, t)
                for k, h in sorted(rows.items()):
                    chain.append(c, self.signer, t, k, "m", h)
                counts[t] = len(rows)
            if sum(counts.values()) or new:  # a table newly chained is audited even when empty
                why = "journal of an earlier release" if migrate else "; ".join(
                    ([f"tables the triggers of chain version {was} did not chain: {', '.join(new)}"] if new else [])
                    + (["columns added"] if changed else []))
                audit.append(c, "journal_chained", "", why=why, **counts)
        except BaseException:
            c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")
        self.dirty = True

    def row_holds(self, table: str, key: int) -> bool:
        """chain.row_holds on this connection with this till's secret."""
        return chain.row_holds(self.conn, self.signer, table, key)

    def after_commit(self) -> None:
        """Move the head to the chain's last entry when this connection chained something. What was
        committed stands even if the head cannot be written now (full disk): it lags, is retried after
        the next commit, and a lagging head never makes a good journal look bad."""
        if self.dirty:
            try:
                last = chain.last(self.conn)
                self.keys.advance(*last)
                self.dirty = False
                self._witness(last)
            except (OSError, EcposError) as e:
                logs.event("chain_head_not_written", error=str(e))

    def accept_restored(self, slip: tuple[int, str] | None = None) -> tuple[int, int]:
        """Go on from a restored journal older than the head or its witness (the newest backup there is): it
        must verify in itself; a restore only the witness saw (journal and key dir restored together) needs the
        last day-close slip's head, which the journal must hold (slip (0, "") when the till has none). The loss
        is audited and both heads moved back to its end. Returns (first entry lost, head it had reached)."""
        if self.older_than_head is None and self.restored is None:
            raise ChainError("交易日志与链头一致，无需接受恢复的备份", key="journal_not_older")
        if self.older_than_head is None:
            if slip is None:
                raise ChainError("交易日志和日志密钥是一起从备份恢复的：请加上最后一张日结单上的日志链头 --slip N:XXXX"
                                 "（没有日结单时写 --slip none）", key="journal_slip_needed")
            if slip[0] and not chain.holds(self.conn, *slip):
                raise ChainError(f"日结单上的日志链头（第 {slip[0]} 条 {slip[1]}）不在恢复的日志中：这份备份比那次日结还旧。"
                                 f"请恢复日结之后的备份；没有更新的备份时请联系信息科", key="journal_slip_missing")
        proof = chain.verify(self.conn, self.signer, chain.last(self.conn))
        if not proof.ok:
            raise ChainError(f"恢复的交易日志本身被改动过（{proof.reason}），不能接受：请换一个备份或联系信息科",
                             key="journal_chain_broken")
        end = chain.last(self.conn)[0]
        head_was = max(self.older_than_head or 0, self.restored[1] if self.restored else 0)
        seen = {"slip_seq": slip[0], "slip_mac": slip[1]} if slip else {}
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            audit.append(self.conn, "journal_restored_older", "", chain_ended=end, head_was=head_was,
                         lost=max(head_was - end, 0), witness=self.restored is not None, **seen)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        last = chain.last(self.conn)
        self.keys.reset(*last)
        self.witness.reset(*last)
        self.keys.witnessed_path.touch(mode=0o600)
        self.dirty = False
        self.older_than_head = None
        self.restored = None
        return end + 1, head_was

    def _witness(self, last: tuple[int, str], now: bool = False) -> None:
        """Move the witness to the head, at most once a WITNESS_S while selling (every commit cost a second file
        write and sync, ~0.8 ms: bench/chain.py) and always at close: it may lag the head by that much, which
        only hides a restore that lost less than the last second's work. A restored journal moves it only once
        accepted."""
        if self.restored is not None or not (now or time.monotonic() - self._witnessed >= WITNESS_S):
            return
        try:
            self.witness.advance(*last)
            self._witnessed = time.monotonic()
        except (OSError, EcposError) as e:
            logs.event("chain_witness_not_written", error=str(e))

    def close(self) -> None:
        """Last head written (a write made outside Journal.tx() too) and synced to disk, and its witness."""
        self.after_commit()
        self._witness(chain.last(self.conn), now=True)
        self.keys.close()
        self.witness.close()

    def after_rollback(self) -> None:
        """Nothing of a rolled-back transaction reaches the head."""
        self.dirty = False

    def verify(self) -> chain.Proof:
        """The whole proof (`ecpos journal --verify`)."""
        head = self.keys.head()  # before the snapshot: what it sees is at least as long as the head
        self.conn.execute("BEGIN")  # one snapshot for the chain and the rows while a till keeps selling
        try:
            return chain.verify(self.conn, self.signer, (head.seq, head.mac))
        finally:
            self.conn.execute("COMMIT")
