"""After a restart the new process may get the crashed one's pid (containers, services started at boot):
what the earlier process left half-way is still recovered, while this process's own open sale is not."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

from terminal import config
from terminal.counter import Counter


def test_pending_sale_of_an_earlier_process_with_our_pid_is_abandoned(tmp_path):
    cfg = config.load(profile="pharmacy", data_dir=tmp_path / "d", center_url="http://127.0.0.1:9", env={})
    with Counter(cfg) as c:
        with c.store.tx() as db:
            earlier = c.store.open(db, "pharmacy", "0001", psn_no="P1")
        hour_ago = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(timespec="microseconds")
        with c.journal.tx() as db:  # written an hour ago by a process that had our pid
            db.execute("UPDATE sales SET created_at=?, status_at=?, pid=? WHERE id=?",
                       (hour_ago, hour_ago, os.getpid(), earlier))
        with c.store.tx() as db:
            mine = c.store.open(db, "pharmacy", "0001", psn_no="P2")  # this process's quote on screen
        report = c.sync()
        assert [a["sale_id"] for a in report.abandoned] == [earlier]
        assert c.journal.sale(earlier)["status"] == "failed"
        assert c.journal.sale(mine)["status"] == "pending"
